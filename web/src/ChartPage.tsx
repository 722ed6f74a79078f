// The link chart at /chart: the neighbourhood of a node (`focus`), grown by the nodes an analyst
// expands (`expand`, repeated), events outside a window left out (`from`, `to`), relationship
// types hidden (`hide`, repeated), and "how is it connected to …" (`connect`) drawn through the
// `paths` query. All of it is in the URL, so a shared link opens the same chart.
import { Suspense, lazy, useEffect, useMemo, useState } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { useClient, type CombinedError } from "urql";
import { NODE_STYLES, RELATION, edgeStyle, isRelationType, nodeStyle } from "./chartStyles";
import { label, pathOf } from "./format";
import type { ChartEdge, ChartNode } from "./LinkChart";
import { DateWindowFields, dateWindowOf } from "./DateWindow";
import { ProblemNotice } from "./problems";
import { NEIGHBORHOOD, PATHS, refOf, type GraphRelationship, type Subgraph } from "./queries";
import { SearchBox } from "./Search";

// cytoscape is loaded with this page only, as the timeline is with the entity page.
const LinkChart = lazy(() => import("./LinkChart").then((m) => ({ default: m.LinkChart })));

/** `maxHops` counts stored relationships: a relation or an event between two entities costs two. */
const MAX_HOPS = 6;

type Drawn = { nodes: Map<string, ChartNode>; edges: Map<string, ChartEdge>; truncated: boolean };

function edgeLabel(relationship: GraphRelationship): string {
  if (relationship.role) return label(relationship.role);
  return isRelationType(relationship.type) ? label(relationship.type) : "";
}

function addSubgraph(into: Drawn, graph: Subgraph) {
  for (const raw of graph.nodes) {
    if (into.nodes.has(raw.id)) continue;
    const ref = refOf(raw);
    into.nodes.set(ref.id, { id: ref.id, typename: ref.__typename, name: ref.name ?? ref.id });
  }
  for (const r of graph.relationships) {
    into.edges.set(r.id, { id: r.id, type: r.type, from: r.from, to: r.to, label: edgeLabel(r) });
  }
  into.truncated ||= Boolean(graph.truncated);
}

type Loaded = { drawn: Drawn; path: Set<string>; pathFound: boolean | null; error: CombinedError | null; loading: boolean };

/** The neighbourhoods of the focus and of every expanded node, and the paths asked about. */
function useChart(focus: string, expanded: string[], window: { from?: string; to?: string } | null, connect: string | null): Loaded {
  const client = useClient();
  const empty = (): Drawn => ({ nodes: new Map(), edges: new Map(), truncated: false });
  const [loaded, setLoaded] = useState<Loaded>({ drawn: empty(), path: new Set(), pathFound: null, error: null, loading: true });
  const key = JSON.stringify([focus, expanded, window, connect]);

  useEffect(() => {
    let current = true;
    setLoaded((before) => ({ ...before, loading: true }));
    const around = [focus, ...expanded.filter((id) => id !== focus)].map((id) =>
      client.query<{ neighborhood: Subgraph | null }>(NEIGHBORHOOD, { id, depth: 1, window }).toPromise(),
    );
    const paths = connect
      ? client.query<{ paths: Subgraph[] }>(PATHS, { from: focus, to: connect, maxHops: MAX_HOPS }).toPromise()
      : Promise.resolve(null);
    Promise.all([Promise.all(around), paths]).then(([neighbourhoods, found]) => {
      if (!current) return;
      const drawn = empty();
      const error = [...neighbourhoods, ...(found ? [found] : [])].find((r) => r.error)?.error ?? null;
      for (const answer of neighbourhoods) if (answer.data?.neighborhood) addSubgraph(drawn, answer.data.neighborhood);
      const path = new Set<string>();
      for (const one of found?.data?.paths ?? []) {
        addSubgraph(drawn, one);
        for (const node of one.nodes) path.add(node.id);
        for (const r of one.relationships) path.add(r.id);
      }
      const pathFound = found ? (found.data?.paths.length ?? 0) > 0 : null;
      setLoaded({ drawn, path, pathFound, error, loading: false });
    });
    return () => {
      current = false;
    };
    // `key` stands for the inputs, compared by value.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client, key]);
  return loaded;
}

function Legend({ typenames, types }: { typenames: string[]; types: string[] }) {
  const relations = types.filter(isRelationType);
  return (
    <figcaption className="legend chart-legend">
      {typenames.map((t) => {
        const style = nodeStyle(t);
        return (
          <span key={t} className="legend-entry">
            <span className={`node-swatch shape-${style.shape}`} style={{ background: style.colour }} /> {style.label}
          </span>
        );
      })}
      {types.filter((t) => !isRelationType(t)).map((t) => <EdgeSwatch key={t} type={t} text={edgeStyle(t).label} />)}
      {relations.length > 0 && <EdgeSwatch type={relations[0]} text={`${RELATION.label}: ${relations.map(label).join(", ")}`} />}
      <span className="legend-entry"><span className="edge-swatch on-path" /> on the path asked about</span>
    </figcaption>
  );
}

function EdgeSwatch({ type, text }: { type: string; text: string }) {
  const style = edgeStyle(type);
  return (
    <span className="legend-entry">
      <span className="edge-swatch" style={{ borderTopColor: style.colour, borderTopStyle: style.line }} />
      {style.arrow ? "→ " : ""}{text}
    </span>
  );
}

export function ChartPage() {
  const [params, setParams] = useSearchParams();
  const focus = params.get("focus") ?? "";
  const expanded = params.getAll("expand");
  const hidden = useMemo(() => new Set(params.getAll("hide")), [params]);
  const { from, to, window } = dateWindowOf(params);
  const connect = params.get("connect");
  const { drawn, path, pathFound, error, loading } = useChart(focus, expanded, window, connect);
  const [selected, setSelected] = useState<string | null>(null);

  const nodes = useMemo(() => [...drawn.nodes.values()], [drawn]);
  const edges = useMemo(() => [...drawn.edges.values()].filter((e) => drawn.nodes.has(e.from) && drawn.nodes.has(e.to)), [drawn]);
  const types = useMemo(() => [...new Set(edges.map((e) => e.type))].sort(), [edges]);
  const typenames = useMemo(() => Object.keys(NODE_STYLES).filter((t) => nodes.some((n) => n.typename === t)), [nodes]);

  function update(change: (next: URLSearchParams) => void) {
    const next = new URLSearchParams(params);
    change(next);
    setParams(next, { replace: false });
  }
  function setList(key: string, values: string[]) {
    update((next) => {
      next.delete(key);
      for (const v of values) next.append(key, v);
    });
  }
  function setOne(key: string, value: string | null) {
    update((next) => (value ? next.set(key, value) : next.delete(key)));
  }

  if (!focus) {
    return (
      <main className="chart-page">
        <h1>Link chart</h1>
        <p>Chart the neighbourhood of an actor, asset, place, equipment type or event:</p>
        <SearchBox name="Chart around" listId="chart-focus" onPick={(ref) => setOne("focus", ref.id)} />
      </main>
    );
  }
  const focusNode = drawn.nodes.get(focus);
  const pick = selected ? drawn.nodes.get(selected) : undefined;
  const pickPath = pick ? pathOf({ __typename: pick.typename, id: pick.id }) : null;
  const target = connect ? drawn.nodes.get(connect) : undefined;

  return (
    <main className="chart-page">
      <h1>Link chart: {focusNode?.name ?? focus}</h1>
      <div className="chart-controls">
        <SearchBox name="Connect to" listId="chart-connect" onPick={(ref) => setOne("connect", ref.id)} />
        {connect && (
          <p className="path-note" data-testid="path-note">
            {loading ? "Looking for paths…" : pathFound
              ? `Shortest paths to ${target?.name ?? connect} (in red).`
              : `No path to ${target?.name ?? connect} within ${MAX_HOPS} hops.`}{" "}
            <button type="button" onClick={() => setOne("connect", null)}>Clear</button>
          </p>
        )}
        <DateWindowFields legend="Events between" from={from} to={to} onChange={setOne} />
        <fieldset className="types">
          <legend>Relationships shown</legend>
          {types.map((type) => (
            <label key={type}>
              <input
                type="checkbox"
                checked={!hidden.has(type)}
                onChange={(e) => setList("hide", e.target.checked ? [...hidden].filter((t) => t !== type) : [...hidden, type])}
              />{" "}
              {label(type)}
            </label>
          ))}
        </fieldset>
      </div>
      {error && <ProblemNotice error={error} />}
      {!loading && !error && nodes.length === 0 && <p>No node has the id {focus}.</p>}
      {drawn.truncated && <p className="note">More was in reach than one answer holds (500 nodes): the chart shows the first.</p>}
      <div className="chart-body">
        <figure className="chart" aria-label="Link chart">
          <Suspense fallback={<p>Loading the chart…</p>}>
            <LinkChart
              nodes={nodes}
              edges={edges}
              focus={focus}
              hiddenTypes={hidden}
              path={path}
              onSelect={setSelected}
              onExpand={(id) => {
                setSelected(id);
                if (!expanded.includes(id) && id !== focus) setList("expand", [...expanded, id]);
              }}
            />
          </Suspense>
          <Legend typenames={typenames} types={types} />
          <p className="legend-hint">Click a node to select it, double-click to expand it; wheel to zoom, drag to pan.</p>
        </figure>
        <aside className="chart-selection" aria-label="Selected node">
          {pick ? (
            <>
              <h2>{pick.name}</h2>
              <p><span className={`kind kind-${pick.typename}`}>{nodeStyle(pick.typename).label}</span></p>
              {pickPath && <p><Link to={pickPath}>Open its page</Link></p>}
              {pick.id !== focus && !expanded.includes(pick.id) && (
                <p><button type="button" onClick={() => setList("expand", [...expanded, pick.id])}>Expand its neighbours</button></p>
              )}
              {pick.id !== focus && (
                <p><Link to={`/chart?focus=${encodeURIComponent(pick.id)}`}>Chart around it</Link></p>
              )}
            </>
          ) : (
            <p className="note">{nodes.length} nodes, {edges.length} relationships. Select a node to open its page or expand it.</p>
          )}
        </aside>
      </div>
    </main>
  );
}
