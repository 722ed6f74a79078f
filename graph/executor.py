"""The one way the API runs Cypher: sessions, transactions, timeouts, retries, and what a Neo4j
that does not answer means to the caller.

An `Executor` holds the process's drivers (`graph/driver.py` opens them) and runs `Statement`s,
the parameterised statements the compiler (`graph/translate/`) and the other aggregates build:

- reads run as one auto-commit query in a READ session, with the time the caller has left
  (`timeout`) as Neo4j's transaction timeout; writes go through the graph functions that own
  them (the importer, retraction), handed the driver by `call`;
- retries are the drivers' business: the API's drivers are opened `for_requests` and make one
  attempt, so a client hears at once that Neo4j is away instead of after a retry loop;
- every session reads at least as fresh as the bookmarks the request sent, and a write's
  bookmark is kept for its answer (`graph/consistency.py`: read-your-writes across replicas);
- a read on the event loop that names no bookmarks runs in a READ session kept open for the
  next such read (`_ReadSessions`): opening and closing a session per request was a sixth of
  the driver's CPU in a point lookup. A kept session holds no connection between reads; it
  sends the bookmark of its own last read, so reads through it never go back in time.
- whatever fails is told one way (`translated`): Neo4j away or the connection broken is
  `Unavailable` naming the URI and what to do, the memory limit `QueryTooLarge`, the timeout
  `QueryTimedOut`, an error code the statement names in `refusals` `InvalidData`; any other
  error is raised unchanged (the API masks it).
"""

import asyncio
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from neo4j import READ_ACCESS, WRITE_ACCESS, AsyncDriver, AsyncSession, Driver, Query, Record
from neo4j.exceptions import DriverError, Neo4jError

from eventgraph.graph import consistency
from eventgraph.graph.driver import store_error
from eventgraph.graph.errors import InvalidData, Problem, QueryTimedOut
from eventgraph.graph.settings import Settings

T = TypeVar("T")

TIMED_OUT_CODE = "Neo.ClientError.Transaction.TransactionTimedOut"
"""The code (and prefix of the codes) Neo4j stops a statement with at its timeout."""
KEPT_READ_SESSIONS = 32
"""At most this many idle READ sessions are kept per event loop (one per read in flight)."""


@dataclass(frozen=True)
class Statement:
    """One parameterised Cypher statement: values only ever in `params`."""

    cypher: str
    params: dict[str, Any]
    refusals: tuple[tuple[str, Problem], ...] = ()
    """Neo4j error codes that mean the caller's input was refused, with the problem to tell
    (the full-text index refusing a query it cannot parse)."""


class _ReadSessions:
    """Idle READ sessions of one async driver, per event loop (a session belongs to the loop
    it was opened on), for reads that name no bookmarks."""

    def __init__(self, driver: AsyncDriver, database: str) -> None:
        self.driver = driver
        self.database = database
        self.idle: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, list[AsyncSession]] = (
            weakref.WeakKeyDictionary()
        )

    def take(self, driver: AsyncDriver) -> AsyncSession:
        """An idle session of `driver` on this loop, or a new one (a driver swapped in for
        the executor's drops the sessions of the one before)."""
        if driver is not self.driver:
            self.driver = driver
            self.idle.clear()
        kept = self.idle.get(asyncio.get_running_loop())
        if kept:
            return kept.pop()
        return self.driver.session(database=self.database, default_access_mode=READ_ACCESS)

    def give_back(self, session: AsyncSession) -> None:
        """Keep `session` (its read ran to the end) for the next read on this loop."""
        kept = self.idle.setdefault(asyncio.get_running_loop(), [])
        if len(kept) < KEPT_READ_SESSIONS:
            kept.append(session)

    async def read(self, driver: AsyncDriver, query: Query, params: dict[str, Any]) -> list[Record]:
        """Every record of `query`; a session whose read failed or was cancelled is closed as
        `async with` would close it (a cancelled one drops its connection), never kept."""
        session = self.take(driver)
        try:
            result = await session.run(query, params)
            records = [record async for record in result]
        except BaseException:
            async with session:  # closes it seeing the error: a cancelled one drops its link
                raise
        self.give_back(session)
        return records


class Executor:
    """Runs statements against one database for the API (both GraphQL paths, mutations,
    subscriptions and the live feed)."""

    def __init__(
        self, settings: Settings, driver: Driver, async_driver: AsyncDriver | None = None
    ) -> None:
        self.settings = settings
        self.driver = driver
        self.async_driver = async_driver
        self.database = settings.neo4j_database
        self._read_sessions = (
            None if async_driver is None else _ReadSessions(async_driver, self.database)
        )

    def read(
        self, statement: Statement, timeout: float | None = None, *, after_write: bool = False
    ) -> list[Record]:
        """Every record of a read statement (in a worker thread: the driver blocks).
        `after_write` reads where writes go (a cluster's leader), so it sees what was written."""
        try:
            with self.driver.session(
                database=self.database,
                default_access_mode=_access(after_write),
                bookmarks=consistency.wanted_bookmarks(),
            ) as session:
                query = Query(statement.cypher, timeout=timeout)
                records = list(session.run(query, statement.params))
                if after_write:
                    consistency.note_written(session.last_bookmarks())
                return records
        except (Neo4jError, DriverError, OSError) as error:
            raise self.translated(error, statement, timeout) from None

    def read_one(
        self, statement: Statement, timeout: float | None = None, *, after_write: bool = False
    ) -> Record | None:
        """The one record of a read statement (None when it returned none)."""
        records = self.read(statement, timeout, after_write=after_write)
        return records[0] if records else None

    async def read_async(
        self, statement: Statement, timeout: float | None = None, *, after_write: bool = False
    ) -> list[Record]:
        """`read` on the event loop: the async driver when there is one, else a worker thread."""
        if self.async_driver is None:
            return await asyncio.to_thread(
                lambda: self.read(statement, timeout, after_write=after_write)
            )
        try:
            query = Query(statement.cypher, timeout=timeout)
            wanted = consistency.wanted_bookmarks()
            if wanted is None and not after_write and self._read_sessions is not None:
                return await self._read_sessions.read(self.async_driver, query, statement.params)
            async with self.async_driver.session(
                database=self.database,
                default_access_mode=_access(after_write),
                bookmarks=wanted,
            ) as session:
                result = await session.run(query, statement.params)
                records = [record async for record in result]
                if after_write:
                    consistency.note_written(await session.last_bookmarks())
                return records
        except (Neo4jError, DriverError, OSError) as error:
            raise self.translated(error, statement, timeout) from None

    async def read_one_async(
        self, statement: Statement, timeout: float | None = None, *, after_write: bool = False
    ) -> Record | None:
        """`read_one` on the event loop."""
        records = await self.read_async(statement, timeout, after_write=after_write)
        return records[0] if records else None

    def call(self, work: Callable[..., T], *args: Any) -> T:
        """Run a graph function that takes (driver, database, *args) and owns its own
        transactions (the importer's writer, retraction), its failures told as `read`'s."""
        try:
            return work(self.driver, self.database, *args)
        except (Neo4jError, DriverError, OSError) as error:
            translated = self.translated(error, None, None)
            if translated is error:
                raise
            raise translated from None

    def note_writes(self) -> None:
        """Keep, for the request's answer, a bookmark at least as new as its writes (which
        ran in the graph functions' own sessions): an empty transaction on the writer, after
        them, gives one."""
        if consistency.current() is None:
            return
        try:
            with self.driver.session(
                database=self.database,
                default_access_mode=WRITE_ACCESS,
                bookmarks=consistency.wanted_bookmarks(),
            ) as session:
                session.run("RETURN 1").consume()
                consistency.note_written(session.last_bookmarks())
        except (Neo4jError, DriverError, OSError) as error:
            raise self.translated(error, None, None) from None

    def translated(
        self, error: Exception, statement: Statement | None, timeout: float | None
    ) -> Exception:
        """The driver's error as eventgraph tells it (unchanged when it is none of ours)."""
        code = error.code if isinstance(error, Neo4jError) else None
        if timeout is not None and (code or "").startswith(TIMED_OUT_CODE):
            return QueryTimedOut(
                f"the query took longer than {timeout:g} s: ask for less (fewer nested lists, "
                "a smaller page or window)"
            )
        bookmark_error = consistency.bookmark_error(code)
        if bookmark_error is not None:
            return bookmark_error
        for refused_code, problem in statement.refusals if statement is not None else ():
            if code == refused_code:
                return InvalidData([problem])
        return store_error(error, self.settings)


def _access(after_write: bool) -> str:
    return WRITE_ACCESS if after_write else READ_ACCESS
