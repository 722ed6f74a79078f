"""Generate `docs/data-model.md`, `docs/eventgraph.schema.json`, the schema part of
`docs/cypher.md` and the two field tables of `docs/importing.md` from the ontology and the
model (`graph/model.py`).

Run `python -m eventgraph.graph.docgen` after changing the ontology; a test fails while they differ.
`docs/cypher.md` and `docs/importing.md` are hand-written around generated blocks, each between
a BEGIN and an END line.
"""

import json
from pathlib import Path

from eventgraph.graph import model, ontology
from eventgraph.graph.records import import_json_schema
from eventgraph.graph.schema import schema_items
from eventgraph.graph.settings import PROJECT_ROOT

DOCS = PROJECT_ROOT / "docs"
DATA_MODEL = DOCS / "data-model.md"
JSON_SCHEMA = DOCS / "eventgraph.schema.json"
CYPHER = DOCS / "cypher.md"
IMPORTING = DOCS / "importing.md"
SCHEMA_BEGIN = "<!-- BEGIN generated schema: `python -m eventgraph.graph.docgen`, do not edit -->"
SCHEMA_END = "<!-- END generated schema -->"
FIELDS_BEGIN = "<!-- BEGIN generated fields: `python -m eventgraph.graph.docgen`, do not edit -->"
FIELDS_END = "<!-- END generated fields -->"
COLUMNS_BEGIN = "<!-- BEGIN generated columns: `python -m eventgraph.graph.docgen`, do not edit -->"
COLUMNS_END = "<!-- END generated columns -->"


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


_SPECIAL_MEANINGS = {
    "point": "a WGS-84 point: `lat`, `lon`, `precision`, `uncertainty_km`",
    "time": "when it happened: `start`, `end`, `precision`, `year_assumed`, `note`",
    "duration": "how long it lasted, apart from when: `amount`, `unit`, `approximate`",
    "published": "when it was published: `start`, `end`, `precision`, `year_assumed`, `note`",
    "since": "when it began (a partial time: 2015, 2015-10, an instant)",
    "until": "when it ended (a partial time)",
    "participants": "entities in roles: `role`, `ref` (see Participant roles)",
    "claims": "the sources' graded claims (at least one): `source`, `report`, `based_on`, "
    "`reliability`, `credibility`, `paraphrase`, `quote`, `grading_note`, `reported_on`, `id`",
    "external_ids": "ids other systems give it: `scheme`, `value` (see External id schemes)",
}
"""What the data model page says of each special part (`graph.model.Special`)."""


def _field_row(part: model.Field) -> tuple[str, ...]:
    if isinstance(part, model.Prop):
        kind = part.type.name
        graphql = part.graphql_name
        required = "yes" if part.required else "—"
        meaning = part.meaning
    elif isinstance(part, model.Link):
        kind = ("ids of " if part.many else "id of ") + " or ".join(part.targets)
        kind += f" (`{part.edge}`)"
        graphql = part.graphql_name
        required = "yes" if part.required else "—"
        meaning = part.meaning or "—"
    else:
        kind = "—"
        graphql = model.camel(part.name)
        required = "yes" if part.required else "—"
        meaning = _SPECIAL_MEANINGS[part.name]
    return (f"`{part.name}`", f"`{graphql}`", kind, required, meaning)


def _properties_section() -> list[str]:
    parts = [
        "## Records and their fields",
        "",
        "What each record holds, in the order of the native format (graph/model.py), with its",
        "GraphQL field. Plain properties are stored on the node under the same name; links are",
        "relationships to other records, given by id; the rest are parts with a shape of their",
        "own.",
        "",
    ]
    for shape in model.SHAPES:
        reverse = ", ".join(
            f"`{r.graphql_name}` (`{r.edge}` from {' or '.join(r.targets)})" for r in shape.reverse
        )
        parts += [
            f"### `{shape.label.collection}` ({shape.label.name})",
            "",
            _table(
                ("field", "GraphQL", "type", "required", "meaning"),
                [_field_row(part) for part in shape.fields],
            ),
            "",
        ]
        if reverse:
            parts += [f"GraphQL also follows the other way: {reverse}.", ""]
    return parts


def _schemes_section() -> list[str]:
    return [
        "## External id schemes",
        "",
        "Ids other systems give a node, in `external_ids`; each names one node, and a record",
        "whose id names a node already in the graph attaches to it ([identity.md](identity.md)).",
        "A value is normalised (trimmed, in the case shown) and must have the form shown.",
        "",
        _table(
            ("scheme", "identifies", "case", "form", "example", "what it is"),
            [
                (
                    f"`{scheme.name}`",
                    ", ".join(scheme.labels),
                    scheme.case or "as given",
                    f"`{scheme.pattern}`",
                    f"`{scheme.example}`",
                    scheme.meaning,
                )
                for scheme in ontology.ID_SCHEMES
            ],
        ),
        "",
    ]


def data_model_markdown() -> str:
    """The data model page, derived from `graph/ontology.py`, `graph/model.py` and
    `graph/schema.py`."""
    parts = [
        "# The data model",
        "",
        "<!-- Generated by `python -m eventgraph.graph.docgen` from graph/ontology.py:"
        " do not edit. -->",
        "",
        "Every node has a stable `id` (unique per label), and the bookkeeping properties",
        "`created_at`, `updated_at` and `content_hash` (set by imports). Actors, assets, equipment",
        "types and locations share one id space, so a reference needs no label. How the native",
        "import format spells all this is in [importing.md](importing.md).",
        "",
        "## Node labels",
        "",
        _table(
            ("label", "import collection", "kinds", "what it is"),
            [
                (
                    f"`{label.name}`",
                    f"`{label.collection}`",
                    ", ".join(f"`{kind}`" for kind in label.kinds) or "—",
                    label.description,
                )
                for label in ontology.LABELS
            ],
        ),
        "",
        *_properties_section(),
        *_schemes_section(),
        "## Event types",
        "",
        "Codes for interchange: ACLED event type / sub-type, CAMEO event code, PLOVER event",
        "type; — where the scheme has no fitting type (PLOVER has none for statements: ours",
        "stand alone).",
        "",
        _table(
            ("type", "ACLED", "CAMEO", "PLOVER", "what it is"),
            [
                (
                    f"`{t.name}`",
                    " / ".join(t.acled) if t.acled else "—",
                    t.cameo or "—",
                    t.plover or "—",
                    t.description,
                )
                for t in ontology.EVENT_TYPES
            ],
        ),
        "",
        "## Participant roles",
        "",
        "`(:Event)-[:INVOLVES {role, position}]->(entity)`",
        "",
        _table(
            ("role", "played by", "meaning"),
            [(f"`{r.name}`", ", ".join(r.labels), r.description) for r in ontology.ROLES],
        ),
        "",
        "## Relations between entities",
        "",
        "A relation is a `(:Relation {type, since, until})` node, `(:Relation)-[:FROM]->(a)`",
        "and `(:Relation)-[:TO]->(b)`, so that the claims which make it can point at it. `since`",
        "is the first instant of the partial time it was given as, `until` the last; either may",
        "be open. Each keeps its precision (`since_precision`, `until_precision`: `exact`, `day`,",
        "`month` or `year`) and the other end of the time it was given as: `since_end`, the last",
        'instant of it, and `until_start`, the first. "Since 2015" is `since`',
        "2015-01-01T00:00:00Z, `since_end` 2015-12-31T23:59:59.999999Z, `since_precision` `year`;",
        "queries over windows use `since` and `until` alone. (Graphs imported before schema",
        "version 3 get `since_end`/`until_start` when the schema is applied.)",
        "",
        _table(
            ("type", "from", "to", "meaning"),
            [
                (f"`{r.name}`", ", ".join(r.from_labels), ", ".join(r.to_labels), r.description)
                for r in ontology.RELATION_TYPES
            ],
        ),
        "",
        "## Relationship types",
        "",
        _table(
            ("type", "from", "to", "properties", "meaning"),
            [
                (
                    f"`{e.name}`",
                    ", ".join(e.from_labels),
                    ", ".join(e.to_labels),
                    ", ".join(f"`{p}`" for p in e.properties) or "—",
                    e.description,
                )
                for e in ontology.EDGE_TYPES
            ],
        ),
        "",
        "## Grading, time and place",
        "",
        "- Source reliability (Admiralty): "
        + ", ".join(f"`{r.value}`" for r in ontology.Reliability)
        + " (A completely reliable … E unreliable, F cannot be judged).",
        "- Information credibility: "
        + ", ".join(f"`{c.value}` {c.name.lower().replace('_', ' ')}" for c in ontology.Credibility)
        + ".",
        "- Time precision: "
        + ", ".join(f"`{p.value}`" for p in ontology.TimePrecision)
        + ". An event's `start` and `end` are UTC datetimes, both inclusive (`end` is the last"
        " microsecond of the last day); either is null when open. `year_assumed` marks a year"
        " the source did not give; `time_note` says in words how the time is known.",
        "- Duration: how long an event lasted, apart from when: `duration_amount` in"
        " `duration_unit`s ("
        + ", ".join(f"`{u.value}`" for u in ontology.DurationUnit)
        + "), `duration_approximate` when the source gives a round figure. Bounds that are"
        " each known only roughly leave a wide interval; the duration says how much of it the"
        " event took. The seed story's pause in Russian flights to Hmeimim lies between"
        " 1 March and 26 October 2025 and lasted about six months: `duration_amount` 6,"
        " `duration_unit` `month`, `duration_approximate` true. A duration that is not"
        " approximate must fit between the bounds.",
        "- Claims: `paraphrase` is what the source said in our words, `quote` its exact words"
        " where they are recorded (both in the `claim_texts` full-text index), and"
        " `grading_note` why the claim has its reliability and credibility (the seed story's"
        " Bloomberg claim that rebels attacked the base is graded `4` because no other"
        " coverage of the report carries the attack).",
        "- Corroboration: a claim that rests on another source's data names it (`based_on`,"
        " `BASED_ON`; Bloomberg's account of the resumed flights rests on Flightradar24's), and a"
        " report that repeats another says so (`repeats`, `REPEATS`: a syndicated copy, a"
        " rewrite); an event's or relation's independent origins are the distinct sources its"
        " claims rest on through them (docs/reliability.md, Corroboration).",
        "- Place precision: "
        + ", ".join(f"`{p.value}`" for p in ontology.PlacePrecision)
        + ". Points are WGS-84 (`point.y` latitude, `point.x` longitude). A point's"
        " `point_uncertainty_km` is how far the place may lie from it; where it is missing,"
        " the point's precision gives the radius: "
        + ", ".join(f"`{p.value}` {km:g} km" for p, km in ontology.PLACE_RADIUS_KM.items())
        + "; "
        + ", ".join(
            f"`{p.value}`" for p in ontology.PlacePrecision if p not in ontology.PLACE_RADIUS_KM
        )
        + " none (never within any distance). `near` counts a place only when all of that"
        " disc is within the distance.",
        "",
        "## Constraints and indexes",
        "",
        _table(
            ("name", "type", "labels", "properties"),
            [
                (f"`{item.name}`", item.type, ", ".join(item.labels), ", ".join(item.properties))
                for item in schema_items()
            ],
        ),
        "",
    ]
    return "\n".join(parts)


def _label_section(label: ontology.NodeLabel) -> list[str]:
    items = [item for item in schema_items() if label.name in item.labels]
    indexed = "; ".join(
        f"{item.type.lower()} `{item.name}` on {', '.join(f'`{p}`' for p in item.properties)}"
        for item in items
    )
    return [
        f"#### `{label.name}`",
        "",
        f"{label.description} Indexes: {indexed}.",
        "",
        _table(
            ("property", "type", "meaning"),
            [(f"`{p.name}`", p.cypher, p.meaning) for p in model.node_properties(label.name)],
        ),
        "",
    ]


def _external_id_section() -> list[str]:
    name = ontology.EXTERNAL_ID_LABEL
    items = [item for item in schema_items() if name in item.labels]
    indexed = "; ".join(f"{item.type.lower()} `{item.name}` on `key`" for item in items)
    return [
        f"#### `{name}`",
        "",
        f"An id another system gives a node, `(:{name})-[:{ontology.IDENTIFIES}]->(node)` to an "
        f"{', '.join(ontology.IDENTIFIABLE_LABELS)} (schemes: docs/data-model.md). "
        f"Indexes: {indexed}.",
        "",
        _table(
            ("property", "type", "meaning"),
            [(f"`{p.name}`", p.cypher, p.meaning) for p in model.EXTERNAL_ID_PROPERTIES],
        ),
        "",
    ]


def cypher_schema_markdown() -> str:
    """The generated block of docs/cypher.md: labels, properties, relationships, indexes."""
    parts = [
        SCHEMA_BEGIN,
        "",
        "### Node labels and their properties",
        "",
        "A property is absent when it is unknown, never null. `ZONED DATETIME` values are UTC.",
        "",
    ]
    for label in ontology.LABELS:
        parts += _label_section(label)
    parts += _external_id_section()
    edges: list[tuple[str, ...]] = [
        (
            f"`{edge.name}`",
            ", ".join(edge.from_labels),
            ", ".join(edge.to_labels),
            ", ".join(f"`{p.name}` {p.cypher}" for p in model.EDGE_PROPERTIES.get(edge.name, ()))
            or "—",
            edge.description,
        )
        for edge in ontology.EDGE_TYPES
    ]
    edges.append(
        (
            f"`{ontology.IDENTIFIES}`",
            ontology.EXTERNAL_ID_LABEL,
            ", ".join(ontology.IDENTIFIABLE_LABELS),
            "—",
            "An external id names a node (docs/identity.md).",
        )
    )
    parts += [
        "### Relationship types",
        "",
        _table(("type", "from", "to", "properties", "meaning"), edges),
        "",
        "### Constraints and indexes",
        "",
        "What `SHOW CONSTRAINTS` and `SHOW INDEXES` list (a test compares them with this table).",
        "Each uniqueness constraint owns a range index of the same name. Neo4j adds two `LOOKUP`",
        "indexes of its own (over node labels and relationship types), not listed here.",
        "",
        _table(
            ("name", "type", "labels", "properties", "created by"),
            [
                (
                    f"`{item.name}`",
                    item.type,
                    ", ".join(item.labels),
                    ", ".join(item.properties),
                    f"`{item.cypher()}`",
                )
                for item in schema_items()
            ],
        ),
        "",
        "### Labels eventgraph keeps for itself",
        "",
        _table(
            ("label", "what it holds"),
            [(f"`{name}`", meaning) for name, meaning in model.BOOKKEEPING_LABELS.items()],
        ),
        "",
        "### Properties eventgraph keeps for itself",
        "",
        _table(
            ("property", "what it holds"),
            [(f"`{name}`", meaning) for name, meaning in model.BOOKKEEPING_PROPERTIES.items()],
        ),
        "",
        SCHEMA_END,
    ]
    return "\n".join(parts)


def _replaced(text: str, begin: str, end: str, block: str, name: str) -> str:
    """`text` with the block between the lines `begin` and `end` replaced by `block`."""
    head, found_begin, rest = text.partition(begin)
    _, found_end, tail = rest.partition(end)
    if not found_begin or not found_end:
        raise ValueError(f"{name} lacks the lines {begin!r} … {end!r}")
    return head + begin + "\n" + block + "\n" + end + tail


def with_generated_schema(text: str) -> str:
    """docs/cypher.md's text with its generated block replaced by the current one."""
    block = cypher_schema_markdown().removeprefix(SCHEMA_BEGIN + "\n").removesuffix(SCHEMA_END)
    return _replaced(text, SCHEMA_BEGIN, SCHEMA_END, block.removesuffix("\n"), CYPHER.name)


_FORMAT_SPECIALS = {
    "point": "point {**lat**, **lon**, **precision**, uncertainty_km}",
    "time": "**time**",
    "duration": "duration {**amount**, **unit**, approximate}",
    "published": "published (a time)",
    "since": "since",
    "until": "until",
    "participants": "participants [{**role**, **ref**}]",
    "claims": "**claims** (at least one)",
    "external_ids": "external_ids [{**scheme**, **value**}]",
}
"""How the fields table of docs/importing.md names each special part."""


def _format_field(part: model.Field) -> tuple[bool, str]:
    """(required, how the fields table names it)."""
    if isinstance(part, model.Special):
        return part.required, _FORMAT_SPECIALS[part.name]
    required = part.required
    text = f"**{part.name}**" if required else part.name
    if isinstance(part, model.Link) and not part.by_relation_type and len(part.targets) == 1:
        text += f" ({part.targets[0]})"
    if isinstance(part, model.Prop) and part.type in _TYPE_HINTS:
        text += f" ({_TYPE_HINTS[part.type]})"
    return required, text


_TYPE_HINTS = {model.RELIABILITY: "A–F"}
_CLAIM_FIELDS = (
    "**source**, **credibility** (1–6), **paraphrase**, quote (the source's exact words), "
    "grading_note (why this grading), report, based_on (Sources it rests on), reliability "
    "(A–F, else the source's), reported_on (a date), id (else `<owner id>/claim-<n>`)"
)


def importing_fields_markdown() -> str:
    """The table of native-format collections and their fields (required ones first)."""
    rows: list[tuple[str, ...]] = []
    for shape in model.SHAPES:
        named = sorted((_format_field(part) for part in shape.fields), key=lambda f: not f[0])
        rows.append((f"`{shape.label.collection}`", ", ".join(text for _, text in named)))
    rows.append(("claims (inside events and relations)", _CLAIM_FIELDS))
    return _table(("collection", "fields (required in bold)"), rows)


def importing_columns_markdown() -> str:
    """The table of CSV tables and their columns."""
    from eventgraph.graph.importer.reading import CSV_REQUIRED, CSV_TABLES

    rows: list[tuple[str, ...]] = []
    for table, columns in CSV_TABLES.items():
        required = CSV_REQUIRED.get(table, ("id",))
        cells = [f"**{c}**" for c in columns if c in required]
        cells += [c for c in columns if c not in required]
        rows.append((f"`{table}`", ", ".join(cells) + _CSV_NOTES.get(table, "")))
    return _table(("table", "columns (required in bold)"), rows)


_CSV_NOTES = {
    "participants": " — one row per participant of an event in the same import",
    "claims": " — one row per claim on an event or relation in the same import",
}


def with_generated_tables(text: str) -> str:
    """docs/importing.md's text with its generated tables replaced by the current ones."""
    fields, columns = importing_fields_markdown(), importing_columns_markdown()
    text = _replaced(text, FIELDS_BEGIN, FIELDS_END, f"\n{fields}\n", IMPORTING.name)
    return _replaced(text, COLUMNS_BEGIN, COLUMNS_END, f"\n{columns}\n", IMPORTING.name)


def json_schema_text() -> str:
    return json.dumps(import_json_schema(), indent=2, ensure_ascii=False) + "\n"


def generated() -> dict[Path, str]:
    """Every generated file and what it must contain."""
    return {
        DATA_MODEL: data_model_markdown(),
        JSON_SCHEMA: json_schema_text(),
        CYPHER: with_generated_schema(CYPHER.read_text(encoding="utf-8")),
        IMPORTING: with_generated_tables(IMPORTING.read_text(encoding="utf-8")),
    }


def main() -> None:
    for path, text in generated().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(PROJECT_ROOT)}")


if __name__ == "__main__":
    main()
