// A timeline where each event is drawn over its whole known interval: a bar from the first to
// the last instant it may have happened, styled by how precisely its time is known (legend
// below). Zoom with the wheel or a pinch, drag to pan; the visible window goes into the URL
// (`from`, `to`) so a shared link opens on the same stretch. Clustered past CLUSTER_FROM events.
// A hub's timeline, with more events than can be drawn, shows `buckets` instead: one box per
// day, week or month over the window with its count (a click zooms into it); the page loads the
// events themselves once the window holds few enough. Moves are told after WINDOW_SETTLE_MS.
import { useEffect, useRef } from "react";
import { Timeline as VisTimeline, type DataItem } from "vis-timeline/standalone";
import { PRECISIONS, instant, timeText } from "./format";
import type { ActivityBucket, TimelineEvent } from "./queries";

const CLUSTER_FROM = 300;
const HOUR = 3_600_000;
/** A wheel zoom or a drag fires many range changes: the page hears of the last one only. */
export const WINDOW_SETTLE_MS = 300;
const BUCKET_PREFIX = "bucket:";

export type Window = { from: number; to: number };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function itemOf(event: TimelineEvent): DataItem | null {
  const { start, end, precision, yearAssumed } = event.time;
  const from = start ? instant(start) : end ? instant(end) : null;
  const to = end ? instant(end) : null;
  if (from === null) return null; // no time at all: listed below, not drawn
  const classes = [`precision-${precision}`];
  if (yearAssumed) classes.push("year-assumed");
  if (!start) classes.push("open-start");
  if (!end && precision === "interval") classes.push("open-end");
  const point = to === null || to - from < HOUR;
  return {
    id: event.id,
    content: escapeHtml(event.name),
    start: from,
    end: point ? undefined : to!,
    type: point ? "point" : "range",
    className: classes.join(" "),
    title: escapeHtml(`${event.name}\n${timeText(event.time)}`),
  };
}

function bucketItem(bucket: ActivityBucket, top: number): DataItem {
  const events = bucket.count + bucket.uncertain;
  const height = Math.round(4 + (events / top) * 36);
  const text = `${bucket.count} event${bucket.count === 1 ? "" : "s"}${bucket.uncertain ? `, ${bucket.uncertain} more maybe` : ""}`;
  return {
    id: `${BUCKET_PREFIX}${bucket.start}`,
    content: `<span class="bucket-bar" style="height:${height}px"></span><span class="bucket-count">${events}</span>`,
    start: instant(bucket.start),
    end: instant(bucket.end),
    type: "range",
    className: "aggregate",
    title: escapeHtml(`${bucket.start.slice(0, 10)} to ${bucket.end.slice(0, 10)}: ${text}`),
  };
}

type Props = {
  events: TimelineEvent[];
  /** Counts per bucket over the window, drawn instead of `events` (a hub's timeline). */
  buckets: ActivityBucket[] | null;
  window: Window | null;
  onWindow: (window: Window) => void;
  onOpen: (id: string) => void;
};

export function EventTimeline({ events, buckets, window, onWindow, onOpen }: Props) {
  const holder = useRef<HTMLDivElement>(null);
  const timeline = useRef<VisTimeline | null>(null);
  const shown = useRef<Window | null>(window);
  const drawnIds = useRef(new Set<string>());
  const bucketWindows = useRef(new Map<string, Window>());
  const handlers = useRef({ onWindow, onOpen });
  handlers.current = { onWindow, onOpen };
  const clustered = buckets === null && events.length >= CLUSTER_FROM;
  const mode = buckets === null ? "events" : "buckets";

  // One vis-timeline per way of drawing (bars, clustered bars, buckets), kept across new items:
  // a zoom that loads other events or counts redraws them in the window the analyst is in.
  useEffect(() => {
    const element = holder.current;
    if (!element) return;
    const drawn = new VisTimeline(element, [], {
      stack: mode === "events",
      zoomMin: HOUR,
      zoomMax: 1000 * 365 * 24 * HOUR,
      selectable: true,
      showCurrentTime: false,
      tooltip: { followMouse: true },
      margin: { item: { horizontal: 0, vertical: 6 } },
      orientation: "top",
      // Names are escaped (escapeHtml); a bucket's box is two spans, their class and height
      // kept by vis-timeline's filter of item HTML.
      xss: { disabled: false, filterOptions: { whiteList: { span: ["class", "style"] } } },
      ...(clustered ? { cluster: { maxItems: 4, titleTemplate: "{count} events" } } : {}),
    });
    let settle: number | undefined;
    const showWindow = () => {
      const range = drawn.getWindow();
      element.dataset.windowStart = String(range.start.valueOf());
      element.dataset.windowEnd = String(range.end.valueOf());
    };
    const tell = (moved: Window) => {
      shown.current = moved;
      clearTimeout(settle);
      settle = setTimeout(() => handlers.current.onWindow(moved), WINDOW_SETTLE_MS);
    };
    drawn.on("changed", () => {
      showWindow();
      // The first redraw after new items may come before they are in the DOM (vis-timeline
      // queues some): ready once one is drawn, or there is none to draw.
      const shownItems = element.dataset.items === "0" || element.querySelector(".vis-item") !== null;
      if (element.dataset.pending === "true" && shownItems) {
        delete element.dataset.pending;
        element.dataset.ready = "true";
        performance.mark("timeline-drawn", { detail: { mode: element.dataset.mode, items: Number(element.dataset.items) } });
      }
    });
    drawn.on("rangechanged", (props: { start: Date; end: Date; byUser: boolean }) => {
      showWindow();
      if (props.byUser) tell({ from: props.start.valueOf(), to: props.end.valueOf() });
    });
    drawn.on("click", (props: { item: string | number | null }) => {
      const item = props.item === null ? null : String(props.item);
      if (item === null) return;
      const bucket = bucketWindows.current.get(item);
      if (bucket) {
        drawn.setWindow(bucket.from, bucket.to, { animation: false });
        tell(bucket);
      } else if (drawnIds.current.has(item)) {
        handlers.current.onOpen(item);
      }
    });
    if (shown.current) drawn.setWindow(shown.current.from, shown.current.to, { animation: false });
    timeline.current = drawn;
    return () => {
      clearTimeout(settle);
      delete element.dataset.ready;
      timeline.current = null;
      drawn.destroy();
    };
  }, [mode, clustered]);

  useEffect(() => {
    const drawn = timeline.current;
    const element = holder.current;
    if (!drawn || !element) return;
    let items: DataItem[];
    if (buckets) {
      const top = Math.max(1, ...buckets.map((b) => b.count + b.uncertain));
      items = buckets.map((b) => bucketItem(b, top));
      bucketWindows.current = new Map(buckets.map((b) => [`${BUCKET_PREFIX}${b.start}`, { from: instant(b.start), to: instant(b.end) }]));
      drawnIds.current = new Set();
    } else {
      items = events.map(itemOf).filter((item): item is DataItem => item !== null);
      drawnIds.current = new Set(items.map((item) => String(item.id)));
      bucketWindows.current = new Map();
    }
    element.dataset.mode = mode;
    element.dataset.items = String(items.length);
    element.dataset.pending = "true";
    delete element.dataset.ready;
    drawn.setItems(items);
    if (!shown.current && items.length > 0) drawn.fit({ animation: false });
  }, [events, buckets, mode, clustered]);

  return (
    <figure className="timeline" aria-label="Events over time">
      <div ref={holder} className="timeline-canvas" data-testid="timeline" />
      <figcaption className="legend">
        {PRECISIONS.map((p) => (
          <span key={p.key} className="legend-entry" title={p.hint}>
            <span className={`swatch precision-${p.key}`} /> {p.label}
          </span>
        ))}
        <span className="legend-entry" title="the source gave no year">
          <span className="swatch precision-day year-assumed" /> year assumed
        </span>
        {buckets && (
          <span className="legend-entry" title="more events than can be drawn: counted per bucket">
            <span className="swatch aggregate" /> events per box (its count), a click zooms in
          </span>
        )}
        <span className="legend-hint">Each bar spans every instant the event may have happened. Wheel to zoom, drag to pan.</span>
      </figcaption>
    </figure>
  );
}
