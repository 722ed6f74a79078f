"""Compile a selection tree (what a GraphQL query asks for) into one Cypher map projection.

The GraphQL layer turns a query's selection set into `Selection`s; this module turns them into
a Cypher expression that builds the response shape in the database: each object is a map
projection keyed by the response key (aliases included), each list of related nodes a pattern
comprehension, each union a CASE over labels. One root field thus costs one round trip whatever
the page size and nesting, and the rows come back ready to serialise.

The field table (`FIELDS`) is the one place that says how a field reads the graph, derived from
the model (`graph/model.py`); it and every `Selection` use the model's names (`reliability_note`,
`part_of`), which the API maps from its own (`reliabilityNote`, `partOf`); `__typename` never
reaches it: the API answers that itself. `tests/test_graphql.py` checks the schema types in
`api/graphql/types.py` against it. Labels, relationship types and property names reach Cypher
text only from this table; argument values are always parameters.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from eventgraph.graph import corroboration, model, ontology
from eventgraph.graph.errors import InvalidData, Problem
from eventgraph.graph.retraction import not_retracted as not_retracted  # its old home

ENTITY_TYPES = ontology.ENTITY_LABELS
PLACE_TYPES = ontology.PLACE_LABELS


@dataclass(frozen=True)
class Selection:
    """One selected field: its response key, the model's name for it, its arguments (by the
    model's names, plain values: text, numbers, lists, maps) and its sub-selections.

    `by_type` holds the sub-selections of an abstract field (union or interface) per concrete
    type; plain object fields use `children`.
    """

    key: str
    name: str
    args: tuple[tuple[str, Any], ...] = ()
    children: tuple["Selection", ...] = ()
    by_type: tuple[tuple[str, tuple["Selection", ...]], ...] = ()

    def arg(self, name: str, default: Any = None) -> Any:
        return dict(self.args).get(name, default)


MAX_TRAVERSALS = 12
"""Related-node fields (each a COLLECT subquery) per root field."""
MAX_NESTING = 3
"""How deep related-node fields may nest inside one another."""
MAX_NESTED_LIST = 200
"""Most items a nested list (participants, claims, `at`, `parts`, `contains`…) may hold. Neo4j
collects at most one more; a list that reaches it becomes one `TOO_MANY` marker, which the API
refuses (ANSWER_TOO_LARGE) rather than cut the list short without saying so."""
TOO_MANY = "__too_many"
"""The key of the marker that stands for a nested list over MAX_NESTED_LIST; its value is the
list's response key."""


@dataclass
class Compiler:
    """Holds the parameters and fresh variable names of one statement being built."""

    params: dict[str, Any] = field(default_factory=dict)
    counter: int = 0
    type_tags: bool = False
    """Add `__label` to abstract-typed maps (the standard GraphQL path resolves types from it)."""
    capped: bool = True
    """Cap nested lists at MAX_NESTED_LIST (`_at_most`); off for what a mutation wrote."""

    traversals: int = 0
    nesting: int = 0

    def var(self, stem: str) -> str:
        self.counter += 1
        return f"{stem}{self.counter}"

    def traverse(self, field_name: str) -> None:
        """Count one more subquery; refuse selections Neo4j would take seconds to plan.

        Each related-node field compiles to a COLLECT subquery, and planning time grows
        exponentially with their nesting (measured on 5.26: 4 nested levels took 3.6 s to
        plan, 4 levels 3 wide 12–22 s), so a request could tie up the server before it runs.
        """
        self.traversals += 1
        if self.traversals > MAX_TRAVERSALS:
            raise InvalidData([Problem("query", field_name,
                f"selects more than {MAX_TRAVERSALS} related-node fields in one root field; "
                "split the query or select fewer nested lists")])  # fmt: skip
        if self.nesting >= MAX_NESTING:
            raise InvalidData([Problem("query", field_name,
                f"nests related-node fields more than {MAX_NESTING} deep; "
                "ask for the deeper nodes in a second query")])  # fmt: skip

    def param(self, value: Any) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f"${name}"


Expr = Callable[[Compiler, str, Selection], str]
"""Builds the Cypher expression of one field, given the variable of the object it is on."""


def time_order(v: str) -> str:
    """The ORDER BY items that list events `v` in time order: `start` ascending with an open
    (null) start first, since an unknown start may be the earliest; then `end` ascending with an
    open end last; then `id`, so ties always come back in one order. Cypher sorts nulls last in
    ascending order, hence the `IS [NOT] NULL` keys (false sorts before true)."""
    return f"{v}.start IS NOT NULL, {v}.start ASC, {v}.end IS NULL, {v}.end ASC, {v}.id ASC"


def by_id(v: str) -> str:
    """The ORDER BY items that list nodes `v` by key."""
    return f"{v}.id ASC"


def _prop(name: str) -> Expr:
    return lambda c, v, s: f"{v}.`{name}`"


def _text(name: str) -> Expr:
    """A temporal property as ISO-8601 text (both GraphQL paths then print the same string)."""
    return lambda c, v, s: f"toString({v}.`{name}`)"


def _global_id(c: Compiler, v: str, s: Selection) -> str:
    """`Label:id`, the Relay global id; `node(id)` reads it back."""
    c.params.setdefault("node_labels", list(NODE_TYPES))
    return f"head([l IN labels({v}) WHERE l IN $node_labels]) + ':' + {v}.id"


def _constant(value: str) -> Expr:
    return lambda c, v, s: f"'{value}'"


def _value_object(fields: dict[str, Expr]) -> Expr:
    """A nested object computed from the same node (time spans, points)."""

    def build(c: Compiler, v: str, s: Selection) -> str:
        entries = [f"`{child.key}`: {fields[child.name](c, v, child)}" for child in s.children]
        return "{" + ", ".join(entries) + "}"

    return build


def _null_unless(guard: str, inner: Expr) -> Expr:
    return lambda c, v, s: f"CASE WHEN {v}.`{guard}` IS NULL THEN null ELSE {inner(c, v, s)} END"


def _at_most(c: Compiler, s: Selection, subquery: str) -> str:
    """A nested list from a COLLECT `subquery` body (a MATCH … RETURN … ORDER BY), collected up
    to MAX_NESTED_LIST + 1 items, or the TOO_MANY marker when it reaches that. Without the
    LIMIT a hub's lists grow without bound (a hub actor's events times their participants)."""
    if not c.capped:
        return f"COLLECT {{ {subquery} }}"
    items = c.var("items")
    marker = f"[{{{TOO_MANY}: {c.param(s.key)}}}]"
    return (
        f"head([{items} IN [COLLECT {{ {subquery} LIMIT {MAX_NESTED_LIST + 1} }}] | "
        f"CASE WHEN size({items}) > {MAX_NESTED_LIST} THEN {marker} ELSE {items} END])"
    )


def _related(
    pattern: str,
    target: tuple[str, ...],
    many: bool,
    order: Callable[[str], str] = by_id,
) -> Expr:
    """Nodes reached by `pattern` (written from `(v)` to `(t)`), retracted ones left out, as a
    list (in `order`) or the first one."""

    def build(c: Compiler, v: str, s: Selection) -> str:
        t = c.var("n")
        c.traverse(s.key)
        c.nesting += 1
        shape = project(c, t, s, target)
        c.nesting -= 1
        labels = " OR ".join(f"{t}:`{label}`" for label in target)
        path = pattern.replace("(v)", f"({v})").replace("(t)", f"({t})")
        # Aliased: `RETURN t {…}` names its column `t`, and ORDER BY would read the map's `id`.
        subquery = (
            f"MATCH {path} WHERE ({labels}) AND {not_retracted(t)} "
            f"RETURN {shape} AS item ORDER BY {order(t)}"
        )
        return _at_most(c, s, subquery) if many else f"head(COLLECT {{ {subquery} LIMIT 1 }})"

    return build


def project(c: Compiler, v: str, s: Selection, types: tuple[str, ...]) -> str:
    """The map projection of node `v` for selection `s`; a CASE when it may have several types."""
    if len(types) == 1 and not s.by_type:
        return _map(c, v, types[0], s.children, tag=False)
    branches = []
    selections = dict(s.by_type)
    for type_name in types:
        children = selections.get(type_name, s.children)
        branches.append(f"WHEN {v}:`{type_name}` THEN {_map(c, v, type_name, children, tag=True)}")
    return f"CASE {' '.join(branches)} END"


def _map(c: Compiler, v: str, type_name: str, children: tuple[Selection, ...], tag: bool) -> str:
    table = FIELDS[type_name]
    entries = [f"`{child.key}`: {table[child.name](c, v, child)}" for child in children]
    if c.type_tags:
        entries.append(f"__label: '{type_name}'")
    return f"{v} {{{', '.join(entries)}}}" if entries else "{}"


# ---- the field table --------------------------------------------------------------------------

_TIME = _value_object(
    {
        "start": _text("start"),
        "end": _text("end"),
        "precision": _prop("time_precision"),
        "year_assumed": _prop("year_assumed"),
        "note": _prop("time_note"),
    },
)
_DURATION = _null_unless(
    "duration_amount",
    _value_object(
        {
            "amount": _prop("duration_amount"),
            "unit": _prop("duration_unit"),
            "approximate": lambda c, v, s: f"coalesce({v}.duration_approximate, false)",
        },
    ),
)
_PUBLISHED = _null_unless(
    "published_precision",
    _value_object(
        {
            "start": _text("published_start"),
            "end": _text("published_end"),
            "precision": _prop("published_precision"),
            "year_assumed": _prop("published_year_assumed"),
            "note": _prop("published_note"),
        },
    ),
)


def _bound(start: str, end: str, precision: str) -> Expr:
    """One bound of a relation (`since` or `until`) as the TimeSpan it was given as: "since
    2015" is all of 2015, at year precision (graph/spans.py stores both ends)."""
    return _null_unless(
        precision,
        _value_object(
            {
                "start": _text(start),
                "end": _text(end),
                "precision": _prop(precision),
                "year_assumed": lambda c, v, s: "false",
                "note": lambda c, v, s: "null",
            },
        ),
    )


_POINT = _null_unless(
    "point",
    _value_object(
        {
            "latitude": lambda c, v, s: f"{v}.point.y",
            "longitude": lambda c, v, s: f"{v}.point.x",
            "precision": _prop("point_precision"),
            "uncertainty_km": _prop("point_uncertainty_km"),
        },
    ),
)


def _participants(c: Compiler, v: str, s: Selection) -> str:
    t, r = c.var("n"), c.var("r")
    c.traverse(s.key)
    c.nesting += 1
    entries = []
    for child in s.children:
        if child.name == "role":
            entries.append(f"`{child.key}`: {r}.role")
        elif child.name == "entity":
            entries.append(f"`{child.key}`: {project(c, t, child, ENTITY_TYPES)}")
    c.nesting -= 1
    return _at_most(
        c,
        s,
        f"MATCH ({v})-[{r}:INVOLVES]->({t}) "
        f"RETURN {{{', '.join(entries)}}} AS item ORDER BY {r}.position",
    )


_CLAIM_LINKS = {
    "source": ("SOURCED_FROM", "Source", True),
    "report": ("IN_REPORT", "Report", True),
    "based_on": ("BASED_ON", "Source", False),
}
"""A claim's fields that are nodes it links to: the edge, the label, whether there is one."""


def _claims(c: Compiler, v: str, s: Selection) -> str:
    claim = c.var("c")
    c.traverse(s.key)
    c.nesting += 1
    entries = []
    for child in s.children:
        link = _CLAIM_LINKS.get(child.name)
        if link is not None:
            edge, label, one = link
            end = c.var("s")
            listed = (
                f"[({claim})-[:{edge}]->({end}:{label}) | "
                f"{_map(c, end, label, child.children, tag=False)}]"
            )
            entries.append(f"`{child.key}`: {f'head({listed})' if one else listed}")
        else:
            entries.append(f"`{child.key}`: {FIELDS['Claim'][child.name](c, claim, child)}")
    c.nesting -= 1
    return _at_most(
        c,
        s,
        f"MATCH ({v})<-[:SUPPORTS]-({claim}:Claim) "
        f"RETURN {claim} {{{', '.join(entries)}}} AS item ORDER BY {claim}.position",
    )


def _corroboration(c: Compiler, v: str, s: Selection) -> str:
    """How many independent origins support `v`, and how well (graph/corroboration.py)."""
    stem = c.var("o")
    pairs, distinct = f"{stem}_pairs", f"{stem}_origins"
    entries = []
    for child in s.children:
        if child.name == "independent_origins":
            value = f"size({distinct})"
        elif child.name == "anonymous_only":
            value = corroboration.anonymous_only(distinct)
        elif child.name == "claim_count":
            value = corroboration.claim_count(v, c.var("g"))
        elif child.name in ("best_grading", "worst_grading"):
            parts = [(part.key, part.name) for part in child.children]
            worst = child.name == "worst_grading"
            value = corroboration.grading(v, c.var("g"), parts, worst)
        else:  # origins
            value = _origins(c, child, pairs, distinct)
        entries.append(f"`{child.key}`: {value}")
    return corroboration.corroborated(v, stem, "{" + ", ".join(entries) + "}")


def _origins(c: Compiler, s: Selection, pairs: str, distinct: str) -> str:
    """Each origin with how many claims rest on it, as a nested list (capped like the rest)."""
    origin = c.var("origin")
    c.traverse(s.key)
    c.nesting += 1
    entries = []
    for child in s.children:
        if child.name == "source":
            source = _map(c, origin, "Source", child.children, tag=False)
            entries.append(f"`{child.key}`: {source}")
        elif child.name == "claim_count":
            entries.append(f"`{child.key}`: {corroboration.claims_resting_on(pairs, origin)}")
    c.nesting -= 1
    items = f"[{origin} IN {distinct} | {{{', '.join(entries)}}}]"
    if not c.capped:
        return items
    marker = f"[{{{TOO_MANY}: {c.param(s.key)}}}]"
    return f"CASE WHEN size({distinct}) > {MAX_NESTED_LIST} THEN {marker} ELSE {items} END"


_EXTERNAL_ID_FIELDS = ("scheme", "value")


def _external_ids(c: Compiler, v: str, s: Selection) -> str:
    """The ids other systems give the node (`graph/identifiers.py`), by scheme and value."""
    x = c.var("x")
    c.traverse(s.key)
    entries = [
        f"`{child.key}`: {x}.`{child.name}`"
        for child in s.children
        if child.name in _EXTERNAL_ID_FIELDS
    ]
    return _at_most(
        c,
        s,
        f"MATCH ({x}:`{ontology.EXTERNAL_ID_LABEL}`)-[:`{ontology.IDENTIFIES}`]->({v}) "
        f"RETURN {{{', '.join(entries)}}} AS item ORDER BY {x}.scheme, {x}.value",
    )


def _plain(prop: model.Prop) -> Expr:
    """A plain property; an absent list reads as an empty one."""
    if prop.type.many:
        return lambda c, v, s: f"coalesce({v}.`{prop.name}`, [])"
    return _prop(prop.name)


def _linked(link: model.Link | model.Reverse) -> Expr:
    """The records a link reaches: outgoing for a `Link`, incoming for a `Reverse`; events in
    time order, the rest by key."""
    arrow = f"-[:`{link.edge}`]->" if isinstance(link, model.Link) else f"<-[:`{link.edge}`]-"
    order = time_order if link.targets == ("Event",) else by_id
    return _related(f"(v){arrow}(t)", link.targets, link.many, order)


_SPECIALS: dict[str, Expr] = {
    "time": _TIME,
    "duration": _DURATION,
    "published": _PUBLISHED,
    "point": _POINT,
    "since": _bound("since", "since_end", "since_precision"),
    "until": _bound("until_start", "until", "until_precision"),
    "participants": _participants,
    "claims": _claims,
    "external_ids": _external_ids,
}
"""How each special part (`graph.model.Special`) reads the graph, by its name."""


def _fields_of(shape: model.Shape) -> dict[str, Expr]:
    fields: dict[str, Expr] = {"id": _global_id}
    for part in shape.fields:
        if isinstance(part, model.Prop):
            fields[part.graphql or part.name] = _plain(part)
        elif isinstance(part, model.Link):
            fields[part.name] = _linked(part)
        else:
            fields[part.name] = _SPECIALS[part.name]
    for reverse in shape.reverse:
        fields[reverse.name] = _linked(reverse)
    if shape.label.name in CORROBORATED:
        fields["corroboration"] = _corroboration
    return fields


CORROBORATED = (ontology.EVENT.name, ontology.RELATION.name)
"""What claims support, and so has a `corroboration` (graph/corroboration.py)."""


FIELDS: dict[str, dict[str, Expr]] = {
    **{shape.label.name: _fields_of(shape) for shape in model.SHAPES},
    "Claim": {
        "key": _prop("id"),
        "reliability": _prop("reliability"),
        "credibility": lambda c, v, s: f"toInteger({v}.credibility)",
        "paraphrase": _prop("paraphrase"),
        "quote": _prop("quote"),
        "grading_note": _prop("grading_note"),
        "reported_on": _text("reported_on"),
    },
}
"""Per GraphQL type, how each of its fields reads the graph: derived from the model
(`graph/model.py`) but for a claim's own fields. `tests/test_graphql.py` checks it against the
GraphQL types."""

NODE_TYPES = (
    "Actor",
    "EquipmentType",
    "Asset",
    "Location",
    "Source",
    "Report",
    "Event",
    "Relation",
)
