// A timeline where each event is drawn over its whole known interval: a bar from the first to
// the last instant it may have happened, styled by how precisely its time is known (legend
// below). Zoom with the wheel or a pinch, drag to pan; the visible window goes into the URL
// (`from`, `to`) so a shared link opens on the same stretch. Clustered past CLUSTER_FROM events.
import { useEffect, useRef } from "react";
import { Timeline as VisTimeline, type DataItem } from "vis-timeline/standalone";
import { PRECISIONS, instant, timeText } from "./format";
import type { TimelineEvent } from "./queries";

const CLUSTER_FROM = 300;
const HOUR = 3_600_000;

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

type Props = {
  events: TimelineEvent[];
  window: Window | null;
  onWindow: (window: Window) => void;
  onOpen: (id: string) => void;
};

export function EventTimeline({ events, window, onWindow, onOpen }: Props) {
  const holder = useRef<HTMLDivElement>(null);
  const handlers = useRef({ onWindow, onOpen });
  handlers.current = { onWindow, onOpen };

  useEffect(() => {
    const element = holder.current;
    if (!element) return;
    const items = events.map(itemOf).filter((item): item is DataItem => item !== null);
    const drawn = new Set(items.map((item) => String(item.id)));
    const timeline = new VisTimeline(element, items, {
      stack: true,
      zoomMin: HOUR,
      zoomMax: 1000 * 365 * 24 * HOUR,
      selectable: true,
      showCurrentTime: false,
      tooltip: { followMouse: true },
      margin: { item: { horizontal: 0, vertical: 6 } },
      orientation: "top",
      ...(items.length >= CLUSTER_FROM ? { cluster: { maxItems: 4, titleTemplate: "{count} events" } } : {}),
    });
    const showWindow = () => {
      const range = timeline.getWindow();
      element.dataset.windowStart = String(range.start.valueOf());
      element.dataset.windowEnd = String(range.end.valueOf());
    };
    timeline.on("changed", showWindow);
    timeline.on("rangechanged", (props: { start: Date; end: Date; byUser: boolean }) => {
      showWindow();
      if (props.byUser) handlers.current.onWindow({ from: props.start.valueOf(), to: props.end.valueOf() });
    });
    timeline.on("click", (props: { item: string | number | null }) => {
      if (props.item !== null && drawn.has(String(props.item))) handlers.current.onOpen(String(props.item));
    });
    if (window) timeline.setWindow(window.from, window.to, { animation: false });
    else timeline.fit({ animation: false });
    showWindow();
    element.dataset.ready = "true";
    return () => {
      delete element.dataset.ready;
      timeline.destroy();
    };
    // The window is read once per set of events; later moves come from the timeline itself.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [events]);

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
        <span className="legend-hint">Each bar spans every instant the event may have happened. Wheel to zoom, drag to pan.</span>
      </figcaption>
    </figure>
  );
}
