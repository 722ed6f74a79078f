"""Parsing and validating a document, once, off the event loop, within a time budget.

Both GraphQL paths (the fast path and strawberry's `execute` and `subscribe`, through the
`CheckedDocuments` extension) get a document from `DocumentChecks`: parsed with `MAX_TOKENS`,
measured by `api/graphql/cost.py` (linear in the document), and only when it is within every
limit validated by graphql-core's rules, some of which are quadratic in the fields of a name.
A document not seen before is checked in a worker thread; if that takes longer than
`CHECK_BUDGET_S`, the request is refused (`QUERY_TOO_COMPLEX`) and the event loop — `/health`,
every other request — never waits for it. The verdict, whatever it is, is cached by document.

A thread cannot be stopped, so a check over its budget goes on in its thread until it ends. What
keeps such checks from piling up: there are `CHECK_THREADS` threads, at most `CHECKS_WAITING`
more documents wait for one, and a document sent again while it is being checked waits for that
same check. With that many in flight, the next new document is refused at once (`SERVER_BUSY`:
try again in a moment), and one that waited its whole budget for a thread is not checked at all.
Documents checked before answer from the cache meanwhile, and `/health` never waits.
"""

import asyncio
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Collection, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from graphql import (
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    parse,
    specified_rules,
    validate,
)
from strawberry.extensions import SchemaExtension
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from eventgraph.api.graphql.cost import MAX_TOKENS, TOO_COMPLEX, refusals

CHECK_BUDGET_S = 2.0
"""How long checking one new document may take before the request is refused (wall time: on a
loaded 2-core machine a stall pushed a one-line document past 1 s once). The limits
refuse hostile documents in milliseconds; a valid document of 4,000 tokens validates in about
0.1 s on a loaded two-core machine."""
CACHE_SIZE = 512
CHECK_THREADS = 2
"""Threads of their own: a slow check never takes the threads Neo4j calls run in."""
CHECKS_WAITING = 6
"""New documents that may wait for a checking thread; more in flight than that and the threads
are refused as busy."""
BUSY = "SERVER_BUSY"

RULES: tuple[type[ASTValidationRule], ...] = (
    *specified_rules,
    MaybeNullValidationRule,
    OneOfInputValidationRule,
)
"""graphql-core's rules and the two strawberry adds to them, as strawberry validates."""


@dataclass(frozen=True)
class Checked:
    """A document's verdict: parsed (or not) and its errors (none when it may run)."""

    document: DocumentNode | None
    errors: tuple[GraphQLError, ...] = ()

    @property
    def runnable(self) -> bool:
        return self.document is not None and not self.errors


class DocumentChecks:
    """Checked documents of one schema, by their text (LRU)."""

    def __init__(
        self,
        schema: GraphQLSchema,
        rules: Collection[type[ASTValidationRule]] = RULES,
        budget_s: float = CHECK_BUDGET_S,
    ) -> None:
        self._schema = schema
        self._rules = rules
        self._budget_s = budget_s
        self._cache: OrderedDict[str, Checked] = OrderedDict()
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(CHECK_THREADS, thread_name_prefix="graphql-check")
        self._in_flight: dict[str, Future[Checked | None]] = {}
        """Documents being checked or waiting for a thread (under `_lock`)."""

    def cached(self, query: str) -> Checked | None:
        """The verdict, if this document was checked already (never checks it here)."""
        with self._lock:
            checked = self._cache.get(query)
            if checked is not None:
                self._cache.move_to_end(query)
            return checked

    def check(self, query: str) -> Checked:
        """Parse, measure, validate (blocking: call it from a worker thread), and cache."""
        checked = self.cached(query)
        if checked is not None:
            return checked
        try:
            document = parse(query, max_tokens=MAX_TOKENS)
        except GraphQLError as error:
            checked = Checked(None, (error,))
        else:
            refused = refusals(self._schema, document)
            errors = refused or validate(self._schema, document, self._rules)
            checked = Checked(document, tuple(errors))
        with self._lock:
            self._cache[query] = checked
            if len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return checked

    async def checked(self, query: str) -> Checked:
        """The verdict, checked in a worker thread unless cached; a refusal (with the document
        unparsed) if checking takes longer than the budget, or at once if too many documents
        are being checked. A check that started goes on, and its verdict is cached for the
        next request."""
        checked = self.cached(query)
        if checked is not None:
            return checked
        with self._lock:
            running = self._in_flight.get(query)
            if running is None:
                if len(self._in_flight) >= CHECK_THREADS + CHECKS_WAITING:
                    return Checked(None, (busy(len(self._in_flight)),))
                running = self._pool.submit(self._check_in_time, query, time.monotonic())
                self._in_flight[query] = running
        try:
            found = await asyncio.wait_for(
                asyncio.shield(asyncio.wrap_future(running)), self._budget_s
            )
        except TimeoutError:
            found = None
        return found if found is not None else Checked(None, (over_budget(self._budget_s),))

    def _check_in_time(self, query: str, sent: float) -> Checked | None:
        """`check` in a worker thread, unless the document waited its whole budget for the
        thread (its request has been refused: None, nothing checked or cached)."""
        try:
            if time.monotonic() - sent >= self._budget_s:
                return None
            return self.check(query)
        finally:
            with self._lock:
                self._in_flight.pop(query, None)


def over_budget(budget_s: float) -> GraphQLError:
    return GraphQLError(
        f"the document took longer than {budget_s:g} s to check, so it is refused: "
        "send fewer fields or fragments",
        extensions={"code": TOO_COMPLEX},
    )


def busy(checking: int) -> GraphQLError:
    return GraphQLError(
        f"the server is busy checking {checking} other new documents: try again in a moment",
        extensions={"code": BUSY},
    )


class CheckedDocuments(SchemaExtension):
    """Strawberry's parse and validation steps, answered from the schema's `DocumentChecks`
    (in place of strawberry's parser and validation caches and its limiters)."""

    checked: Checked | None = None

    async def on_parse(self) -> AsyncIterator[None]:
        context = self.execution_context
        checks = getattr(context.schema, "checks", None)
        if isinstance(checks, DocumentChecks) and context.query and not context.graphql_document:
            self.checked = await checks.checked(context.query)
            # Unparsed (a syntax error, or over the budget): strawberry's own parse, which is
            # linear, tells a syntax error as before; the budget is told at validation.
            context.graphql_document = self.checked.document
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if self.checked is not None and context.pre_execution_errors is None:
            # Errors set here are what the client gets; an empty list skips validating again.
            context.pre_execution_errors = list(self.checked.errors)
        yield
