"""Read-your-writes across API replicas: causal consistency by Neo4j bookmarks.

Several `eventgraph serve` processes behind a load balancer share one Neo4j (or a cluster,
through `neo4j://`, where reads go to secondaries that may lag). A client that wrote through
one replica and reads through another may miss its own write. A bookmark names a point in the
database's history: a write's answer carries the bookmark of the state it left
(`X-EventGraph-Bookmark` and `extensions.bookmarks`, `api/consistency.py`), and a request that
sends it back reads at least that fresh — Neo4j waits until the server reading has caught up.

This module holds, for the request being served (a context variable: worker threads the request
hands work to see it too), the bookmarks it asked to read after and the ones its writes left;
`graph/executor.py` reads the first into every session and writes the second after a write.
"""

from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field

from neo4j import Bookmarks

from eventgraph.graph.errors import EventGraphError, InvalidData, Problem, Unavailable

BAD_BOOKMARK_CODES = frozenset(
    {
        "Neo.ClientError.Transaction.InvalidBookmark",
        "Neo.ClientError.Transaction.InvalidBookmarkMixture",
    }
)
BOOKMARK_TIMEOUT_CODE = "Neo.TransientError.Transaction.BookmarkTimeout"
MAX_BOOKMARKS = 16
"""A request may name at most this many bookmarks (a client that wrote through several
replicas sends each one's)."""


@dataclass
class Consistency:
    """One request's bookmarks: what it reads after, what its writes left."""

    wanted: tuple[str, ...] = ()
    left: set[str] = field(default_factory=set)

    def bookmarks(self) -> Bookmarks | None:
        return Bookmarks.from_raw_values(self.wanted) if self.wanted else None

    def note(self, bookmarks: Bookmarks) -> None:
        self.left.update(bookmarks.raw_values)


_current: ContextVar[Consistency | None] = ContextVar("eventgraph_consistency", default=None)


def begin(wanted: Iterable[str]) -> Consistency:
    """Start the current request's consistency with the bookmarks it sent."""
    consistency = Consistency(tuple(wanted))
    _current.set(consistency)
    return consistency


def current() -> Consistency | None:
    """The request's (None outside a request: the command line, the tests' direct calls)."""
    return _current.get()


BOOKMARK_FIELD = "X-EventGraph-Bookmark"
"""Where a request gives its bookmarks (the HTTP header), as its problems name it."""


def wanted_bookmarks() -> Bookmarks | None:
    """What the request's reads must be at least as fresh as (None: as the server is)."""
    found = _current.get()
    if found is None:
        return None
    if len(found.wanted) > MAX_BOOKMARKS:
        problem = f"at most {MAX_BOOKMARKS} bookmarks, comma-separated"
        raise InvalidData([Problem(BOOKMARK_FIELD, "bookmark", problem)])
    return found.bookmarks()


def note_written(bookmarks: Bookmarks) -> None:
    """Keep the bookmark a write (or a read after it, on the writer) left."""
    found = _current.get()
    if found is not None:
        found.note(bookmarks)


def bookmark_error(code: str | None) -> EventGraphError | None:
    """What Neo4j's refusal of a request's bookmarks means to its client (None: not that)."""
    if code in BAD_BOOKMARK_CODES:
        problem = (
            "not a bookmark this database gave: send back the "
            f"{BOOKMARK_FIELD} value an answer carried, as it came"
        )
        return InvalidData([Problem(BOOKMARK_FIELD, "bookmark", problem)])
    if code == BOOKMARK_TIMEOUT_CODE:
        return Unavailable(
            "the database has not caught up with the bookmark sent yet (a replica lagging "
            "behind the writer): try again in a moment"
        )
    return None
