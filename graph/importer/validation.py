"""Validating raw records against the ontology and the graph, before anything is written.

Every problem is collected (not just the first) with file, line or record path, field, reason
and, where one exists, a suggestion. A reference may point at a record of the same import or at
a node already in the graph; which labels it may point at comes from the ontology.
"""

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from neo4j import Driver
from pydantic import ValidationError

from eventgraph.graph import ontology
from eventgraph.graph.errors import Problem, a_or_an
from eventgraph.graph.importer.reading import Attachment, PathKey, RawRecord
from eventgraph.graph.importer.references import Reference, references
from eventgraph.graph.importer.wording import field_path, record_problems, suggest
from eventgraph.graph.records import RECORD_TYPES_BY_COLLECTION, ClaimSpec, Record

CLAIMING = ("events", "relations")
"""Collections whose records carry claims."""
CHECKED_LABELS = (*ontology.ENTITY_LABELS, "Event", "Source", "Report")
"""Labels a reference can point at."""


@dataclass(frozen=True)
class Item:
    """A valid record, where it came from, and a hash of its content."""

    record: Record
    raw: RawRecord
    content_hash: str
    label: str = field(init=False)
    """The record's Neo4j label (kept, as the import asks for it a dozen times per record)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "label", self.record.label.name)


@dataclass(frozen=True)
class Faulty:
    """A record whose fields are wrong: still checked for references and claims, so one
    report lists every problem of a file."""

    raw: RawRecord
    label: str
    paths: tuple[PathKey, ...]
    """The fields found wrong (their references are not checked again)."""

    @property
    def id(self) -> str | None:
        value = self.raw.data.get("id")
        return value if isinstance(value, str) else None


def claims_of(record: Record) -> tuple[ClaimSpec, ...]:
    """The claims of an event or relation; none for other records."""
    claims: tuple[ClaimSpec, ...] = getattr(record, "claims", ())
    return claims


@dataclass
class Plan:
    """What an import would write, in dependency order, once it validated."""

    items: list[Item] = field(default_factory=list)
    claim_reliability: dict[tuple[str, int], str] = field(default_factory=dict)
    """(owner id, claim index) → the reliability to store (the claim's own or its source's)."""
    label_of: dict[str, str] = field(default_factory=dict)
    """Entity id → its label, for every id an edge will point at."""
    problems: list[Problem] = field(default_factory=list)
    rejected: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        """How many records the plan writes (`items` is to be read once, as a stream)."""
        return len(self.items)


def content_hash(record: Record) -> str:
    canonical = record.model_dump_json(by_alias=True)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def _attach(records: list[RawRecord], attachments: list[Attachment], plan: Plan) -> None:
    """Put CSV participants and claims into the events and relations they name."""
    owners: dict[str, RawRecord] = {}
    for raw in records:
        if raw.collection in ("events", "relations") and isinstance(raw.data.get("id"), str):
            owners.setdefault(raw.data["id"], raw)
    for attachment in attachments:
        owner = owners.get(attachment.target)
        if owner is None or (attachment.field == "participants" and owner.collection != "events"):
            plan.problems.append(
                Problem(
                    attachment.where(),
                    "event" if attachment.field == "participants" else "target",
                    f"'{attachment.target}' is not an event or relation of this import",
                    suggest(attachment.target, list(owners))
                    or "import its events.csv / relations.csv in the same run",
                )
            )
            continue
        items = owner.data.setdefault(attachment.field, [])
        if isinstance(items, list):
            items.append(attachment.item)


_FIND_IDS = (
    "UNWIND ${ids} AS id MATCH (n:`{label}` {{id: id}}) USING INDEX n:`{label}`(id) "
    "RETURN '{label}' AS label, n.id AS id"
)
_FIND_SIMILAR = "MATCH (n:`{label}`) WHERE n.id STARTS WITH $prefix RETURN n.id AS id LIMIT 200"
_SOURCE_RELIABILITY = (
    "UNWIND $ids AS id MATCH (s:Source {id: id}) USING INDEX s:Source(id) "
    "RETURN s.id AS id, s.reliability AS reliability"
)


def _graph_labels(
    driver: Driver, database: str, references: set[str], entities: set[str]
) -> dict[str, set[str]]:
    """Under which labels the graph already holds the `references` (any label a reference
    may point at) and the `entities` (entity labels only: the shared id space). One round trip
    for every label (a mutation recording one event: 8 round trips were ~40 ms of its ~70)."""
    found: dict[str, set[str]] = defaultdict(set)
    branches, params = [], {}
    for index, label in enumerate(CHECKED_LABELS):
        ids = references | entities if label in ontology.ENTITY_LABELS else references
        if ids:
            branches.append(_FIND_IDS.format(label=label, ids=f"ids{index}"))
            params[f"ids{index}"] = sorted(ids)
    if not branches:
        return found
    query = "CALL () { " + " UNION ALL ".join(branches) + " } RETURN label, id"
    for row in driver.execute_query(query, params, database_=database)[0]:
        found[row["id"]].add(row["label"])
    return found


def validate(
    records: list[RawRecord], attachments: list[Attachment], driver: Driver, database: str
) -> Plan:
    """Check every record; the plan carries problems instead of raising, so all are reported.

    A record with wrong fields is still checked for references, id clashes and claims: a file
    with 8 wrong fields and 2 unknown references gets one report of 10 problems."""
    plan = Plan()
    _attach(records, attachments, plan)
    first_seen: dict[tuple[str, str], Item] = {}
    faulty: list[Faulty] = []
    for raw in records:
        model = RECORD_TYPES_BY_COLLECTION[raw.collection]
        try:
            record = model.model_validate(raw.data)
        except ValidationError as error:
            details = error.errors(include_url=False)
            plan.problems.extend(record_problems(raw, details))
            paths = tuple(field_path(detail["loc"]) for detail in details)
            faulty.append(Faulty(raw, model.label.name, paths))
            plan.rejected[model.label.name] += 1
            continue
        item = Item(record, raw, content_hash(record))
        key = (item.label, record.id)
        earlier = first_seen.get(key)
        if earlier is None:
            first_seen[key] = item
            plan.items.append(item)
        elif earlier.content_hash != item.content_hash:
            plan.problems.append(
                Problem(
                    raw.where(("id",)),
                    raw.field(("id",)),
                    f"'{record.id}' appears twice with different content "
                    f"(first at {earlier.raw.where()})",
                    "merge the two records into one",
                )
            )
            plan.rejected[item.label] += 1
    _check_references(plan, faulty, driver, database)
    return plan


Checked = Item | Faulty
"""A record whose references are checked: valid, or with wrong fields."""


def _id_of(entry: Checked) -> str | None:
    return entry.record.id if isinstance(entry, Item) else entry.id


def _check_references(plan: Plan, faulty: list[Faulty], driver: Driver, database: str) -> None:
    entries: list[Checked] = [*plan.items, *faulty]
    defined: dict[str, set[str]] = defaultdict(set)
    for entry in entries:
        if (entry_id := _id_of(entry)) is not None:
            defined[entry_id].add(entry.label)
    entity_labels = set(ontology.ENTITY_LABELS)
    entity_ids = {
        entry_id
        for entry in entries
        if entry.label in entity_labels and (entry_id := _id_of(entry)) is not None
    }
    all_refs: list[tuple[Checked, Reference]] = [
        (item, ref) for item in plan.items for ref in references(item.raw)
    ]
    all_refs.extend((entry, ref) for entry in faulty for ref in references(entry.raw, entry.paths))
    unresolved = {ref_id for _, (ref_id, _, _) in all_refs if ref_id not in defined}
    in_graph = _graph_labels(driver, database, unresolved, entity_ids)
    bad: set[int] = set()
    allowed_sets: dict[tuple[str, ...], frozenset[str]] = {}

    for entry in entries:
        entry_id = _id_of(entry)
        if entry.label not in entity_labels or entry_id is None:
            continue
        here = defined[entry_id] & entity_labels
        there = (in_graph.get(entry_id, set()) & entity_labels) - {entry.label}
        clash = (here - {entry.label}) | there
        if clash:
            plan.problems.append(
                Problem(
                    entry.raw.where(("id",)),
                    entry.raw.field(("id",)),
                    f"'{entry_id}' is already {a_or_an(' and '.join(sorted(clash)))}; actors, "
                    "assets, equipment types and locations share one id space",
                    f"give this {entry.label.lower()} another id",
                )
            )
            bad.add(id(entry))

    for entry, (ref_id, allowed, path) in all_refs:
        labels = defined.get(ref_id) or in_graph.get(ref_id, set())
        allowed_set = allowed_sets.get(allowed)
        if allowed_set is None:
            allowed_set = allowed_sets[allowed] = frozenset(allowed)
        if labels & allowed_set:
            if ref_id not in plan.label_of:
                for label in labels & allowed_set:
                    plan.label_of.setdefault(ref_id, label)
            continue
        wanted = " or ".join(allowed)
        if labels:
            found = a_or_an(" and ".join(sorted(labels)))
            reason = f"'{ref_id}' is {found}, but this needs {wanted}"
            suggestion = None
        else:
            reason = f"unknown {wanted.lower()} '{ref_id}': neither in these files nor in the graph"
            suggestion = suggest(ref_id, _candidates(plan, allowed, ref_id, driver, database))
        plan.problems.append(
            Problem(entry.raw.where(path), entry.raw.field(path), reason, suggestion)
        )
        bad.add(id(entry))

    for item in plan.items:
        if item.record.label.is_entity:
            plan.label_of.setdefault(item.record.id, item.label)
    _resolve_claims(plan, faulty, driver, database, bad)
    for item in plan.items:
        if id(item) in bad:
            plan.rejected[item.label] += 1


def _candidates(
    plan: Plan, allowed: tuple[str, ...], ref_id: str, driver: Driver, database: str
) -> list[str]:
    names = [item.record.id for item in plan.items if item.label in allowed]
    for label in allowed:
        query = _FIND_SIMILAR.format(label=label)
        rows = driver.execute_query(query, prefix=ref_id[:2], database_=database)[0]
        names.extend(row["id"] for row in rows)
    return names


def _claims(entry: Checked) -> list[tuple[int, ClaimSpec]]:
    """The claims of a record, by index; of a faulty record, those that are themselves valid."""
    if isinstance(entry, Item):
        return list(enumerate(claims_of(entry.record)))
    given = entry.raw.data.get("claims") if entry.raw.collection in CLAIMING else None
    if not isinstance(given, list | tuple):
        return []
    claims = []
    for index, data in enumerate(given):
        if any(path[:2] == ("claims", index) for path in entry.paths):
            continue
        try:
            claims.append((index, ClaimSpec.model_validate(data)))
        except ValidationError:
            continue
    return claims


def _resolve_claims(
    plan: Plan, faulty: list[Faulty], driver: Driver, database: str, bad: set[int]
) -> None:
    """Fill in each claim's reliability (its own or its source's) and check claim ids."""
    source_reliability: dict[str, str | None] = {
        item.record.id: _reliability_of(item.record)
        for item in plan.items
        if item.label == ontology.SOURCE.name
    }
    entries: list[Checked] = [*plan.items, *faulty]
    owners = [
        (entry, owner, claims)
        for entry in entries
        if (claims := _claims(entry)) and (owner := _id_of(entry)) is not None
    ]
    wanted = {
        claim.source
        for _, _, claims in owners
        for _, claim in claims
        if claim.reliability is None and claim.source not in source_reliability
    }
    if wanted:
        rows = driver.execute_query(_SOURCE_RELIABILITY, ids=sorted(wanted), database_=database)[0]
        source_reliability.update({row["id"]: row["reliability"] for row in rows})
    claim_ids: dict[str, tuple[Checked, int]] = {}
    """Claim id → where it was last seen (formatted only for a problem: most imports have none)."""
    for entry, owner, claims in owners:
        raw = entry.raw
        for index, claim in claims:
            reliability = claim.reliability.value if claim.reliability else None
            reliability = reliability or source_reliability.get(claim.source)
            if reliability is None:
                if claim.source in source_reliability:
                    plan.problems.append(
                        Problem(
                            raw.where(("claims", index)),
                            raw.field(("claims", index, "reliability")),
                            f"is required: source '{claim.source}' has no default grading",
                            "give the claim a reliability A–F, or the source one",
                        )
                    )
                    bad.add(id(entry))
                continue
            if isinstance(entry, Item):
                plan.claim_reliability[(owner, index)] = reliability
            claim_id = claim_id_of(owner, index, claim)
            earlier = claim_ids.get(claim_id)
            if earlier is not None:
                other, other_index = earlier
                place = (
                    f"{other.raw.where(('claims', other_index))} "
                    f"({other.raw.field(('claims', other_index))})"
                )
                plan.problems.append(
                    Problem(
                        raw.where(("claims", index)),
                        raw.field(("claims", index, "id")),
                        f"claim id '{claim_id}' is used twice (also at {place})",
                    )
                )
                bad.add(id(entry))
            claim_ids[claim_id] = (entry, index)


def _reliability_of(source: Record) -> str | None:
    """A source's own grading, which its claims take when they give none."""
    reliability: ontology.Reliability | None = getattr(source, "reliability", None)
    return reliability.value if reliability else None


def claim_id_of(owner: str, index: int, claim: ClaimSpec) -> str:
    """A claim's id: its own, or `<owner>/claim-<n>` counting from 1."""
    return claim.id or f"{owner}/claim-{index + 1}"
