"""Counting what the app does, from the outside: the statements it sends to Neo4j (through its
real drivers, wrapped) and what the GraphQL fast path did (through the schema's own steps,
wrapped on the one schema for a while). Instrumentation of the real parts, not mocks; the
production classes keep no counters for the tests."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from neo4j import Driver

from eventgraph.api.graphql import fast
from eventgraph.api.graphql.schema import schema
from eventgraph.api.graphql.shaping import Nonconforming


class CountingSession:
    def __init__(self, session: Any, owner: "CountingDriver") -> None:
        self._session, self._owner = session, owner

    def run(self, *args: Any, **kwargs: Any) -> Any:
        self._owner.statements += 1
        return self._session.run(*args, **kwargs)

    def __enter__(self) -> "CountingSession":
        self._session.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._session.__exit__(*exc)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)


class CountingDriver:
    """The real driver, counting the statements sent through it."""

    def __init__(self, driver: Driver) -> None:
        self._driver = driver
        self.statements = 0

    def execute_query(self, *args: Any, **kwargs: Any) -> Any:
        self.statements += 1
        return self._driver.execute_query(*args, **kwargs)

    def session(self, *args: Any, **kwargs: Any) -> CountingSession:
        return CountingSession(self._driver.session(*args, **kwargs), self)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._driver, name)


class CountingAsyncSession:
    """An async session of the real driver, counting into its CountingDriver."""

    def __init__(self, session: Any, owner: CountingDriver) -> None:
        self._session, self._owner = session, owner

    async def run(self, *args: Any, **kwargs: Any) -> Any:
        self._owner.statements += 1
        return await self._session.run(*args, **kwargs)

    async def __aenter__(self) -> "CountingAsyncSession":
        await self._session.__aenter__()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self._session.__aexit__(*exc)


class CountingAsyncDriver:
    """The real async driver (the fast path's), counting into a CountingDriver."""

    def __init__(self, driver: Any, owner: CountingDriver) -> None:
        self._driver, self._owner = driver, owner

    def session(self, *args: Any, **kwargs: Any) -> CountingAsyncSession:
        return CountingAsyncSession(self._driver.session(*args, **kwargs), self._owner)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._driver, name)


@contextmanager
def counting_statements(app: Any) -> Iterator[CountingDriver]:
    """Count every statement the app sends to Neo4j, through either driver of its executor."""
    executor = app.state.executor
    counting = CountingDriver(executor.driver)
    async_driver = executor.async_driver
    executor.driver, executor.async_driver = counting, CountingAsyncDriver(async_driver, counting)
    try:
        yield counting
    finally:
        executor.driver, executor.async_driver = counting._driver, async_driver


@dataclass
class FastPathTally:
    answered: int = 0
    """Operations the fast path answered itself."""
    fell_back: int = 0
    """Operations it left to the standard path because a stored value broke the schema."""
    compiled: int = 0
    """Root fields it compiled (a plan taken from its cache is not compiled again)."""


@contextmanager
def watching_fast_path() -> Iterator[FastPathTally]:
    """Tally what the fast path does while in the block: its own steps (answering, shaping,
    compiling a root field), each wrapped on the app's one schema and put back after. Not
    re-entrant: one watch at a time."""
    tally = FastPathTally()
    fast_names = vars(fast)  # the fast path compiles a root field by this module-level name
    answer, planned, compile_root = (
        schema._answer_planned,
        schema._planned,
        fast_names["plan_root"],
    )

    async def answering(*args: Any, **kwargs: Any) -> Any:
        result = await answer(*args, **kwargs)
        tally.answered += result is not None
        return result

    def shaping(shape: Any) -> Any:
        def counted(value: Any) -> Any:
            try:
                return shape(value)
            except Nonconforming:
                tally.fell_back += 1
                raise

        return counted

    def planning(*args: Any, **kwargs: Any) -> Any:
        plans = planned(*args, **kwargs)
        if plans is None:
            return None
        return tuple(replace(field, shape=shaping(field.shape)) for field in plans)

    def compiling(*args: Any, **kwargs: Any) -> Any:
        tally.compiled += 1
        return compile_root(*args, **kwargs)

    schema._answer_planned, schema._planned = answering, planning  # type: ignore[method-assign]
    fast_names["plan_root"] = compiling
    try:
        yield tally
    finally:
        del schema._answer_planned, schema._planned  # the class's own methods answer again
        fast_names["plan_root"] = compile_root
