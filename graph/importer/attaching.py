"""An import's external ids: checked across its records and the graph; records attach.

While the import is checked, `ExternalIds.note` keeps each id a record gives (and where), and
refuses one id given by two records. At the end, `ExternalIds.settle` asks the graph, in one
batched lookup, which node each id (and each record's own id, as an `id` alias) identifies:

- an id of a node of another label is refused;
- a record whose ids identify one node of its label under another id *attaches* to it: the
  record is not written, its ids and its own id (scheme `id`) are added to that node, and every
  reference to the record's id, in this import and later ones, reaches that node;
- ids that identify two different nodes, or a node while the record's own id is a node too,
  are refused: the nodes are probably one, and merging them is a decision for a person.

`Attached.items` gives the plan's records with attached ones left out and references retargeted.
Each written record's ids go with it, in the transaction that writes it (writing.py);
`attached_id_rows` gives what the attached records bring to their nodes, which the import's last
transaction writes (idempotent: re-imports change nothing).
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NamedTuple

from eventgraph.graph import identifiers, model
from eventgraph.graph.driver import Queries, lookup_rows
from eventgraph.graph.errors import Problem, Subject, a_or_an
from eventgraph.graph.identifiers import OWN_ID, Identified, id_row, key_of
from eventgraph.graph.importer.reading import PathKey, RawRecord, format_path, place
from eventgraph.graph.ontology import ALIASED_LABELS, ID_SCHEMES, IDENTIFIABLE_LABELS
from eventgraph.graph.records import ClaimSpec, Participant, Record

IDENTIFIABLE = frozenset(ALIASED_LABELS)
"""Labels whose records may attach: those with external ids, and events, whose own id may be
an `id` alias of the event a merge folded it into."""


class _Given(NamedTuple):
    """Where a record gives an id (or is: its own id's `where` and field). Kept for every
    identifiable record (events too), and read only for a problem: what a problem says is
    spelled then, from the record's file, path and line (spelling it for every record was
    about 10 µs a record of the check). A named tuple, as a worker's results are unpickled
    in the importing process (parallel.py): as a frozen dataclass with slots, each one took
    a Python call per field there."""

    label: str
    id: str
    file: Path
    path: PathKey
    """The record's path (`assets[3]`)."""
    sub: PathKey
    """The field's path inside the record (`("id",)`, `("external_ids", 0)`)."""
    line: int | None
    own: bool = False
    """The record's own id: problems of all its ids are told at its `ids_field`."""

    @property
    def where(self) -> str:
        return place(self.file, self.line)

    @property
    def field(self) -> str:
        return format_path(self.path + self.sub)

    @property
    def record(self) -> str:
        """The record's path, where a problem of all its ids is told ("" for an id it gives)."""
        return format_path(self.path) if self.own else ""

    @property
    def subject(self) -> Subject:
        """The record, for `--skip-bad` to leave out when its ids are refused."""
        return Subject("record", str(self.file), format_path(self.path), self.id)

    @property
    def ids_field(self) -> str:
        return f"{self.record}.external_ids"


def _find_nodes(labels: Iterable[str]) -> str:
    """Which of the given ids (`$ids.<label>`) are nodes of their label already: one indexed
    branch per label, from the allow-list."""
    branches = [
        f"UNWIND $ids.`{label}` AS id MATCH (n:`{label}` {{id: id}}) "
        f"RETURN '{label}' AS label, n.id AS id"
        for label in labels
    ]
    return "CALL () { " + " UNION ALL ".join(branches) + " } RETURN label, id"


class GivenIds(NamedTuple):
    """A valid identifiable record's ids and where it gives each: made where the record is
    checked (`validation.examine`, maybe in a worker process), kept by `ExternalIds.note`."""

    record: _Given
    ids: tuple[tuple[str, str, str, _Given], ...]
    """(key, scheme, value, where) of each external id it gives."""


def given_ids(raw: RawRecord, record: Record) -> GivenIds | None:
    """The ids a valid record gives, None if its label carries none."""
    label = record.label.name
    if label not in IDENTIFIABLE:
        return None
    file, path = raw.file, raw.path
    own = _Given(label, record.id, file, path, ("id",), raw.line(("id",)), own=True)
    ids = []
    for index, given in enumerate(getattr(record, "external_ids", ())):
        sub = ("external_ids", index)
        here = _Given(label, record.id, file, path, sub, raw.line(sub))
        ids.append((key_of(given.scheme, given.value), given.scheme, given.value, here))
    return GivenIds(own, tuple(ids))


@dataclass
class ExternalIds:
    """The import's external ids, gathered record by record."""

    given: dict[str, _Given] = field(default_factory=dict)
    """key → the first record that gives it."""
    records: dict[tuple[str, str], _Given] = field(default_factory=dict)
    """(label, id) of each identifiable record → where it is."""
    problems: list[Problem] = field(default_factory=list)
    count: int = 0
    """How many ids the records give."""

    def note(self, given: "GivenIds | None") -> None:
        """Keep a valid record's ids (`given_ids`); refuse an id an earlier record gives too."""
        if given is None:
            return
        label, record_id = given.record.label, given.record.id
        self.records.setdefault((label, record_id), given.record)
        for key, scheme, value, here in given.ids:
            first = self.given.setdefault(key, here)
            self.count += 1
            if (first.label, first.id) != (label, record_id):
                self.problems.append(
                    Problem(
                        here.where,
                        here.field,
                        f"{scheme} '{value}' is given to {label} '{record_id}' and "
                        f"to {first.label} '{first.id}' ({first.where}): an id names one node",
                        "keep it on the record it belongs to, or give both as one record",
                        about=here.subject,
                    )
                )

    def settle(self, queries: Queries | None, database: str) -> "Attached":
        """Which records attach to which nodes, and what is refused (in `problems`)."""
        # An event's id is an alias only while a merge that folded it stands: most graphs have
        # none, and then 100k event records need not be looked up (1.8 s measured).
        events_aliased = identifiers.aliases_any(queries, database, "Event")
        own = {
            key_of(OWN_ID, record_id): (label, record_id)
            for label, record_id in self.records
            if label in IDENTIFIABLE_LABELS or events_aliased
        }
        found = identifiers.identified(queries, database, [*self.given, *own])
        targets: dict[tuple[str, str], dict[str, Identified]] = {}
        for key, node in found.items():
            holders = [own[key]] if key in own else []
            if key in self.given:
                holders.append((self.given[key].label, self.given[key].id))
            for holder in holders:
                mine = key in own and holder == own[key]
                where = self.records[holder] if mine else self.given[key]
                if node.label != holder[0]:
                    self._refuse(
                        where,
                        key,
                        node,
                        f"is {a_or_an(node.label)}, not {holder[0]} (given by {holder[0]} "
                        f"'{holder[1]}')",
                    )
                    continue
                targets.setdefault(holder, {})[key] = node
        attached = Attached(
            count=self.count,
            given={key: (where.label, where.id) for key, where in self.given.items()},
        )
        wanted = {
            holder: nodes
            for holder, nodes in targets.items()
            if {node.id for node in nodes.values()} != {holder[1]}
        }
        existing = _existing(queries, database, list(wanted))
        for (label, record_id), nodes in wanted.items():
            where = self.records[(label, record_id)]
            ids = {node.id for node in nodes.values()}
            if len(ids) > 1:
                names = " and ".join(f"'{i}'" for i in sorted(ids))
                self.problems.append(
                    Problem(
                        where.where,
                        where.ids_field,
                        f"its ids identify two {label} nodes, {names}: they may be one",
                        "give the ids of one of them only; merging nodes is not automatic",
                        about=where.subject,
                    )
                )
            elif (label, record_id) in existing:
                (node_id,) = ids
                self.problems.append(
                    Problem(
                        where.where,
                        where.ids_field,
                        f"{label} '{record_id}' is in the graph, and its ids identify "
                        f"{label} '{node_id}' too: the two may be one",
                        "give the ids of one of them only; merging nodes is not automatic",
                        about=where.subject,
                    )
                )
            else:
                attached.attach(label, record_id, ids.pop())
        self._keep_one_per_node(queries, database, attached)
        return attached

    def _keep_one_per_node(
        self, queries: Queries | None, database: str, attached: "Attached"
    ) -> None:
        """Refuse an attachment whose record gives an id of a one-per-node scheme (Mode-S)
        other than the node's: two things that share an id passed from one to the other."""
        schemes = [scheme.name for scheme in ID_SCHEMES if scheme.one_per_node]
        mine: dict[tuple[str, str], set[str]] = {}
        for key, first in self.given.items():
            if _scheme(key) in schemes:
                mine.setdefault((first.label, first.id), set()).add(key)
        candidates = {record: node for record, node in attached.nodes.items() if record in mine}
        theirs: dict[tuple[str, str], set[str]] = {}
        for label in {label for label, _ in candidates}:
            nodes = sorted({node for (of, _), node in candidates.items() if of == label})
            held = identifiers.held(queries, database, label, nodes, schemes)
            theirs.update({(label, node): keys for node, keys in held.items()})
        for (label, record_id), node_id in candidates.items():
            given = mine[(label, record_id)]
            other = {
                key
                for key in theirs.get((label, node_id), set()) - given
                if _scheme(key) in {_scheme(k) for k in given}
            }
            if not other:
                continue
            del attached.nodes[(label, record_id)]
            attached.aliases.pop(record_id, None)
            self.problems.append(
                Problem(
                    self.records[(label, record_id)].where,
                    self.records[(label, record_id)].ids_field,
                    f"its ids name {label} '{node_id}', which is {', '.join(sorted(other))}, "
                    f"not {', '.join(sorted(given))}: a node has one such id, so these are two "
                    "things sharing an id that passed from one to the other",
                    "leave the shared id (a registration, say) out of this record",
                    about=self.records[(label, record_id)].subject,
                )
            )

    def _refuse(self, where: _Given, key: str, node: Identified, why: str) -> None:
        scheme, _, value = key.partition(":")
        self.problems.append(
            Problem(
                where.where,
                where.field,
                f"{scheme} '{value}' already identifies {node.label} '{node.id}' in the graph, "
                f"which {why}",
                "an id names one node: check the id, or the record's kind of node",
                about=where.subject,
            )
        )


def _scheme(key: str) -> str:
    return key.partition(":")[0]


def aliases(queries: Queries | None, database: str, ids: Iterable[str]) -> dict[str, Identified]:
    """Of `ids` that are no node's, those that stand for a node (an `id` alias)."""
    keys = {key_of(OWN_ID, record_id): record_id for record_id in ids}
    found = identifiers.identified(queries, database, keys)
    return {keys[key]: node for key, node in found.items()}


def _existing(
    queries: Queries | None, database: str, records: list[tuple[str, str]]
) -> set[tuple[str, str]]:
    """Which of the (label, id) records are nodes of the graph already (a handful: only those
    whose ids identify another node)."""
    ids: dict[str, list[str]] = {}
    for label, record_id in records:
        ids.setdefault(label, []).append(record_id)
    if not ids:
        return set()
    found = lookup_rows(queries, _find_nodes(sorted(ids)), ids=ids, database=database)
    return {(row["label"], row["id"]) for row in found}


@dataclass
class Attached:
    """Records that attach to nodes already in the graph, and how ids then resolve."""

    nodes: dict[tuple[str, str], str] = field(default_factory=dict)
    """(label, record id) → the id of the node it attaches to."""
    aliases: dict[str, str] = field(default_factory=dict)
    """An id a reference gives → the node id it stands for (attached records, graph aliases)."""
    count: int = 0
    """How many ids the import's records give."""
    given: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Each id the import's records give (its key) → the (label, id) of the record giving it."""

    def attach(self, label: str, record_id: str, node_id: str) -> None:
        self.nodes[(label, record_id)] = node_id
        self.aliases[record_id] = node_id

    def items(self, items: Iterable[Any]) -> "_Retargeted":
        """What the writer writes: `items` retargeted."""
        return _Retargeted(items, self)


class _Retargeted:
    """The plan's items (read once or more) without the attached records, references to them
    (and to aliases) pointing at the nodes they stand for."""

    def __init__(self, items: Iterable[Any], attached: Attached) -> None:
        self.items = items
        self.attached = attached

    def __iter__(self) -> Iterator[Any]:
        for item in self.items:
            if (item.label, item.record.id) in self.attached.nodes:
                continue
            record = retarget(item.record, self.attached.aliases)
            yield item if record is item.record else replace(item, record=record)


def retarget(record: Record, aliases: dict[str, str]) -> Record:
    """The record with every reference in `aliases` replaced by the id it stands for."""
    if not aliases:
        return record
    changes: dict[str, Any] = {}
    given: Any = record  # its fields are the label's (graph/model.py)
    for part in model.SHAPES_BY_LABEL[record.label.name].fields:
        if isinstance(part, model.Link):
            value = getattr(given, part.python_name)
            if part.many and any(ref in aliases for ref in value):
                changes[part.python_name] = tuple(aliases.get(ref, ref) for ref in value)
            elif not part.many and value in aliases:
                changes[part.python_name] = aliases[value]
        elif part.name == "participants":
            people: tuple[Participant, ...] = given.participants
            if any(p.ref in aliases for p in people):
                changes["participants"] = tuple(
                    p.model_copy(update={"ref": aliases.get(p.ref, p.ref)}) for p in people
                )
        elif part.name == "claims":
            claims: tuple[ClaimSpec, ...] = given.claims
            if any(
                ref in aliases for c in claims for ref in (c.source, c.report or "", *c.based_on)
            ):
                changes["claims"] = tuple(
                    c.model_copy(
                        update={
                            "source": aliases.get(c.source, c.source),
                            "report": aliases.get(c.report, c.report) if c.report else None,
                            "based_on": tuple(aliases.get(ref, ref) for ref in c.based_on),
                        }
                    )
                    for c in claims
                )
    return record.model_copy(update=changes) if changes else record


def attached_id_rows(attached: Attached) -> dict[str, list[dict[str, Any]]]:
    """By label, the `identifiers.write_ids` rows of what the attached records bring to the
    nodes they stand for: the ids they give and their own id (an `id` alias); from what the
    check kept, not the records read again."""
    rows: dict[tuple[str, str], list[dict[str, str]]] = {}
    for key, (label, record_id) in attached.given.items():
        node_id = attached.nodes.get((label, record_id))
        if node_id is not None:
            scheme, _, value = key.partition(":")
            rows.setdefault((label, node_id), []).append(id_row(scheme, value))
    for (label, record_id), node_id in attached.nodes.items():
        rows.setdefault((label, node_id), []).append(id_row(OWN_ID, record_id))
    by_label: dict[str, list[dict[str, Any]]] = {}
    for (label, node_id), ids in rows.items():
        by_label.setdefault(label, []).append({"id": node_id, "ids": ids})
    return by_label
