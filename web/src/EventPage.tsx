// An event's page: type, time and place with their precision, participants by role, the larger
// events it is part of and its parts, what it is about, and every claim with its grading.
import { useCallback, useEffect, useRef, useState } from "react";
import { Link, useParams } from "react-router-dom";
import { useQuery } from "urql";
import { Grading } from "./Grading";
import { LiveRefused, useLiveEvents } from "./Live";
import { ProblemNotice } from "./problems";
import { CREDIBILITY, RELIABILITY, label, pathOf, timeText } from "./format";
import { EVENT, EVENT_CHANGED, refOf, type Claim, type EventBrief, type EventDetail } from "./queries";

function NodeLink({ node }: { node: Record<string, unknown> }) {
  const ref = refOf(node);
  const path = pathOf(ref);
  const name = ref.name ?? ref.id;
  return (
    <>
      {path ? <Link to={path}>{name}</Link> : name} {ref.kind && <span className="kind">{label(ref.kind)}</span>}
    </>
  );
}

function Events({ title, events }: { title: string; events: EventBrief[] }) {
  if (events.length === 0) return null;
  return (
    <section>
      <h2>{title}</h2>
      <ul>
        {events.map((e) => (
          <li key={e.id}>
            <Link to={`/event/${encodeURIComponent(e.id)}`}>{e.name}</Link> <span className="kind">{label(e.type)}</span> — {timeText(e.time)}
          </li>
        ))}
      </ul>
    </section>
  );
}

function ClaimCard({ claim }: { claim: Claim }) {
  return (
    <li className="claim" data-source={claim.source.name}>
      <div className="claim-head">
        <Grading grade={claim} />
        <span className="source-name">{claim.source.name}</span>
        <span className="kind">{label(claim.source.sourceKind)}</span>
        {claim.source.anonymous && <span className="anonymous">anonymous source</span>}
      </div>
      <p className="paraphrase">{claim.paraphrase}</p>
      {claim.quote && <blockquote>{claim.quote}</blockquote>}
      <p className="grading-words">
        Reliability {claim.reliability}: {RELIABILITY[claim.reliability]}; credibility {claim.credibility}: {CREDIBILITY[claim.credibility]}.
        {claim.gradingNote ? ` ${claim.gradingNote}` : ""}
      </p>
      {claim.report && (
        <p className="report">
          Report: {claim.report.url ? <a href={claim.report.url} rel="noreferrer noopener" target="_blank">{claim.report.name}</a> : claim.report.name}
          {claim.report.published ? ` (published ${timeText(claim.report.published)})` : ""}
        </p>
      )}
      {claim.basedOn.length > 0 && <p className="based-on">Based on {claim.basedOn.map((s) => s.name).join(", ")}</p>}
    </li>
  );
}

const EVERY_EVENT = [{}];

/** When this event is recorded again (changed by an editor or an import), ask for it anew. */
function useRefreshedOnChange(id: string, refresh: () => void): number {
  const changes = useLiveEvents<{ id: string; name: string }>(EVENT_CHANGED, EVERY_EVENT);
  const mine = changes.find((e) => e.id === id);
  const [count, setCount] = useState({ id, n: 0 });
  const seen = useRef(mine);
  useEffect(() => {
    if (!mine || mine === seen.current) return;
    seen.current = mine;
    setCount((c) => ({ id, n: c.id === id ? c.n + 1 : 1 }));
    refresh();
  }, [id, mine, refresh]);
  return count.id === id ? count.n : 0;
}

export function EventPage() {
  const { id = "" } = useParams();
  const [result, reexecute] = useQuery<{ node: EventDetail | null }>({ query: EVENT, variables: { id } });
  const latest = useRef(reexecute);
  latest.current = reexecute;
  const refresh = useCallback(() => latest.current({ requestPolicy: "network-only" }), []);
  const changed = useRefreshedOnChange(id, refresh);
  if (result.error) return <main><ProblemNotice error={result.error} /></main>;
  if (!result.data || (result.fetching && changed === 0)) return <main><p>Loading…</p></main>;
  const event = result.data.node;
  if (!event || event.__typename !== "Event") return <main><h1>Not found</h1><p>No event has the id {id}.</p></main>;
  const roles = new Map<string, Record<string, unknown>[]>();
  for (const p of event.participants) roles.set(p.role, [...(roles.get(p.role) ?? []), p.entity]);
  const places: [string, Record<string, unknown>[]][] = [
    ["At", event.at],
    ["From", event.origin ? [event.origin] : []],
    ["To", event.destination ? [event.destination] : []],
  ];
  return (
    <main className="event-page">
      <div className="live-notice" role="status" aria-live="polite">
        {changed > 0 && <p>This event changed while open: shown as it is now.</p>}
        <LiveRefused />
      </div>
      <h1>{event.name}</h1>
      <p className="kind-line">
        <span className="kind kind-Event">event · {label(event.type)}</span>
        <Link className="chart-link" to={`/chart?focus=${encodeURIComponent(event.id)}`}>Link chart</Link>
      </p>
      {event.description && <p className="description">{event.description}</p>}
      <dl className="facts">
        <dt>When</dt>
        <dd className={`time precision-text-${event.time.precision}`}>
          {timeText(event.time)}
          {event.time.note && <span className="note"> — {event.time.note}</span>}
        </dd>
        {places.filter(([, nodes]) => nodes.length > 0).map(([word, nodes]) => (
          <div key={word}>
            <dt>{word}</dt>
            <dd>{nodes.map((n, i) => <span key={i}>{i > 0 && ", "}<NodeLink node={n} /></span>)}</dd>
          </div>
        ))}
        <dt>Place known to</dt>
        <dd>{event.placePrecision ? `the ${event.placePrecision}` : "no stated precision"}</dd>
      </dl>
      <section>
        <h2>Participants</h2>
        {roles.size === 0 ? <p>None recorded.</p> : (
          <dl className="roles">
            {[...roles].map(([role, entities]) => (
              <div key={role}>
                <dt>{label(role)}</dt>
                <dd>{entities.map((e, i) => <span key={i}>{i > 0 && ", "}<NodeLink node={e} /></span>)}</dd>
              </div>
            ))}
          </dl>
        )}
      </section>
      <Events title="Part of" events={event.partOf} />
      <Events title="Parts" events={event.parts} />
      <Events title="About" events={event.about} />
      <section>
        <h2>Claims ({event.claims.length})</h2>
        <ul className="claims">{event.claims.map((c) => <ClaimCard key={c.key} claim={c} />)}</ul>
      </section>
    </main>
  );
}
