"""Automatic persisted queries (APQ), as Apollo's `PersistedQueryLink` and other clients speak it.

An operation may name its document by hash: `extensions.persistedQuery` is
`{"version": 1, "sha256Hash": "<hex sha256 of the query text>"}`.

- Hash only, document known: it runs as if the document had been sent.
- Hash only, document unknown: `PersistedQueryNotFound` (code `PERSISTED_QUERY_NOT_FOUND`) with
  HTTP 200 and `Cache-Control: no-cache`, as Apollo Server answers, so the client's link sends
  the document with its hash next (a 4xx could be taken for a network failure; no cache may
  keep the miss).
- Hash and document: the hash must be the document's sha256 (else a 400: a document cannot be
  registered under another's hash); a document that parses is registered and runs.
- Another `version`: a 400 naming the one supported.

The store is an LRU bounded in documents and in characters, per process; only documents that
parse are kept, so requests that are not GraphQL cannot fill it. A restart forgets it, and the
clients register again on their next miss.
"""

import hashlib
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLError, parse
from strawberry.http import GraphQLRequestData

from eventgraph.api.errors import PersistedQueryNotFound, PersistedQueryRefused
from eventgraph.api.graphql.http import asks_by_hash
from eventgraph.api.graphql.safety import MAX_TOKENS

PERSISTED_QUERY_VERSION = 1
MAX_PERSISTED_QUERIES = 1000
"""Documents the store keeps (least recently used go first): far more than a frontend has."""
MAX_PERSISTED_CHARS = 5_000_000
"""Characters of documents the store keeps, so even documents near `MAX_QUERY_CHARS` bound it
to a few megabytes."""
NOT_FOUND = "PersistedQueryNotFound"
"""The message of a miss, as Apollo's clients look for it."""


def _not_found() -> PersistedQueryNotFound:
    return PersistedQueryNotFound(
        NOT_FOUND, {"Cache-Control": "private, no-cache, must-revalidate"}
    )


@dataclass
class PersistedQueries:
    """The documents registered by hash, most recently used last."""

    max_documents: int = MAX_PERSISTED_QUERIES
    max_chars: int = MAX_PERSISTED_CHARS
    _documents: OrderedDict[str, str] = field(default_factory=OrderedDict)
    _chars: int = 0

    def __len__(self) -> int:
        return len(self._documents)

    def resolve(self, operation: GraphQLRequestData) -> GraphQLRequestData:
        """The operation with its document: looked up by hash, or checked against its hash and
        registered. Operations without the extension pass unchanged. Everything here runs
        without awaiting, so requests on the event loop see the store one at a time."""
        if not asks_by_hash(operation.extensions):
            return operation
        assert operation.extensions is not None
        sha256 = _hash_in(operation.extensions["persistedQuery"])
        if operation.query is None:
            query = self._documents.get(sha256)
            if query is None:
                raise _not_found()
            self._documents.move_to_end(sha256)
            return GraphQLRequestData(
                query=query,
                variables=operation.variables,
                operation_name=operation.operation_name,
                extensions=operation.extensions,
            )
        if hashlib.sha256(operation.query.encode()).hexdigest() != sha256:
            raise PersistedQueryRefused(
                "`extensions.persistedQuery.sha256Hash` is not the SHA-256 of `query`: "
                "hash the exact query text sent (hex, lower case)",
            )
        if _parses(operation.query):
            self._register(sha256, operation.query)
        return operation

    def _register(self, sha256: str, query: str) -> None:
        if sha256 in self._documents:
            self._documents.move_to_end(sha256)
            return
        if len(query) > self.max_chars:
            return
        self._documents[sha256] = query
        self._chars += len(query)
        while len(self._documents) > self.max_documents or self._chars > self.max_chars:
            _, evicted = self._documents.popitem(last=False)
            self._chars -= len(evicted)


def _hash_in(extension: Any) -> str:
    """The hash a `persistedQuery` extension names, lower-cased; `PersistedQueryRefused` if it
    is not version 1 with a hex SHA-256."""
    if not isinstance(extension, dict):
        raise PersistedQueryRefused(
            '`extensions.persistedQuery` must be {"version": 1, "sha256Hash": "<hex>"}'
        )
    version = extension.get("version")
    if version != PERSISTED_QUERY_VERSION or isinstance(version, bool):
        raise PersistedQueryRefused(
            f"persisted query version {version!r} is not supported: "
            f"send `extensions.persistedQuery.version: {PERSISTED_QUERY_VERSION}`",
        )
    sha256 = extension.get("sha256Hash")
    if not (isinstance(sha256, str) and len(sha256) == 64 and _is_hex(sha256)):
        raise PersistedQueryRefused(
            "`extensions.persistedQuery.sha256Hash` must be a SHA-256 in 64 hex digits"
        )
    return sha256.lower()


def _is_hex(text: str) -> bool:
    return all(char in "0123456789abcdefABCDEF" for char in text)


def _parses(query: str) -> bool:
    try:
        parse(query, max_tokens=MAX_TOKENS)
    except GraphQLError:
        return False
    return True
