// How the link chart draws each kind of node and relationship: declared once, read by the
// chart's stylesheet and by its legend. Node colours follow the kind badges (styles.css).

export type NodeStyle = { label: string; colour: string; shape: "ellipse" | "round-rectangle" | "diamond" | "hexagon" | "rectangle" | "tag" | "triangle" };

export const NODE_STYLES: Record<string, NodeStyle> = {
  Actor: { label: "actor", colour: "#d9822b", shape: "ellipse" },
  Asset: { label: "asset", colour: "#2f7ed8", shape: "round-rectangle" },
  Location: { label: "place", colour: "#3d9a50", shape: "diamond" },
  EquipmentType: { label: "equipment type", colour: "#8e5bb5", shape: "hexagon" },
  Event: { label: "event", colour: "#c9a227", shape: "rectangle" },
  Source: { label: "source", colour: "#5d6b7a", shape: "tag" },
  Report: { label: "report", colour: "#8795a5", shape: "triangle" },
};

export const OTHER_NODE: NodeStyle = { label: "other", colour: "#9aa5b1", shape: "ellipse" };

export type EdgeStyle = { label: string; colour: string; line: "solid" | "dashed" | "dotted"; arrow: boolean };

/** Stored relationship types; every relation type (`operates`, `part_of` …) shares RELATION. */
export const EDGE_STYLES: Record<string, EdgeStyle> = {
  INVOLVES: { label: "takes part in (role)", colour: "#7a8794", line: "solid", arrow: false },
  OCCURRED_AT: { label: "happened at", colour: "#3d9a50", line: "solid", arrow: true },
  ORIGIN: { label: "from (origin)", colour: "#1f5fa8", line: "dashed", arrow: true },
  DESTINATION: { label: "to (destination)", colour: "#1f5fa8", line: "solid", arrow: true },
  PART_OF: { label: "part of", colour: "#c9a227", line: "solid", arrow: true },
  ABOUT: { label: "about", colour: "#c9a227", line: "dotted", arrow: true },
  ENDS: { label: "ends", colour: "#b3261e", line: "dashed", arrow: true },
  WITHIN: { label: "lies within", colour: "#3d9a50", line: "dashed", arrow: true },
  LOCATED_AT: { label: "located at", colour: "#3d9a50", line: "dotted", arrow: true },
  INSTANCE_OF: { label: "is a", colour: "#8e5bb5", line: "dotted", arrow: true },
};

export const RELATION: EdgeStyle = { label: "relation (named on the line)", colour: "#d9822b", line: "solid", arrow: true };

export function nodeStyle(typename: string): NodeStyle {
  return NODE_STYLES[typename] ?? OTHER_NODE;
}

/** A relation type is lowercase (`operates`); stored types are upper case. */
export function isRelationType(type: string): boolean {
  return type !== type.toUpperCase();
}

/** A stored type this file does not know (a newer server's). */
export const OTHER_EDGE: EdgeStyle = { label: "other", colour: "#9aa5b1", line: "solid", arrow: true };

export function edgeStyle(type: string): EdgeStyle {
  return EDGE_STYLES[type] ?? (isRelationType(type) ? RELATION : { ...OTHER_EDGE, label: type });
}
