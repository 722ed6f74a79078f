"""Rows of the tabular feeds (GDELT, ACLED, POLECAT): cells by column, read with problems that
name the file, the row and the column.

A `Row` is one data row; its parsing helpers record what is wrong (`row 3.SQLDATE: '2025-13'
is not a day`) and mark the row bad, so a reader checks every cell of a row and then leaves the
bad row out. `headerless_rows` and `header_rows` cut a file into rows; `slug` makes the names
feeds key actors and places on safe for ids.
"""

import math
import re
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from eventgraph.graph.feeds.registry import FeedFile, Table

T = TypeVar("T")

_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """`Russian Armed Forces` → `russian-armed-forces`: a name as part of a feed id."""
    return _SLUG.sub("-", text.lower()).strip("-")[:60] or "unnamed"


class Row:
    """One data row's cells by column name, and the problems of reading them."""

    __slots__ = ("cells", "file", "good", "index")

    def __init__(self, file: FeedFile, number: int, cells: dict[str, str]) -> None:
        self.file, self.index = file, number
        self.cells = cells
        self.good = True

    @property
    def label(self) -> str:
        """How problems name the row: `row 3`."""
        return f"row {self.index}"

    def __getitem__(self, column: str) -> str:
        return self.cells[column]

    def bad(self, column: str, reason: str) -> None:
        """Record what is wrong with one cell; the row is then left out."""
        self.file.problem(f"{self.label}.{column}", reason, row=True)
        self.good = False

    def integer(self, column: str, *, signed: bool = True) -> int | None:
        """A whole number, or None if the cell is empty; `signed=False` takes digits only."""
        text = self[column]
        if not text:
            return None
        if not signed and not text.isdigit():
            self.bad(column, f"'{text}' is not a whole number")
            return None
        try:
            return int(text)
        except ValueError:
            self.bad(column, f"'{text}' is not a whole number")
            return None

    def number(
        self, column: str, low: float, high: float, *, required: bool = False
    ) -> float | None:
        """A number within [low, high]; an empty cell is None unless `required`."""
        text = self[column]
        if not text and not required:
            return None
        try:
            value = float(text)
        except ValueError:
            self.bad(column, f"'{text}' is not a number")
            return None
        if math.isnan(value) or not low <= value <= high:
            self.bad(column, f"{text} is out of range ({low:g} to {high:g})")
            return None
        return value

    def parsed(self, column: str, parse: Callable[[str], T | None], wanted: str) -> T | None:
        """The cell parsed by `parse` (None when it does not parse: `'…' is not <wanted>`)."""
        value = parse(self[column])
        if value is None:
            self.bad(column, f"'{self[column]}' is not {wanted}")
        return value

    def code(self, column: str, codes: dict[str, Any]) -> Any:
        """The value a code stands for; a code not in `codes` is a problem."""
        if self[column] not in codes:
            self.bad(column, f"'{self[column]}' is not one of {', '.join(codes)}")
            return None
        return codes[self[column]]


def headerless_rows(
    lines: Iterable[list[str]], file: FeedFile, columns: tuple[str, ...], title: str
) -> list[Row]:
    """Rows of a file without a header (GDELT's): a row of another width is a problem."""
    rows: list[Row] = []
    for number, cells in enumerate(lines, start=1):
        if len(cells) != len(columns):
            file.problem(
                f"row {number}",
                f"has {len(cells)} tab-separated fields, a {title} row {len(columns)}",
                row=True,
            )
            continue
        rows.append(Row(file, number, dict(zip(columns, map(str.strip, cells), strict=True))))
    return rows


def header_names(header: Any) -> list[str]:
    """A header row's names, trimmed and lower-cased (empty if it is not a row)."""
    return [cell.strip().lower() for cell in header] if isinstance(header, list) else []


def header_rows(
    table: Table,
    file: FeedFile,
    columns: tuple[str, ...],
    *,
    required: tuple[str, ...] | None = None,
) -> list[Row]:
    """Rows of a file with a header, in any column order: a missing column (of `required`,
    by default all `columns`) refuses the file; a row of another width than the header is a
    problem. Cells are keyed by `columns`' names (matched regardless of case), other columns
    by their lower-cased header names."""
    names = header_names(table[0]) if table else []
    canonical = {column.lower(): column for column in columns}
    wanted = columns if required is None else required
    missing = [column for column in wanted if column.lower() not in names]
    if missing:
        file.problem("header", f"lacks the column(s) {', '.join(missing)}")
        return []
    keys = [canonical.get(name, name) for name in names]
    rows = []
    for number, cells in enumerate(table[1:], start=1):
        if len(cells) != len(keys):
            file.problem(
                f"row {number}", f"has {len(cells)} fields, the header {len(keys)}", row=True
            )
            continue
        rows.append(Row(file, number, dict(zip(keys, map(str.strip, cells), strict=True))))
    return rows
