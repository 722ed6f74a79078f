"""Safe by default: limits on depth, aliases and tokens, and errors with stable codes.

Every GraphQL error leaves with `extensions.code`: an error of eventgraph's tree with the code
and message api/errors.py's table gives it (`BAD_USER_INPUT`, `NOT_FOUND`, `CONFLICT`,
`GRAPH_STORE_UNAVAILABLE`, `TIMEOUT`, `STORED_DATA_INVALID` when a stored value breaks the
schema's promise — a node written through Bolt by another tool: see `StoredDataChecks` …),
graphql-core's request errors as `GRAPHQL_PARSE_FAILED` or `GRAPHQL_VALIDATION_FAILED` (or the
code our own checks gave, `QUERY_TOO_COMPLEX`: api/graphql/cost.py, checked before any other
rule and off the event loop, api/graphql/checking.py), and `INTERNAL_SERVER_ERROR` — with the
message masked, so no stack trace, Cypher text or driver message leaks — for anything else.
Both paths take their documents, checked against the same limits, from `DocumentChecks`.
"""

import logging
import re
from collections.abc import Iterator
from typing import Any, NoReturn

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLSyntaxError,
    get_named_type,
    is_list_type,
    is_non_null_type,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import Path
from strawberry.extensions import MaskErrors, MaxTokensLimiter, SchemaExtension
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from eventgraph.api.errors import (
    ERRORS,
    GRAPHQL_PARSE_FAILED,
    GRAPHQL_VALIDATION_FAILED,
    INTERNAL_SERVER_ERROR,
    StoredDataInvalid,
    answer_of,
    graphql_message,
)
from eventgraph.api.graphql.checking import CheckedDocuments
from eventgraph.api.graphql.cost import MAX_TOKENS as MAX_TOKENS  # persisted.py reads it here
from eventgraph.graph.errors import EventGraphError, InvalidData

log = logging.getLogger("eventgraph.graphql")

MASKED_MESSAGE = "Internal error: the request could not be answered."
_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")
"""graphql-core's hint in validation and coercion messages ("Did you mean 'events'?"): it names
fields, arguments, types and enum values, which production mode keeps to itself."""


class StoredDataChecks(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's execution, telling values that do not fit their field's type as
    `StoredDataInvalid` (with the parent type and field) instead of its own TypeError or
    GraphQLError, which the client would only see masked. graphql-core still locates the error
    and propagates null to the nearest nullable parent, as the spec says."""

    def complete_value(
        self,
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: "GraphQLResolveInfo[Any]",
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        if isinstance(result, Exception):  # a resolver's error, not a stored value
            return super().complete_value(
                return_type, field_details_list, info, path, result, position_context
            )
        try:
            completed = super().complete_value(
                return_type, field_details_list, info, path, result, position_context
            )
        except (GraphQLError, TypeError, ValueError) as error:
            _raise_told(error, return_type, info, result)
        if self.is_awaitable(completed):
            return self._completed_later(completed, return_type, info, result)
        return completed

    async def _completed_later(
        self,
        completed: Any,
        return_type: GraphQLOutputType,
        info: "GraphQLResolveInfo[Any]",
        result: Any,
    ) -> Any:
        try:
            return await completed
        except (GraphQLError, TypeError, ValueError) as error:
            _raise_told(error, return_type, info, result)


def _raise_told(
    error: Exception, return_type: GraphQLOutputType, info: "GraphQLResolveInfo[Any]", result: Any
) -> NoReturn:
    """Raise a completion error as the client should hear it: a child field's error, located
    already, as it is (graphql-core propagates it); this field's value as `StoredDataInvalid`."""
    if isinstance(error, GraphQLError) and error.path is not None:
        raise error
    wrong = _what_is_wrong(return_type, result)
    raise StoredDataInvalid(info.parent_type.name, info.field_name, wrong) from error


def _what_is_wrong(expected: GraphQLOutputType, value: Any) -> str:
    """Why a stored value is not of the field's type, in words."""
    named = get_named_type(expected).name
    article = "an" if named[0] in "AEIOU" else "a"
    if value is None:
        return f"nothing is stored where the schema promises {article} {named}"
    if is_list_type(expected) or (is_non_null_type(expected) and is_list_type(expected.of_type)):
        return f"the stored value {_shown(value)} is not a list of {named}"
    return f"the stored value {_shown(value)} is not {article} {named}"


def _shown(value: Any) -> str:
    """A stored value as the message names it: short, and never a whole map."""
    if isinstance(value, dict):
        return "(an object)"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def error_code(error: GraphQLError) -> str:
    """The error's `extensions.code`, from api/errors.py's table for an error of ours."""
    original = error.original_error
    if original is None:  # a request error: ours say which (QUERY_TOO_COMPLEX)
        if isinstance(error, GraphQLSyntaxError):
            return GRAPHQL_PARSE_FAILED
        told = (error.extensions or {}).get("code")
        return told if isinstance(told, str) else GRAPHQL_VALIDATION_FAILED
    if isinstance(original, GraphQLError) and error.path is None:
        # A variable that does not coerce (a string for an Int, an unknown enum value):
        # graphql-core wraps the scalar's error in one naming the variable and where in it.
        return ERRORS[InvalidData].graphql
    if isinstance(original, EventGraphError):
        return answer_of(original).graphql
    return INTERNAL_SERVER_ERROR


class ErrorCodes(MaskErrors):
    """Mask what is not ours to tell; give every error a stable code."""

    def __init__(self) -> None:
        super().__init__(
            should_mask_error=lambda error: error_code(error) == INTERNAL_SERVER_ERROR,
            error_message=MASKED_MESSAGE,
        )

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        context = self.execution_context.context
        production = isinstance(context, dict) and bool(context.get("production"))
        return [coded(error, production) for error in errors]


def coded(error: GraphQLError, production: bool = False) -> GraphQLError:
    """The error as the client sees it: eventgraph's own message or a masked one, and a code;
    in production mode without graphql-core's "Did you mean …" hints."""
    code = error_code(error)
    message = error.message
    original = error.original_error
    if code == INTERNAL_SERVER_ERROR:
        log.error("GraphQL error masked for the client", exc_info=original)
        message = MASKED_MESSAGE
    elif isinstance(original, EventGraphError):
        if isinstance(original, StoredDataInvalid):
            log.warning("stored data breaks the schema at %s: %s", error.path, original)
        message = graphql_message(original)
    if production:
        message = _SUGGESTION.sub("", message)
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={**(error.extensions or {}), "code": code},
    )


class NoIntrospectionInProduction(SchemaExtension):
    """In production mode (`EVENTGRAPH_PRODUCTION`), `__schema` and `__type` are refused."""

    def on_validate(self) -> Iterator[None]:
        # Before validation runs: errors set here are what the client gets.
        context = self.execution_context.context
        document = self.execution_context.graphql_document
        if isinstance(context, dict) and context.get("production") and document is not None:
            self._refuse_introspection(document)
        yield

    def _refuse_introspection(self, document: DocumentNode) -> None:
        for node in _field_nodes(document):
            if node.name.value in ("__schema", "__type"):
                self.execution_context.pre_execution_errors = [
                    GraphQLError(
                        "introspection is off in production mode",
                        nodes=[node],
                        extensions={"code": GRAPHQL_VALIDATION_FAILED},
                    )
                ]
                return


def _field_nodes(document: DocumentNode) -> Iterator[FieldNode]:
    stack: list[Any] = list(document.definitions)
    while stack:
        node = stack.pop()
        if isinstance(node, FieldNode):
            yield node
        selection_set = getattr(node, "selection_set", None)
        if selection_set is not None:
            stack.extend(selection_set.selections)


def extensions() -> list[Any]:
    """Factories, so every request gets fresh extension state. The checked documents are the
    schema's (`FastSchema.checks`), shared by every request and both paths; the token limit
    stays for strawberry's own parse of a document the checks could not parse."""
    return [
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        CheckedDocuments,
        ErrorCodes,
        NoIntrospectionInProduction,
    ]
