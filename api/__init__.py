"""eventgraph's ways in: the HTTP API (FastAPI + GraphQL) and the `eventgraph` command line.

It knows HTTP, GraphQL and the terminal; Cypher and Neo4j stay in `graph/`.
"""
