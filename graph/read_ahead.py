"""Reading ahead: the lookups a transaction will make, known before the first runs, in one
round trip.

An API mutation checks its records against the graph and writes them in one transaction
(`importer.writing.write_and_read`). Its check asked the labels of the ids the records name,
the gradings of the sources they cite and whether any event id is an alias, and its writer the
stored content hashes of the records and whether their targets exist: a statement and a round
trip each (5 of them, ~1 ms apiece at 1 client, of a mutation whose floor is ~10 ms). All of
them are known before the first is sent. `ReadAhead` runs the lookups it is told (`expect`) as
one statement when the first query comes, and answers each of them, once, from that statement's
answer when it is asked, with the records it would have returned; any other query it runs in
the transaction as asked.

A lookup is matched by its exact text and parameters, so a caller that asks something else (a
retried check with other ids, a lookup it did not announce) is simply answered by Neo4j.
"""

import re
from dataclasses import dataclass
from typing import Any

from neo4j import EagerResult, ManagedTransaction, Record

from eventgraph.graph.driver import InTransaction


@dataclass(frozen=True)
class Lookup:
    """A read statement, its parameters, and the columns it returns (in order)."""

    query: str
    params: dict[str, Any]
    columns: tuple[str, ...]


_PARAMETER = re.compile(r"\$(\w+)")


def one_statement(lookups: list[Lookup]) -> tuple[str, dict[str, Any]]:
    """The lookups as one read statement returning one row: column `a<i>` holds the rows of
    lookup i, each a list of its columns' values (a `COLLECT` subquery each: one that finds
    nothing is an empty list, and does not end the row). Each lookup's parameters are renamed
    (`$ids` → `$a0_ids`), so lookups that use the same names do not collide."""
    parts, params = [], {}
    for index, lookup in enumerate(lookups):
        name = f"a{index}"
        query = _PARAMETER.sub(rf"${name}_\1", lookup.query)
        params.update({f"{name}_{key}": value for key, value in lookup.params.items()})
        row = ", ".join(f"`{column}`" for column in lookup.columns)
        parts.append(f"COLLECT {{ CALL () {{ {query} }} RETURN [{row}] AS row }} AS {name}")
    return "RETURN " + ", ".join(parts), params


def _record(columns: tuple[str, ...], values: list[Any]) -> Record:
    """A record as the lookup's own statement would have returned it."""
    return Record(zip(columns, values, strict=True))  # type: ignore[no-untyped-call]


class ReadAhead(InTransaction):
    """`InTransaction` answering the lookups it was told to expect from one statement (see the
    module's docstring)."""

    def __init__(self, tx: ManagedTransaction) -> None:
        super().__init__(tx)
        self._expected: list[Lookup] = []
        self._answers: dict[str, list[tuple[dict[str, Any], EagerResult]]] = {}
        """Per query text, the parameters and answer of each lookup read ahead."""

    def expect(self, lookups: list[Lookup]) -> None:
        """Lookups that will be asked: read with the first query that comes."""
        self._expected.extend(lookups)

    def _read(self) -> None:
        lookups, self._expected = self._expected, []
        if not lookups:
            return
        query, params = one_statement(lookups)
        records, summary, _ = super().execute_query(query, params)
        (row,) = records
        for index, lookup in enumerate(lookups):
            found = [_record(lookup.columns, values) for values in row[index]]
            answer = EagerResult(found, summary, list(lookup.columns))
            self._answers.setdefault(lookup.query, []).append((lookup.params, answer))

    def execute_query(
        self,
        query_: str,
        parameters_: dict[str, Any] | None = None,
        *,
        database_: str | None = None,
        **parameters: Any,
    ) -> EagerResult:
        """The records of `query_`: read ahead if it was expected (once), else run now."""
        if self._expected:
            self._read()
        params = {**(parameters_ or {}), **parameters}
        answers = self._answers.get(query_, [])
        for index, (asked, answer) in enumerate(answers):
            if asked == params:
                del answers[index]
                return answer
        return super().execute_query(query_, params)
