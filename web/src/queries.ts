// The app's GraphQL operations and the shapes of their answers (schema.graphql is the source;
// each union member's `kind` has its own enum, hence the aliases).


export type TimeSpan = {
  start: string | null;
  end: string | null;
  precision: "exact" | "day" | "month" | "year" | "interval";
  yearAssumed: boolean;
  note: string | null;
};

export type NodeRef = {
  __typename: string;
  id: string;
  name?: string;
  kind?: string;
  type?: string;
};

const TIME = `start end precision yearAssumed note`;
const NODE_REF = `
  __typename id
  ... on Actor { name actorKind: kind }
  ... on Asset { name assetKind: kind }
  ... on Location { name locationKind: kind }
  ... on EquipmentType { name equipmentKind: kind }
  ... on Event { name type }
  ... on Source { name sourceKind: kind }
  ... on Report { name reportKind: kind }
`;

const ENTITY_REF = `
  __typename
  ... on Actor { id name actorKind: kind }
  ... on Asset { id name assetKind: kind }
  ... on Location { id name locationKind: kind }
  ... on EquipmentType { id name equipmentKind: kind }
`;

const PLACE_REF = `
  __typename
  ... on Asset { id name assetKind: kind }
  ... on Location { id name locationKind: kind }
`;

/** Aliased `xKind` fields folded into `kind`. */
export function refOf(node: Record<string, unknown>): NodeRef {
  const kind = Object.entries(node).find(([key]) => key.endsWith("Kind"))?.[1];
  return { ...(node as NodeRef), kind: typeof kind === "string" ? kind : undefined };
}

export const SEARCH = `
  query Search($text: String!, $first: Int!) {
    search(text: $text, first: $first) {
      score
      node { ${NODE_REF} ... on Actor { aliases } ... on Asset { aliases } ... on Location { aliases } ... on EquipmentType { aliases } ... on Event { aliases } }
    }
  }
`;

export type SearchHit = { score: number; node: Record<string, unknown> & { aliases?: string[] } };

// The API answers related nodes at most 3 deep: the place, what it lies in, and that one's.
const PLACE_CHAIN = `id name locationKind: kind within { id name locationKind: kind within { id name locationKind: kind } }`;

export const ENTITY = `
  query Entity($id: ID!) {
    node(id: $id) {
      __typename id
      ... on Actor { name aliases description actorKind: kind anonymous countryCode }
      ... on Asset { name aliases description assetKind: kind registration
        locatedAt { ${PLACE_CHAIN} } instanceOf { id name } }
      ... on Location { name aliases description locationKind: kind
        point { latitude longitude precision uncertaintyKm } within { ${PLACE_CHAIN} } }
      ... on EquipmentType { name aliases description equipmentKind: kind }
    }
    relations(filter: { involving: $id }, first: 100) {
      totalCount
      nodes {
        id type description
        since { ${TIME} }
        until { ${TIME} }
        from { ${ENTITY_REF} }
        to { ${ENTITY_REF} }
        claims { source { name anonymous } report { name } reliability credibility }
      }
    }
  }
`;

export type PlaceChain = { id: string; name: string; locationKind: string; within?: PlaceChain | null };

export type Entity = {
  __typename: "Actor" | "Asset" | "Location" | "EquipmentType" | string;
  id: string;
  name: string;
  aliases: string[];
  description: string | null;
  actorKind?: string;
  assetKind?: string;
  locationKind?: string;
  equipmentKind?: string;
  anonymous?: boolean;
  countryCode?: string | null;
  registration?: string | null;
  locatedAt?: PlaceChain | null;
  instanceOf?: { id: string; name: string } | null;
  point?: { latitude: number; longitude: number; precision: string | null; uncertaintyKm: number | null } | null;
  within?: PlaceChain | null;
};

export type Grade = { reliability: string; credibility: number };

export type Relation = {
  id: string;
  type: string;
  description: string | null;
  since: TimeSpan | null;
  until: TimeSpan | null;
  from: Record<string, unknown> | null;
  to: Record<string, unknown> | null;
  claims: (Grade & { source: { name: string; anonymous: boolean }; report: { name: string } | null })[];
};

export const TIMELINE = `
  query Timeline($entity: ID!, $first: Int!, $window: Window) {
    timeline(entity: $entity, first: $first, window: $window) {
      totalCount
      nodes { id name type placePrecision time { ${TIME} } }
    }
  }
`;

/** The latest event a timeline lists (the latest to start), for a hub's span: one connection
 * for an entity, the latest of two for a place (what it takes part in, what is at it). */
const LATEST = (filter: string) => `events(filter: ${filter}, orderBy: START_DESC, first: 1) { nodes { time { ${TIME} } } }`;
export const LATEST_OF_ENTITY = `query LatestOfEntity($entity: ID!) { involving: ${LATEST("{ involving: $entity }")} }`;
export const LATEST_OF_PLACE = `query LatestOfPlace($entity: ID!) { involving: ${LATEST("{ involving: $entity }")} at: ${LATEST("{ at: $entity }")} }`;
export type LatestAnswer = Record<string, { nodes: { time: TimeSpan }[] }>;

/** A hub's timeline over its window: how many events each bucket holds (what `timeline` lists). */
export const TIMELINE_BUCKETS = `
  query TimelineBuckets($timeline: ID!, $bucket: TimeBucket!, $window: Window!) {
    activity(timeline: $timeline, bucket: $bucket, window: $window) {
      buckets { start end count uncertain zScore }
    }
  }
`;

export type TimelineEvent = { id: string; name: string; type: string; placePrecision: string | null; time: TimeSpan };

/** The part of the API's `EventFilter` the live views use. */
export type EventFilterInput = { involving?: string; at?: string };

/** The filters that let through what `timeline(entity)` lists: the events the entity takes part
 * in and, for a place (a Location or an Asset), the events at it (docs/graphql.md). */
export function timelineFilters(entity: string): EventFilterInput[] {
  const place = entity.startsWith("Location:") || entity.startsWith("Asset:");
  return place ? [{ involving: entity }, { at: entity }] : [{ involving: entity }];
}

export type TimeBucket = "DAY" | "WEEK" | "MONTH";
export type ActivityBucket = { start: string; end: string; count: number; uncertain: number; zScore: number };
export type Activity = {
  bucket: TimeBucket;
  buckets: ActivityBucket[];
  baseline: { start: string; end: string; buckets: number; mean: number; stddev: number; uncertainMean: number };
};

export const ACTIVITY = `
  query Activity($bucket: TimeBucket!, $window: Window!, $entity: ID, $place: ID) {
    activity(bucket: $bucket, window: $window, entity: $entity, place: $place) {
      bucket
      buckets { start end count uncertain zScore }
      baseline { start end buckets mean stddev uncertainMean }
    }
  }
`;

/** What the activity chart counts for a timeline's scope: the events at a place (a Location or
 * an Asset, places inside it too), else the events the entity takes part in. `activity` takes
 * both only as "involving and at", so a place's chart leaves out events that involve it
 * elsewhere, which its timeline lists (the API has no union of the two). */
export function activityScope(entity: string): { entity?: string; place?: string } {
  const place = entity.startsWith("Location:") || entity.startsWith("Asset:");
  return place ? { place: entity } : { entity };
}

/** New or changed events as a timeline draws them. */
export const TIMELINE_LIVE = `
  subscription TimelineLive($filter: EventFilter) {
    eventRecorded(filter: $filter) { id name type placePrecision time { ${TIME} } }
  }
`;

/** Which event changed: `EventFilter` has no id, so the event page listens to all and matches. */
export const EVENT_CHANGED = `
  subscription EventChanged($filter: EventFilter) {
    eventRecorded(filter: $filter) { id name }
  }
`;

const EVENT_BRIEF = `id name type time { ${TIME} }`;

export const EVENT = `
  query Event($id: ID!) {
    node(id: $id) {
      __typename id
      ... on Event {
        name aliases description type placePrecision
        time { ${TIME} }
        participants { role entity { ${ENTITY_REF} } }
        at { ${PLACE_REF} }
        origin { ${PLACE_REF} }
        destination { ${PLACE_REF} }
        partOf { ${EVENT_BRIEF} }
        parts { ${EVENT_BRIEF} }
        about { ${EVENT_BRIEF} }
        claims {
          key reliability credibility paraphrase quote gradingNote reportedOn
          source { id name anonymous sourceKind: kind }
          report { id name url published { ${TIME} } }
          basedOn { name }
        }
      }
    }
  }
`;

export type EventBrief = { id: string; name: string; type: string; time: TimeSpan };

export type Claim = Grade & {
  key: string;
  paraphrase: string;
  quote: string | null;
  gradingNote: string | null;
  reportedOn: string | null;
  source: { id: string; name: string; anonymous: boolean; sourceKind: string };
  report: { id: string; name: string; url: string | null; published: TimeSpan | null } | null;
  basedOn: { name: string }[];
};

export type EventDetail = EventBrief & {
  __typename: string;
  aliases: string[];
  description: string | null;
  placePrecision: string | null;
  participants: { role: string; entity: Record<string, unknown> }[];
  at: Record<string, unknown>[];
  origin: Record<string, unknown> | null;
  destination: Record<string, unknown> | null;
  partOf: EventBrief[];
  parts: EventBrief[];
  about: EventBrief[];
  claims: Claim[];
};

// The link chart's operations: a node's neighbourhood (one hop by default, events outside the
// window left out) and the shortest paths between two nodes, both as nodes and relationships.
const GRAPH_NODE = `${NODE_REF} ... on Event { time { ${TIME} } }`;
const GRAPH_RELATIONSHIP = `id type from to role`;

export const NEIGHBORHOOD = `
  query Neighborhood($id: ID!, $depth: Int!, $window: Window) {
    neighborhood(id: $id, depth: $depth, window: $window) {
      truncated
      nodes { ${GRAPH_NODE} }
      relationships { ${GRAPH_RELATIONSHIP} }
    }
  }
`;

export const PATHS = `
  query Paths($from: ID!, $to: ID!, $maxHops: Int!) {
    paths(from: $from, to: $to, maxHops: $maxHops, first: 10) {
      nodes { ${GRAPH_NODE} }
      relationships { ${GRAPH_RELATIONSHIP} }
    }
  }
`;

export type GraphRelationship = { id: string; type: string; from: string; to: string; role: string | null };

export type Subgraph = {
  truncated?: boolean;
  nodes: (Record<string, unknown> & { __typename: string; id: string; time?: TimeSpan })[];
  relationships: GraphRelationship[];
};

// The map's operations: every place with its point, every asset where it is, every flight with
// where it left from and went to (a place's point is where an asset is located).
const POINT = `point { latitude longitude precision uncertaintyKm }`;

export const MAP_PLACES = `
  query MapPlaces {
    locations(first: 500) { nodes { id name locationKind: kind ${POINT} } }
    assets(first: 500) { nodes { id name assetKind: kind locatedAt { id name ${POINT} } } }
  }
`;

const FLIGHT_END = `
  ... on Location { id name ${POINT} }
  ... on Asset { id name locatedAt { ${POINT} } }
`;

export const MAP_FLIGHTS = `
  query MapFlights($window: Window) {
    events(filter: { types: [flight], window: $window }, first: 500) {
      totalCount
      nodes { id name time { ${TIME} } origin { ${FLIGHT_END} } destination { ${FLIGHT_END} } }
    }
  }
`;

export type GeoPoint = { latitude: number; longitude: number; precision: string | null; uncertaintyKm: number | null };

export type MapPlace = { id: string; name: string; locationKind: string; point: GeoPoint | null };

export type MapAsset = { id: string; name: string; assetKind: string; locatedAt: { id: string; name: string; point: GeoPoint | null } | null };

export type FlightEnd = { id: string; name: string; point?: GeoPoint | null; locatedAt?: { point: GeoPoint | null } | null } | null;

export type MapFlight = { id: string; name: string; time: TimeSpan; origin: FlightEnd; destination: FlightEnd };
