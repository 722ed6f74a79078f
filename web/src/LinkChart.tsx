// The link chart's canvas (cytoscape.js, loaded with the chart page only). Nodes and
// relationships come in as plain lists; what is new is added in one batch and laid out around
// what is already drawn, what is gone is removed. A tap selects a node, a double tap expands it.
// Hidden relationship types and the path asked about are classes, so toggling them redraws
// without a new layout. The cytoscape instance is on the canvas element as `cy`, so a test can
// read what is drawn and where.
import cytoscape, { type Core, type ElementDefinition, type LayoutOptions, type NodeSingular, type StylesheetJson } from "cytoscape";
import { useEffect, useRef } from "react";
import { EDGE_STYLES, NODE_STYLES, OTHER_EDGE, OTHER_NODE, RELATION, isRelationType, type EdgeStyle, type NodeStyle } from "./chartStyles";

export type ChartNode = { id: string; typename: string; name: string };
export type ChartEdge = { id: string; type: string; from: string; to: string; label: string };

/** Past this many nodes cose's force layout gets slow: rings around the focus instead. */
const FORCE_LAYOUT_UP_TO = 150;
const FIT_ZOOM_UP_TO = 1.5;

/** A node's class names its kind (`kind-Actor`), an edge's its look (`look-INVOLVES`; every
 * relation type shares `look-relation`): the stylesheet has one rule of plain values per class,
 * so no style is mapped from an element's data but its label. */
function nodeClass(typename: string): string {
  return `kind-${Object.hasOwn(NODE_STYLES, typename) ? typename : "other"}`;
}

function edgeClass(type: string): string {
  return `look-${Object.hasOwn(EDGE_STYLES, type) ? type : isRelationType(type) ? "relation" : "other"}`;
}

function lookRules(): StylesheetJson {
  const kinds: [string, NodeStyle][] = [...Object.entries(NODE_STYLES), ["other", OTHER_NODE]];
  const looks: [string, EdgeStyle][] = [...Object.entries(EDGE_STYLES), ["relation", RELATION], ["other", OTHER_EDGE]];
  return [
    ...kinds.map(([kind, style]) => ({
      selector: `node.kind-${kind}`,
      style: { "background-color": style.colour, shape: style.shape },
    })),
    ...looks.map(([look, style]) => ({
      selector: `edge.look-${look}`,
      // Straight lines, and haystacks (centre to centre, under the nodes) where there is no
      // arrow. Bezier edges were most of the busy time of a drag and zoom at 500 nodes (their
      // parallel edges looked up, control points and ends found again: docs/webapp.md).
      style: style.arrow
        ? { "line-color": style.colour, "line-style": style.line, "curve-style": "straight", "target-arrow-shape": "triangle", "target-arrow-color": style.colour }
        : { "line-color": style.colour, "line-style": style.line, "curve-style": "haystack" },
    })),
  ] as StylesheetJson;
}

const STYLESHEET: StylesheetJson = [
  {
    selector: "node",
    style: {
      label: "data(name)",
      "font-size": 10,
      "text-valign": "bottom",
      "text-margin-y": 3,
      "text-wrap": "ellipsis",
      "text-max-width": "110px",
      "min-zoomed-font-size": 7,
      width: 22,
      height: 22,
      "border-width": 1,
      "border-color": "#1d232a",
    },
  },
  { selector: "node.focus", style: { width: 32, height: 32, "border-width": 3 } },
  {
    selector: "edge",
    style: {
      width: 1.5,
      label: "data(label)",
      "font-size": 8,
      color: "#44505c",
      "text-rotation": "autorotate",
      "min-zoomed-font-size": 8,
    },
  },
  ...lookRules(),
  // Two relationships between the same nodes are drawn apart, as curves; so is a loop.
  { selector: "edge.curved", style: { "curve-style": "bezier" } },
  { selector: ".type-hidden", style: { display: "none" } },
  { selector: "node.on-path", style: { "border-width": 4, "border-color": "#b3261e" } },
  { selector: "edge.on-path", style: { width: 4, "line-color": "#b3261e", "target-arrow-color": "#b3261e" } },
  { selector: "node:selected", style: { "overlay-color": "#f0a500", "overlay-opacity": 0.35, "overlay-padding": 6 } },
];

function nodeElement(node: ChartNode): ElementDefinition {
  return { group: "nodes", data: { id: node.id, name: node.name, typename: node.typename }, classes: nodeClass(node.typename) };
}

function edgeElement(edge: ChartEdge): ElementDefinition {
  return {
    group: "edges",
    data: { id: edge.id, source: edge.from, target: edge.to, type: edge.type, label: edge.label },
    classes: edgeClass(edge.type),
  };
}

/** The ends of an edge, in either direction: two edges with the same pair are parallel. */
function pairOf(edge: ChartEdge): string {
  return edge.from < edge.to ? `${edge.from}\u0000${edge.to}` : `${edge.to}\u0000${edge.from}`;
}

/** The edges to draw as curves: those that share their two nodes with another, and loops. */
function curvedEdges(edges: ChartEdge[]): Set<string> {
  const count = new Map<string, number>();
  for (const edge of edges) count.set(pairOf(edge), (count.get(pairOf(edge)) ?? 0) + 1);
  return new Set(edges.filter((e) => e.from === e.to || count.get(pairOf(e))! > 1).map((e) => e.id));
}

function layoutOf(cy: Core, focus: string, fresh: boolean): LayoutOptions {
  if (cy.nodes().length <= FORCE_LAYOUT_UP_TO) {
    return { name: "cose", animate: false, randomize: fresh, fit: true, padding: 30, nodeDimensionsIncludeLabels: true };
  }
  const depth = new Map<string, number>();
  const root = cy.getElementById(focus);
  if (root.nonempty()) {
    cy.elements().breadthFirstSearch({ root, visit: (node, _edge, _previous, _i, d) => void depth.set(node.id(), d) });
  }
  return {
    name: "concentric", animate: false, fit: true, padding: 30, minNodeSpacing: 6,
    concentric: (node) => 10 - Math.min(depth.get(node.id()) ?? 9, 9),
    levelWidth: () => 1,
  };
}

type Props = {
  nodes: ChartNode[];
  edges: ChartEdge[];
  focus: string;
  hiddenTypes: ReadonlySet<string>;
  path: ReadonlySet<string>;
  onSelect: (id: string | null) => void;
  onExpand: (id: string) => void;
};

export function LinkChart({ nodes, edges, focus, hiddenTypes, path, onSelect, onExpand }: Props) {
  const holder = useRef<HTMLDivElement>(null);
  const chart = useRef<Core | null>(null);
  const handlers = useRef({ onSelect, onExpand });
  handlers.current = { onSelect, onExpand };

  useEffect(() => {
    const element = holder.current;
    if (!element) return;
    // While the view is dragged or zoomed only the nodes are drawn (`hideEdgesOnViewport`),
    // from cytoscape's cached pictures of each; lines and all come back when the move stops.
    // Its other lever, one picture of the whole chart taken as a move begins
    // (`textureOnViewport`), drew that picture at twice the canvas's size at the start of each
    // move and had more long tasks (docs/webapp.md, "The link chart at 500 nodes").
    const cy = cytoscape({
      container: element, style: STYLESHEET, minZoom: 0.05, maxZoom: 4, wheelSensitivity: 0.3,
      hideEdgesOnViewport: true, textureOnViewport: false, motionBlur: false,
    });
    cy.on("tap", "node", (event) => handlers.current.onSelect(event.target.id()));
    cy.on("tap", (event) => {
      if (event.target === cy) handlers.current.onSelect(null);
    });
    cy.on("dbltap", "node", (event) => handlers.current.onExpand(event.target.id()));
    chart.current = cy;
    Object.defineProperty(element, "cy", { value: cy, configurable: true });
    return () => {
      delete (element as { cy?: Core }).cy;
      delete element.dataset.ready;
      chart.current = null;
      cy.destroy();
    };
  }, []);

  // New elements in one batch, placed by their drawn neighbours, then one layout.
  useEffect(() => {
    const cy = chart.current;
    const element = holder.current;
    if (!cy || !element) return;
    const wanted = new Set([...nodes.map((n) => n.id), ...edges.map((e) => e.id)]);
    const fresh = cy.nodes().length === 0;
    let added = 0;
    cy.batch(() => {
      cy.elements().filter((el) => !wanted.has(el.id())).remove();
      const newNodes = nodes.filter((n) => cy.getElementById(n.id).empty());
      added = newNodes.length;
      cy.add(newNodes.map(nodeElement));
      cy.add(edges.filter((e) => cy.getElementById(e.id).empty()).map(edgeElement));
      const curved = curvedEdges(edges);
      cy.edges().forEach((edge) => void edge.toggleClass("curved", curved.has(edge.id())));
      const newIds = new Set(newNodes.map((n) => n.id));
      for (const node of newNodes) {
        const placed = cy.getElementById(node.id).neighborhood().nodes().toArray().find((n) => !newIds.has(n.id())) as NodeSingular | undefined;
        const anchor = placed ? placed.position() : { x: 0, y: 0 };
        cy.getElementById(node.id).position({ x: anchor.x + (Math.random() - 0.5) * 80, y: anchor.y + (Math.random() - 0.5) * 80 });
      }
      cy.nodes().removeClass("focus");
      cy.getElementById(focus).addClass("focus");
    });
    if (added > 0 || fresh) {
      element.dataset.ready = "false";
      const layout = cy.layout(layoutOf(cy, focus, fresh));
      layout.one("layoutstop", () => {
        if (cy.zoom() > FIT_ZOOM_UP_TO) cy.zoom(FIT_ZOOM_UP_TO).center(); // a few nodes are not blown up
        element.dataset.ready = "true";
      });
      layout.run();
    }
    element.dataset.nodes = String(cy.nodes().length);
  }, [nodes, edges, focus]);

  useEffect(() => {
    const cy = chart.current;
    if (!cy) return;
    cy.batch(() => {
      cy.edges().forEach((edge) => {
        edge.toggleClass("type-hidden", hiddenTypes.has(edge.data("type") as string));
      });
      cy.elements().forEach((el) => {
        el.toggleClass("on-path", path.has(el.id()));
      });
    });
    // What is applied, for whoever waits on it (a test, a screenshot).
    const element = holder.current!;
    element.dataset.hiddenTypes = [...hiddenTypes].sort().join(" ");
    element.dataset.onPath = String(cy.elements(".on-path").length);
  }, [hiddenTypes, path, nodes, edges]);

  return <div ref={holder} className="chart-canvas" data-testid="chart" />;
}
