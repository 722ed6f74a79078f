"""The properties each node label and relationship type carries, with their Cypher types.

The ontology declares labels, kinds and relationship types; what the importer writes onto them
(graph/importer/writing.py `node_properties`, `edges_of`, `claim_rows`) is declared here, for
power users. `docs/cypher.md` is generated from it (graph/docgen.py) and a test imports data
that sets every property and compares with `db.schema.nodeTypeProperties()`, so neither the
writer nor this list can change alone.
"""

from dataclasses import dataclass

from eventgraph.graph.ontology import LONG_SPAN_LABEL, RETRACTED_LABEL, SHORT_SPAN_DAYS


@dataclass(frozen=True)
class PropertySpec:
    """One property: its name, its Cypher type, what it holds."""

    name: str
    type: str
    meaning: str


def _p(name: str, cypher_type: str, meaning: str) -> PropertySpec:
    return PropertySpec(name, cypher_type, meaning)


STRING, BOOLEAN, INTEGER, FLOAT = "STRING", "BOOLEAN", "INTEGER", "FLOAT"
STRINGS, DATETIME, DATE, POINT = "LIST<STRING>", "ZONED DATETIME", "DATE", "POINT"

ID = _p("id", STRING, "stable id, unique per label")
NAMED = (
    ID,
    _p("name", STRING, "display name"),
    _p("aliases", STRINGS, "other names and spellings (in the `entity_names` full-text index)"),
    _p("description", STRING, "what it is, in our words"),
)
KIND = _p("kind", STRING, "one of the label's kinds (docs/data-model.md)")
ANONYMOUS = _p("anonymous", BOOLEAN, "unnamed ('a Russian military official')")
IMPORTED = (
    _p("created_at", DATETIME, "when the import first wrote it"),
    _p("updated_at", DATETIME, "when an import last changed it"),
    _p("content_hash", STRING, "hash of the imported record (re-imports skip unchanged ones)"),
)

NODE_PROPERTIES: dict[str, tuple[PropertySpec, ...]] = {
    "Actor": (*NAMED, KIND, ANONYMOUS, *IMPORTED),
    "EquipmentType": (*NAMED, KIND, *IMPORTED),
    "Asset": (
        *NAMED,
        KIND,
        _p("registration", STRING, "tail or hull number of one airframe or ship"),
        *IMPORTED,
    ),
    "Location": (
        *NAMED,
        KIND,
        _p("point", POINT, "WGS-84 point (`point.y` latitude, `point.x` longitude)"),
        _p("point_precision", STRING, "how precise the point is (site, city … country)"),
        _p("point_uncertainty_km", FLOAT, "radius the true place lies within"),
        *IMPORTED,
    ),
    "Source": (
        *NAMED,
        KIND,
        ANONYMOUS,
        _p("reliability", STRING, "Admiralty source reliability A–F"),
        _p("reliability_note", STRING, "why that grade"),
        *IMPORTED,
    ),
    "Report": (
        ID,
        _p("name", STRING, "title"),
        KIND,
        _p("description", STRING, "what it is"),
        _p("url", STRING, "where it was published"),
        _p("published_start", DATETIME, "earliest instant it can have been published"),
        _p("published_end", DATETIME, "latest instant it can have been published"),
        _p("published_precision", STRING, "time precision of the publication date"),
        _p("published_year_assumed", BOOLEAN, "the year is our assumption"),
        _p("published_note", STRING, "how the publication date is known"),
        *IMPORTED,
    ),
    "Event": (
        *NAMED,
        _p("type", STRING, "event type (flight, attack, statement …)"),
        _p("start", DATETIME, "earliest instant (UTC, inclusive); null when open"),
        _p("end", DATETIME, "latest instant (UTC, inclusive); null when open"),
        _p("time_precision", STRING, "exact, day, month, year or interval"),
        _p("year_assumed", BOOLEAN, "the year is our assumption, not the source's"),
        _p("time_note", STRING, "how the time is known, in words"),
        _p("place_precision", STRING, "how precisely the place is known"),
        *IMPORTED,
    ),
    "Relation": (
        ID,
        _p("type", STRING, "relation type (operates, part_of, supports …)"),
        _p("description", STRING, "what the relation is"),
        _p("since", DATETIME, "first instant of the time it was given as"),
        _p("since_end", DATETIME, "last instant of the time `since` was given as"),
        _p("since_precision", STRING, "precision of `since` (exact, day, month or year)"),
        _p("until_start", DATETIME, "first instant of the time `until` was given as"),
        _p("until", DATETIME, "last instant of the time it was given as"),
        _p("until_precision", STRING, "precision of `until` (exact, day, month or year)"),
        *IMPORTED,
    ),
    "Claim": (
        ID,
        _p("position", INTEGER, "order among the claims of its event or relation"),
        _p("reliability", STRING, "Admiralty source reliability A–F (else the source's)"),
        _p("reliability_given", BOOLEAN, "graded on the claim, not taken from the source"),
        _p("credibility", STRING, "Admiralty information credibility '1'–'6'"),
        _p("paraphrase", STRING, "what the source said, in our words"),
        _p("reported_on", DATE, "when the source said it"),
        _p("created_at", DATETIME, "when the import wrote it"),
    ),
}
"""Every property a node of each ontology label can carry (absent when unknown, never null)."""

EDGE_PROPERTIES: dict[str, tuple[PropertySpec, ...]] = {
    "INVOLVES": (
        _p("role", STRING, "the role the entity plays (docs/data-model.md)"),
        _p("position", INTEGER, "order among the event's participants"),
    ),
}
"""Properties of relationship types; the others carry none."""

BOOKKEEPING_LABELS = {
    "EventGraphSchema": "one node: the schema version applied (`version`, `fingerprint`, "
    "`applied_at`)",
    "ApiToken": "API tokens (`id`, `name`, `role`, `secret_sha256`, `created_at`, "
    "`revoked_at`); only a hash of each secret is stored",
    RETRACTED_LABEL: "a second label on events taken out of normal queries (`retractEvent`), "
    "with `retracted_by`, `retracted_at` and `retraction_reason`",
    LONG_SPAN_LABEL: f"a second label on events whose time is open at either end or spans more "
    f"than {SHORT_SPAN_DAYS} days, kept by imports: window queries find the other events "
    f"through the `start` index (from {SHORT_SPAN_DAYS} days before the window) and these apart",
}
"""Labels outside the ontology that eventgraph writes for itself."""
