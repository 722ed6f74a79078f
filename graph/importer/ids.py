"""The per-id state of an import's check, in SQLite: each valid record's label, id and content
digest, and every claim id. Kept in memory as Python dicts and sets, it was most of what grew
with an import (at 1M events about 350 bytes an event: an id, its digest and its claims' ids);
in a table beside the spool it is bounded by SQLite's page cache, however many records come.

A check asks it once per record (`add`) and once per claim (`add_claim`), a few microseconds
each; the end of the check and the writer ask which labels an id has (`labels`). A check of a
few records (an API mutation) keeps the same in dicts (`record_ids`).
"""

import sqlite3
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

CACHE_KIB = 16 * 1024
"""SQLite's page cache per import: the tables' hot pages; the rest is read from the file
(the operating system's cache, in practice)."""


def record_ids(directory: Path | None) -> "RecordIds":
    """The check's per-id state: in SQLite in `directory` (the spool's, deleted with it), or,
    without one, in Python dicts (API mutations: a few records)."""
    return RecordIds(directory) if directory is not None else RecordIdsInMemory()


class RecordIds:
    """Label, id and digest of each record checked; the claim ids. In `directory` (the
    spool's, deleted with it) or, without one, in an SQLite database in memory."""

    def __init__(self, directory: Path | None) -> None:
        where = ":memory:" if directory is None else str(directory / "ids.db")
        # the writer may ask from another thread than the check's: one connection, one lock
        self._db = sqlite3.connect(where, check_same_thread=False)
        self._lock = threading.Lock()
        for pragma in ("journal_mode = OFF", "synchronous = OFF", f"cache_size = -{CACHE_KIB}"):
            self._db.execute(f"PRAGMA {pragma}")  # scratch state, gone with the import
        self._db.execute(
            "CREATE TABLE records (id TEXT NOT NULL, label TEXT NOT NULL, digest BLOB, "
            "UNIQUE (id, label))"
        )
        self._db.execute("CREATE TABLE claims (id TEXT PRIMARY KEY) WITHOUT ROWID")
        self.count = 0

    def add(self, label: str, record_id: str, digest: bytes) -> bytes | None:
        """Keep a record's digest; if this label and id came before, the digest kept then."""
        with self._lock:
            cursor = self._db.execute(
                "INSERT OR IGNORE INTO records VALUES (?, ?, ?)", (record_id, label, digest)
            )
            if cursor.rowcount:
                self.count += 1
                return None
            row = self._db.execute(
                "SELECT digest FROM records WHERE id = ? AND label = ?", (record_id, label)
            ).fetchone()
        earlier: bytes = row[0]
        return earlier

    def add_claim(self, claim_id: str) -> bool:
        """Keep a claim id; False if it was given before."""
        with self._lock:
            cursor = self._db.execute("INSERT OR IGNORE INTO claims VALUES (?)", (claim_id,))
        return bool(cursor.rowcount)

    def forget_claims(self) -> None:
        """The claim ids are needed only while checking."""
        with self._lock:
            self._db.execute("DELETE FROM claims")

    def labels(self, record_id: str) -> set[str]:
        """The labels of the records with this id."""
        with self._lock:
            rows = self._db.execute(
                "SELECT label FROM records WHERE id = ?", (record_id,)
            ).fetchall()
        return {label for (label,) in rows}

    def ids(self, labels: Iterable[str]) -> Iterator[str]:
        """The ids of the records of these labels, label by label, each in the order added."""
        for label in labels:
            with self._lock:
                rows = self._db.execute(
                    "SELECT id FROM records WHERE label = ? ORDER BY rowid", (label,)
                ).fetchall()
            yield from (record_id for (record_id,) in rows)


class RecordIdsInMemory(RecordIds):
    """`RecordIds` in dicts, for a check of a few records (an API mutation): opening an SQLite
    database and creating its tables cost ~0.5 ms of every mutation, more than the check."""

    def __init__(self) -> None:  # no database: every method is its own
        self._digests: dict[tuple[str, str], bytes] = {}
        """(label, id) → digest, in the order added."""
        self._labels: dict[str, set[str]] = {}
        self._claims: set[str] = set()
        self.count = 0

    def add(self, label: str, record_id: str, digest: bytes) -> bytes | None:
        earlier = self._digests.get((label, record_id))
        if earlier is not None:
            return earlier
        self._digests[(label, record_id)] = digest
        self._labels.setdefault(record_id, set()).add(label)
        self.count += 1
        return None

    def add_claim(self, claim_id: str) -> bool:
        if claim_id in self._claims:
            return False
        self._claims.add(claim_id)
        return True

    def forget_claims(self) -> None:
        self._claims.clear()

    def labels(self, record_id: str) -> set[str]:
        return set(self._labels.get(record_id, ()))

    def ids(self, labels: Iterable[str]) -> Iterator[str]:
        for label in labels:
            yield from (record_id for (kind, record_id) in self._digests if kind == label)
