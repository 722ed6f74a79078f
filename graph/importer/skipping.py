"""`--skip-bad`: leave out the records with problems, and every record that refers to one.

The import is checked as without it; a round that finds problems learns what each is about
(`learn`: the problem's `Subject`, a record with its id, or an attaching row), and the import is
checked again without them (`keep`), until a round finds nothing new. A record that refers to
an id left out is left out as it is read ("refers to 'X', which was skipped"), and its own id
with it, so a chain of references read in order (an actor, the event it takes part in, the
statement about that event) is settled in the one extra round. A round is only over early if
none of the records it checked refers to an id it left out after checking them (the check holds
the ids its records refer to); else one more round leaves out those too. A problem about no
record or row (a file that is not JSON, a corrupt zip, a header without a column) still refuses
the import: nothing is written.
"""

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from eventgraph.graph.errors import Problem
from eventgraph.graph.importer.reading import Attachment, RawRecord, format_path
from eventgraph.graph.importer.references import references

RecordKey = tuple[str, str]
"""(file, record path): `("story.yaml", "events[3]")`."""

_LINE = re.compile(r":\d+$")
_NUMBERS = re.compile(r"\[\d+\]|(?<=row )\d+")


def record_key(raw: RawRecord) -> RecordKey:
    return (str(raw.file), format_path(raw.path))


def _unnumbered(match: re.Match[str]) -> str:
    return "[*]" if match[0].startswith("[") else "*"


def kind_of(problem: Problem) -> str:
    """What a problem is about, without which record: `a.yaml: events[*].time.start`,
    `day.CSV: row *.SQLDATE` (to count the skipped records by reason in the report)."""
    return f"{_LINE.sub('', problem.where)}: {_NUMBERS.sub(_unnumbered, problem.field)}"


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
    rounds: int = 0
    """How many times the import was checked."""
    _known: set[Problem] = field(default_factory=set)
    _left_out_now: set[str] = field(default_factory=set)
    """Ids left out while this round was being read."""
    _changed: bool = False
    _late: bool = False

    def begin_round(self) -> None:
        """Start a check of the import, leaving out what the rounds before found."""
        self.rounds += 1
        self._left_out_now.clear()
        self._changed = self._late = False

    def keep(self, raw: RawRecord) -> bool:
        """Whether to check `raw`: not a record left out, nor one referring to one (which is
        then left out too, from now on)."""
        key = record_key(raw)
        if key in self.records:
            self._leave_out_id(raw)
            return False
        if self.ids:
            for ref_id, _, path in references(raw):
                if ref_id in self.ids:
                    self.records.add(key)
                    self._leave_out_id(raw)
                    self._add(
                        Problem(
                            raw.where(path),
                            raw.field(path),
                            f"refers to '{ref_id}', which was skipped",
                            about=raw.subject(ref_id),
                        )
                    )
                    return False
        return True

    def checked(self, raw: RawRecord) -> bool:
        """Whether this round checked `raw` (for a second reading of the same round, which
        must leave out the same records as the first, though `ids` grew meanwhile)."""
        return record_key(raw) not in self.records

    def keep_attachment(self, row: Attachment) -> bool:
        """Whether to attach a row: not one left out, nor one on a record left out."""
        if row.where() in self.attachments:
            return False
        if row.target in self.ids:
            self.attachments.add(row.where())
            self._add(
                Problem(
                    row.where(),
                    row.target_column,
                    f"refers to '{row.target}', which was skipped",
                    about=row.subject(),
                )
            )
            return False
        return True

    def learn(
        self, read: list[Problem], checked: list[Problem], referenced: Iterable[str] = ()
    ) -> list[Problem]:
        """Note what these problems are about, to leave out next round; return the problems
        that still refuse the import (all of them, if any does): a problem about no record or
        row, or one of the check's again though its record was left out (never written with a
        problem it was meant to leave out). `referenced`: the ids the checked records refer to
        (one referring to an id left out after it was checked needs another round)."""
        problems = read + checked
        if any(problem.about is None for problem in problems) or any(
            self._reworded(problem) in self._known for problem in checked
        ):
            return problems
        self._late = not self._left_out_now.isdisjoint(referenced)
        for found in problems:
            problem = self._reworded(found)
            if problem in self._known:
                continue  # a reader's problem: it gave no record for it, every round
            about = problem.about
            assert about is not None
            if about.kind == "record":
                self.records.add((about.file, about.key))
                if about.id is not None:
                    self.ids.add(about.id)
            elif about.kind == "row":
                self.attachments.add(problem.where)
            self._add(problem)
            self._changed = True
        return []

    @property
    def settled(self) -> bool:
        """The last round found nothing new: what it checked is what to write."""
        return not self._changed and not self._late

    def summary(self, first: int = 20) -> list[str]:
        """Lines for the report: counts per kind of problem, then the first problems."""
        counts = Counter(kind_of(problem) for problem in self.problems)
        lines = [f"{n} × {kind}" for kind, n in counts.most_common()]
        lines += [f"  {problem}" for problem in self.problems[:first]]
        if len(self.problems) > first:
            lines.append(f"  … and {len(self.problems) - first} more")
        return lines

    def _reworded(self, problem: Problem) -> Problem:
        """A reference to a record left out says so, not that the id is unknown."""
        about = problem.about
        if about is None or about.refers is None or about.refers not in self.ids:
            return problem
        return Problem(
            problem.where,
            problem.field,
            f"refers to '{about.refers}', which was skipped",
            about=about,
        )

    def _leave_out_id(self, raw: RawRecord) -> None:
        record_id = raw.data.get("id")
        if isinstance(record_id, str) and record_id not in self.ids:
            self.ids.add(record_id)
            self._left_out_now.add(record_id)

    def _add(self, problem: Problem) -> None:
        if problem not in self._known:
            self._known.add(problem)
            self.problems.append(problem)
