"""eventgraph's graph layer: the ontology, the Neo4j schema, Cypher, imports and exports.

It knows Neo4j and the domain; it knows nothing of HTTP (that is `api/`).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("eventgraph")
except PackageNotFoundError:  # running from a checkout that was not installed
    __version__ = "0.0.0"
