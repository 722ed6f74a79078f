// An entity's page: what it is called, what kind it is, where it is, its relations with their
// time spans and sources, and a timeline of its events. For a place the timeline can widen to
// the places it lies in (`scope` in the URL): an air base's own events leave out the flights to
// the civil airport on its runway, the site or the province holds both.
import { Suspense, lazy, useDeferredValue, useEffect, useMemo, useRef } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router-dom";
import { useQuery } from "urql";
import { ActivityChart } from "./ActivityChart";
import { Grading } from "./Grading";
import { NewEvents, useLiveEvents } from "./Live";
import { ProblemNotice } from "./problems";
import { instant, label, pathOf, timeText } from "./format";
import { ENTITY, LATEST_OF_ENTITY, LATEST_OF_PLACE, TIMELINE, TIMELINE_BUCKETS, TIMELINE_LIVE, refOf, timelineFilters, type ActivityBucket, type LatestAnswer, type Entity, type PlaceChain, type Relation, type TimeBucket, type TimelineEvent } from "./queries";
import type { Window } from "./Timeline";

// vis-timeline is most of the app's code and only this page needs it: loaded with the page,
// from its first render on, while the page's queries are under way.
let timelineChunk: Promise<typeof import("./Timeline")> | null = null;
const loadTimeline = () => (timelineChunk ??= import("./Timeline"));
const EventTimeline = lazy(() => loadTimeline().then((m) => ({ default: m.EventTimeline })));

/** The most events the timeline draws as bars: past it, a hub's window is drawn as counts. */
const TIMELINE_FIRST = 500;
const DAY = 86_400_000;

type TimelineAnswer = { timeline: { totalCount: number; nodes: TimelineEvent[] } };

function chainOf(place: PlaceChain | null | undefined): PlaceChain[] {
  const chain: PlaceChain[] = [];
  for (let at = place; at; at = at.within) chain.push(at);
  return chain;
}

function kindOf(entity: Entity): string {
  return entity.actorKind ?? entity.assetKind ?? entity.locationKind ?? entity.equipmentKind ?? "";
}

function NodeLink({ node }: { node: Record<string, unknown> | null }) {
  if (!node) return <span className="unknown">unknown</span>;
  const ref = refOf(node);
  const path = pathOf(ref);
  return path ? <Link to={path}>{ref.name ?? ref.id}</Link> : <span>{ref.name ?? ref.id}</span>;
}

function Relations({ relations, self }: { relations: Relation[]; self: string }) {
  if (relations.length === 0) return <p>No relations recorded.</p>;
  return (
    <table className="relations">
      <thead>
        <tr><th>From</th><th>Relation</th><th>To</th><th>Since</th><th>Until</th><th>Sources</th></tr>
      </thead>
      <tbody>
        {relations.map((r) => (
          <tr key={r.id}>
            <td>{r.from && refOf(r.from).id === self ? <strong>this</strong> : <NodeLink node={r.from} />}</td>
            <td>{label(r.type)}</td>
            <td>{r.to && refOf(r.to).id === self ? <strong>this</strong> : <NodeLink node={r.to} />}</td>
            <td>{r.since ? timeText(r.since) : "not known"}</td>
            <td>{r.until ? timeText(r.until) : "open"}</td>
            <td>
              {r.claims.map((c, i) => (
                <span key={i} className="claim-source">
                  {c.source.name}{c.source.anonymous ? " (anonymous)" : ""} <Grading grade={c} />
                  {c.report ? <span className="report"> in {c.report.name}</span> : null}
                </span>
              ))}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Where({ entity }: { entity: Entity }) {
  const chain = chainOf(entity.__typename === "Asset" ? entity.locatedAt : entity.within);
  const point = entity.point;
  if (chain.length === 0 && !point) return null;
  return (
    <section>
      <h2>Where it is</h2>
      {chain.length > 0 && (
        <p className="place-chain">
          {entity.__typename === "Asset" ? "At " : "In "}
          {chain.map((place, i) => (
            <span key={place.id}>
              {i > 0 && " › "}
              <Link to={`/entity/${encodeURIComponent(place.id)}`}>{place.name}</Link> <span className="kind">{label(place.locationKind)}</span>
            </span>
          ))}
        </p>
      )}
      {point && (
        <p>
          {point.latitude.toFixed(4)}°, {point.longitude.toFixed(4)}° — known to the {point.precision ?? "unstated precision"}
          {point.uncertaintyKm != null ? `, within ${point.uncertaintyKm} km` : ""}
        </p>
      )}
    </section>
  );
}

function windowOf(params: URLSearchParams): Window | null {
  const from = Date.parse(params.get("from") ?? "");
  const to = Date.parse(params.get("to") ?? "");
  return Number.isFinite(from) && Number.isFinite(to) && from < to ? { from, to } : null;
}

/** The window the activity chart counts over: the timeline's (from the URL), else the span of
 * the events from the first instant one may have begun to the last one may have ended. */
function activityWindow(params: URLSearchParams, events: TimelineEvent[]): { from: string; to: string } | null {
  const from = params.get("from");
  const to = params.get("to");
  if (windowOf(params) && from && to) return { from, to };
  const instants = events.flatMap((e) => [e.time.start, e.time.end]).filter((t): t is string => t !== null);
  if (instants.length === 0) return null;
  const sorted = [...instants].sort((a, b) => instant(a) - instant(b));
  return { from: sorted[0], to: sorted[sorted.length - 1] };
}

function bucketOf(params: URLSearchParams): TimeBucket {
  const asked = (params.get("bucket") ?? "").toUpperCase();
  return asked === "DAY" || asked === "MONTH" ? asked : "WEEK";
}

/** The timeline's events with what arrived live: a changed one replaces its old version, a new
 * one joins in time order (by its first possible instant). */
function withLive(listed: TimelineEvent[], live: TimelineEvent[]): TimelineEvent[] {
  if (live.length === 0) return listed;
  const byId = new Map(live.map((e) => [e.id, e]));
  const kept = listed.map((e) => byId.get(e.id) ?? e);
  const added = live.filter((e) => !listed.some((l) => l.id === e.id));
  if (added.length === 0) return kept;
  const first = (e: TimelineEvent) => e.time.start ?? e.time.end ?? "";
  return [...kept, ...added].sort((a, b) => first(a).localeCompare(first(b)));
}

/** The buckets a hub's window is counted in: about 30 to 400 of them. */
function hubBucket(window: Window): TimeBucket {
  const days = (window.to - window.from) / DAY;
  return days <= 120 ? "DAY" : days <= 1500 ? "WEEK" : "MONTH";
}

/** From the first instant the first event may have begun to the last the latest may have ended. */
function spanOf(answer: TimelineAnswer | undefined, latest: LatestAnswer | undefined): Window | null {
  const first = answer?.timeline.nodes[0]?.time;
  const lasts = Object.values(latest ?? {}).flatMap((c) => c.nodes.map((n) => n.time.end ?? n.time.start));
  const from = first?.start ?? first?.end;
  const to = lasts.filter((t): t is string => t !== null).sort((a, b) => instant(a) - instant(b)).pop();
  if (!from || !to) return null;
  const window = { from: instant(from), to: instant(to) };
  return window.to > window.from ? window : { from: window.from - DAY, to: window.from + DAY };
}

const isoWindow = (w: Window) => ({ from: new Date(w.from).toISOString(), to: new Date(w.to).toISOString() });

const NO_EVENTS: TimelineEvent[] = [];

type Drawn = { events: TimelineEvent[]; buckets: ActivityBucket[] | null; inWindow: number | null };

/** What the timeline draws. Up to TIMELINE_FIRST events: all of them, as bars. A hub (more):
 * over the window in view (the URL's, else the whole span), its events as bars when it holds
 * TIMELINE_FIRST or fewer, else the counts per bucket (`activity(timeline)`), each fetched when
 * the window settles. While a window loads, what was drawn stays. */
function useTimelineDrawing(scope: string, urlWindow: Window | null) {
  const [base] = useQuery<TimelineAnswer>({ query: TIMELINE, variables: { entity: scope, first: TIMELINE_FIRST } });
  const [latest] = useQuery<LatestAnswer>({
    query: timelineFilters(scope).length > 1 ? LATEST_OF_PLACE : LATEST_OF_ENTITY,
    variables: { entity: scope },
    pause: urlWindow !== null,
  });
  const total = base.data?.timeline.totalCount ?? 0;
  const hub = total > TIMELINE_FIRST;
  const view = urlWindow ?? (hub ? spanOf(base.data, latest.data) : null);
  const asked = view ? isoWindow(view) : null;
  const [windowed] = useQuery<TimelineAnswer>({
    query: TIMELINE,
    variables: { entity: scope, first: TIMELINE_FIRST, window: asked },
    pause: !hub || urlWindow === null, // the whole span holds them all: more than can be drawn
  });
  const inWindow = urlWindow === null ? total : (windowed.data?.timeline.totalCount ?? null);
  const [counts] = useQuery<{ activity: { buckets: ActivityBucket[] } }>({
    query: TIMELINE_BUCKETS,
    variables: { timeline: scope, bucket: view ? hubBucket(view) : "WEEK", window: asked },
    pause: !hub || asked === null || (inWindow !== null && inWindow <= TIMELINE_FIRST),
  });
  const last = useRef<Drawn | null>(null);
  let drawn: Drawn | null = null;
  if (!hub) drawn = base.data ? { events: base.data.timeline.nodes, buckets: null, inWindow: total } : null;
  else if (inWindow !== null && inWindow <= TIMELINE_FIRST && windowed.data) drawn = { events: windowed.data.timeline.nodes, buckets: null, inWindow };
  else if (counts.data && !counts.fetching) drawn = { events: base.data?.timeline.nodes ?? [], buckets: counts.data.activity.buckets, inWindow };
  if (drawn) last.current = drawn;
  const error = base.error ?? latest.error ?? windowed.error ?? counts.error;
  // Nothing is drawn before a first answer: a hub's page waits for its span and its counts.
  return { base, total, hub, view, drawn: drawn ?? last.current, error };
}

function EntityTimeline({ entity }: { entity: Entity }) {
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const places = entity.__typename === "Asset" ? chainOf(entity.locatedAt) : entity.__typename === "Location" ? chainOf(entity.within) : [];
  const scopes = [{ id: entity.id, name: `${entity.name} itself` }, ...places.map((p) => ({ id: p.id, name: `all at ${p.name} (${label(p.locationKind)})` }))];
  const requested = params.get("scope");
  const scope = scopes.find((s) => s.id === requested)?.id ?? entity.id;
  const urlWindow = windowOf(params);
  const drawing = useTimelineDrawing(scope, urlWindow);
  const { base: result, hub } = drawing;
  const filters = useMemo(() => timelineFilters(scope), [scope]);
  const live = useLiveEvents<TimelineEvent>(TIMELINE_LIVE, filters);
  const listed = drawing.drawn?.events ?? NO_EVENTS; // answers' arrays: the same until a new one
  const buckets = drawing.drawn?.buckets ?? null;
  const fresh = useMemo(() => live.filter((e) => !listed.some((l) => l.id === e.id)), [live, listed]);
  const events = useMemo(() => withLive(listed, live), [listed, live]);
  const total = drawing.total + fresh.length;
  // The list under the timeline (up to 500 links) and the activity chart come in a render of
  // their own, after the timeline's: React yields between them, so vis-timeline draws first.
  const listedLater = useDeferredValue(events);
  const counted = activityWindow(params, listedLater);

  function update(change: Record<string, string | null>) {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(change)) {
      if (value === null) next.delete(key);
      else next.set(key, value);
    }
    setParams(next, { replace: true });
  }

  return (
    <section>
      <h2>Timeline</h2>
      {scopes.length > 1 && (
        <p className="scope">
          <label>
            Events of{" "}
            <select aria-label="Timeline of" value={scope} onChange={(e) => update({ scope: e.target.value === entity.id ? null : e.target.value, from: null, to: null })}>
              {scopes.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
            </select>
          </label>
        </p>
      )}
      <NewEvents events={fresh} />
      {drawing.error && <ProblemNotice error={drawing.error} />}
      {!drawing.drawn && !drawing.error && <p>Loading the timeline…</p>}
      {result.data && drawing.total === 0 && events.length === 0 && <p>No events recorded.</p>}
      {drawing.drawn && (events.length > 0 || hub) && (
        <>
          <Suspense fallback={<p>Loading the timeline…</p>}>
            <EventTimeline
              key={scope}
              events={buckets ? [] : events}
              buckets={buckets}
              window={urlWindow}
              onWindow={(w) => update({ from: new Date(w.from).toISOString(), to: new Date(w.to).toISOString() })}
              onOpen={(id) => navigate(`/event/${encodeURIComponent(id)}`)}
            />
          </Suspense>
          <p className="note" data-testid="timeline-note">
            {buckets
              ? `${drawing.drawn.inWindow ?? total} events in this window, more than ${TIMELINE_FIRST}: drawn as counts per ${(drawing.view ? hubBucket(drawing.view) : "week").toLowerCase()}. Zoom in (or click a box) to see each event; the list holds the first ${events.length} of ${total}.`
              : hub
                ? `The ${events.length} events of this window are drawn, of ${total} in all; zoom out or pan for the others.`
                : total > events.length
                  ? `The first ${events.length} of ${total} events are drawn.`
                  : null}
          </p>
          <ol className="event-list">
            {listedLater.map((e) => (
              <li key={e.id}>
                <Link to={`/event/${encodeURIComponent(e.id)}`}>{e.name}</Link> <span className="kind">{label(e.type)}</span> — {timeText(e.time)}
              </li>
            ))}
          </ol>
          {counted && (
            <ActivityChart
              scope={scope}
              unit={bucketOf(params)}
              window={counted}
              arrived={live}
              onUnit={(unit) => update({ bucket: unit === "WEEK" ? null : unit.toLowerCase() })}
            />
          )}
        </>
      )}
    </section>
  );
}

export function EntityPage() {
  const { id = "" } = useParams();
  const [params] = useSearchParams();
  useEffect(() => void loadTimeline(), []);
  // The timeline's queries go out with the entity's, not after it: the same variables as the
  // timeline below asks with (its scope unless the URL names another), so it finds them in
  // the client's cache.
  useTimelineDrawing(params.get("scope") ?? id, windowOf(params));
  const [result] = useQuery<{ node: Entity | null; relations: { totalCount: number; nodes: Relation[] } }>({
    query: ENTITY,
    variables: { id },
  });
  if (result.error) return <main><ProblemNotice error={result.error} /></main>;
  if (result.fetching || !result.data) return <main><p>Loading…</p></main>;
  const entity = result.data.node;
  if (!entity || !["Actor", "Asset", "Location", "EquipmentType"].includes(entity.__typename)) {
    return <main><h1>Not found</h1><p>No actor, asset, place or equipment type has the id {id}.</p></main>;
  }
  return (
    <main className="entity-page">
      <h1>{entity.name}</h1>
      <p className="kind-line">
        <span className={`kind kind-${entity.__typename}`}>{entity.__typename === "EquipmentType" ? "equipment type" : entity.__typename.toLowerCase()} · {label(kindOf(entity))}</span>
        {entity.anonymous ? <span className="anonymous"> anonymous</span> : null}
        {entity.registration ? <span> · registration {entity.registration}</span> : null}
        {entity.instanceOf ? <span> · a <Link to={`/entity/${encodeURIComponent(entity.instanceOf.id)}`}>{entity.instanceOf.name}</Link></span> : null}
        <Link className="chart-link" to={`/chart?focus=${encodeURIComponent(entity.id)}`}>Link chart</Link>
      </p>
      {entity.aliases.length > 0 && <p className="aliases">Also known as {entity.aliases.join(", ")}</p>}
      {entity.description && <p className="description">{entity.description}</p>}
      <Where entity={entity} />
      <EntityTimeline entity={entity} />
      <section>
        <h2>Relations</h2>
        <Relations relations={result.data.relations.nodes} self={entity.id} />
      </section>
    </main>
  );
}
