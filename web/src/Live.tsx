// Live events: what the `eventRecorded` subscription pushes while a view is open, and the
// notice that says so. A view passes the filters its own query uses; an event passing any of
// them is news to it. The server polls the graph about once a second, so events imported from
// the command line arrive too.
import { useEffect, useState } from "react";
import { Link } from "react-router-dom";
import { useClient } from "urql";
import { useLiveStatus } from "./liveStatus";
import type { EventFilterInput } from "./queries";

/** Every event any of `filters` lets through while mounted, latest version of each, in the
 * order they first arrived; `query` is an `eventRecorded` subscription taking `$filter`. */
export function useLiveEvents<T extends { id: string }>(query: string, filters: EventFilterInput[]): T[] {
  const client = useClient();
  const [events, setEvents] = useState<T[]>([]);
  const key = JSON.stringify(filters);
  useEffect(() => {
    setEvents([]);
    const subscriptions = (JSON.parse(key) as EventFilterInput[]).map((filter) =>
      client.subscription<{ eventRecorded: T }>(query, { filter }).subscribe((result) => {
        const event = result.data?.eventRecorded;
        if (!event) return;
        setEvents((known) => {
          const at = known.findIndex((e) => e.id === event.id);
          return at < 0 ? [...known, event] : known.map((e, i) => (i === at ? event : e));
        });
      }),
    );
    return () => subscriptions.forEach((s) => s.unsubscribe());
  }, [client, query, key]);
  return events;
}

/** Says when the server refused the live connection; reconnecting is left unsaid. */
export function LiveRefused() {
  const status = useLiveStatus();
  if (status !== "refused") return null;
  return (
    <p className="live-refused">
      Live updates are off: the server refused the connection (4403). <Link to="/sign-in">Sign in</Link> with a reader token to get them.
    </p>
  );
}

/** "N new events", each a link; announced politely to screen readers. */
export function NewEvents({ events }: { events: { id: string; name: string }[] }) {
  const status = useLiveStatus();
  return (
    <div className="live-notice" role="status" aria-live="polite" data-live={status}>
      {events.length > 0 && (
        <p>
          {events.length === 1 ? "1 new event" : `${events.length} new events`}:{" "}
          {events.map((e, i) => (
            <span key={e.id}>
              {i > 0 && ", "}
              <Link to={`/event/${encodeURIComponent(e.id)}`}>{e.name}</Link>
            </span>
          ))}
        </p>
      )}
      <LiveRefused />
    </div>
  );
}
