"""Reading ahead (graph/read_ahead.py): lookups announced before a transaction's first query
are read in one statement and answered as their own statements would have been; anything
else runs as asked. A mutation's check and write then make one lookup round trip."""

from typing import Any

from neo4j import Driver, ManagedTransaction

from eventgraph.graph.read_ahead import Lookup, ReadAhead
from eventgraph.graph.settings import Settings

LABELS = Lookup(
    "UNWIND $ids AS id MATCH (n:Actor {id: id}) RETURN n.id AS id, n.name AS name",
    {"ids": ["russia", "no-such-actor", "turkey"]},
    ("id", "name"),
)
NOTHING = Lookup(
    "UNWIND $ids AS id MATCH (n:Source {id: id}) RETURN n.id AS id", {"ids": ["nope"]}, ("id",)
)
COUNT = Lookup("MATCH (n:Actor) RETURN count(n) AS actors", {}, ("actors",))


def _as_rows(records: Any) -> list[dict[str, Any]]:
    return [dict(record) for record in records]


def test_lookups_read_ahead_answer_as_their_own_statements(
    seed_story: Driver, settings: Settings
) -> None:
    def alone(tx: ManagedTransaction, lookup: Lookup) -> list[dict[str, Any]]:
        return _as_rows(tx.run(lookup.query, lookup.params))

    def ahead(tx: ManagedTransaction) -> tuple[list[list[dict[str, Any]]], list[str]]:
        read = ReadAhead(tx)
        read.expect([LABELS, NOTHING, COUNT])
        answers = [
            _as_rows(read.execute_query(lookup.query, lookup.params).records)
            for lookup in (LABELS, NOTHING, COUNT)
        ]
        # Answered once: asked again (as after a write), it is read again, from the graph.
        again = read.execute_query(COUNT.query, COUNT.params).records
        answers.append(_as_rows(again))
        keys = read.execute_query(LABELS.query, LABELS.params).keys
        return answers, keys

    with seed_story.session(database=settings.neo4j_database) as session:
        expected = [session.execute_read(alone, lookup) for lookup in (LABELS, NOTHING, COUNT)]
        answers, keys = session.execute_read(ahead)
    assert answers == [*expected, expected[2]]
    assert answers[0] and not answers[1] and answers[2][0]["actors"] > 0
    assert keys == ["id", "name"]


def test_the_lookups_are_one_statement(seed_story: Driver, settings: Settings) -> None:
    """However many lookups are announced, the first query sends one statement for them; a
    query not announced is sent as it is."""
    sent: list[str] = []

    def ahead(tx: ManagedTransaction) -> None:
        run = tx.run

        def counted(query: str, parameters: Any = None, **more: Any) -> Any:
            sent.append(query)
            return run(query, parameters, **more)

        tx.run = counted  # type: ignore[method-assign]
        read = ReadAhead(tx)
        read.expect([LABELS, NOTHING, COUNT])
        for lookup in (COUNT, LABELS, NOTHING):
            read.execute_query(lookup.query, lookup.params)
        read.execute_query("RETURN 1 AS one")

    with seed_story.session(database=settings.neo4j_database) as session:
        session.execute_read(ahead)
    assert len(sent) == 2
    assert sent[1] == "RETURN 1 AS one"
