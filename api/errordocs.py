"""The error table of docs/graphql.md and the exit codes of README.md, from api/errors.py.

Run `python -m eventgraph.api.errordocs` after changing the table; a test fails while they differ.
docs/graphql.md is hand-written around one generated block between BEGIN and END.
"""

from eventgraph.api.errors import ERRORS, EXIT_MEANINGS, GRAPHQL_REQUEST_ERRORS, Answer
from eventgraph.graph.settings import PROJECT_ROOT

GRAPHQL_DOC = PROJECT_ROOT / "docs" / "graphql.md"
README = PROJECT_ROOT / "README.md"
BEGIN = "<!-- BEGIN generated errors: `python -m eventgraph.api.errordocs`, do not edit -->"
END = "<!-- END generated errors -->"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _row(cells: tuple[str, ...]) -> str:
    return "| " + " | ".join(_cell(cell) for cell in cells) + " |"


def _route(answer: Answer) -> str:
    return "its own `code`" if answer.route is None else f"`{answer.route}`"


def errors_markdown() -> str:
    """The table: one row per code graphql-core's checks give, then one per class of the tree."""
    lines = [
        _row(("`extensions.code`", "HTTP", "`/cypher` `error.code`", "exit", "error", "when")),
        "|---|---|---|---|---|---|",
    ]
    for code, when in GRAPHQL_REQUEST_ERRORS.items():
        lines.append(_row((f"`{code}`", "400 / 200", "—", "—", "—", when)))
    for kind, answer in ERRORS.items():
        cells = (f"`{answer.graphql}`", str(answer.http), _route(answer), str(int(answer.exit)))
        lines.append(_row((*cells, f"`{kind.__name__}`", answer.when)))
    return "\n".join(lines)


def exit_codes_markdown() -> str:
    """README's sentence on exit codes."""
    codes = "; ".join(f"{int(code)} {meaning}" for code, meaning in EXIT_MEANINGS.items())
    return f"Exit codes: 0 success; {codes}."


def generated_graphql_doc(current: str) -> str:
    """docs/graphql.md with its generated block replaced by the table as it is now."""
    start = current.index(BEGIN) + len(BEGIN)
    end = current.index(END)
    return current[:start] + "\n" + errors_markdown() + "\n" + current[end:]


def main() -> None:
    GRAPHQL_DOC.write_text(generated_graphql_doc(GRAPHQL_DOC.read_text(encoding="utf-8")),
                           encoding="utf-8")  # fmt: skip
    print(f"Wrote the table into {GRAPHQL_DOC}; README.md says:\n{exit_codes_markdown()}")


if __name__ == "__main__":
    main()
