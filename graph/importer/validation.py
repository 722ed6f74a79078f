"""Validating raw records against the ontology and the graph, before anything is written.

Every problem is collected (not just the first) with file, line or record path, field, reason
and, where one exists, a suggestion. A reference may point at a record of the same import or at
a node already in the graph; which labels it may point at comes from the ontology.

Records are checked as they are read, one file at a time (`Checker.check`): each valid one goes
to the import's spool (spool.py) and only what later records and the end of the import need is
kept — each record's label, id and content hash and the claim ids in SQLite beside the spool
(ids.py), the ids referenced (with the labels they may have) and the sources' gradings.
`Checker.finish` then checks what spans the import (ids that clash, references, claim gradings
and ids) against the graph in a few batched lookups.
Those sets say *which* ids are wrong but not *where*: only when something is wrong, the files
are read once more (`again`) to place each problem at its file, line and record path.
"""

import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from pydantic import ValidationError

from eventgraph.graph import identifiers, ontology
from eventgraph.graph.driver import Queries, lookup_rows
from eventgraph.graph.errors import Problem, a_or_an
from eventgraph.graph.importer import graph_claims
from eventgraph.graph.importer.attaching import Attached, ExternalIds, GivenIds, aliases, given_ids
from eventgraph.graph.importer.graph_claims import GraphClaim
from eventgraph.graph.importer.ids import RecordIds, record_ids
from eventgraph.graph.importer.reading import Attachment, PathKey, RawRecord
from eventgraph.graph.importer.references import Reference, references
from eventgraph.graph.importer.wording import field_path, record_problems, suggest
from eventgraph.graph.read_ahead import Lookup
from eventgraph.graph.records import RECORD_TYPES_BY_COLLECTION, ClaimSpec, Record

CLAIMING = ("events", "relations")
"""Collections whose records carry claims."""
CHECKED_LABELS = (*ontology.ENTITY_LABELS, "Event", "Source", "Report")
"""Labels a reference can point at."""
LABELS = tuple(kind.label.name for kind in RECORD_TYPES_BY_COLLECTION.values())
ENTITY_LABELS = frozenset(ontology.ENTITY_LABELS)


@dataclass(frozen=True)
class Item:
    """A valid record, a hash of its content, and where it came from (`file:line`)."""

    record: Record
    content_hash: str
    where: str = ""
    label: str = field(init=False)
    """The record's Neo4j label (kept, as the import asks for it a dozen times per record)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "label", self.record.label.name)


def claims_of(record: Record) -> tuple[ClaimSpec, ...]:
    """The claims of an event or relation; none for other records."""
    claims: tuple[ClaimSpec, ...] = getattr(record, "claims", ())
    return claims


class AttachmentSource(Protocol):
    """Where CSV participant and claim rows wait for their records (spool.Attachments)."""

    def take(self, target: str, record: int, fields: tuple[str, ...]) -> list[Attachment]: ...

    def left_over(self) -> Iterator[Attachment]: ...


Encode = Callable[[Item, str], Any]
"""A valid record (and its canonical JSON) in the form its spool keeps it: picklable, so a
worker process of the check (parallel.py) can make it and the spool take it as it is."""


class ItemSink(Protocol):
    """Where valid records go (spool.Spool); iterating it gives them back in label order."""

    total: int
    directory: Path | None
    """Its folder on disk, where the check keeps its per-id state too; None in memory."""

    def encoder(self) -> Encode: ...

    def add_encoded(self, label: str, encoded: Any) -> None: ...

    def __iter__(self) -> Iterator[Item]: ...


@dataclass
class Plan:
    """What an import would write, in dependency order (`items`, read once or more from the
    spool: never indexed), and what the writer needs to know beyond each record."""

    items: Iterable[Item] = ()
    total: int = 0
    """How many records `items` holds."""
    ids: RecordIds | None = None
    """Label, id and content digest of each record of the import."""
    graph_labels: dict[str, str] = field(default_factory=dict)
    """Id → label of the ids that the import's references found in the graph."""
    source_reliability: dict[str, str | None] = field(default_factory=dict)
    """Source id → its own grading, for the sources the import's claims cite."""
    problems: list[Problem] = field(default_factory=list)
    rejected: Counter[str] = field(default_factory=Counter)
    attached: Attached = field(default_factory=Attached)
    """Records that attach to nodes by their external ids (attaching.py): `items` leaves them
    out; the writer writes each record's ids with it, the attached ones' in its last transaction."""
    graph_claims: list[GraphClaim] = field(default_factory=list)
    """(label, id, claim) of a feed's claim rows on records already in the graph (a GDELT
    mention of an event an earlier import brought): written in the writer's last transaction
    (graph_claims.py)."""

    def reliability_of(self, owner_id: str, index: int, claim: ClaimSpec) -> str:
        """The reliability to store for a claim: its own, else its source's."""
        if claim.reliability is not None:
            return claim.reliability.value
        reliability = self.source_reliability.get(claim.source)
        if reliability is None:
            raise KeyError((owner_id, index))
        return reliability

    def label_of_id(self, record_id: str) -> str:
        """The label of an id an edge points at: of the import's record (an entity's first),
        else the graph's."""
        labels = self.ids.labels(record_id) if self.ids is not None else set()
        for label in (*ontology.ENTITY_LABELS, *LABELS):
            if label in labels:
                return label
        return self.graph_labels[record_id]


def canonical_json(record: Record) -> str:
    """A record's content, one way of writing it: what its hash is of, and how it is spooled."""
    return record.model_dump_json(by_alias=True)


def content_digest(canonical: str) -> bytes:
    return hashlib.sha256(canonical.encode()).digest()[:16]


def content_hash(record: Record) -> str:
    return content_digest(canonical_json(record)).hex()


_FIND_IDS = (
    "UNWIND ${ids} AS id MATCH (n:`{label}` {{id: id}}) USING INDEX n:`{label}`(id) "
    "RETURN '{label}' AS label, n.id AS id"
)
_FIND_SIMILAR = "MATCH (n:`{label}`) WHERE n.id STARTS WITH $prefix RETURN n.id AS id LIMIT 200"
_SOURCE_RELIABILITY = (
    "UNWIND $ids AS id MATCH (s:Source {id: id}) USING INDEX s:Source(id) "
    "RETURN s.id AS id, s.reliability AS reliability"
)


def _labels_lookup(references: set[str], entities: set[str]) -> Lookup | None:
    """Which ids the graph holds under which labels: the `references` under any label a
    reference may point at, the `entities` under the entity labels (the shared id space). One
    statement for every label (a mutation recording one event: 8 round trips were ~40 ms of
    its ~70); None when there is nothing to look up."""
    branches, params = [], {}
    for index, label in enumerate(CHECKED_LABELS):
        ids = references | entities if label in ontology.ENTITY_LABELS else references
        if ids:
            branches.append(_FIND_IDS.format(label=label, ids=f"ids{index}"))
            params[f"ids{index}"] = sorted(ids)
    if not branches:
        return None
    query = "CALL () { " + " UNION ALL ".join(branches) + " } RETURN label, id"
    return Lookup(query, params, ("label", "id"))


def _graph_labels(
    queries: Queries | None, database: str, references: set[str], entities: set[str]
) -> dict[str, set[str]]:
    """Under which labels the graph already holds the `references` and `entities`
    (`_labels_lookup`)."""
    found: dict[str, set[str]] = defaultdict(set)
    lookup = _labels_lookup(references, entities)
    if lookup is None:
        return found
    for row in lookup_rows(queries, lookup.query, lookup.params, database=database):
        found[row["id"]].add(row["label"])
    return found


def _gradings_lookup(sources: set[str]) -> Lookup | None:
    """The gradings of `sources` in the graph; None when there are none to look up."""
    if not sources:
        return None
    return Lookup(_SOURCE_RELIABILITY, {"ids": sorted(sources)}, ("id", "reliability"))


@dataclass
class _Entry:
    """A record whose references and claims are checked: valid, or with wrong fields (then
    `record` is None and `paths` names the wrong fields, whose references are not checked)."""

    raw: RawRecord
    label: str
    id: str | None
    record: Record | None
    paths: tuple[PathKey, ...] = ()

    def references(self) -> list[Reference]:
        return references(self.raw, self.paths) if self.record is None else references(self.raw)

    def claims(self) -> list[tuple[int, ClaimSpec]]:
        """The claims by index; of a faulty record, those that are themselves valid."""
        if self.record is not None:
            return list(enumerate(claims_of(self.record)))
        given = self.raw.data.get("claims") if self.raw.collection in CLAIMING else None
        if not isinstance(given, list | tuple):
            return []
        claims = []
        for index, data in enumerate(given):
            if any(path[:2] == ("claims", index) for path in self.paths):
                continue
            try:
                claims.append((index, ClaimSpec.model_validate(data)))
            except ValidationError:
                continue
        return claims


def _entry(raw: RawRecord) -> tuple[_Entry, list[Problem]]:
    """Validate one record: the entry and its field problems."""
    model = RECORD_TYPES_BY_COLLECTION[raw.collection]
    try:
        record = model.model_validate(raw.data)
    except ValidationError as error:
        details = error.errors(include_url=False)
        paths = tuple(field_path(detail["loc"]) for detail in details)
        given = raw.data.get("id")
        entry = _Entry(raw, model.label.name, given if isinstance(given, str) else None, None)
        entry.paths = paths
        return entry, record_problems(raw, details)
    return _Entry(raw, model.label.name, record.id, record), []


def _attach(raw: RawRecord, rows: list[Attachment]) -> None:
    for row in rows:
        items = raw.data.setdefault(row.field, [])
        if isinstance(items, list):
            items.append(row.item)


def claim_id_of(owner: str, index: int, claim: ClaimSpec) -> str:
    """A claim's id: its own, or `<owner>/claim-<n>` counting from 1."""
    return claim.id or f"{owner}/claim-{index + 1}"


def _reliability_of(source: Record) -> str | None:
    """A source's own grading, which its claims take when they give none."""
    reliability: ontology.Reliability | None = getattr(source, "reliability", None)
    return reliability.value if reliability else None


@dataclass
class _Wrong:
    """What `finish` found wrong, by id: the second reading places each at its record."""

    records: set[tuple[str, str]] = field(default_factory=set)
    """(label, id) given twice with different content."""
    clashes: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    """(label, id) of an entity whose id another entity label holds too → those labels."""
    references: dict[tuple[str, tuple[str, ...]], tuple[str, str | None]] = field(
        default_factory=dict
    )
    """(id, labels it may have) → (reason, suggestion)."""
    ungraded: set[str] = field(default_factory=set)
    """Sources without a grading, cited by claims that give none."""
    claim_ids: set[str] = field(default_factory=set)
    """Claim ids given more than once."""

    def __bool__(self) -> bool:
        return bool(
            self.records or self.clashes or self.references or self.ungraded or self.claim_ids
        )


class Checked(NamedTuple):
    """One record checked on its own (`examine`): all that the rest of the check needs of it,
    small enough to send from a worker process. `encoded` is the valid record in its spool's
    form, None if the record has `problems`. A named tuple, as it unpickles as a tuple does
    (as a frozen dataclass, each field was set by a Python call: at 100k events, most of what
    the importing process spent taking a worker's results back)."""

    label: str
    id: str | None
    encoded: Any
    digest: bytes | None
    problems: list[Problem]
    references: list[tuple[str, tuple[str, ...]]]
    claims: list[tuple[str, str | None]]
    """(claim id, the source it cites if it gives no grading of its own)."""
    grading: str | None = None
    """A valid source's own grading."""
    external: GivenIds | None = None
    """A valid identifiable record's ids (attaching.py)."""


def examine(raw: RawRecord, encode: Encode) -> Checked:
    """Check one record against itself only (its CSV rows already attached): its field
    problems, or its spool form and content digest; its references and claims."""
    entry, problems = _entry(raw)
    references_ = [(ref_id, allowed) for ref_id, allowed, _ in entry.references()]
    claims = []
    if entry.id is not None:
        for index, claim in entry.claims():
            ungraded = claim.source if claim.reliability is None else None
            claims.append((claim_id_of(entry.id, index, claim), ungraded))
    record = entry.record
    if record is None:
        return Checked(entry.label, entry.id, None, None, problems, references_, claims)
    canonical = canonical_json(record)
    digest = content_digest(canonical)
    encoded = encode(Item(record, digest.hex(), raw.where()), canonical)
    grading = _reliability_of(record) if entry.label == ontology.SOURCE.name else None
    external = given_ids(raw, record)
    return Checked(
        entry.label, record.id, encoded, digest, [], references_, claims, grading, external
    )


class Checker:
    """Checks records one at a time (`check`), then what spans them (`finish`)."""

    def __init__(self, spool: ItemSink, attachments: AttachmentSource | None = None) -> None:
        self.spool = spool
        self.attachments = attachments
        self.problems: list[Problem] = []
        self.rejected: Counter[str] = Counter()
        self.seen = 0
        self.ids = record_ids(spool.directory)
        """Label, id and digest of the valid records, and the claim ids (ids.py)."""
        self.faulty: dict[str, dict[str, None]] = {label: {} for label in LABELS}
        """Label → ids of the records with wrong fields (an ordered set)."""
        self.references: set[tuple[str, tuple[str, ...]]] = set()
        self.claim_ids_twice: set[str] = set()
        self.sources_cited_ungraded: set[str] = set()
        self.source_reliability: dict[str, str | None] = {}
        self.records_twice: set[tuple[str, str]] = set()
        self.external_ids = ExternalIds()
        self._encode: Encode | None = None

    def _attach(self, raw: RawRecord, number: int) -> None:
        """Put the CSV participants and claims rows for this record into it."""
        record_id = raw.data.get("id")
        if self.attachments is None or raw.collection not in CLAIMING:
            return
        if isinstance(record_id, str):
            fields = ("participants", "claims") if raw.collection == "events" else ("claims",)
            _attach(raw, self.attachments.take(record_id, number, fields))

    def check(self, raw: RawRecord) -> None:
        """Check one record against itself and those before it; keep what the end needs."""
        if self._encode is None:
            self._encode = self.spool.encoder()
        self._attach(raw, self.seen + 1)
        self.apply(examine(raw, self._encode))

    def apply(self, checked: "Checked") -> None:
        """Take in one record `examine` checked (here or in a worker process), in the
        import's order: what it adds to the spool and to what the end checks."""
        self.seen += 1
        label, record_id = checked.label, checked.id
        if checked.encoded is None:
            self.problems.extend(checked.problems)
            self.rejected[label] += 1
            if record_id is not None:
                self.faulty[label][record_id] = None
            self._note(checked)
            return
        assert record_id is not None and checked.digest is not None
        earlier = self.ids.add(label, record_id, checked.digest)
        if earlier is not None:
            if earlier != checked.digest:
                self.records_twice.add((label, record_id))
                self.rejected[label] += 1
            return
        self.spool.add_encoded(label, checked.encoded)
        self.external_ids.note(checked.external)
        if label == ontology.SOURCE.name:
            self.source_reliability[record_id] = checked.grading
        self._note(checked)

    def _note(self, checked: "Checked") -> None:
        """Keep the references and claims of a record for the checks at the end."""
        self.references.update(checked.references)
        for claim_id, ungraded_source in checked.claims:
            if ungraded_source is not None:
                self.sources_cited_ungraded.add(ungraded_source)
            if not self.ids.add_claim(claim_id):
                self.claim_ids_twice.add(claim_id)

    def defined(self, record_id: str) -> set[str]:
        """The labels the import's records (valid or not) give this id."""
        return self.ids.labels(record_id) | {
            label for label in LABELS if record_id in self.faulty[label]
        }

    def _ids_of(self, labels: Iterable[str]) -> Iterator[str]:
        """The ids the import's records (valid, then faulty) give under each label."""
        for label in labels:
            yield from self.ids.ids((label,))
            yield from self.faulty[label]

    def finish(
        self, queries: Queries | None, database: str, again: Callable[[], Iterable[RawRecord]]
    ) -> Plan:
        """Check what spans the records, against the graph (`queries` None: the graph is known
        to be empty, nothing is looked up); the plan carries every problem.

        `again` reads the same records once more, only if something is wrong, to say where."""
        plan = Plan(
            self.spool,
            self.spool.total,
            self.ids,
            source_reliability=self.source_reliability,
            problems=self.problems,
            rejected=self.rejected,
        )
        self.ids.forget_claims()
        self._left_over(plan, queries, database)
        wrong = _Wrong(records=self.records_twice, claim_ids=self.claim_ids_twice)
        self._check_ids_and_references(plan, wrong, queries, database)
        self._check_gradings(plan, wrong, queries, database)
        self._attach_by_external_ids(plan, queries, database)
        if wrong:
            _place(plan, wrong, again, self.attachments)
        return plan

    def _attach_by_external_ids(self, plan: Plan, queries: Queries | None, database: str) -> None:
        """Records whose external ids name a node already in the graph attach to it."""
        attached = self.external_ids.settle(queries, database)
        plan.problems.extend(self.external_ids.problems)
        attached.aliases.update(plan.attached.aliases)  # references' aliases, found before
        for (label, _), node_id in attached.nodes.items():
            plan.graph_labels[node_id] = label
        plan.attached = attached
        plan.total -= len(attached.nodes)
        plan.items = attached.items(plan.items)

    def _left_over(self, plan: Plan, queries: Queries | None, database: str) -> None:
        """CSV rows whose event or relation is not in the import; a feed's claims rows may
        be on one already in the graph."""
        if self.attachments is None:
            return
        owners: list[str] | None = None
        for row in graph_claims.attach(
            self.attachments.left_over(), plan.graph_claims, queries, database
        ):
            if owners is None:
                owners = list(self._ids_of(("Event", "Relation")))
            plan.problems.append(
                Problem(
                    row.where(),
                    row.target_column,
                    f"'{row.target}' is not an event or relation of this import",
                    suggest(row.target, owners)
                    or (
                        "import the file that gives it in the same run"
                        if row.column
                        else "import its events.csv / relations.csv in the same run"
                    ),
                    about=row.subject(),
                )
            )

    def lookups(self) -> list[Lookup]:
        """The lookups `finish` starts with (the labels of the ids the records name, the
        gradings of the sources they cite, whether any event id is an alias), for a caller
        that reads them ahead in one round trip (`graph/read_ahead.py`)."""
        entity_ids, _, unresolved = self._to_resolve()
        found = [
            _labels_lookup(unresolved, entity_ids),
            _gradings_lookup(self._gradings_wanted()),
            identifiers.aliases_any_lookup("Event"),
        ]
        return [lookup for lookup in found if lookup is not None]

    def _to_resolve(self) -> tuple[set[str], dict[str, set[str]], set[str]]:
        """The entity ids of the import; the labels the import gives each id its records
        name; those ids it gives none (to be found in the graph)."""
        entity_ids = set(self._ids_of(ontology.ENTITY_LABELS))
        defined = {ref_id: self.defined(ref_id) for ref_id, _ in self.references}
        unresolved = {ref_id for ref_id, labels in defined.items() if not labels}
        return entity_ids, defined, unresolved

    def _gradings_wanted(self) -> set[str]:
        """The sources cited by claims without a grading of their own, not in the import."""
        return self.sources_cited_ungraded - self.source_reliability.keys()

    def _check_ids_and_references(
        self, plan: Plan, wrong: _Wrong, queries: Queries | None, database: str
    ) -> None:
        entity_ids, defined, unresolved = self._to_resolve()
        in_graph = _graph_labels(queries, database, unresolved, entity_ids)
        for ref_id, node in aliases(queries, database, unresolved - in_graph.keys()).items():
            in_graph[ref_id] = {node.label}  # an id that attached to another node: use that
            plan.attached.aliases[ref_id] = node.id
            plan.graph_labels[node.id] = node.label
        for record_id in entity_ids:
            here = self.defined(record_id) & ENTITY_LABELS
            there = in_graph.get(record_id, set()) & ENTITY_LABELS
            for label in here:
                clash = (here - {label}) | (there - {label})
                if clash:
                    wrong.clashes[(label, record_id)] = clash
        for ref_id, allowed in self.references:
            labels = defined[ref_id] or in_graph.get(ref_id, set())
            fits = labels & set(allowed)
            if fits:
                if not defined[ref_id]:
                    plan.graph_labels.setdefault(ref_id, min(fits))
                continue
            wanted = " or ".join(allowed)
            if labels:
                found = a_or_an(" and ".join(sorted(labels)))
                reason = f"'{ref_id}' is {found}, but this needs {wanted}"
                suggestion = None
            else:
                reason = (
                    f"unknown {wanted.lower()} '{ref_id}': neither in these files nor in the graph"
                )
                suggestion = suggest(ref_id, self._candidates(allowed, ref_id, queries, database))
            wrong.references[(ref_id, allowed)] = (reason, suggestion)

    def _candidates(
        self, allowed: tuple[str, ...], ref_id: str, queries: Queries | None, database: str
    ) -> list[str]:
        names = list(self.ids.ids(allowed))
        for label in allowed:
            query = _FIND_SIMILAR.format(label=label)
            rows = lookup_rows(queries, query, prefix=ref_id[:2], database=database)
            names.extend(row["id"] for row in rows)
        return names

    def _check_gradings(
        self, plan: Plan, wrong: _Wrong, queries: Queries | None, database: str
    ) -> None:
        """Find the gradings of the cited sources that are not in the import; name those
        that have none though claims without their own cite them."""
        lookup = _gradings_lookup(self._gradings_wanted())
        if lookup is not None:
            rows = lookup_rows(queries, lookup.query, lookup.params, database=database)
            self.source_reliability.update({row["id"]: row["reliability"] for row in rows})
        wrong.ungraded = {
            source
            for source in self.sources_cited_ungraded
            if source in self.source_reliability and self.source_reliability[source] is None
        }


def _place(
    plan: Plan,
    wrong: _Wrong,
    again: Callable[[], Iterable[RawRecord]],
    attachments: AttachmentSource | None,
) -> None:
    """Read the records again and say where each thing `wrong` holds is, as problems: ids
    that clash first, then references, then claims, each for valid records before faulty
    ones (the order the checks have always reported in)."""
    first: dict[tuple[str, str], tuple[bytes, str]] = {}
    twice: list[Problem] = []
    clashes: tuple[list[Problem], list[Problem]] = ([], [])
    refs: tuple[list[Problem], list[Problem]] = ([], [])
    claims: tuple[list[_Claim], list[_Claim]] = ([], [])
    bad: set[int] = set()
    labels: dict[int, str] = {}
    """Record number → label, of the valid records problems may name (to count rejected)."""
    for number, raw in enumerate(again(), start=1):
        if attachments is not None and raw.collection in CLAIMING:
            record_id = raw.data.get("id")
            if isinstance(record_id, str):
                fields = ("participants", "claims") if raw.collection == "events" else ("claims",)
                _attach(raw, attachments.take(record_id, number, fields))
        if not _concerns(raw, wrong):
            continue
        entry, _ = _entry(raw)
        faulty = entry.record is None
        if entry.record is not None:
            key = (entry.label, entry.record.id)
            digest = content_digest(canonical_json(entry.record))
            earlier = first.get(key)
            if earlier is not None:
                if earlier[0] != digest:
                    twice.append(
                        Problem(
                            raw.where(("id",)),
                            raw.field(("id",)),
                            f"'{entry.record.id}' appears twice with different content "
                            f"(first at {earlier[1]})",
                            "merge the two records into one",
                            about=raw.subject(),
                        )
                    )
                continue
            first[key] = (digest, raw.where())
        if entry.id is not None and (clash := wrong.clashes.get((entry.label, entry.id))):
            clashes[faulty].append(
                Problem(
                    raw.where(("id",)),
                    raw.field(("id",)),
                    f"'{entry.id}' is already {a_or_an(' and '.join(sorted(clash)))}; actors, "
                    "assets, equipment types and locations share one id space",
                    f"give this {entry.label.lower()} another id",
                    about=raw.subject(),
                )
            )
            bad.add(number)
        for ref_id, allowed, path in entry.references():
            found = wrong.references.get((ref_id, allowed))
            if found is not None:
                refs[faulty].append(
                    Problem(raw.where(path), raw.field(path), *found, about=raw.subject(ref_id))
                )
                bad.add(number)
        if entry.id is not None:
            for index, claim in entry.claims():
                graded = claim.reliability is not None or (
                    plan.source_reliability.get(claim.source) is not None
                )
                if graded:
                    claim_id = claim_id_of(entry.id, index, claim)
                    if claim_id in wrong.claim_ids:
                        claims[faulty].append(_Claim(raw, number, index, claim, claim_id))
                elif claim.source in wrong.ungraded:
                    claims[faulty].append(_Claim(raw, number, index, claim, None))
        if not faulty:
            labels[number] = entry.label
    plan.problems.extend(twice)
    plan.problems.extend([*clashes[0], *clashes[1]])
    plan.problems.extend([*refs[0], *refs[1]])
    plan.problems.extend(_claim_problems([*claims[0], *claims[1]], bad))
    plan.rejected.update(labels[number] for number in bad if number in labels)


@dataclass(frozen=True)
class _Claim:
    """A claim a problem may name: without a grading to take (`id` None), or of an id given
    more than once."""

    raw: RawRecord
    number: int
    index: int
    claim: ClaimSpec
    id: str | None


def _claim_problems(claims: list[_Claim], bad: set[int]) -> list[Problem]:
    """A claim without a grading to take; a claim id given twice (saying where it was last).
    The records of the claims named are added to `bad`."""
    problems = []
    seen: dict[str, tuple[RawRecord, int]] = {}
    for found in claims:
        raw, index, claim, claim_id = found.raw, found.index, found.claim, found.id
        if claim_id is None:
            problems.append(
                Problem(
                    raw.where(("claims", index)),
                    raw.field(("claims", index, "reliability")),
                    f"is required: source '{claim.source}' has no default grading",
                    "give the claim a reliability A–F, or the source one",
                    about=raw.subject(),
                )
            )
        else:
            earlier = seen.get(claim_id)
            seen[claim_id] = (raw, index)
            if earlier is None:
                continue
            other, other_index = earlier
            place = (
                f"{other.where(('claims', other_index))} ({other.field(('claims', other_index))})"
            )
            problems.append(
                Problem(
                    raw.where(("claims", index)),
                    raw.field(("claims", index, "id")),
                    f"claim id '{claim_id}' is used twice (also at {place})",
                    about=raw.subject(),
                )
            )
        bad.add(found.number)
    return problems


def _concerns(raw: RawRecord, wrong: _Wrong) -> bool:
    """Whether a record (as given, before validation) may be one `wrong` names: a cheap test
    that spares validating every record a second time."""
    data = raw.data
    record_id = data.get("id")
    label = RECORD_TYPES_BY_COLLECTION[raw.collection].label.name
    if isinstance(record_id, str) and (
        (label, record_id) in wrong.records or (label, record_id) in wrong.clashes
    ):
        return True
    if wrong.references and any(
        (ref_id, allowed) in wrong.references for ref_id, allowed, _ in references(raw)
    ):
        return True
    given = data.get("claims") if raw.collection in CLAIMING else None
    if (wrong.claim_ids or wrong.ungraded) and isinstance(given, list | tuple):
        for index, claim in enumerate(given):
            if not isinstance(claim, dict):
                continue
            if claim.get("source") in wrong.ungraded:
                return True
            claim_id = claim.get("id") or f"{record_id}/claim-{index + 1}"
            if claim_id in wrong.claim_ids:
                return True
    return False
