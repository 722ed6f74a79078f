"""`--skip-bad`: leave out the records with problems, and every record that refers to one.

The import is checked as without it; a round that finds problems in records learns which
records they name (`learn`), and the import is checked again without them (`keep`), until a
round finds nothing new. Each round leaves out what the rounds before found, and the records
that refer to an id they left out ("refers to 'X', which was skipped"), so chains of references
are followed one link per round. A problem no record owns (a file that is not JSON, a corrupt
zip, a header without a column) still refuses the import: nothing is written.

Problems name their record by file and record path (`story.yaml:12`, `events[3].time.start`)
or, for a feed's rows, by row (`row 3.SQLDATE`: the reader already left the row out) and, for
rows that attach to records of other files (GDELT mentions, CSV claims), by file and line.
"""

import re
from collections import Counter
from dataclasses import dataclass, field

from eventgraph.graph.errors import Problem
from eventgraph.graph.importer.reading import Attachment, RawRecord, format_path
from eventgraph.graph.importer.references import references

RecordKey = tuple[str, str]
"""(file, record path): `("story.yaml", "events[3]")`."""

_RECORD = re.compile(r"[A-Za-z_]+\[\d+\]")
"""The record path a problem's field starts with (`events[3]` of `events[3].time.start`)."""
_ROW = re.compile(r"row( \d+)?(\.|$)")
"""A row of a table a reader left out (`row 3.SQLDATE`, a native CSV's `row`)."""
_LINE = re.compile(r":\d+$")
_QUOTED = re.compile(r"'([^']+)'")
_NUMBERS = re.compile(r"\[\d+\]|(?<=row )\d+")


def _file_of(where: str) -> str:
    return _LINE.sub("", where)


def record_key(raw: RawRecord) -> RecordKey:
    return (str(raw.file), format_path(raw.path))


def _unnumbered(match: re.Match[str]) -> str:
    return "[*]" if match[0].startswith("[") else "*"


def kind_of(problem: Problem) -> str:
    """What a problem is about, without which record: `a.yaml: events[*].time.start`,
    `day.CSV: row *.SQLDATE` (to count the skipped records by reason)."""
    return f"{_file_of(problem.where)}: {_NUMBERS.sub(_unnumbered, problem.field)}"


@dataclass
class Skips:
    """What `--skip-bad` leaves out, grown round by round."""

    problems: list[Problem] = field(default_factory=list)
    """Why each record was left out, in the refusal's words, in the order found."""
    records: set[RecordKey] = field(default_factory=set)
    ids: set[str] = field(default_factory=set)
    """Ids of the records left out: a record that refers to one is left out too."""
    attachments: set[str] = field(default_factory=set)
    """`file:line` of the attaching rows left out."""
    _known: set[Problem] = field(default_factory=set)
    _new_ids: set[str] = field(default_factory=set)
    _rows_seen: set[str] = field(default_factory=set)
    _changed: bool = False

    def begin_round(self) -> None:
        """Take the ids the last round left out into account (only between rounds, so both
        readings of one round leave out the same records)."""
        self.ids |= self._new_ids
        self._new_ids.clear()
        self._rows_seen.clear()
        self._changed = False

    def keep(self, raw: RawRecord) -> bool:
        """Whether to check `raw`: not a record left out, nor one referring to one."""
        key = record_key(raw)
        if key in self.records:
            record_id = raw.data.get("id")
            if isinstance(record_id, str) and record_id not in self.ids:
                self._new_ids.add(record_id)
            return False
        if self.ids:
            for ref_id, _, path in references(raw):
                if ref_id in self.ids:
                    self._skip(
                        key,
                        raw,
                        Problem(
                            raw.where(path),
                            raw.field(path),
                            f"refers to '{ref_id}', which was skipped",
                        ),
                    )
                    return False
        return True

    def keep_attachment(self, row: Attachment) -> bool:
        """Whether to attach a row: not one left out, nor one on a record left out."""
        self._rows_seen.add(row.where())
        if row.where() in self.attachments:
            return False
        if row.target in self.ids:
            self.attachments.add(row.where())
            self._add(
                Problem(
                    row.where(),
                    row.column or row.field,
                    f"refers to '{row.target}', which was skipped",
                )
            )
            return False
        return True

    def learn(self, read: list[Problem], checked: list[Problem]) -> list[Problem]:
        """Note the records these problems name, to leave out next round; return the
        problems that still refuse the import (all of them, if any does): a problem no record
        owns, or one of the check's again though its record was left out (never written
        with a problem it was meant to leave out)."""
        problems = read + checked
        refusing = [
            problem
            for problem in problems
            if not (
                _RECORD.match(problem.field)
                or _ROW.match(problem.field)
                or problem.where in self._rows_seen
            )
        ]
        if refusing or any(self._reworded(problem) in self._known for problem in checked):
            return problems
        for found in problems:
            problem = self._reworded(found)
            if problem in self._known:
                continue  # a reader's problem: it gave no record for it, every round
            match = _RECORD.match(problem.field)
            if match is not None:
                self.records.add((_file_of(problem.where), match[0]))
            elif not _ROW.match(problem.field):
                self.attachments.add(problem.where)
            self._add(problem)
        return []

    @property
    def settled(self) -> bool:
        """The last round found nothing new: what it checked is what to write."""
        return not self._changed and not self._new_ids

    def summary(self, first: int = 20) -> list[str]:
        """Lines for the report: counts per kind of problem, then the first problems."""
        counts = Counter(kind_of(problem) for problem in self.problems)
        lines = [f"{n} × {kind}" for kind, n in counts.most_common()]
        lines += [f"  {problem}" for problem in self.problems[:first]]
        if len(self.problems) > first:
            lines.append(f"  … and {len(self.problems) - first} more")
        return lines

    def _reworded(self, problem: Problem) -> Problem:
        """A reference to a record left out this round says so, not that the id is unknown
        (the first id a reason quotes is the one it is about)."""
        quoted = _QUOTED.search(problem.reason)
        if quoted is None or quoted[1] not in self.ids | self._new_ids:
            return problem
        return Problem(problem.where, problem.field, f"refers to '{quoted[1]}', which was skipped")

    def _skip(self, key: RecordKey, raw: RawRecord, problem: Problem) -> None:
        self.records.add(key)
        record_id = raw.data.get("id")
        if isinstance(record_id, str):
            self._new_ids.add(record_id)
        self._add(problem)

    def _add(self, problem: Problem) -> None:
        if problem not in self._known:
            self._known.add(problem)
            self.problems.append(problem)
            self._changed = True
