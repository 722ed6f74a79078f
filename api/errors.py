"""The API's own errors, and the one table that says how every error answers, everywhere.

`graph/errors.py` draws the whole tree; the classes marked (api) there live here, because they
speak of tokens, HTTP requests and GraphQL answers, which `graph/` knows nothing of.

`ERRORS` maps each class of the tree to its `Answer`: the GraphQL `extensions.code`, the HTTP
status, the `{"error": {"code"}}` of `/cypher` (and any route but /graphql) and the exit code of
the command line. A class answers as its nearest ancestor in the table (`answer_of`), and an
exception outside the tree as `EventGraphError`: masked, a 500, exit 1. Every place that turns
an error into an answer reads it here: the app's exception handlers (api/app.py), the GraphQL
error formatter (api/graphql/safety.py), the GraphQL-over-HTTP refusals (api/graphql/fast.py)
and the CLI (api/cli.py). `GRAPHQL_REQUEST_ERRORS` lists the codes graphql-core's own checks
give, which no class of ours raises. docs/graphql.md shows the table (`api/errordocs.py`).
"""

from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from eventgraph.graph.errors import (
    AuthenticationFailed,
    Conflict,
    EventGraphError,
    InvalidData,
    LocalNeo4jError,
    NotFound,
    QueryTimedOut,
    QueryTooLarge,
    Refused,
    SetupError,
    Unavailable,
)

# ---- the API's errors ---------------------------------------------------------------------


class PortUnavailable(EventGraphError):
    """The address `serve` should listen on is taken or not this machine's."""


class AppNotStarted(EventGraphError):
    """`eventgraph serve`'s app did not start (in a worker, or in its one process); the log
    line before says why."""


class AuthError(EventGraphError):
    """Missing, unknown or insufficient credentials."""


class Unauthenticated(AuthError):
    """No token, or one that is unknown or revoked."""


class Forbidden(AuthError):
    """A token whose role does not allow the request."""


class RequestRefused(EventGraphError):
    """A request the endpoint will not execute (not a GraphQL request, too large …): nothing
    ran. `headers` go with the answer (`Allow`, `Cache-Control`)."""

    def __init__(self, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers or {}

    @property
    def status(self) -> int:
        return answer_of(self).http

    def body(self) -> dict[str, Any]:
        """The GraphQL answer of the refused request: this error alone, no `data`."""
        return graphql_body(self)


class BatchTooLarge(RequestRefused):
    """A batch of more operations than one POST may hold (none of them runs)."""


class MethodNotAllowed(RequestRefused):
    """A mutation over GET."""


class RequestTooLarge(RequestRefused):
    """A body or a document over its size limit, refused before it is parsed."""


class UnsupportedMediaType(RequestRefused):
    """A POST whose body is not JSON."""


class PersistedQueryRefused(RequestRefused):
    """An operation's persisted-query extension cannot be honoured. In a batch it answers that
    operation only, not the whole batch."""


class PersistedQueryNotFound(PersistedQueryRefused):
    """The hash names no document this server knows: the client sends it with its hash next."""


class AnswerTooLarge(EventGraphError):
    """The answer would hold more than an operation may return."""


class StoredDataInvalid(EventGraphError):
    """A stored value the schema's type cannot hold: a required field with nothing stored, a
    kind outside its enum, a list that is not a list, a name that is not a string. Import
    validation keeps such values out, so they come from nodes written around it. `wrong` says
    what is wrong with the value (api/graphql/safety.py words it)."""

    def __init__(self, parent: str, field: str, wrong: str) -> None:
        self.parent, self.field = parent, field
        super().__init__(
            f"{parent}.{field}: {wrong} (written outside eventgraph's import); "
            "fix the node in the graph"
        )


# ---- the table ----------------------------------------------------------------------------


class Exit(IntEnum):
    """The command line's exit codes (0 is success); `EXIT_MEANINGS` says what each means."""

    FAILED = 1
    USAGE = 2
    UNAVAILABLE = 3
    INVALID_INPUT = 4
    REFUSED = 5
    NOT_FOUND = 6
    CONFLICT = 7
    TIMED_OUT = 8
    UNAUTHENTICATED = 9
    FORBIDDEN = 10
    SKIPPED = 11


EXIT_MEANINGS: dict[Exit, str] = {
    Exit.FAILED: "an error no other code names (a bug says so and asks to be reported)",
    Exit.USAGE: (
        "a usage mistake (an unknown option, a `--file` that cannot be read), a setting or a "
        "Neo4j login eventgraph cannot use, or a missing prerequisite (Java, Maven)"
    ),
    Exit.UNAVAILABLE: "Neo4j does not answer (and `neo4j status` when it is down)",
    Exit.INVALID_INPUT: "input that breaks the ontology (nothing was written)",
    Exit.REFUSED: "a Cypher query eventgraph or Neo4j refused",
    Exit.NOT_FOUND: "a node the command names does not exist",
    Exit.CONFLICT: "the graph holds something the input contradicts (nothing was written)",
    Exit.TIMED_OUT: "Neo4j stopped the query at its time limit",
    Exit.UNAUTHENTICATED: "no valid token (the API's; no command asks for one today)",
    Exit.FORBIDDEN: "a token without the role (the API's; no command asks for one today)",
    Exit.SKIPPED: "`import --skip-bad` wrote the good records and left out bad ones (stderr "
    "says which)",
}


INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
GRAPH_STORE_UNAVAILABLE = "GRAPH_STORE_UNAVAILABLE"


@dataclass(frozen=True)
class Answer:
    """How one kind of error answers on each surface."""

    graphql: str
    """`extensions.code` of its GraphQL error."""
    http: int
    """The HTTP status when it answers the whole request: on `/cypher` (any route but
    /graphql), or a GraphQL request refused before it runs. A GraphQL field error is part of
    an answer that is a 200."""
    route: str | None
    """`error.code` on `/cypher`; None: the error's own `code` (a `Refused` carries Neo4j's or
    eventgraph's)."""
    exit: Exit
    """The command line's exit code."""
    when: str
    """When a user meets it, for the docs."""


ERRORS: dict[type[EventGraphError], Answer] = {
    InvalidData: Answer(
        "BAD_USER_INPUT", 422, "EventGraph.InvalidData", Exit.INVALID_INPUT,
        "eventgraph refuses an argument or input (a cursor it did not give — negative, huge or "
        "not base64 —, page size, time, reference, `near` off the globe or a negative `km`, a "
        "`search` text the full-text index cannot parse; for imports and mutations, every "
        "problem with its field path), or a variable does not coerce (a string for an `Int`, "
        "an enum value that does not exist: a request error, so 400 / 200 as the first rows); "
        "the message names the argument or variable",
    ),
    NotFound: Answer(
        "NOT_FOUND", 404, "EventGraph.NotFound", Exit.NOT_FOUND,
        "the request names a node that does not exist (`retractEvent` of an unknown key, "
        "`export --entity`, `token revoke`, `mergeNodes` of an unknown key, `unmergeNodes` of "
        "an unknown merge)",
    ),
    Conflict: Answer(
        "CONFLICT", 409, "EventGraph.Conflict", Exit.CONFLICT,
        "the graph holds something the request contradicts (a claim or record id that belongs "
        "to another record; an index in the way of a constraint; merging a node already "
        "folded or a retracted event, unmerging twice); nothing was written",
    ),
    AuthError: Answer(
        "UNAUTHENTICATED", 401, "EventGraph.Unauthenticated", Exit.UNAUTHENTICATED,
        "credentials refused: always one of the two kinds below, raised as such",
    ),
    Unauthenticated: Answer(
        "UNAUTHENTICATED", 401, "EventGraph.Unauthenticated", Exit.UNAUTHENTICATED,
        "no token, or an unknown or revoked one (with `WWW-Authenticate: Bearer`)",
    ),
    Forbidden: Answer(
        "FORBIDDEN", 403, "EventGraph.Forbidden", Exit.FORBIDDEN,
        "a token without the role (mutations need editor)",
    ),
    Unavailable: Answer(
        GRAPH_STORE_UNAVAILABLE, 503, "EventGraph.Neo4j.Unavailable", Exit.UNAVAILABLE,
        "Neo4j does not answer: within a second, whether the token was checked a moment ago or "
        "must be checked now (HTTP 503 when the token check itself could not reach Neo4j); see "
        "docs/reliability.md",
    ),
    AuthenticationFailed: Answer(
        GRAPH_STORE_UNAVAILABLE, 503, "EventGraph.Neo4j.Unavailable", Exit.USAGE,
        "Neo4j refuses eventgraph's user name or password (`NEO4J_USER`, `NEO4J_PASSWORD`)",
    ),
    QueryTooLarge: Answer(
        "QUERY_TOO_LARGE", 400, None, Exit.REFUSED,
        "Neo4j stopped the statement for needing more memory than it allows: ask for less "
        "(never retried)",
    ),
    QueryTimedOut: Answer(
        "TIMEOUT", 504, None, Exit.TIMED_OUT,
        "the request's deadline ran out (Neo4j stopped the statement, or no time was left to "
        "start it): ask for less",
    ),
    AnswerTooLarge: Answer(
        "ANSWER_TOO_LARGE", 400, "EventGraph.Refused.AnswerTooLarge", Exit.REFUSED,
        "the answer would hold more than the limits allow (the message names which); no data: "
        "page with `first`, fewer aliases",
    ),
    StoredDataInvalid: Answer(
        "STORED_DATA_INVALID", 500, "EventGraph.StoredDataInvalid", Exit.FAILED,
        "a stored value breaks the schema (see below); the message names the field",
    ),
    Refused: Answer(
        "BAD_REQUEST", 400, None, Exit.REFUSED,
        "a Cypher query eventgraph will not run, or Neo4j refused (docs/cypher.md lists the "
        "codes: Neo4j's own or `EventGraph.Refused.*`)",
    ),
    RequestRefused: Answer(
        "BAD_REQUEST", 400, "EventGraph.Request.Invalid", Exit.REFUSED,
        "not a request the endpoint executes: body not JSON, no `query`, `variables` not an "
        "object, a subscription over HTTP; on `/cypher`, a body that is not `{query, "
        "parameters}`",
    ),
    PersistedQueryRefused: Answer(
        "BAD_REQUEST", 400, "EventGraph.Request.Invalid", Exit.REFUSED,
        "a persisted query's hash that is not the document's SHA-256, or another version",
    ),
    PersistedQueryNotFound: Answer(
        "PERSISTED_QUERY_NOT_FOUND", 200, "EventGraph.Request.PersistedQueryNotFound",
        Exit.REFUSED,
        "the hash names no document this server knows: send the document with its hash "
        "(HTTP 200 and `Cache-Control: no-cache`, as Apollo's link expects)",
    ),
    BatchTooLarge: Answer(
        "BATCH_TOO_LARGE", 400, "EventGraph.Request.BatchTooLarge", Exit.REFUSED,
        "a batch of more than 10 operations (none of them runs)",
    ),
    MethodNotAllowed: Answer(
        "METHOD_NOT_ALLOWED", 405, "EventGraph.Request.MethodNotAllowed", Exit.REFUSED,
        "a mutation over GET (with `Allow: POST`)",
    ),
    RequestTooLarge: Answer(
        "REQUEST_TOO_LARGE", 413, "EventGraph.Request.TooLarge", Exit.REFUSED,
        "a body over 512 KiB or a document over 100,000 characters",
    ),
    UnsupportedMediaType: Answer(
        "UNSUPPORTED_MEDIA_TYPE", 415, "EventGraph.Request.UnsupportedMediaType", Exit.REFUSED,
        "a POST that is not `application/json`",
    ),
    EventGraphError: Answer(
        INTERNAL_SERVER_ERROR, 500, "EventGraph.Internal", Exit.FAILED,
        "anything else; the message is masked and the details go to the server log (an error "
        "outside GraphQL's own handling answers HTTP 500 with a request id the log names too)",
    ),
    SetupError: Answer(
        INTERNAL_SERVER_ERROR, 500, "EventGraph.Internal", Exit.USAGE,
        "a tool eventgraph needs (Java, Maven) is missing or too old",
    ),
    LocalNeo4jError: Answer(
        INTERNAL_SERVER_ERROR, 500, "EventGraph.Internal", Exit.FAILED,
        "the local Neo4j could not be started or stopped (a port taken, a crash on start)",
    ),
    PortUnavailable: Answer(
        INTERNAL_SERVER_ERROR, 500, "EventGraph.Internal", Exit.FAILED,
        "`eventgraph serve` cannot listen on its address (in use, privileged, not this "
        "machine's)",
    ),
    AppNotStarted: Answer(
        INTERNAL_SERVER_ERROR, 500, "EventGraph.Internal", Exit.FAILED,
        "`eventgraph serve`'s app did not start in one of its processes (the log says why)",
    ),
}  # fmt: skip

GRAPHQL_REQUEST_ERRORS: dict[str, str] = {
    GRAPHQL_PARSE_FAILED: "the document does not parse (or is over the token limit)",
    GRAPHQL_VALIDATION_FAILED: (
        "the schema refuses it (unknown field, wrong type, too deep, too many aliases); in "
        'production mode without graphql-core\'s "Did you mean …" hints, which name fields, '
        "arguments, types and enum values"
    ),
    "QUERY_TOO_COMPLEX": (
        "the document is over the expanded size, repeat or cost limit, or took over 2 s to "
        "check; the message names the figure and the limit"
    ),
    "SERVER_BUSY": (
        "more new documents are being checked than may wait for it (8): try again in a moment "
        "(documents checked before are answered meanwhile)"
    ),
}
"""Codes of GraphQL request errors that graphql-core's checks and ours (api/graphql/cost.py)
give before anything runs, with no exception of ours behind them: HTTP 400 with
`application/graphql-response+json`, else 200."""


def answer_of(error: BaseException | type[BaseException]) -> Answer:
    """The row of the error's class or its nearest ancestor; `EventGraphError`'s for any other."""
    kind = error if isinstance(error, type) else type(error)
    for ancestor in kind.__mro__:
        if ancestor in ERRORS:
            return ERRORS[ancestor]
    return ERRORS[EventGraphError]


def is_internal(error: BaseException) -> bool:
    """True when the client is told only that something went wrong (the log has the rest)."""
    return answer_of(error).graphql == INTERNAL_SERVER_ERROR


def route_code(error: BaseException) -> str:
    """`error.code` on `/cypher`: the table's, or the `Refused` error's own."""
    code = answer_of(error).route
    if code is None:
        return error.code if isinstance(error, Refused) else "EventGraph.Internal"
    return code


def user_message(error: BaseException) -> str:
    """The message the API tells (the CLI prints `str(error)`, which adds a `Refused` error's
    code and lists an `InvalidData`'s problems on lines of their own)."""
    if isinstance(error, Refused):
        return error.reason
    if isinstance(error, InvalidData):
        return "; ".join(str(problem) for problem in error.problems)
    return str(error)


def graphql_message(error: BaseException) -> str:
    """`user_message`, saying first when it is the graph store that is away."""
    message = user_message(error)
    if isinstance(error, Unavailable):
        return "graph store unavailable: " + message
    return message


def graphql_body(error: BaseException, message: str | None = None) -> dict[str, Any]:
    """A GraphQL answer holding this error alone: `{"errors": [{message, extensions.code}]}`."""
    told = graphql_message(error) if message is None else message
    return {"errors": [{"message": told, "extensions": {"code": answer_of(error).graphql}}]}


def http_headers(error: BaseException) -> dict[str, str]:
    """Headers the HTTP answer of this error carries."""
    if isinstance(error, Unauthenticated):
        return {"WWW-Authenticate": "Bearer"}
    if isinstance(error, RequestRefused):
        return error.headers
    return {}


def graphql_code_for_status(status: int) -> str:
    """The code of an HTTP error raised around GraphQL rather than by it (FastAPI's own
    `HTTPException`): the refusal or auth error of that status, else `BAD_REQUEST`."""
    for kind, answer in ERRORS.items():
        if issubclass(kind, RequestRefused | AuthError) and answer.http == status:
            return answer.graphql
    return ERRORS[RequestRefused].graphql
