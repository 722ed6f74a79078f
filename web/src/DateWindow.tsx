// The "between … and …" dates of the link chart and the map: two date inputs over the URL's
// `from` and `to` (a year, a month or a day, as the API's `Window` takes them).

export type DateWindow = { from?: string; to?: string };

function dateOrNull(text: string | null): string | null {
  return text && /^\d{4}(-\d{2}(-\d{2})?)?$/.test(text) ? text : null;
}

/** The URL's `from` and `to` (each left out when not a date), or null when neither is one. */
export function dateWindowOf(params: URLSearchParams): { from: string | null; to: string | null; window: DateWindow | null } {
  const from = dateOrNull(params.get("from"));
  const to = dateOrNull(params.get("to"));
  const window = from || to ? { ...(from ? { from } : {}), ...(to ? { to } : {}) } : null;
  return { from, to, window };
}

type Props = {
  legend: string;
  from: string | null;
  to: string | null;
  onChange: (key: "from" | "to", value: string | null) => void;
};

export function DateWindowFields({ legend, from, to, onChange }: Props) {
  return (
    <fieldset className="window">
      <legend>{legend}</legend>
      <input type="date" aria-label="From" value={from ?? ""} onChange={(e) => onChange("from", e.target.value || null)} />
      {" and "}
      <input type="date" aria-label="To" value={to ?? ""} onChange={(e) => onChange("to", e.target.value || null)} />
    </fieldset>
  );
}
