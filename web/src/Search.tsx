// Search over names and aliases (the `search` query): type-ahead in the header, ↑/↓ to move,
// Enter to open, Escape to close; and the full list at /search?q=…. The same box picks a node
// for another view (the link chart's "connect to…").
import { useEffect, useRef, useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router-dom";
import { useQuery } from "urql";
import { ProblemNotice } from "./problems";
import { pathOf, label } from "./format";
import { SEARCH, refOf, type NodeRef, type SearchHit } from "./queries";

function useDebounced(value: string, ms: number): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

const LUCENE_SPECIAL = /[+\-&|!(){}[\]^"~*?:\\/]/g;

/** What is typed so far as a full-text query (the index reads Lucene syntax): its words taken
 * literally, the last one also as a prefix, so "Hmei" finds Hmeimim while a whole word still
 * ranks first. */
function typeAheadQuery(typed: string): string {
  const words = typed.trim().split(/\s+/).filter(Boolean).map((w) => w.replace(LUCENE_SPECIAL, "\\$&"));
  const last = words.pop();
  // The index lowercases words it stores, but leaves a prefix as typed.
  return last === undefined ? "" : [...words, `(${last} OR ${last.toLowerCase()}*)`].join(" ");
}

/** Hits that have a page in the app (entities and events), best first. */
function useHits(text: string, first: number) {
  const [result] = useQuery<{ search: SearchHit[] }>({
    query: SEARCH,
    variables: { text, first },
    pause: text.trim().length < 2,
  });
  const hits = (result.data?.search ?? [])
    .map((hit) => ({ ...hit, ref: refOf(hit.node) }))
    .filter((hit) => pathOf(hit.ref) !== null);
  return { hits, fetching: result.fetching, error: result.error };
}

function Kind({ typename, kind }: { typename: string; kind?: string }) {
  return (
    <span className={`kind kind-${typename}`}>
      {typename === "EquipmentType" ? "equipment type" : typename.toLowerCase()}
      {kind ? ` · ${label(kind)}` : ""}
    </span>
  );
}

type BoxProps = {
  /** The box's accessible name. */
  name?: string;
  /** The suggestion list's element id (one per box on a page). */
  listId?: string;
  /** What a picked hit does; by default its page opens. */
  onPick?: (ref: NodeRef) => void;
};

export function SearchBox({ name = "Search names and aliases", listId = "search-suggestions", onPick }: BoxProps = {}) {
  const [text, setText] = useState("");
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const navigate = useNavigate();
  const settled = useDebounced(text, 150);
  const { hits, fetching, error } = useHits(typeAheadQuery(settled), 8);
  const box = useRef<HTMLInputElement>(null);

  useEffect(() => setActive(0), [settled]);

  function go(path: string) {
    setOpen(false);
    setText("");
    box.current?.blur();
    navigate(path);
  }

  function pick(ref: NodeRef) {
    if (!onPick) return go(pathOf(ref)!);
    setOpen(false);
    setText(ref.name ?? ref.id);
    onPick(ref);
  }

  function onKey(event: React.KeyboardEvent<HTMLInputElement>) {
    if (event.key === "ArrowDown") {
      event.preventDefault();
      setOpen(true);
      setActive((i) => Math.min(i + 1, Math.max(hits.length - 1, 0)));
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      setActive((i) => Math.max(i - 1, 0));
    } else if (event.key === "Escape") {
      event.preventDefault(); // a search box's own Escape would also empty it
      setOpen(false);
    } else if (event.key === "Enter") {
      event.preventDefault();
      const hit = open ? hits[active] : undefined;
      if (hit) pick(hit.ref);
      else if (!onPick) go(`/search?q=${encodeURIComponent(text)}`);
    }
  }

  const shown = open && settled.trim().length >= 2;
  return (
    <div className="search-box">
      <input
        ref={box}
        type="search"
        role="combobox"
        aria-label={name}
        aria-expanded={shown}
        aria-controls={listId}
        aria-activedescendant={shown && hits[active] ? `${listId}-${active}` : undefined}
        placeholder={`${name}…`}
        value={text}
        onChange={(event) => {
          setText(event.target.value);
          setOpen(true);
        }}
        onKeyDown={onKey}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
      />
      {shown && (
        <ul id={listId} role="listbox" className="suggestions" aria-busy={fetching || settled !== text}>
          {error && <li className="problem-line"><ProblemNotice error={error} /></li>}
          {!error && hits.length === 0 && <li className="empty">{fetching ? "Searching…" : "No matches"}</li>}
          {hits.map((hit, i) => (
            <li
              key={hit.ref.id}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              className={i === active ? "active" : ""}
              onMouseDown={(event) => {
                event.preventDefault();
                pick(hit.ref);
              }}
            >
              <span className="hit-name">{hit.ref.name}</span> <Kind typename={hit.ref.__typename} kind={hit.ref.kind ?? hit.ref.type} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function SearchPage() {
  const [params] = useSearchParams();
  const text = params.get("q") ?? "";
  const { hits, fetching, error } = useHits(text, 50);
  return (
    <main className="search-page">
      <h1>Search: “{text}”</h1>
      {error && <ProblemNotice error={error} />}
      {fetching && <p>Searching…</p>}
      {!fetching && !error && hits.length === 0 && <p>Nothing is named or also known as that.</p>}
      <ol className="hits">
        {hits.map((hit) => (
          <li key={hit.ref.id}>
            <Link to={pathOf(hit.ref)!}>{hit.ref.name}</Link> <Kind typename={hit.ref.__typename} kind={hit.ref.kind ?? hit.ref.type} />
            {hit.node.aliases && hit.node.aliases.length > 0 && (
              <span className="aliases"> also {hit.node.aliases.join(", ")}</span>
            )}
          </li>
        ))}
      </ol>
    </main>
  );
}
