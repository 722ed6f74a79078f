"""Constraints and indexes derived from the ontology, applied idempotently and versioned.

`apply_schema` compares what the ontology wants with `SHOW CONSTRAINTS` / `SHOW INDEXES` and
creates only what is missing; an equivalent constraint or index under another name counts as
present, so it is safe against a database that someone else prepared. The applied schema
version and a fingerprint of the statements are recorded on one `(:EventGraphSchema)` node,
with `applied_at`, when they last changed: applying a schema already in place writes nothing
(every import applies it first, and a refused import must leave the graph as it was).
"""

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime

from neo4j import Driver
from neo4j.exceptions import ClientError

from eventgraph.graph import model
from eventgraph.graph.errors import Conflict
from eventgraph.graph.involvement import RECOUNT_ALL
from eventgraph.graph.ontology import EXTERNAL_ID_LABEL, LABELS, MERGE_LABEL
from eventgraph.graph.spans import MARK_ALL_LONG_SPANS, SET_ALL_RELATION_BOUNDS

SCHEMA_VERSION = 4
"""Bump when the set of constraints and indexes changes meaning (not for additions alone), or
when stored data needs a migration (MIGRATIONS). 2: events carry `:LongSpan`; 3: relations
carry `since_end` and `until_start`; 4: entities carry `uncounted_involves`."""

FULLTEXT_INDEX = "entity_names"
CLAIM_TEXT_INDEX = "claim_texts"
"""Full-text index over what claims say: our paraphrase and the source's own words."""
CLAIM_TEXTS = ("paraphrase", "quote")
SCHEMA_NODE_LABEL = "EventGraphSchema"


@dataclass(frozen=True)
class SchemaItem:
    """One constraint or index the ontology asks for."""

    name: str
    type: str
    """`UNIQUENESS`, `RANGE`, `FULLTEXT` or `POINT`."""
    labels: tuple[str, ...]
    properties: tuple[str, ...]

    @property
    def is_constraint(self) -> bool:
        return self.type == "UNIQUENESS"

    def cypher(self) -> str:
        """The CREATE statement; names come from the ontology allow-list, never from input."""
        if self.is_constraint:
            (label,), (prop,) = self.labels, self.properties
            return (
                f"CREATE CONSTRAINT {self.name} IF NOT EXISTS "
                f"FOR (n:`{label}`) REQUIRE n.`{prop}` IS UNIQUE"
            )
        if self.type == "FULLTEXT":
            labels = "|".join(f"`{label}`" for label in self.labels)
            props = ", ".join(f"n.`{prop}`" for prop in self.properties)
            return (
                f"CREATE FULLTEXT INDEX {self.name} IF NOT EXISTS "
                f"FOR (n:{labels}) ON EACH [{props}]"
            )
        (label,) = self.labels
        props = ", ".join(f"n.`{prop}`" for prop in self.properties)
        return f"CREATE {self.type} INDEX {self.name} IF NOT EXISTS FOR (n:`{label}`) ON ({props})"

    def matches(self, existing: dict[str, object]) -> bool:
        """True if an existing constraint or index does this item's job (whatever its name)."""
        existing_type = str(existing.get("type", ""))
        same_type = (
            "UNIQUENESS" in existing_type if self.is_constraint else existing_type == self.type
        )
        return (
            same_type
            and sorted(_strings(existing, "labelsOrTypes")) == sorted(self.labels)
            and _strings(existing, "properties") == list(self.properties)
        )


def _strings(row: dict[str, object], key: str) -> list[str]:
    value = row.get(key)
    return [str(v) for v in value] if isinstance(value, list) else []


def schema_items() -> list[SchemaItem]:
    """Everything the ontology asks the database to enforce and index."""
    items: list[SchemaItem] = []
    for label in LABELS:
        low = label.name.lower()
        items.append(SchemaItem(f"{low}_id_unique", "UNIQUENESS", (label.name,), ("id",)))
        items.extend(
            SchemaItem(f"{low}_{prop}_range", "RANGE", (label.name,), (prop,))
            for prop in label.time_properties
        )
        if label.point_property:
            prop = label.point_property
            items.append(SchemaItem(f"{low}_{prop}_point", "POINT", (label.name,), (prop,)))
    # Bookkeeping outside the ontology: API tokens (graph/tokens.py), and the schema's own
    # record, so that imports applying the schema at once MERGE one record, not one each.
    items.append(SchemaItem("apitoken_id_unique", "UNIQUENESS", ("ApiToken",), ("id",)))
    items.append(
        SchemaItem("eventgraphschema_id_unique", "UNIQUENESS", (SCHEMA_NODE_LABEL,), ("id",))
    )
    # External ids (ontology.ID_SCHEMES): one id, `scheme:value`, names one node.
    items.append(SchemaItem("externalid_key_unique", "UNIQUENESS", (EXTERNAL_ID_LABEL,), ("key",)))
    # Merges (graph/resolution/merging.py): each recorded once, found by its id to be undone.
    items.append(SchemaItem("merge_id_unique", "UNIQUENESS", (MERGE_LABEL,), ("id",)))
    searchable = model.searchable()
    items.append(
        SchemaItem(
            FULLTEXT_INDEX,
            "FULLTEXT",
            tuple(label.name for label in LABELS if label.name in searchable),
            tuple(sorted({prop for props in searchable.values() for prop in props})),
        )
    )
    items.append(SchemaItem(CLAIM_TEXT_INDEX, "FULLTEXT", ("Claim",), CLAIM_TEXTS))
    return items


def fingerprint(items: list[SchemaItem]) -> str:
    """A short hash of the statements, recorded so drift between code and database shows."""
    text = "\n".join(sorted(item.cypher() for item in items))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


SCHEMA_RECORD_ID = "schema"


def schema_record() -> dict[str, object]:
    """What the `(:EventGraphSchema)` node records of this code's schema (with `applied_at`,
    when): a store written whole from validated records with every derived value (the bulk
    files) carries it, so applying the schema there runs none of the MIGRATIONS."""
    return {
        "id": SCHEMA_RECORD_ID,
        "version": SCHEMA_VERSION,
        "fingerprint": fingerprint(schema_items()),
    }


@dataclass
class SchemaReport:
    """What `apply_schema` did."""

    version: int
    fingerprint: str
    created: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    migrated: list[str] = field(default_factory=list)


_SHOW_CONSTRAINTS = "SHOW CONSTRAINTS YIELD name, type, labelsOrTypes, properties"
_SHOW_INDEXES = "SHOW INDEXES YIELD name, type, labelsOrTypes, properties, owningConstraint"
_RECORD_VERSION = (
    f"MERGE (s:{SCHEMA_NODE_LABEL} {{id: '{SCHEMA_RECORD_ID}'}}) "
    "SET s.version = $version, s.fingerprint = $fingerprint, s.applied_at = $applied_at"
)
_ONE_RECORD = (
    f"MATCH (s:{SCHEMA_NODE_LABEL} {{id: '{SCHEMA_RECORD_ID}'}}) "
    "WITH s ORDER BY coalesce(s.version, 0) DESC, s.applied_at DESC SKIP 1 DELETE s"
)
MIGRATIONS: tuple[tuple[int, str, str], ...] = (
    (2, "events labelled :LongSpan", MARK_ALL_LONG_SPANS),
    (3, "relations' since_end and until_start", SET_ALL_RELATION_BOUNDS),
    (4, "entities' uncounted INVOLVES relationships", RECOUNT_ALL),
)
"""(schema version, what it does, batched Cypher): run once on a graph recorded below it.
Each is idempotent, so a run cut short is simply run again."""
_READ_VERSION = (
    f"MATCH (s:{SCHEMA_NODE_LABEL} {{id: '{SCHEMA_RECORD_ID}'}}) "
    "RETURN s.version AS version, s.fingerprint AS fingerprint"
)


def apply_schema(driver: Driver, database: str) -> SchemaReport:
    """Create the constraints and indexes that are missing, wait until they are online."""
    items = schema_items()
    report = SchemaReport(version=SCHEMA_VERSION, fingerprint=fingerprint(items))
    constraints = [r.data() for r in driver.execute_query(_SHOW_CONSTRAINTS, database_=database)[0]]
    indexes = [r.data() for r in driver.execute_query(_SHOW_INDEXES, database_=database)[0]]
    if not any(item.matches(c) for c in constraints for item in items if _is_marker_rule(item)):
        # Before the record had its constraint, overlapping imports could write it twice.
        driver.execute_query(_ONE_RECORD, database_=database)
    for item in items:
        existing = constraints if item.is_constraint else indexes
        twin = next((e for e in existing if item.matches(e)), None)
        if twin is not None:
            report.present.append(str(twin["name"]))
            continue
        outdated = next((e for e in existing if e["name"] == item.name), None)
        if outdated is not None:
            # Ours by name, but the ontology changed what it covers: rebuild it.
            kind = "CONSTRAINT" if item.is_constraint else "INDEX"
            driver.execute_query(f"DROP {kind} {item.name}", database_=database)
            report.replaced.append(item.name)
        if item.is_constraint:
            _refuse_conflicting_index(item, indexes)
        if not _create(driver, database, item):
            report.present.append(item.name)
        elif outdated is None:
            report.created.append(item.name)
    driver.execute_query("CALL db.awaitIndexes(300)", database_=database)
    stored, stored_fingerprint = _recorded(driver, database)
    for version, name, cypher in MIGRATIONS:
        if stored is None or stored < version:
            with driver.session(database=database) as session:  # batched: an implicit tx
                session.run(cypher).consume()
            report.migrated.append(name)
    if (stored, stored_fingerprint) == (SCHEMA_VERSION, report.fingerprint) and not (
        report.created or report.replaced or report.migrated
    ):
        return report  # already applied: a command that only checks the schema writes nothing
    driver.execute_query(
        _RECORD_VERSION,
        version=SCHEMA_VERSION,
        fingerprint=report.fingerprint,
        applied_at=datetime.now(UTC),
        database_=database,
    )
    return report


def _is_marker_rule(item: SchemaItem) -> bool:
    return item.is_constraint and item.labels == (SCHEMA_NODE_LABEL,)


_CREATED_MEANWHILE = frozenset(
    {
        "Neo.ClientError.Schema.EquivalentSchemaRuleAlreadyExists",
        "Neo.ClientError.Schema.ConstraintAlreadyExists",
        "Neo.ClientError.Schema.IndexAlreadyExists",
    }
)
"""What Neo4j says when another transaction created the same rule between our `SHOW` and our
`CREATE … IF NOT EXISTS`: `IF NOT EXISTS` looks only at committed rules, so two imports into a
database without a schema both try to create it, and all but one would fail."""


def _create(driver: Driver, database: str, item: SchemaItem) -> bool:
    """Create one constraint or index; False if a concurrent transaction created it first."""
    try:
        driver.execute_query(item.cypher(), database_=database)
    except ClientError as error:
        if error.code not in _CREATED_MEANWHILE:
            raise
        show = _SHOW_CONSTRAINTS if item.is_constraint else _SHOW_INDEXES
        rows = [r.data() for r in driver.execute_query(show, database_=database)[0]]
        if not any(item.matches(row) for row in rows):
            raise
        return False
    return True


def _refuse_conflicting_index(item: SchemaItem, indexes: list[dict[str, object]]) -> None:
    """A plain range index on the same property blocks a uniqueness constraint: say which.
    One under the constraint's own name is its index while another import creates it (the
    constraint owns it once built), not a blocker."""
    for index in indexes:
        if (
            index.get("type") == "RANGE"
            and index.get("name") != item.name
            and index.get("owningConstraint") is None
            and _strings(index, "labelsOrTypes") == list(item.labels)
            and _strings(index, "properties") == list(item.properties)
        ):
            raise Conflict(
                f"Index '{index['name']}' on :{item.labels[0]}({item.properties[0]}) blocks the "
                f"uniqueness constraint eventgraph needs. Drop it (DROP INDEX {index['name']}) "
                "and apply the schema again; the constraint brings its own index."
            )


def applied_version(driver: Driver, database: str) -> int | None:
    """The schema version recorded in the database, or None if it was never applied."""
    return _recorded(driver, database)[0]


def _recorded(driver: Driver, database: str) -> tuple[int | None, str | None]:
    """The (version, fingerprint) recorded in the database; (None, None) if never applied."""
    records = driver.execute_query(_READ_VERSION, database_=database)[0]
    if not records:
        return None, None
    return int(records[0]["version"]), records[0]["fingerprint"]
