"""The executor's kept READ sessions (`graph/executor.py`) and the driver hook the importer's
writes lean on (`graph/driver.py`), against the real test Neo4j."""

import asyncio
from collections.abc import Iterator

import pytest
from neo4j import Driver

from eventgraph.graph import consistency
from eventgraph.graph.driver import begin_with_first_query, open_async_driver, open_driver
from eventgraph.graph.errors import QueryTimedOut
from eventgraph.graph.executor import KEPT_READ_SESSIONS, Executor, Statement
from eventgraph.graph.settings import Settings

MARKER = "executor-sessions-marker"
COUNT_MARKERS = Statement(
    "MATCH (m:ExecutorSessionsMarker {name: $name}) RETURN count(m) AS n", {"name": MARKER}
)


@pytest.fixture
def marked(clean_graph: Driver, settings: Settings) -> Iterator[Driver]:
    """An empty graph; the markers the test writes are removed after it."""
    yield clean_graph
    clean_graph.execute_query(
        "MATCH (m:ExecutorSessionsMarker) DELETE m", database_=settings.neo4j_database
    )


async def _with_executor(settings: Settings, work: object) -> object:
    driver = open_driver(settings, for_requests=True)
    async_driver = open_async_driver(settings, for_requests=True)
    try:
        return await work(Executor(settings, driver, async_driver))  # type: ignore[operator]
    finally:
        await async_driver.close()
        driver.close()


def _kept(executor: Executor) -> list[object]:
    sessions = executor._read_sessions
    assert sessions is not None
    return list(sessions.idle.get(asyncio.get_running_loop(), []))


def test_reads_without_bookmarks_share_a_kept_session_and_see_each_new_write(
    marked: Driver, settings: Settings
) -> None:
    async def work(executor: Executor) -> None:
        counts = []
        for _ in range(3):
            # Written on another driver between the reads: the kept session must not lag.
            marked.execute_query(
                "CREATE (:ExecutorSessionsMarker {name: $name})",
                name=MARKER,
                database_=settings.neo4j_database,
            )
            record = await executor.read_one_async(COUNT_MARKERS, 5.0)
            assert record is not None
            counts.append(record["n"])
            assert len(_kept(executor)) == 1
        assert counts == [1, 2, 3]
        first = _kept(executor)[0]
        await executor.read_one_async(COUNT_MARKERS, 5.0)
        assert _kept(executor) == [first]

    asyncio.run(_with_executor(settings, work))


def test_concurrent_reads_keep_at_most_the_cap(marked: Driver, settings: Settings) -> None:
    async def work(executor: Executor) -> None:
        records = await asyncio.gather(
            *(executor.read_one_async(COUNT_MARKERS, 5.0) for _ in range(KEPT_READ_SESSIONS + 8))
        )
        assert all(record is not None and record["n"] == 0 for record in records)
        assert len(_kept(executor)) == KEPT_READ_SESSIONS

    asyncio.run(_with_executor(settings, work))


def test_a_failed_or_cancelled_read_leaves_no_session_behind(
    marked: Driver, settings: Settings
) -> None:
    slow = Statement("UNWIND range(1, 100000000) AS i WITH sum(i) AS s RETURN s", {})

    async def work(executor: Executor) -> None:
        with pytest.raises(QueryTimedOut):
            await executor.read_async(slow, 0.2)
        assert _kept(executor) == []
        running = asyncio.ensure_future(executor.read_async(slow, 30.0))
        await asyncio.sleep(0.3)
        running.cancel()
        with pytest.raises(asyncio.CancelledError):
            await running
        assert _kept(executor) == []
        record = await executor.read_one_async(COUNT_MARKERS, 5.0)
        assert record is not None and record["n"] == 0
        assert len(_kept(executor)) == 1

    asyncio.run(_with_executor(settings, work))


def test_a_read_with_bookmarks_runs_in_a_session_of_its_own(
    marked: Driver, settings: Settings
) -> None:
    with marked.session(database=settings.neo4j_database) as session:
        session.run("CREATE (:ExecutorSessionsMarker {name: $name})", name=MARKER).consume()
        bookmarks = session.last_bookmarks().raw_values

    async def work(executor: Executor) -> None:
        consistency.begin(bookmarks)
        record = await executor.read_one_async(COUNT_MARKERS, 5.0)
        assert record is not None and record["n"] == 1
        assert _kept(executor) == []

    asyncio.run(_with_executor(settings, work))


def test_the_pinned_driver_has_the_pipelined_begin_switch(
    seed_story: Driver, settings: Settings
) -> None:
    """The importer's writes send BEGIN with their first query through a private switch of the
    driver; a driver upgrade that drops it would silently cost a round trip per write."""
    with seed_story.session(database=settings.neo4j_database) as session:
        switch = begin_with_first_query(session)
        assert switch is session._pipelined_begin
        with switch:
            assert bool(switch)
            assert session.run("RETURN 1 AS one").single(strict=True)["one"] == 1
        assert not bool(switch)
