"""What a power user's Cypher may do, checked twice: on its text, then on Neo4j's own plan.

The text checks run first because they can say exactly what is wrong and where (line and
column). They look at the query with comments, string literals and quoted names blanked out, so
`// CREATE` or `'LOAD CSV'` in a string are not mistaken for clauses, and a quoted
`` `apoc`.`load`.json `` cannot slip past the procedure allow-list.

The plan checks cannot be fooled by spelling: Neo4j's EXPLAIN says what the query does. Its
`query_type` must be `r` (read-only), and no operator may write, load files or URLs, commit in
batches, or administer the server; every procedure it calls must be on READ_ONLY_PROCEDURES.
Neo4j plans `LOAD CSV`, `SHOW TRANSACTIONS` and `TERMINATE TRANSACTIONS` as reads, which is why
the operators are looked at too.

Procedures, function namespaces and SHOW commands are allow-lists: a name is let through
because it is listed as read-only here, never because it is missing from a list of bad ones.
The last line of defence is the READ transaction (console.py), which Neo4j enforces by itself.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from eventgraph.graph.errors import Refused

# ---- codes ---------------------------------------------------------------------------------

REFUSED = "EventGraph.Refused"
EMPTY = f"{REFUSED}.Empty"
TOO_LONG = f"{REFUSED}.TooLong"
MULTIPLE_STATEMENTS = f"{REFUSED}.MultipleStatements"
EXPLAIN_OR_PROFILE = f"{REFUSED}.ExplainOrProfile"
WRITE = f"{REFUSED}.Write"
SCHEMA = f"{REFUSED}.Schema"
ADMIN = f"{REFUSED}.Admin"
LOAD_CSV = f"{REFUSED}.LoadCsv"
IN_TRANSACTIONS = f"{REFUSED}.InTransactions"
USE = f"{REFUSED}.Use"
PROCEDURE = f"{REFUSED}.Procedure"
FUNCTION = f"{REFUSED}.Function"
PLAN = f"{REFUSED}.Plan"

# ---- allow-lists ---------------------------------------------------------------------------

MAX_QUERY_CHARS = 100_000

READ_ONLY_PROCEDURES = frozenset(
    {
        "db.index.fulltext.queryNodes",
        "db.index.fulltext.queryRelationships",
        "db.index.fulltext.listAvailableAnalyzers",
        "db.index.vector.queryNodes",
        "db.index.vector.queryRelationships",
        "db.labels",
        "db.relationshipTypes",
        "db.propertyKeys",
        "db.schema.visualization",
        "db.schema.nodeTypeProperties",
        "db.schema.relTypeProperties",
    }
)
"""Procedures a query may CALL: Neo4j built-ins that only read this database's graph or schema.
Everything else is refused: `dbms.*`, `db.create*`, `db.awaitIndex*`, `apoc.*`, `gds.*` …"""

BUILT_IN_FUNCTION_NAMESPACES = frozenset(
    {"date", "datetime", "localdatetime", "localtime", "time", "duration", "point", "vector"}
    | {"db", "graph", "coll"}
)
"""Namespaces of Neo4j's built-in functions (`point.distance`, `date.truncate`, Cypher 25's
`coll.sort` …). Namespaced functions from plugins (`apoc.cypher.runFirstColumn` …) are refused."""

SHOW_COMMANDS_ALLOWED = ("INDEXES", "CONSTRAINTS", "PROCEDURES", "FUNCTIONS")
"""`SHOW …` commands that describe the schema; the others (USERS, TRANSACTIONS, SETTINGS,
DATABASES …) administer the server and are refused."""

SHOW_OPERATORS_ALLOWED = frozenset(
    {"ShowIndexes", "ShowConstraints", "ShowProcedures", "ShowFunctions"}
)
WRITING_OPERATOR_PREFIXES = (
    "Create",  # Create, CreateNode, CreateIndex, CreateConstraint …
    "Merge",
    "LockingMerge",
    "Set",  # SetProperty, SetLabels, SetNodePropertiesFromMap …
    "Remove",
    "Delete",
    "DetachDelete",
    "Drop",
    "Foreach",
    "SubqueryForeach",
    "Insert",
    "Transaction",  # TransactionForeach, TransactionApply: CALL { } IN TRANSACTIONS
    "LoadCSV",
    "Terminate",
    "AdministrationCommand",
    "DoNothingIfExists",
)
"""Plan operators that change the graph, the schema or the server, or read files and URLs."""

QUERY_TYPES = {"w": "writes", "rw": "reads and writes", "s": "changes the schema or the server"}

# ---- the query text with what is not Cypher blanked out --------------------------------------


def masked(query: str) -> str:
    """The query with comments and string literals as spaces and quoted names as `_`.

    Same length and line breaks as the query, so positions found in it are positions in it.
    """
    out = list(query)
    i, n = 0, len(query)

    def blank(start: int, end: int, fill: str) -> None:
        for k in range(start, min(end, n)):
            if out[k] != "\n":
                out[k] = fill

    while i < n:
        two = query[i : i + 2]
        if two == "//":
            end = query.find("\n", i)
            end = n if end < 0 else end
            blank(i, end, " ")
            i = end
        elif two == "/*":
            end = query.find("*/", i + 2)
            end = n if end < 0 else end + 2
            blank(i, end, " ")
            i = end
        elif query[i] in "'\"":
            quote, k = query[i], i + 1
            while k < n and query[k] != quote:
                k += 2 if query[k] == "\\" else 1
            blank(i, k + 1, " ")
            i = k + 1
        elif query[i] == "`":
            k = i + 1
            while k < n and not (query[k] == "`" and query[k + 1 : k + 2] != "`"):
                k += 2 if query[k : k + 2] == "``" else 1
            blank(i, k + 1, "_")
            i = k + 1
        else:
            i += 1
    return "".join(out)


def position(text: str, index: int) -> str:
    """`line L, column C` (both from 1) of an index into `text`."""
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return f"line {line}, column {column}"


# ---- text rules ------------------------------------------------------------------------------

_PREPARSER = r"(?:CYPHER(?:\s+\d+(?:\.\d+)?)?(?:\s+\w+\s*=\s*\w+)*\s+)?"
_HEAD = re.compile(rf"^\s*{_PREPARSER}(?P<word>[A-Z]+)\b", re.IGNORECASE)
_SHOW_ALLOWED = re.compile(
    r"SHOW\s+(?:(?:ALL|BUILT|IN|USER|DEFINED|RANGE|TEXT|POINT|LOOKUP|FULLTEXT|VECTOR|BTREE|"
    r"UNIQUE|UNIQUENESS|EXIST|EXISTS|EXISTENCE|KEY|NODE|REL|RELATIONSHIP|PROPERTY|TYPE)\s+)*"
    r"(?:INDEX|INDEXES|CONSTRAINT|CONSTRAINTS|PROCEDURE|PROCEDURES|FUNCTION|FUNCTIONS)\b",
    re.IGNORECASE,
)
_ADMIN_HEADS = frozenset(
    {"ALTER", "GRANT", "DENY", "REVOKE", "START", "STOP", "ENABLE", "DEALLOCATE", "REALLOCATE"}
    | {"RENAME", "DRYRUN", "TERMINATE"}
)
_ADMIN_OBJECT = re.compile(
    r"(?:CREATE|DROP)\s+(?:OR\s+REPLACE\s+)?(?:USER|ROLE|DATABASE|COMPOSITE|ALIAS|SERVER)\b",
    re.IGNORECASE,
)
_SCHEMA_OBJECT = re.compile(
    r"(?:CREATE|DROP)\s+(?:OR\s+REPLACE\s+)?"
    r"(?:INDEX|CONSTRAINT|RANGE|TEXT|POINT|LOOKUP|FULLTEXT|VECTOR|BTREE)\b",
    re.IGNORECASE,
)

# A keyword, not a property (`n.set`), parameter (`$delete`), label or type (`:Create`,
# `|Merge`) or map key (`{remove: 1}`).
_KEYWORD = r"(?<![\w.$:|&!])(?P<word>{words})\b(?!\s*:)"
_WRITE_CLAUSE = re.compile(
    _KEYWORD.format(words="CREATE|MERGE|SET|REMOVE|DETACH\\s+DELETE|DELETE|FOREACH|INSERT"),
    re.IGNORECASE,
)
_LOAD_CSV = re.compile(_KEYWORD.format(words="LOAD\\s+CSV"), re.IGNORECASE)
_IN_TRANSACTIONS = re.compile(  # after a subquery's `}`: `x IN transactions` is a list test
    r"}\s*(?P<word>IN\s+(?:\S+\s+)?(?:CONCURRENT\s+)?TRANSACTIONS)\b", re.IGNORECASE
)
_TERMINATE = re.compile(_KEYWORD.format(words="TERMINATE"), re.IGNORECASE)
_USE_CLAUSE = re.compile(
    rf"(?:^|{{|\bUNION(?:\s+ALL|\s+DISTINCT)?)\s*{_PREPARSER}(?P<word>USE)\s+(?=[\w(])",
    re.IGNORECASE,
)
_PROCEDURE_CALL = re.compile(
    r"(?<![\w.$])CALL\s+(?P<name>[A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*)*)", re.IGNORECASE
)
_NAMESPACED_CALL = re.compile(r"(?<![\w.$])(?P<name>[A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*)+)\s*\(")


@dataclass(frozen=True)
class Violation:
    """One thing a query may not do, where it is, and the code and reason to report."""

    index: int
    code: str
    reason: str


def _violations(text: str, database: str) -> Iterator[Violation]:
    head = _HEAD.match(text)
    if head:
        word, at = head.group("word").upper(), head.start("word")
        rest = text[at:]
        if word in ("EXPLAIN", "PROFILE"):
            yield Violation(
                at,
                EXPLAIN_OR_PROFILE,
                f"send the query without {word}: eventgraph plans every query itself and "
                "runs it only when the plan is read-only",
            )
        elif word == "SHOW" and not _SHOW_ALLOWED.match(rest):
            yield Violation(
                at,
                ADMIN,
                f"`{' '.join(rest.split()[:2])}` administers the server; of the SHOW commands "
                f"only {', '.join(SHOW_COMMANDS_ALLOWED)} are allowed here",
            )
        elif word in _ADMIN_HEADS or _ADMIN_OBJECT.match(rest):
            yield Violation(
                at,
                ADMIN,
                f"`{' '.join(rest.split()[:2])}` is an administration command; "
                "it is not allowed here",
            )
        elif _SCHEMA_OBJECT.match(rest):
            yield Violation(
                at,
                SCHEMA,
                f"`{' '.join(rest.split()[:2])}` changes the schema; constraints and indexes "
                "come from the ontology (`eventgraph schema apply`)",
            )
    for match in _USE_CLAUSE.finditer(text):
        yield Violation(
            match.start("word"),
            USE,
            f"USE picks another database or graph; queries here always run on '{database}'",
        )
    for match in _LOAD_CSV.finditer(text):
        yield Violation(
            match.start("word"),
            LOAD_CSV,
            "LOAD CSV reads files and URLs (file:///…, http://…); it is not allowed here. "
            "Load data with `eventgraph import`",
        )
    for match in _IN_TRANSACTIONS.finditer(text):
        yield Violation(
            match.start("word"),
            IN_TRANSACTIONS,
            "CALL { … } IN TRANSACTIONS commits writes in batches; it is not allowed here",
        )
    for match in _TERMINATE.finditer(text):
        yield Violation(
            match.start("word"),
            ADMIN,
            "TERMINATE stops other people's transactions; it is not allowed here",
        )
    for match in _WRITE_CLAUSE.finditer(text):
        word = " ".join(match.group("word").upper().split())
        yield Violation(
            match.start("word"),
            WRITE,
            f"{word} writes to the graph; queries here only read (change data with "
            "`eventgraph import`)",
        )
    procedure_starts = set()
    for match in _PROCEDURE_CALL.finditer(text):
        name = re.sub(r"\s+", "", match.group("name"))
        procedure_starts.add(match.start("name"))
        if name not in READ_ONLY_PROCEDURES:
            yield Violation(match.start("name"), PROCEDURE, _procedure_reason(name))
    for match in _NAMESPACED_CALL.finditer(text):
        if match.start("name") in procedure_starts:
            continue
        name = re.sub(r"\s+", "", match.group("name"))
        namespace = name.rsplit(".", 1)[0]
        if namespace.lower() not in BUILT_IN_FUNCTION_NAMESPACES:
            yield Violation(
                match.start("name"),
                FUNCTION,
                f"function {_shown(name)} is not one of Neo4j's built-in functions "
                f"(namespaces {', '.join(sorted(BUILT_IN_FUNCTION_NAMESPACES))}); plugin "
                "functions are not allowed here",
            )
    semicolon = text.find(";")
    if semicolon >= 0:
        yield Violation(
            semicolon, MULTIPLE_STATEMENTS, "send one statement at a time (no `;` inside)"
        )


def _shown(name: str) -> str:
    return "with a quoted name" if name.startswith("_") else name


def _procedure_reason(name: str) -> str:
    if name.startswith("_"):
        return "procedure names may not be quoted here"
    return (
        f"procedure {name} is not on the read-only allow-list "
        f"({', '.join(sorted(READ_ONLY_PROCEDURES))})"
    )


def checked_text(query: str, database: str) -> str:
    """The query to run (a trailing `;` dropped), or `Refused` naming the first violation."""
    if len(query) > MAX_QUERY_CHARS:
        raise Refused(TOO_LONG, f"the query is longer than {MAX_QUERY_CHARS} characters")
    text = masked(query)
    if not text.strip():
        raise Refused(EMPTY, "the query is empty (or only comments)")
    stripped = text.rstrip()
    if stripped.endswith(";"):
        query, text = query[: len(stripped) - 1], stripped[:-1]
    found = sorted(_violations(text, database), key=lambda violation: violation.index)
    if found:
        first = found[0]
        raise Refused(first.code, f"{position(query, first.index)}: {first.reason}")
    return query


# ---- plan rules ----------------------------------------------------------------------------


def _operators(plan: dict[str, Any]) -> Iterator[tuple[str, str]]:
    name = str(plan.get("operatorType", "")).split("@")[0]
    details = plan.get("args", {}).get("Details")
    yield name, str(details) if details is not None else ""
    for child in plan.get("children", []):
        yield from _operators(child)


def check_plan(query_type: str | None, plan: dict[str, Any] | None) -> None:
    """Raise `Refused` unless Neo4j's plan for the query only reads this database."""
    for operator, details in _operators(plan or {}):
        if operator == "ProcedureCall":
            name = details.split("(", 1)[0].strip()
            if name not in READ_ONLY_PROCEDURES:
                raise Refused(PROCEDURE, f"the plan calls {_procedure_reason(name)}")
        elif operator.startswith(WRITING_OPERATOR_PREFIXES):
            raise Refused(
                PLAN,
                f"Neo4j plans this query with a {operator} operator, which writes, loads "
                "files or administers the server; only reads are allowed here",
            )
        elif operator.startswith("Show") and operator not in SHOW_OPERATORS_ALLOWED:
            raise Refused(
                ADMIN,
                f"Neo4j plans this query as {operator}, an administration command; of the SHOW "
                f"commands only {', '.join(SHOW_COMMANDS_ALLOWED)} are allowed here",
            )
    if query_type != "r":
        does = QUERY_TYPES.get(query_type or "", f"is of type '{query_type}'")
        code = ADMIN if query_type == "s" else WRITE
        raise Refused(code, f"Neo4j plans this query as one that {does}; only reads are allowed")
