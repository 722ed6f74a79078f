"""API tokens: created and revoked from the command line, stored hashed in the graph.

A token reads `eg_<id>_<secret>`; the graph keeps only the id, a SHA-256 of the secret, the role
and a name, so a copy of the database does not leak usable tokens. Secrets are 32 random bytes,
so a fast hash is enough (no password-style stretching needed).
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from neo4j import Driver

from eventgraph.graph.errors import InvalidData, NotFound, Problem

TOKEN_LABEL = "ApiToken"  # noqa: S105 (a label, not a secret)


class Role(StrEnum):
    """What a token may do; each role may do what the ones before it may."""

    READER = "reader"
    EDITOR = "editor"
    ADMIN = "admin"

    def allows(self, needed: "Role") -> bool:
        order = list(Role)
        return order.index(self) >= order.index(needed)


@dataclass(frozen=True)
class TokenInfo:
    id: str
    name: str
    role: Role
    created_at: datetime | None = None
    revoked_at: datetime | None = None


_CREATE = (
    f"CREATE (t:{TOKEN_LABEL} {{id: $id, name: $name, role: $role, secret_sha256: $digest, "
    "created_at: $now})"
)
_FIND = (
    f"MATCH (t:{TOKEN_LABEL} {{id: $id}}) WHERE t.revoked_at IS NULL "
    "RETURN t.name AS name, t.role AS role, t.secret_sha256 AS digest"
)
_MATCHING = f"MATCH (t:{TOKEN_LABEL}) WHERE t.id = $ref OR t.name = $ref RETURN t.id AS id"
_REVOKE = f"MATCH (t:{TOKEN_LABEL} {{id: $id}}) SET t.revoked_at = coalesce(t.revoked_at, $now)"
_LIST = (
    f"MATCH (t:{TOKEN_LABEL}) RETURN t.id AS id, t.name AS name, t.role AS role, "
    "t.created_at AS created_at, t.revoked_at AS revoked_at ORDER BY t.created_at"
)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(driver: Driver, database: str, role: Role, name: str | None = None) -> str:
    """Create a token and return it; this is the only time the secret is seen."""
    token_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    driver.execute_query(
        _CREATE,
        id=token_id,
        name=name or f"{role.value}-{token_id}",
        role=role.value,
        digest=_digest(secret),
        now=datetime.now(UTC),
        database_=database,
    )
    return f"eg_{token_id}_{secret}"


def verify_token(driver: Driver, database: str, token: str) -> TokenInfo | None:
    """The token's identity and role, or None if it is malformed, unknown or revoked."""
    prefix, _, rest = token.partition("_")
    token_id, _, secret = rest.partition("_")
    if prefix != "eg" or not token_id or not secret:
        return None
    records = driver.execute_query(_FIND, id=token_id, database_=database, routing_="r")[0]
    if not records:
        return None
    row = records[0]
    if not hmac.compare_digest(str(row["digest"]), _digest(secret)):
        return None
    return TokenInfo(id=token_id, name=row["name"], role=Role(row["role"]))


def revoke_token(driver: Driver, database: str, ref: str) -> str:
    """Revoke a token by id or name; revoking twice is harmless."""
    records = driver.execute_query(_MATCHING, ref=ref, database_=database)[0]
    if not records:
        raise NotFound(f"no token with id or name '{ref}' (see `eventgraph token list`)")
    if len(records) > 1:
        raise InvalidData([Problem(ref, "token", "names several tokens: revoke by id")])
    token_id = str(records[0]["id"])
    driver.execute_query(_REVOKE, id=token_id, now=datetime.now(UTC), database_=database)
    return token_id


def list_tokens(driver: Driver, database: str) -> list[TokenInfo]:
    rows = driver.execute_query(_LIST, database_=database)[0]
    return [
        TokenInfo(
            id=row["id"],
            name=row["name"],
            role=Role(row["role"]),
            created_at=row["created_at"].to_native() if row["created_at"] else None,
            revoked_at=row["revoked_at"].to_native() if row["revoked_at"] else None,
        )
        for row in rows
    ]
