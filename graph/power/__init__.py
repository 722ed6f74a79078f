"""Read-only Cypher for power users: the checks, the runner and the JSON shape of its answers.

    guard.py    what a query may contain and how its plan must look (the allow-lists)
    console.py  run_read_query: check, plan with EXPLAIN, run in a READ transaction with a
                timeout and a row cap
    values.py   Neo4j values as JSON (`/cypher`, `--format json`) and as text (tables, CSV)

`/cypher` (api/cypher.py) and `eventgraph cypher` (api/cli.py) are thin shells around
`run_read_query`; every rule lives here, once.
"""

from eventgraph.graph.power.console import CypherResult, run_read_query

__all__ = ["CypherResult", "run_read_query"]
