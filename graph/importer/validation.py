"""Validating raw records against the ontology and the graph, before anything is written.

Every problem is collected (not just the first) with file, line or record path, field, reason
and, where one exists, a suggestion. A reference may point at a record of the same import or at
a node already in the graph; which labels it may point at comes from the ontology.
"""

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from difflib import get_close_matches

from neo4j import Driver
from pydantic import ValidationError

from graph import ontology
from graph.errors import Problem
from graph.importer.reading import Attachment, PathKey, RawRecord
from graph.records import (
    RECORD_TYPES,
    RECORD_TYPES_BY_COLLECTION,
    SUGGESTION,
    Asset,
    ClaimSpec,
    Event,
    Location,
    Record,
    Relation,
    Report,
    Source,
)

CHECKED_LABELS = (*ontology.ENTITY_LABELS, "Event", "Source", "Report")
"""Labels a reference can point at."""
_ALL_FIELDS = sorted(
    {name for model in RECORD_TYPES for name in model.model_fields}
    | {"from", "start", "end", "precision", "year_assumed", "note", "lat", "lon", "role", "ref"}
    | set(ClaimSpec.model_fields)
)


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


def claims_of(record: Record) -> tuple[ClaimSpec, ...]:
    """The claims of an event or relation; none for other records."""
    return record.claims if isinstance(record, Event | Relation) else ()


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


def content_hash(record: Record) -> str:
    canonical = record.model_dump_json(by_alias=True)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def _suggest(value: object, choices: list[str]) -> str | None:
    close = get_close_matches(str(value), choices, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


def _pydantic_problems(raw: RawRecord, error: ValidationError) -> list[Problem]:
    problems = []
    for detail in error.errors(include_url=False):
        loc: PathKey = tuple(detail["loc"])
        loc = tuple(
            part for part in loc if not (isinstance(part, str) and part.startswith("function-"))
        )
        kind = detail["type"]
        suggestion = None
        reason = detail["msg"]
        if kind == "enum":
            allowed = [
                v.strip("'")
                for v in str(detail.get("ctx", {}).get("expected", ""))
                .replace(" or ", ", ")
                .split(", ")
            ]
            suggestion = _suggest(detail["input"], allowed)
            reason = f"'{detail['input']}' is not one of: {', '.join(allowed)}"
        elif kind == "extra_forbidden":
            reason = "is not a field of this record"
            suggestion = _suggest(loc[-1], _ALL_FIELDS) if loc else None
        elif kind == "missing":
            reason = "is required"
        elif kind == "value_error":
            reason = reason.removeprefix("Value error, ")
            reason, _, close = reason.partition(SUGGESTION)
            suggestion = f"did you mean {close}" if close else None
        problems.append(Problem(raw.where(loc), raw.field(loc), reason, suggestion))
    return problems


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
                    _suggest(attachment.target, list(owners))
                    or "import its events.csv / relations.csv in the same run",
                )
            )
            continue
        items = owner.data.setdefault(attachment.field, [])
        if isinstance(items, list):
            items.append(attachment.item)


def _references(item: Item) -> list[tuple[str, tuple[str, ...], PathKey]]:
    """(id, labels it may have, path of the field) for every reference the record makes."""
    record = item.record
    refs: list[tuple[str, tuple[str, ...], PathKey]] = []
    if isinstance(record, Asset):
        if record.located_at:
            refs.append((record.located_at, ("Location",), ("located_at",)))
        if record.instance_of:
            refs.append((record.instance_of, ("EquipmentType",), ("instance_of",)))
    elif isinstance(record, Location) and record.within:
        refs.append((record.within, ("Location",), ("within",)))
    elif isinstance(record, Source) and record.actor:
        refs.append((record.actor, ("Actor",), ("actor",)))
    elif isinstance(record, Report) and record.publisher:
        refs.append((record.publisher, ("Source",), ("publisher",)))
    elif isinstance(record, Event):
        for index, place in enumerate(record.at):
            refs.append((place, ontology.PLACE_LABELS, ("at", index)))
        for name in ("origin", "destination"):
            place = getattr(record, name)
            if place:
                refs.append((place, ontology.PLACE_LABELS, (name,)))
        for index, participant in enumerate(record.participants):
            role = ontology.ROLES_BY_NAME[participant.role]
            refs.append((participant.ref, role.labels, ("participants", index, "ref")))
        for name in ("part_of", "about", "ends"):
            for index, other in enumerate(getattr(record, name)):
                refs.append((other, ("Event",), (name, index)))
    elif isinstance(record, Relation):
        relation_type = ontology.RELATION_TYPES_BY_NAME[record.type]
        refs.append((record.from_, relation_type.from_labels, ("from",)))
        refs.append((record.to, relation_type.to_labels, ("to",)))
    for index, claim in enumerate(claims_of(record)):
        refs.append((claim.source, ("Source",), ("claims", index, "source")))
        if claim.report:
            refs.append((claim.report, ("Report",), ("claims", index, "report")))
    return refs


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
    """Check every record; the plan carries problems instead of raising, so all are reported."""
    plan = Plan()
    _attach(records, attachments, plan)
    first_seen: dict[tuple[str, str], Item] = {}
    for raw in records:
        model = RECORD_TYPES_BY_COLLECTION[raw.collection]
        try:
            record = model.model_validate(raw.data)
        except ValidationError as error:
            plan.problems.extend(_pydantic_problems(raw, error))
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
    _check_references(plan, driver, database)
    return plan


def _check_references(plan: Plan, driver: Driver, database: str) -> None:
    defined: dict[str, set[str]] = defaultdict(set)
    for item in plan.items:
        defined[item.record.id].add(item.label)
    entity_ids = {i.record.id for i in plan.items if i.record.label.is_entity}
    all_refs = [(item, ref) for item in plan.items for ref in _references(item)]
    unresolved = {ref_id for _, (ref_id, _, _) in all_refs if ref_id not in defined}
    in_graph = _graph_labels(driver, database, unresolved, entity_ids)
    bad: set[int] = set()
    allowed_sets: dict[tuple[str, ...], frozenset[str]] = {}

    entity_labels = set(ontology.ENTITY_LABELS)
    for item in plan.items:
        if not item.record.label.is_entity:
            continue
        here = defined[item.record.id] & entity_labels
        there = (in_graph.get(item.record.id, set()) & entity_labels) - {item.label}
        clash = (here - {item.label}) | there
        if clash:
            plan.problems.append(
                Problem(
                    item.raw.where(("id",)),
                    item.raw.field(("id",)),
                    f"'{item.record.id}' is already a {' and '.join(sorted(clash))}; actors, "
                    "assets, equipment types and locations share one id space",
                    f"give this {item.label.lower()} another id",
                )
            )
            bad.add(id(item))

    for item, (ref_id, allowed, path) in all_refs:
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
            reason = f"'{ref_id}' is a {' and '.join(sorted(labels))}, but this needs {wanted}"
            suggestion = None
        else:
            reason = f"unknown {wanted.lower()} '{ref_id}': neither in these files nor in the graph"
            suggestion = _suggest(ref_id, _candidates(plan, allowed, ref_id, driver, database))
        plan.problems.append(
            Problem(item.raw.where(path), item.raw.field(path), reason, suggestion)
        )
        bad.add(id(item))

    for item in plan.items:
        if item.record.label.is_entity:
            plan.label_of.setdefault(item.record.id, item.label)
    _resolve_claims(plan, driver, database, bad)
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


def _resolve_claims(plan: Plan, driver: Driver, database: str, bad: set[int]) -> None:
    """Fill in each claim's reliability (its own or its source's) and check claim ids."""
    source_reliability: dict[str, str | None] = {
        item.record.id: (item.record.reliability.value if item.record.reliability else None)
        for item in plan.items
        if isinstance(item.record, Source)
    }
    wanted = {
        claim.source
        for item in plan.items
        for claim in claims_of(item.record)
        if claim.reliability is None and claim.source not in source_reliability
    }
    if wanted:
        rows = driver.execute_query(_SOURCE_RELIABILITY, ids=sorted(wanted), database_=database)[0]
        source_reliability.update({row["id"]: row["reliability"] for row in rows})
    claim_ids: dict[str, tuple[Item, int]] = {}
    """Claim id → where it was last seen (formatted only for a problem: most imports have none)."""
    for item in plan.items:
        for index, claim in enumerate(claims_of(item.record)):
            reliability = claim.reliability.value if claim.reliability else None
            reliability = reliability or source_reliability.get(claim.source)
            if reliability is None:
                if claim.source in source_reliability:
                    plan.problems.append(
                        Problem(
                            item.raw.where(("claims", index)),
                            item.raw.field(("claims", index, "reliability")),
                            f"is required: source '{claim.source}' has no default grading",
                            "give the claim a reliability A–F, or the source one",
                        )
                    )
                    bad.add(id(item))
                continue
            plan.claim_reliability[(item.record.id, index)] = reliability
            claim_id = claim_id_of(item.record.id, index, claim)
            earlier = claim_ids.get(claim_id)
            if earlier is not None:
                other, other_index = earlier
                place = (
                    f"{other.raw.where(('claims', other_index))} "
                    f"({other.raw.field(('claims', other_index))})"
                )
                plan.problems.append(
                    Problem(
                        item.raw.where(("claims", index)),
                        item.raw.field(("claims", index, "id")),
                        f"claim id '{claim_id}' is used twice (also at {place})",
                    )
                )
                bad.add(id(item))
            claim_ids[claim_id] = (item, index)


def claim_id_of(owner: str, index: int, claim: ClaimSpec) -> str:
    """A claim's id: its own, or `<owner>/claim-<n>` counting from 1."""
    return claim.id or f"{owner}/claim-{index + 1}"
