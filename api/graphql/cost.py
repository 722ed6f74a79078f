"""Cost before work: a document's depth, aliases, size and cost, in one pass over it.

A fragment spread ten times in each of eight nested fragments expands to 10^8 fields from a
document of 700 bytes; a walk that expands every spread (strawberry's depth and alias limiters,
graphql-core's field collection) takes minutes on it, on the event loop. `measure` visits each
fragment once: its measure is computed the first time it is spread and multiplied by its uses
after that, so the walk is linear in the document whatever it expands to. `refusals` runs
before graphql-core's own rules (`api/graphql/checking.py`), so they never see a document
over a limit: one that expands beyond `MAX_SELECTIONS`, or repeats a field name more than
`MAX_REPEATS` times in one place (which their overlapping-fields rule compares pairwise).

The cost is an upper bound of the values an answer can hold: each field costs 1, times the
sizes of the lists it is inside, each list counted at the most its statement lets it hold. A
paged field (one with `first`/`last`) multiplies what it selects by its page size (its literal
value; a variable's worst case, `MAX_PAGE`; else its default, or `DEFAULT_PAGE`; never more than
`MAX_PAGE`), the lists of its page (`nodes`, `edges`) then by 1; a list whose statement stops at
a size of its own (`CAPPED_LISTS`: a neighbourhood's nodes and relationships, a path's, a
coreference pair's reasons) by that size; any other list of objects (`participants`, `claims`,
`partOf` …) is a nested list, which its statement stops at `MAX_NESTED_LIST`
(`graph/projection.py`), and counts that much. So a
document within `MAX_COST` cannot make Neo4j send more than that many values, whatever the
graph holds (a list of text, `aliases`, counts as one value): the estimate and the caps are
the same numbers. Introspection fields are not
counted for depth (GraphiQL's own query nests deeper than 12) but are for size and cost, so a
fragment bomb under `__schema` is refused too.
"""

from collections import Counter
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_list_type,
)

from eventgraph.graph.projection import MAX_NESTED_LIST
from eventgraph.graph.resolution import COREFERENCE_MAX_REASONS
from eventgraph.graph.translate.queries import DEFAULT_PAGE, MAX_PAGE
from eventgraph.graph.translate.relationships import (
    MAX_BUCKETS,
    MAX_HOPS,
    MAX_NODES,
    MAX_RELATIONSHIPS,
)

MAX_DEPTH = 12
"""Nested fields with selections (introspection fields not counted)."""
MAX_ALIASES = 30
"""Aliased fields, counted once per use of the fragment they are in."""
MAX_TOKENS = 4000
"""Tokens in a document (the parser stops at the first one over)."""
MAX_SELECTIONS = 1000
"""Fields once every fragment is expanded: what compiling a query walks. The largest
documented query expands to 45; GraphiQL's introspection query to 229."""
MAX_REPEATS = 20
"""Fields of one response name in one selection set (its fragments' included, each fragment
once, as graphql-core collects them): its overlapping-fields rule compares them pairwise, and
500 copies of `partOf { key }` took it 1.9 s."""
MAX_COST = 2_500_000
"""The most values an answer may hold, every list at its cap (see the module docstring): 500
events with 50 fields each cost about 25,000; with their participants' names about 300,000; a
neighbourhood's 2,000 relationships with their claims about 2,000,000. One answer of this many
values takes the API about 450 MB while it is read (docs/reliability.md)."""
CAPPED_LISTS: dict[tuple[str, str], int] = {
    ("Subgraph", "nodes"): MAX_NODES,
    ("Subgraph", "relationships"): MAX_RELATIONSHIPS,
    ("Path", "nodes"): MAX_HOPS + 1,
    ("Path", "relationships"): MAX_HOPS,
    ("Activity", "buckets"): MAX_BUCKETS,
    ("CoreferenceProposal", "reasons"): COREFERENCE_MAX_REASONS,
    ("CoreferenceAlternative", "reasons"): COREFERENCE_MAX_REASONS,
}
"""Lists of objects that take no page size but whose statements (or, for a coreference pair's
reasons, the kinds a pair can have) stop at a size of their own;
every other one (`participants`, `claims`, `partOf` …) is a nested list, which the statement
stops at `MAX_NESTED_LIST` (`graph/projection.py`): the estimate counts each list at the most
the statement lets it hold, never less."""
SATURATED = 10**18
"""Counts stop growing here: a document may expand to more fields than there are atoms."""

TOO_COMPLEX = "QUERY_TOO_COMPLEX"


@dataclass(frozen=True)
class Measure:
    """What a selection set (or an operation) comes to once its fragments are expanded."""

    depth: int = 0
    aliases: int = 0
    selections: int = 0
    cost: int = 0

    def plus(self, other: "Measure") -> "Measure":
        return Measure(
            max(self.depth, other.depth),
            _capped(self.aliases + other.aliases),
            _capped(self.selections + other.selections),
            _capped(self.cost + other.cost),
        )


def _capped(count: int) -> int:
    return min(count, SATURATED)


class _Walk:
    """One walk over a document; fragments measured once each, whatever spreads them."""

    def __init__(self, schema: GraphQLSchema, document: DocumentNode) -> None:
        self.schema = schema
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.measured: dict[str, Measure] = {}
        self.entered: set[str] = set()

    def selection_set(self, selection_set: SelectionSetNode, parent: Any) -> Measure:
        total = Measure()
        for node in selection_set.selections:
            if isinstance(node, FieldNode):
                total = total.plus(self.field(node, parent))
            elif isinstance(node, InlineFragmentNode):
                condition = node.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else parent
                total = total.plus(self.selection_set(node.selection_set, inner))
            elif isinstance(node, FragmentSpreadNode):
                total = total.plus(self.fragment(node.name.value))
        return total

    def fragment(self, name: str) -> Measure:
        known = self.measured.get(name)
        if known is not None:
            return known
        definition = self.fragments.get(name)
        if definition is None or name in self.entered:  # unknown or a cycle: validation says so
            return Measure()
        self.entered.add(name)
        parent = self.schema.get_type(definition.type_condition.name.value)
        measure = self.selection_set(definition.selection_set, parent)
        self.measured[name] = measure
        return measure

    def field(self, node: FieldNode, parent: Any) -> Measure:
        aliases = 1 if node.alias else 0
        if node.selection_set is None:
            return Measure(0, aliases, 1, 1)
        name = node.name.value
        definition = _field_of(parent, name)
        inner_type = get_named_type(definition.type) if definition is not None else None
        inner = self.selection_set(node.selection_set, inner_type)
        introspection = name.startswith("__")
        size = 1 if introspection or definition is None else _list_size(node, definition, parent)
        return Measure(
            0 if introspection else inner.depth + 1,  # as strawberry counted: not at all
            _capped(aliases + inner.aliases),
            _capped(1 + inner.selections),
            _capped(1 + size * inner.cost),
        )


class _Repeats:
    """How often a response name occurs in one selection set, fragments counted once each per
    selection set and measured once each per document."""

    def __init__(self, fragments: dict[str, FragmentDefinitionNode]) -> None:
        self.fragments = fragments
        self.counted: dict[str, Counter[str]] = {}
        self.entered: set[str] = set()

    def keys(self, selection_set: SelectionSetNode, spread: set[str] | None = None) -> Counter[str]:
        spread = set() if spread is None else spread
        found: Counter[str] = Counter()
        for node in selection_set.selections:
            if isinstance(node, FieldNode):
                found[node.alias.value if node.alias else node.name.value] += 1
            elif isinstance(node, InlineFragmentNode):
                found.update(self.keys(node.selection_set, spread))
            elif isinstance(node, FragmentSpreadNode) and node.name.value not in spread:
                spread.add(node.name.value)
                found.update(self.fragment(node.name.value))
        return found

    def fragment(self, name: str) -> Counter[str]:
        known = self.counted.get(name)
        if known is not None:
            return known
        definition = self.fragments.get(name)
        if definition is None or name in self.entered:
            return Counter()
        self.entered.add(name)
        self.counted[name] = counted = self.keys(definition.selection_set)
        return counted

    def most(self, document: DocumentNode) -> int:
        """The most fields of one response name in any selection set of the document."""
        most = 0
        stack: list[Any] = list(document.definitions)
        while stack:
            node = stack.pop()
            selection_set = getattr(node, "selection_set", None)
            if selection_set is None:
                continue
            most = max(most, max(self.keys(selection_set).values(), default=0))
            stack.extend(selection_set.selections)
        return most


def _field_of(parent: GraphQLNamedType | None, name: str) -> GraphQLField | None:
    if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
        field: GraphQLField | None = parent.fields.get(name)
        return field
    return None


def _is_page(type_: GraphQLNamedType | None) -> bool:
    """A Relay connection: its lists are the page its field's `first`/`last` already counted."""
    return isinstance(type_, GraphQLObjectType) and "pageInfo" in type_.fields


def _list_size(node: FieldNode, definition: GraphQLField, parent: Any) -> int:
    """How many times what `node` selects may occur in its answer."""
    paging = [name for name in ("first", "last") if name in definition.args]
    if paging:
        given = {argument.name.value: argument.value for argument in node.arguments or ()}
        sizes = []
        for name in paging:
            value = given.get(name)
            if isinstance(value, IntValueNode):
                sizes.append(int(value.value))
            elif isinstance(value, VariableNode):
                sizes.append(MAX_PAGE)
            elif value is None:
                default = definition.args[name].default_value
                if isinstance(default, int):
                    sizes.append(default)
        size = max(sizes) if sizes else DEFAULT_PAGE
        return max(0, min(size, MAX_PAGE))
    if is_list_type(get_nullable_type(definition.type)) and not _is_page(parent):
        return CAPPED_LISTS.get((getattr(parent, "name", ""), node.name.value), MAX_NESTED_LIST)
    return 1


def measure(
    schema: GraphQLSchema, document: DocumentNode
) -> list[tuple[OperationDefinitionNode, Measure]]:
    """Each operation of the document with its measure, in one walk."""
    walk = _Walk(schema, document)
    measured = []
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            root = schema.get_root_type(definition.operation)
            measured.append((definition, walk.selection_set(definition.selection_set, root)))
    return measured


def refusals(schema: GraphQLSchema, document: DocumentNode) -> list[GraphQLError]:
    """The limits each operation of the document goes over, as errors that name the limit."""
    try:
        measured = measure(schema, document)
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        repeats = _Repeats(fragments).most(document)
    except RecursionError:  # fragments spread inside fragments hundreds deep
        return [
            GraphQLError(
                "the document nests fragments too deeply to be checked",
                extensions={"code": TOO_COMPLEX},
            )
        ]
    errors = []
    if repeats > MAX_REPEATS:
        errors.append(
            GraphQLError(
                f"the document selects one field {repeats} times in one place; at most "
                f"{MAX_REPEATS} times are allowed (an alias gives each its own name)",
                extensions={"code": TOO_COMPLEX},
            )
        )
    for operation, found in measured:
        name = operation.name.value if operation.name else "anonymous"
        told: list[tuple[str, str | None]] = []
        if found.depth > MAX_DEPTH:
            told.append((f"'{name}' exceeds maximum operation depth of {MAX_DEPTH}", None))
        if found.aliases > MAX_ALIASES:
            told.append((f"{found.aliases} aliases found. Allowed: {MAX_ALIASES}", None))
        if found.selections > MAX_SELECTIONS:
            told.append(
                (
                    f"'{name}' selects {_shown(found.selections)} fields once its fragments "
                    f"are expanded; at most {MAX_SELECTIONS:,} are allowed",
                    TOO_COMPLEX,
                )
            )
        elif found.cost > MAX_COST:
            told.append(
                (
                    f"'{name}' is too complex: its estimated cost is {_shown(found.cost)}, "
                    f"the limit is {MAX_COST:,} (ask for smaller pages or fewer nested lists)",
                    TOO_COMPLEX,
                )
            )
        for message, code in told:
            extensions = {"code": code} if code else None
            errors.append(GraphQLError(message, [operation], extensions=extensions))
    return errors


def _shown(count: int) -> str:
    return f"more than {SATURATED:.0e}" if count >= SATURATED else f"{count:,}"
