"""From a GraphQL query's AST to the neutral `Selection` tree that `graph/projection.py` compiles.

Handles aliases, fragments (named and inline), `@skip`/`@include`, and abstract types: an
interface or union field gets one list of sub-selections per possible concrete type.
"""

from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    SelectionSetNode,
    get_named_type,
    is_abstract_type,
    is_object_type,
)
from graphql.execution.values import VariableValues, get_argument_values, get_directive_values
from graphql.type import GraphQLIncludeDirective, GraphQLSkipDirective

from eventgraph.graph.projection import Selection


class Context:
    """What turning a selection set into `Selection`s needs from the operation."""

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


def children_of(
    context: Context, nodes: list[FieldNode], concrete: GraphQLObjectType
) -> tuple[Selection, ...]:
    """The sub-selections of `nodes` (one response key, merged) on the concrete type."""
    grouped: dict[str, list[FieldNode]] = {}
    for node in nodes:
        _collect(context, node.selection_set, concrete, grouped)
    return tuple(
        to_selection(context, key, field_nodes, concrete) for key, field_nodes in grouped.items()
    )


def to_selection(
    context: Context, key: str, nodes: list[FieldNode], parent: GraphQLObjectType
) -> Selection:
    """One response key's `Selection`, with arguments coerced against the schema."""
    name = nodes[0].name.value
    if name == "__typename":
        return Selection(key=key, name=name)
    definition: GraphQLField = parent.fields[name]
    args = get_argument_values(definition, nodes[0], context.variables)
    named = get_named_type(definition.type)
    children: tuple[Selection, ...] = ()
    by_type: tuple[tuple[str, tuple[Selection, ...]], ...] = ()
    if is_object_type(named):
        children = children_of(context, nodes, named)
    elif is_abstract_type(named):
        possible = context.schema.get_possible_types(named)
        by_type = tuple((t.name, children_of(context, nodes, t)) for t in possible)
    return Selection(
        key=key,
        name=name,
        args=tuple(sorted(args.items())),
        children=children,
        by_type=by_type,
    )
