"""The fast path's last step: a root field's compiled value as graphql-core would answer it.

Neo4j hands map projections back in its own key order, and a row holds whatever the stored
node holds. `shaper` compiles a root field's `Asked` tree and its GraphQL type, once per cached
plan, into a function that rebuilds every object in selection order (the response order the
GraphQL spec asks for; `Asked` merges duplicate keys and fragments as graphql-core does),
answers `__typename` (the compiler never sees it), drops the compiler's `__label` type tags,
and checks each value against its type the way
graphql-core serialises it: non-null, String and ID `str`, Boolean `bool`, Int a 32-bit `int`
(not a bool), Float a finite `float` or an `int` turned into a float (as graphql-core does, so
`5` answers `5.0`), enums a member's value, other scalars through their own serialiser, lists,
objects, and unions and interfaces by the concrete type their `__label` names.

A value that does not conform raises `Nonconforming`; the fast path then leaves the operation
to the standard path, which reports the field error (`STORED_DATA_INVALID`) and propagates
null. So the two paths cannot disagree on data that breaks the schema, and the checks here
need not say what is wrong, only that something is.
"""

import math
from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    is_list_type,
    is_non_null_type,
)

from eventgraph.api.graphql.selection import TYPENAME, Asked

Shape = Callable[[Any], Any]
"""Turns one compiled value into its response value (raises `Nonconforming`)."""

INT_MIN, INT_MAX = -(2**31), 2**31 - 1
TYPE_TAG = "__label"
"""The key under which the compiler tags a map with its concrete type."""


class Nonconforming(Exception):
    """A value its GraphQL type cannot hold: the standard path answers instead."""


def shaper(schema: GraphQLSchema, selection: Asked, field_type: GraphQLOutputType) -> Shape:
    """The shaping function of one root field."""
    return _value(schema, selection, field_type)


def _value(schema: GraphQLSchema, selection: Asked, field_type: GraphQLOutputType) -> Shape:
    nullable = not is_non_null_type(field_type)
    named = field_type if nullable else field_type.of_type  # type: ignore[union-attr]
    if is_list_type(named):
        return _list(_value(schema, selection, named.of_type), nullable)
    if isinstance(named, GraphQLObjectType):
        return _object(schema, named, selection.children, nullable)
    if isinstance(named, GraphQLInterfaceType | GraphQLUnionType):
        return _abstract(schema, selection, nullable)
    if isinstance(named, GraphQLEnumType):
        return _enum(named, nullable)
    if isinstance(named, GraphQLScalarType):
        return _scalar(named, nullable)
    raise TypeError(f"no shaping for {named}")  # every output type is one of the above


def _list(item: Shape, nullable: bool) -> Shape:
    def shape(value: Any) -> Any:
        if type(value) is not list:
            if value is None and nullable:
                return None
            raise Nonconforming
        return [item(entry) for entry in value]

    return shape


def _object(
    schema: GraphQLSchema,
    object_type: GraphQLObjectType,
    children: tuple[Asked, ...],
    nullable: bool,
) -> Shape:
    typename = object_type.name
    fields = tuple(
        (child.key, _value(schema, child, object_type.fields[child.name].type))
        for child in children
        if child.name != TYPENAME
    )
    order = tuple((child.key, child.name == TYPENAME) for child in children)

    def shape(value: Any) -> Any:
        if type(value) is not dict:
            if value is None and nullable:
                return None
            raise Nonconforming
        try:
            shaped = {key: field(value[key]) for key, field in fields}
        except KeyError:  # a key the statement did not return
            raise Nonconforming from None
        if len(shaped) == len(order):
            return shaped
        return {key: typename if meta else shaped[key] for key, meta in order}

    return shape


def _abstract(schema: GraphQLSchema, selection: Asked, nullable: bool) -> Shape:
    """A union or interface: the concrete type the row's tag names, with its sub-selection."""
    by_tag: dict[str, Shape] = {}
    for type_name, children in selection.by_type:
        concrete = schema.get_type(type_name)
        assert isinstance(concrete, GraphQLObjectType)
        by_tag[type_name] = _object(schema, concrete, children, nullable=False)

    def shape(value: Any) -> Any:
        if type(value) is not dict:
            if value is None and nullable:
                return None
            raise Nonconforming
        concrete = by_tag.get(value.get(TYPE_TAG))  # type: ignore[arg-type]
        if concrete is None:
            raise Nonconforming
        return concrete(value)

    return shape


def _enum(enum_type: GraphQLEnumType, nullable: bool) -> Shape:
    names = {member.value: name for name, member in enum_type.values.items()}

    def shape(value: Any) -> Any:
        if value is None and nullable:
            return None
        if type(value) is not str or value not in names:
            raise Nonconforming
        return names[value]

    return shape


def _is_str(value: Any) -> bool:
    return type(value) is str


def _is_bool(value: Any) -> bool:
    return type(value) is bool


def _is_int(value: Any) -> bool:
    return type(value) is int and INT_MIN <= value <= INT_MAX


CHECKS: dict[str, Callable[[Any], bool]] = {
    "String": _is_str,
    "ID": _is_str,
    "Boolean": _is_bool,
    "Int": _is_int,
}
"""Built-in scalars whose conforming values graphql-core passes through unchanged."""


def _scalar(scalar: GraphQLScalarType, nullable: bool) -> Shape:
    check = CHECKS.get(scalar.name)
    if check is not None:

        def checked(value: Any) -> Any:
            if check(value) or (value is None and nullable):
                return value
            raise Nonconforming

        return checked
    if scalar.name == "Float":
        return _float(nullable)
    serialise = scalar.serialize  # a custom scalar (DateTime): its own serialiser decides

    def serialised(value: Any) -> Any:
        if value is None:
            if nullable:
                return None
            raise Nonconforming
        try:
            result = serialise(value)
        except Exception:
            raise Nonconforming from None
        if result is None:
            raise Nonconforming
        return result

    return serialised


def _float(nullable: bool) -> Shape:
    def shape(value: Any) -> Any:
        kind = type(value)
        if kind is float and math.isfinite(value):
            return value
        if kind is int:  # graphql-core answers an int as a float, 5 as 5.0, if it is exact
            number = float(value)
            if int(number) == value:
                return number
        if value is None and nullable:
            return None
        raise Nonconforming

    return shape
