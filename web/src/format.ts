// How times, precisions and gradings read and look: one place for each.
import type { Grade, NodeRef, TimeSpan } from "./queries";

export const PRECISIONS: { key: TimeSpan["precision"]; label: string; hint: string }[] = [
  { key: "exact", label: "exact", hint: "known to the minute" },
  { key: "day", label: "day", hint: "known to the day" },
  { key: "month", label: "month", hint: "known to the month" },
  { key: "year", label: "year", hint: "known to the year" },
  { key: "interval", label: "interval", hint: "somewhere between start and end" },
];

const DAY = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
const MONTH = new Intl.DateTimeFormat("en-GB", { month: "long", year: "numeric", timeZone: "UTC" });
const MINUTE = new Intl.DateTimeFormat("en-GB", {
  day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", timeZone: "UTC",
});

/** An instant of the API in milliseconds: the API's carry microseconds; Date takes milliseconds. */
export function instant(text: string): number {
  return Date.parse(text.replace(/(\.\d{3})\d+/, "$1"));
}

/** A time as precisely as it is known, in words ("24 Oct 2025 – 27 Oct 2025 (interval)"). */
export function timeText(time: TimeSpan | null): string {
  if (!time) return "unknown";
  const start = time.start ? new Date(time.start) : null;
  const end = time.end ? new Date(time.end) : null;
  let text: string;
  switch (time.precision) {
    case "exact":
      text = start ? `${MINUTE.format(start)} UTC` : "unknown";
      break;
    case "day":
      text = start ? DAY.format(start) : "unknown";
      break;
    case "month":
      text = start ? MONTH.format(start) : "unknown";
      break;
    case "year":
      text = start ? String(start.getUTCFullYear()) : "unknown";
      break;
    default:
      text = `${start ? DAY.format(start) : "open start"} – ${end ? DAY.format(end) : "open end"}`;
  }
  return `${text} (${time.precision}${time.yearAssumed ? ", year assumed" : ""})`;
}

/** Admiralty grading: reliability A (best) – F (cannot be judged), credibility 1 – 6. The
 * colour runs from green to grey on each axis, so B2 and F6 look apart at a glance. */
export function gradeClass(grade: Grade): string {
  return `grade rel-${grade.reliability} cred-${grade.credibility}`;
}

export const RELIABILITY: Record<string, string> = {
  A: "completely reliable", B: "usually reliable", C: "fairly reliable",
  D: "not usually reliable", E: "unreliable", F: "reliability cannot be judged",
};

export const CREDIBILITY: Record<number, string> = {
  1: "confirmed", 2: "probably true", 3: "possibly true", 4: "doubtful", 5: "improbable",
  6: "truth cannot be judged",
};

/** Where a node's page is in the app, or null when this slice has none for it. */
export function pathOf(node: NodeRef): string | null {
  const id = encodeURIComponent(node.id);
  if (node.__typename === "Event") return `/event/${id}`;
  if (["Actor", "Asset", "Location", "EquipmentType"].includes(node.__typename)) return `/entity/${id}`;
  return null;
}

export function label(word: string): string {
  return word.replace(/_/g, " ");
}
