"""Safe by default: limits on depth, aliases and tokens, and errors with stable codes.

Every GraphQL error leaves with `extensions.code`: `BAD_USER_INPUT` for input eventgraph refuses
(with eventgraph's own message), `GRAPH_STORE_UNAVAILABLE` when Neo4j is away,
`GRAPHQL_VALIDATION_FAILED` for queries the schema refuses, `TIMEOUT` when Neo4j stopped the
statement at the per-request timeout, and `INTERNAL_SERVER_ERROR` — with
the message masked, so no stack trace, Cypher text or driver message leaks — for anything else.
The fast path applies the same limits (`LIMIT_RULES`, `MAX_TOKENS`) before it runs anything.
"""

import logging
from collections.abc import Iterator
from typing import Any

from graphql import DocumentNode, FieldNode, GraphQLError
from strawberry.extensions import (
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.extensions.max_aliases import create_validator as aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule

from api.auth import AuthError
from api.graphql.resolve import QueryTimedOut
from graph.errors import EventGraphError, InvalidData, NotFound, Unavailable

log = logging.getLogger("eventgraph.graphql")

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 4000
LIMIT_RULES = (depth_rule(MAX_DEPTH, None), aliases_rule(MAX_ALIASES))
MASKED_MESSAGE = "Internal error: the request could not be answered."


def error_code(error: GraphQLError) -> str:
    original = error.original_error
    if original is None:
        return "GRAPHQL_VALIDATION_FAILED"
    if isinstance(original, AuthError):
        return "UNAUTHENTICATED" if original.status == 401 else "FORBIDDEN"
    if isinstance(original, Unavailable):
        return "GRAPH_STORE_UNAVAILABLE"
    if isinstance(original, QueryTimedOut):
        return "TIMEOUT"
    if isinstance(original, InvalidData | EventGraphError):
        return "BAD_USER_INPUT"
    return "INTERNAL_SERVER_ERROR"


class ErrorCodes(MaskErrors):
    """Mask what is not ours to tell; give every error a stable code."""

    def __init__(self) -> None:
        super().__init__(
            should_mask_error=lambda error: error_code(error) == "INTERNAL_SERVER_ERROR",
            error_message=MASKED_MESSAGE,
        )

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        return [coded(error) for error in errors]


def coded(error: GraphQLError) -> GraphQLError:
    """The error as the client sees it: eventgraph's own message or a masked one, and a code."""
    code = error_code(error)
    message = error.message
    original = error.original_error
    if isinstance(original, InvalidData):
        message = "; ".join(str(problem) for problem in original.problems)
    elif isinstance(original, Unavailable):
        message = "graph store unavailable: " + str(original)
    elif isinstance(original, NotFound | QueryTimedOut):
        message = str(original)
    elif code == "INTERNAL_SERVER_ERROR":
        log.error("GraphQL error masked for the client", exc_info=original)
        message = MASKED_MESSAGE
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
                        extensions={"code": "GRAPHQL_VALIDATION_FAILED"},
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
    """Factories, so every request gets fresh extension state (strawberry keeps the parser and
    validation caches at module level, shared by every request)."""
    return [
        lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
        lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: ParserCache(maxsize=512),
        lambda: ValidationCache(maxsize=512),
        ErrorCodes,
        NoIntrospectionInProduction,
    ]
