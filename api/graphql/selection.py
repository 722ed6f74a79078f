"""From a GraphQL query's AST to what the compiler reads (`graph.projection.Selection`) and what
the fast path's shaping reads (`Asked`).

Handles aliases, fragments (named and inline), `@skip`/`@include`, and abstract types: an
interface or union field gets one list of sub-selections per possible concrete type. Here GraphQL
names become the model's: a field or argument is named as its Python attribute is
(`reliabilityNote` → `reliability_note`, `from` → `from`, not `from_`), arguments are plain
values (input objects as maps by the model's names, enum members as their values), and
`__typename` stays out of the compiler's selection: the API answers it.
"""

from dataclasses import dataclass
from enum import Enum
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLArgument,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    SelectionSetNode,
    get_named_type,
    get_nullable_type,
    is_abstract_type,
    is_list_type,
    is_object_type,
)
from graphql.execution.values import VariableValues, get_argument_values, get_directive_values
from graphql.type import GraphQLIncludeDirective, GraphQLSkipDirective
from strawberry.types import Info

from eventgraph.graph.projection import Selection

TYPENAME = "__typename"
_DEFINITION = "strawberry-definition"
"""Where strawberry keeps, on each graphql-core field and argument, the definition it built it
from (with the Python name)."""


@dataclass(frozen=True)
class Asked:
    """One selected field as GraphQL names it (for shaping the answer), with the compiler's
    `Selection` of it (None for `__typename`)."""

    key: str
    name: str
    selection: Selection | None
    children: tuple["Asked", ...] = ()
    by_type: tuple[tuple[str, tuple["Asked", ...]], ...] = ()


def model_name(definition: GraphQLField | GraphQLArgument | GraphQLInputField, name: str) -> str:
    """The model's name of a GraphQL field, argument or input field: its Python name, without
    the trailing `_` that keeps `from_` clear of the keyword."""
    defined = (definition.extensions or {}).get(_DEFINITION)
    python_name = getattr(defined, "python_name", None) or name
    return str(python_name).removesuffix("_")


def plain(value: Any, input_type: GraphQLInputType) -> Any:
    """A coerced argument value as plain data by the model's names."""
    if value is None:
        return None
    nullable = get_nullable_type(input_type)
    if is_list_type(nullable):
        return [plain(item, nullable.of_type) for item in value]
    if isinstance(nullable, GraphQLInputObjectType):
        return {
            model_name(field, name): plain(value[name], field.type)
            for name, field in nullable.fields.items()
            if name in value
        }
    if isinstance(value, Enum):
        return value.value
    return value


class Context:
    """What turning a selection set into `Asked`s needs from the operation."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: Any,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        # graphql-core 3.3 reads variables from a VariableValues; resolvers' info gives a dict.
        self.variables = (
            VariableValues(sources={}, coerced=variables)
            if isinstance(variables, dict)
            else variables
        )

    def included(self, node: Any) -> bool:
        skip = get_directive_values(GraphQLSkipDirective, node, self.variables)
        if skip and skip.get("if") is True:
            return False
        include = get_directive_values(GraphQLIncludeDirective, node, self.variables)
        return not (include and include.get("if") is False)

    def applies(self, condition: str | None, concrete: GraphQLObjectType) -> bool:
        if condition is None or condition == concrete.name:
            return True
        conditional = self.schema.get_type(condition)
        return is_abstract_type(conditional) and self.schema.is_sub_type(
            conditional,
            concrete,
        )


def _collect(
    context: Context,
    selection_set: SelectionSetNode | None,
    concrete: GraphQLObjectType,
    into: dict[str, list[FieldNode]],
) -> None:
    """Gather the field nodes that apply to `concrete`, grouped by response key."""
    if selection_set is None:
        return
    for node in selection_set.selections:
        if not context.included(node):
            continue
        if isinstance(node, FieldNode):
            key = node.alias.value if node.alias else node.name.value
            into.setdefault(key, []).append(node)
        elif isinstance(node, InlineFragmentNode):
            condition = node.type_condition.name.value if node.type_condition else None
            if context.applies(condition, concrete):
                _collect(context, node.selection_set, concrete, into)
        elif isinstance(node, FragmentSpreadNode):
            fragment = context.fragments[node.name.value]
            if context.applies(fragment.type_condition.name.value, concrete):
                _collect(context, fragment.selection_set, concrete, into)


def _children_of(
    context: Context, nodes: list[FieldNode], concrete: GraphQLObjectType
) -> tuple[Asked, ...]:
    """The sub-selections of `nodes` (one response key, merged) on the concrete type."""
    grouped: dict[str, list[FieldNode]] = {}
    for node in nodes:
        _collect(context, node.selection_set, concrete, grouped)
    return tuple(
        to_asked(context, key, field_nodes, concrete) for key, field_nodes in grouped.items()
    )


def _compiled(children: tuple[Asked, ...]) -> tuple[Selection, ...]:
    return tuple(child.selection for child in children if child.selection is not None)


def to_asked(
    context: Context, key: str, nodes: list[FieldNode], parent: GraphQLObjectType
) -> Asked:
    """One response key's `Asked`, with arguments coerced against the schema."""
    name = nodes[0].name.value
    if name == TYPENAME:
        return Asked(key=key, name=name, selection=None)
    definition: GraphQLField = parent.fields[name]
    coerced = get_argument_values(definition, nodes[0], context.variables)
    args = {
        model_name(definition.args[arg], arg): plain(value, definition.args[arg].type)
        for arg, value in coerced.items()
    }
    named = get_named_type(definition.type)
    children: tuple[Asked, ...] = ()
    by_type: tuple[tuple[str, tuple[Asked, ...]], ...] = ()
    if is_object_type(named):
        children = _children_of(context, nodes, named)
    elif is_abstract_type(named):
        possible = context.schema.get_possible_types(named)
        by_type = tuple((t.name, _children_of(context, nodes, t)) for t in possible)
    selection = Selection(
        key=key,
        name=model_name(definition, name),
        args=tuple(sorted(args.items())),
        children=_compiled(children),
        by_type=tuple((type_name, _compiled(asked)) for type_name, asked in by_type),
    )
    return Asked(key, name, selection, children, by_type)


def selection_of(info: Info) -> Selection:
    """The compiler's selection of the field a resolver resolves."""
    raw = info._raw_info
    context = Context(raw.schema, raw.fragments, raw.variable_values)
    asked = to_asked(context, str(raw.path.key), list(raw.field_nodes), raw.parent_type)
    assert asked.selection is not None  # a resolver never resolves `__typename`
    return asked.selection
