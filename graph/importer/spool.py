"""Where an import keeps its validated records between checking them and writing them.

The check pass (validation.py) adds each valid record once; the write pass reads them back,
label by label in the order it is given (`writing.WRITE_ORDER`), as many times as it asks (a
transaction the driver retries reads them again). On disk (`Spool.on_disk`) records go, a
frame of `FRAME` at a time, to one file per label in a temporary folder that is deleted when
the import ends, also on an error or Ctrl-C; memory holds one frame per label. In memory
(`Spool()`, for API mutations: a few records) the records simply stay in their lists.

On disk a record is its canonical JSON, the text its content hash was computed from, so
spooling it costs nothing more, and it is read back with pydantic's JSON validation (10k
events: 26 µs a record, where pickling the models took 12 µs to write and 17 µs to read, and
pydantic's own pickling about twice that).

CSV participants and claims rows (`Attachment`s) wait in `Attachments`, an SQLite table in
the same folder keyed by the event or relation they attach to, until that record is checked.
"""

import pickle
import shutil
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from eventgraph.graph.importer.reading import Attachment
from eventgraph.graph.importer.validation import Encode, Item
from eventgraph.graph.records import RECORD_TYPES_BY_LABEL

FRAME = 2_000
"""Records per pickled frame: large enough that pickle's per-call cost is spread thin."""


def _the_item(item: Item, canonical: str) -> Item:
    return item


def _on_disk(item: Item, canonical: str) -> tuple[str, str, str]:
    return (canonical, item.content_hash, item.where)


class Spool:
    """Validated records per label, in the order added; `Iterable[Item]` in label order."""

    def __init__(self, order: Iterable[str], directory: Path | None = None) -> None:
        self.order = tuple(order)
        self.directory = directory
        self._frames: dict[str, list[Any]] = {label: [] for label in self.order}
        self._files: dict[str, BinaryIO] = {}
        self.total = 0

    @classmethod
    @contextmanager
    def on_disk(cls, order: Iterable[str]) -> Iterator["Spool"]:
        """A spool in a temporary folder (under TMPDIR), removed however the block ends."""
        directory = Path(tempfile.mkdtemp(prefix="eventgraph-import-"))
        spool = cls(order, directory)
        try:
            yield spool
        finally:
            spool.close()
            shutil.rmtree(directory, ignore_errors=True)

    def encoder(self) -> Encode:
        """How a record is kept: in memory the item, on disk its canonical JSON, content hash
        and place (what a worker process of the check sends back, `validation.Encode`)."""
        return _the_item if self.directory is None else _on_disk

    def add(self, item: Item, canonical: str) -> None:
        """Keep `item`; `canonical` is its record's `validation.canonical_json`."""
        self.add_encoded(item.label, self.encoder()(item, canonical))

    def add_encoded(self, label: str, encoded: Any) -> None:
        """Keep a record already in the form `encoder` gives."""
        frame = self._frames[label]
        frame.append(encoded)
        self.total += 1
        if self.directory is not None and len(frame) >= FRAME:
            self._flush(label)

    def _flush(self, label: str) -> None:
        frame = self._frames[label]
        if not frame or self.directory is None:
            return
        out = self._files.get(label)
        if out is None:
            out = self._files[label] = (self.directory / f"{label}.pickle").open("w+b")
        pickle.dump(frame, out, protocol=pickle.HIGHEST_PROTOCOL)
        self._frames[label] = []

    def __iter__(self) -> Iterator[Item]:
        """Every record, label by label; frames not yet written to disk come last of each."""
        for label in self.order:
            if self.directory is None:
                yield from self._frames[label]
                continue
            model = RECORD_TYPES_BY_LABEL[label]
            for frame in self._saved(label):
                for canonical, content_hash, where in frame:
                    yield Item(model.model_validate_json(canonical), content_hash, where)

    def _saved(self, label: str) -> Iterator[list[tuple[str, str, str]]]:
        """The frames of a label: those on disk, then the one still in memory."""
        out = self._files.get(label)
        if out is not None and self.directory is not None:
            out.flush()
            with (self.directory / f"{label}.pickle").open("rb") as saved:
                while True:
                    try:
                        yield pickle.load(saved)  # noqa: S301 (our own file)
                    except EOFError:
                        break
        yield self._frames[label]

    def close(self) -> None:
        for out in self._files.values():
            out.close()
        self._files.clear()


class Attachments:
    """CSV rows waiting for the event or relation they name (`target`).

    The first record with that id takes them (`take`), as when everything was read at once;
    `taken_by` remembers which (the record's number in the import), so a second reading of
    the same files (to place problems) gives every record the same rows again."""

    def __init__(self, directory: Path | None) -> None:
        self._db: sqlite3.Connection | None = None
        self._directory = directory
        self.count = 0

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            where = ":memory:" if self._directory is None else str(self._directory / "rows.db")
            self._db = sqlite3.connect(where)
            # scratch rows, gone with the import: no journal, no waiting for the disk
            self._db.execute("PRAGMA journal_mode = OFF")
            self._db.execute("PRAGMA synchronous = OFF")
            self._db.execute(
                "CREATE TABLE rows (seq INTEGER PRIMARY KEY, target TEXT, field TEXT, "
                "item BLOB, file TEXT, line INTEGER, taken_by INTEGER, column_name TEXT)"
            )
            self._db.execute("CREATE INDEX rows_target ON rows (target, seq)")
        return self._db

    def add(self, attachments: list[Attachment]) -> None:
        if not attachments:
            return
        self._connection().executemany(
            "INSERT INTO rows (target, field, item, file, line, column_name) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                (row.target, row.field, orjson.dumps(row.item), str(row.file), row.line, row.column)
                for row in attachments
            ),
        )
        self.count += len(attachments)

    def take(self, target: str, record: int, fields: tuple[str, ...]) -> list[Attachment]:
        """The rows for `target` of one or two `fields` that no other record took (or that
        `record` took)."""
        if not self.count:
            return []
        db = self._connection()
        rows = db.execute(
            "SELECT seq, field, item, file, line FROM rows WHERE target = ? AND field IN (?, ?) "
            "AND (taken_by IS NULL OR taken_by = ?) ORDER BY seq",
            (target, fields[0], fields[-1], record),
        ).fetchall()
        if rows:
            db.executemany(
                "UPDATE rows SET taken_by = ? WHERE seq = ?", ((record, row[0]) for row in rows)
            )
        return [
            Attachment(target, field, orjson.loads(item), Path(file), line)
            for _, field, item, file, line in rows
        ]

    def left_over(self) -> Iterator[Attachment]:
        """The rows no record took, in the order they were read."""
        if not self.count:
            return
        rows = self._connection().execute(
            "SELECT target, field, item, file, line, column_name FROM rows "
            "WHERE taken_by IS NULL ORDER BY seq"
        )
        for target, field, item, file, line, column in rows:
            yield Attachment(target, field, orjson.loads(item), Path(file), line, column)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
