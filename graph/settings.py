"""The one settings object: every environment variable eventgraph reads is a field here.

`NEO4J_*` are the names the Neo4j tools use; eventgraph's own knobs start with `EVENTGRAPH_`.
When `NEO4J_URI` is set, eventgraph talks to that Neo4j and never starts the local launcher.
"""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
"""The checkout: the launcher sources and the git-ignored `var/` state live here."""

DEFAULT_NEO4J_VERSION = "5.26.30"


class Settings(BaseSettings):
    """Connection and local-server settings, read from the environment (and `.env`)."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    neo4j_uri: str | None = Field(
        default=None,
        validation_alias="NEO4J_URI",
        description="Bolt URI of your own Neo4j (bolt://, neo4j://, neo4j+s://…). "
        "Unset: eventgraph runs its local Neo4j on 127.0.0.1.",
    )
    neo4j_user: str = Field(
        default="neo4j", validation_alias="NEO4J_USER", description="Neo4j user name."
    )
    neo4j_password: SecretStr = Field(
        default=SecretStr("eventgraph-local"),
        validation_alias="NEO4J_PASSWORD",
        description="Neo4j password. For the local Neo4j it is set on every start.",
    )
    neo4j_database: str = Field(
        default="neo4j", validation_alias="NEO4J_DATABASE", description="Database name."
    )
    neo4j_version: str = Field(
        default=DEFAULT_NEO4J_VERSION,
        validation_alias="EVENTGRAPH_NEO4J_VERSION",
        description="Neo4j version the local launcher runs (5.26.x needs Java 17+, "
        "2025.x and later need Java 21+).",
    )
    neo4j_port: int = Field(
        default=7687,
        ge=1,
        le=65535,
        validation_alias="EVENTGRAPH_NEO4J_PORT",
        description="Bolt port of the local Neo4j (always bound to 127.0.0.1).",
    )
    neo4j_scheme: Literal["bolt", "neo4j"] = Field(
        default="bolt",
        validation_alias="EVENTGRAPH_NEO4J_SCHEME",
        description="How the local Neo4j is reached: `bolt` (direct) or `neo4j` (the routing "
        "protocol a cluster or Aura speaks, which a single server answers too: the tests run "
        "with it to hold routed reads and writes to the same answers).",
    )
    neo4j_home: Path = Field(
        default=PROJECT_ROOT / "var" / "neo4j",
        validation_alias="EVENTGRAPH_NEO4J_HOME",
        description="Data, logs and pid file of the local Neo4j.",
    )
    neo4j_heap: str = Field(
        default="2g",
        pattern=r"^\d+[kmgKMG]$",
        validation_alias="EVENTGRAPH_NEO4J_HEAP",
        description="JVM heap of the local Neo4j (-Xms and -Xmx), e.g. 2g.",
    )
    neo4j_pagecache: str = Field(
        default="2g",
        pattern=r"^\d+[kmgKMG]$",
        validation_alias="EVENTGRAPH_NEO4J_PAGECACHE",
        description="Page cache of the local Neo4j, e.g. 2g.",
    )
    neo4j_start_timeout: float = Field(
        default=180.0,
        gt=0,
        validation_alias="EVENTGRAPH_NEO4J_START_TIMEOUT",
        description="Seconds `eventgraph neo4j start` waits for Bolt to answer.",
    )
    java_home: Path | None = Field(
        default=None,
        validation_alias="EVENTGRAPH_JAVA_HOME",
        description="JDK for the local Neo4j. Unset: JAVA_HOME, then `java` on PATH, "
        "then the JDKs under EVENTGRAPH_JDK_DIRS, first one new enough wins.",
    )
    jdk_dirs: str = Field(
        default="/usr/lib/jvm:/usr/java:/opt/java",
        validation_alias="EVENTGRAPH_JDK_DIRS",
        description="Colon-separated folders searched for installed JDKs.",
    )
    launcher_cache: Path = Field(
        default=PROJECT_ROOT / "var" / "launcher",
        validation_alias="EVENTGRAPH_LAUNCHER_CACHE",
        description="Where the built launcher and its Neo4j jars are cached, per version.",
    )

    import_max_mb: int = Field(
        default=256,
        gt=0,
        validation_alias="EVENTGRAPH_IMPORT_MAX_MB",
        description="Largest file `eventgraph import` reads; bigger ones are refused unread.",
    )

    cypher_timeout_s: float = Field(
        default=10.0,
        gt=0,
        le=3600,
        validation_alias="EVENTGRAPH_CYPHER_TIMEOUT_S",
        description="Seconds a `/cypher` or `eventgraph cypher` query may run before Neo4j "
        "stops it.",
    )
    cypher_max_rows: int = Field(
        default=10_000,
        ge=1,
        le=1_000_000,
        validation_alias="EVENTGRAPH_CYPHER_MAX_ROWS",
        description="Most rows a `/cypher` or `eventgraph cypher` answer holds; more are cut "
        "off and the answer says `truncated: true`.",
    )

    anonymous_read: bool = Field(
        default=False,
        validation_alias="EVENTGRAPH_ANONYMOUS_READ",
        description="Let requests without a token read (never write). `make run` turns it on "
        "for local work; the API says so at start-up.",
    )

    graphql_timeout_s: float = Field(
        default=10.0,
        gt=0,
        validation_alias="EVENTGRAPH_GRAPHQL_TIMEOUT_S",
        description="Seconds one GraphQL request may take in Neo4j: every root field of an "
        "operation shares this deadline from the request's start; fields it leaves no time "
        "for are not run and answer TIMEOUT.",
    )
    max_answer_nodes: int = Field(
        default=20_000,
        ge=1,
        le=10_000_000,
        validation_alias="EVENTGRAPH_MAX_ANSWER_NODES",
        description="Most objects (events, entities, participations, time spans…) one GraphQL "
        "answer may hold; a bigger answer is refused whole with ANSWER_TOO_LARGE.",
    )

    production: bool = Field(
        default=False,
        validation_alias="EVENTGRAPH_PRODUCTION",
        description="Production mode: no GraphiQL, no introspection.",
    )
    cors_origins: str = Field(
        default="",
        validation_alias="EVENTGRAPH_CORS_ORIGINS",
        description="Comma-separated origins browsers may call the API from (none by default). "
        "`*` allows any origin, but then never with credentials.",
    )

    access_log: bool = Field(
        default=True,
        validation_alias="EVENTGRAPH_ACCESS_LOG",
        description="`serve` logs one line per request (docs/operations.md). Off, a request "
        "costs about 20 µs less CPU (`{ version }`: 152–161 -> 133–140 µs, in process).",
    )

    log_format: Literal["text", "json"] = Field(
        default="text",
        validation_alias="EVENTGRAPH_LOG_FORMAT",
        description="`serve`'s log lines: `text` for a person at a terminal (`make run`), "
        "`json` (one object a line) for a log collector. Both carry the request id.",
    )
    metrics_token: SecretStr | None = Field(
        default=None,
        validation_alias="EVENTGRAPH_METRICS_TOKEN",
        description="The bearer token `/metrics` asks for; any other token is refused (403). "
        "Unset: `/metrics` is read as the graph is (a reader token, or anyone with anonymous "
        "read on).",
    )
    tracing: Literal["off", "console", "otlp"] = Field(
        default="off",
        validation_alias="EVENTGRAPH_TRACING",
        description="OpenTelemetry spans for every request: `console` prints them, `otlp` "
        "sends them where the OTEL_EXPORTER_OTLP_* variables say. Needs the `tracing` extra "
        "(`pip install 'eventgraph[tracing]'`).",
    )

    @property
    def cors_origin_list(self) -> list[str]:
        return [origin.strip() for origin in self.cors_origins.split(",") if origin.strip()]

    @property
    def uses_local_neo4j(self) -> bool:
        """True when eventgraph runs Neo4j itself (no NEO4J_URI given)."""
        return not self.neo4j_uri

    @property
    def bolt_uri(self) -> str:
        """The URI the driver connects to."""
        return self.neo4j_uri or f"{self.neo4j_scheme}://127.0.0.1:{self.neo4j_port}"


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
