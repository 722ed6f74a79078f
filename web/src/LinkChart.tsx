// The link chart's canvas (cytoscape.js, loaded with the chart page only). Nodes and
// relationships come in as plain lists; what is new is added in one batch and laid out around
// what is already drawn, what is gone is removed. A tap selects a node, a double tap expands it.
// Hidden relationship types and the path asked about are classes, so toggling them redraws
// without a new layout. The cytoscape instance is on the canvas element as `cy`, so a test can
// read what is drawn and where.
import cytoscape, { type Core, type ElementDefinition, type LayoutOptions, type NodeSingular, type StylesheetJson } from "cytoscape";
import { useEffect, useRef } from "react";
import { edgeStyle, nodeStyle } from "./chartStyles";

export type ChartNode = { id: string; typename: string; name: string };
export type ChartEdge = { id: string; type: string; from: string; to: string; label: string };

/** Past this many nodes cose's force layout gets slow: rings around the focus instead. */
const FORCE_LAYOUT_UP_TO = 150;
const FIT_ZOOM_UP_TO = 1.5;

const STYLESHEET: StylesheetJson = [
  {
    selector: "node",
    style: {
      "background-color": "data(colour)",
      shape: "data(shape)" as never,
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
      "line-color": "data(colour)",
      "line-style": "data(line)" as never,
      "target-arrow-color": "data(colour)",
      "target-arrow-shape": "data(arrow)" as never,
      "curve-style": "bezier",
      label: "data(label)",
      "font-size": 8,
      color: "#44505c",
      "text-rotation": "autorotate",
      "min-zoomed-font-size": 8,
    },
  },
  { selector: ".type-hidden", style: { display: "none" } },
  { selector: "node.on-path", style: { "border-width": 4, "border-color": "#b3261e" } },
  { selector: "edge.on-path", style: { width: 4, "line-color": "#b3261e", "target-arrow-color": "#b3261e" } },
  { selector: "node:selected", style: { "overlay-color": "#f0a500", "overlay-opacity": 0.35, "overlay-padding": 6 } },
];

function nodeElement(node: ChartNode): ElementDefinition {
  const style = nodeStyle(node.typename);
  return {
    group: "nodes",
    data: { id: node.id, name: node.name, typename: node.typename, colour: style.colour, shape: style.shape },
  };
}

function edgeElement(edge: ChartEdge): ElementDefinition {
  const style = edgeStyle(edge.type);
  return {
    group: "edges",
    data: {
      id: edge.id, source: edge.from, target: edge.to, type: edge.type, label: edge.label,
      colour: style.colour, line: style.line, arrow: style.arrow ? "triangle" : "none",
    },
  };
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
    // While the view is dragged or zoomed, cytoscape moves one picture of the chart taken when
    // the move began (`textureOnViewport`) instead of drawing every node, edge and label each
    // frame, which at 500 nodes on a loaded machine can take longer than the browser's 50 ms
    // (docs/webapp.md, "How it is tested"). Everything is drawn again when the move stops.
    const cy = cytoscape({
      container: element, style: STYLESHEET, minZoom: 0.05, maxZoom: 4, wheelSensitivity: 0.3,
      textureOnViewport: true,
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
