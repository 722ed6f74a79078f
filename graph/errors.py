"""The errors eventgraph reports, each with a message a user can act on: the whole tree.

    EventGraphError                 base: `str(error)` is the whole user-facing message
    ├── SetupError                  a prerequisite is missing (Java, Maven)
    ├── LocalNeo4jError             the local Neo4j could not be started or stopped
    ├── PortUnavailable             `eventgraph serve` cannot listen on its address   (api)
    ├── AppNotStarted               `eventgraph serve`'s app did not start            (api)
    ├── Unavailable                 Neo4j does not answer at the configured URI
    │   └── AuthenticationFailed    Neo4j answers but refuses the credentials
    ├── InvalidData                 input breaks the ontology; carries per-field problems
    ├── NotFound                    a referenced node does not exist
    ├── Conflict                    the graph already holds something incompatible
    ├── Refused                     a Cypher query that is not read-only or that Neo4j refused;
    │   │                           carries Neo4j's status code or eventgraph's own
    │   ├── QueryTooLarge           Neo4j stopped a query that needed more memory than allowed
    │   └── QueryTimedOut           Neo4j stopped a query at its time limit, or none was left
    ├── AuthError                   the caller's token                                 (api)
    │   ├── Unauthenticated         no token, or an unknown or revoked one
    │   └── Forbidden               a token without the role the request needs
    ├── RequestRefused              not a request the endpoint executes: nothing ran   (api)
    │   ├── BatchTooLarge           more operations in one POST than allowed
    │   ├── MethodNotAllowed        a mutation over GET
    │   ├── RequestTooLarge         a body or document over its size limit
    │   ├── UnsupportedMediaType    a POST that is not JSON
    │   └── PersistedQueryRefused   a persisted query's extension that cannot be honoured
    │       └── PersistedQueryNotFound   its hash names no document this server knows
    ├── AnswerTooLarge              a GraphQL answer over the operation's budget       (api)
    └── StoredDataInvalid           a stored value breaks the GraphQL schema's promise  (api)

The classes marked (api) are the API's own and live in `api/errors.py`, which also holds the
one table that maps every class to its HTTP status, GraphQL `extensions.code`, `/cypher` code
and CLI exit code (docs/graphql.md shows it). Messages name the URI, never the password.
"""

import dataclasses
from dataclasses import dataclass
from typing import Literal


def a_or_an(noun: str) -> str:
    """`noun` with its indefinite article, for messages: "an editor", "a reader", "an Actor"."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


class EventGraphError(Exception):
    """Base of every error eventgraph reports to a user."""


class SetupError(EventGraphError):
    """A tool eventgraph needs is missing or too old."""


class LocalNeo4jError(EventGraphError):
    """The local Neo4j launcher failed (port taken, crashed on start, did not stop)."""


class Unavailable(EventGraphError):
    """Neo4j cannot be reached."""


class AuthenticationFailed(Unavailable):
    """Neo4j refused the user name or password."""


@dataclass(frozen=True)
class Subject:
    """The one piece of an import's input a problem is about, for `--skip-bad` to leave out
    (importer/skipping.py) without reading the problem's words."""

    kind: Literal["record", "row", "dropped"]
    """`record`: a record the files give again each round (`key` is its record path, e.g.
    `events[3]`); `row`: a row that attaches to a record of any file (a CSV claims row, a GDELT
    mention; `key` is its line); `dropped`: what the reader already left out (a feed's row)."""
    file: str
    key: str = ""
    id: str | None = None
    """The record's own id, if it gives one: what refers to it is left out with it."""
    refers: str | None = None
    """The id the problem is about, if it is a reference (an unknown one, say)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one piece of input."""

    where: str
    """File and line, or record path, e.g. `seeds/story.yaml:42` or `events[3]`."""
    field: str
    """The field at fault; when it is `where` itself (an argument: `id`), it is said once."""
    reason: str
    suggestion: str | None = None
    about: Subject | None = dataclasses.field(default=None, compare=False, repr=False)
    """What of an import's input it is about (None: the file as a whole, or not an import's)."""

    def __str__(self) -> str:
        hint = f" ({self.suggestion})" if self.suggestion else ""
        place = self.where if self.field in ("", self.where) else f"{self.where}: {self.field}"
        return f"{place}: {self.reason}{hint}"


class InvalidData(EventGraphError):
    """Input that breaks the ontology; nothing was written."""

    def __init__(self, problems: list[Problem], rejected: dict[str, int] | None = None) -> None:
        self.problems = problems
        self.rejected = rejected or {}
        lines = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"{len(problems)} problem(s), nothing was written:\n{lines}")


class NotFound(EventGraphError):
    """A node the request names does not exist."""


class Conflict(EventGraphError):
    """The graph holds something the request contradicts."""


class Refused(EventGraphError):
    """A query eventgraph will not run, or Neo4j would not: `code` says which rule or error.

    `code` is Neo4j's status code (`Neo.ClientError.Statement.SyntaxError`, a timeout …) or one
    of eventgraph's own (`EventGraph.Refused.LoadCsv` …); `reason` is the message to act on.
    """

    def __init__(self, code: str, reason: str) -> None:
        self.code = code
        self.reason = reason
        super().__init__(f"{reason} ({code})")


class QueryTooLarge(Refused):
    """Neo4j stopped the query for needing more memory than it allows a transaction
    (`db.memory.transaction.max`, the memory pool): asking again would fail again, so it is
    told at once, never retried."""

    CODE = "EventGraph.Refused.QueryTooLarge"

    def __init__(self) -> None:
        super().__init__(self.CODE, "the query needed more memory than Neo4j allows: ask for less")


class QueryTimedOut(Refused):
    """Neo4j stopped the statement at its timeout (`EVENTGRAPH_GRAPHQL_TIMEOUT_S`,
    `EVENTGRAPH_CYPHER_TIMEOUT_S`), or the request had no time left to start it. `code` is
    Neo4j's when Neo4j stopped it."""

    CODE = "EventGraph.Refused.TimedOut"

    def __init__(self, reason: str, code: str = CODE) -> None:
        super().__init__(code, reason)
