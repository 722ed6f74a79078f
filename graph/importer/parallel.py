"""The per-record part of the check in worker processes, for imports large enough to pay
for starting them.

    main: files in order ─▶ tasks (a file, or a chunk of a big one) ─▶ pool of workers
    worker: read_file ─▶ its slice of the records ─▶ validation.examine ─▶ [Checked…]
    main: results in the order of the tasks ─▶ Checker.apply (ids, references, spool)

Reading, validating, the canonical JSON and its hash, and the spool's form of each record
(bulk.py's CSV cells) are per record and take most of the check; they run in the workers,
on every core (processes, as the interpreter's lock lets one thread run Python at a time).
What spans records stays in the main process and is taken in the import's order, so the
problems, their order and the graph are those of a check in one process. At most two tasks
per worker are in flight and results are taken as they come: memory stays bounded.

Only native files (YAML, JSON, CSV tables) go to the pool, and only while no CSV
participants or claims rows (nor a feed's) are waiting to attach to records: those, feed
files, `--format` and `--skip-bad` are checked in the main process as before. The pool is
given only the files before the first one that may be a feed's (`feeds.may_be_feed`, from
its name and first bytes); should a worker still find a file is a feed's, it hands it back,
and from it on the check goes on in the main process.
"""

import contextlib
import gc
import multiprocessing
import signal
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from eventgraph.graph import feeds
from eventgraph.graph.errors import Problem
from eventgraph.graph.feeds.options import current
from eventgraph.graph.importer.reading import read_native_file
from eventgraph.graph.importer.validation import Checked, Encode, examine
from eventgraph.graph.processes import end_with_parent

POOL_MIN_BYTES = 8 * 2**20
"""Below this many bytes of files to check (about 15k events of native JSON, 1–3 s of checking
in one process), the check stays in the main process: starting the workers (a fresh
interpreter importing the model, about a second on this 2-core machine) would cost more than
the second core gives back. API mutations and small files never start a pool."""
CHUNK_BYTES = 4 * 2**20
"""When there are fewer files than tasks to keep the workers busy (two each), a file above
this is split into chunks of records, a task each; every chunk's worker parses the whole
file (JSON: about a tenth of its check), so files are split only when they are too few."""
IN_FLIGHT_PER_WORKER = 2
COLLECT_EVERY = 50_000
"""While checking, the cyclic garbage collector's first threshold (Python's is 700), in the
importing process and in the workers: checking builds and drops millions of small objects,
none in cycles, and each collection walks every young one (at 10k events, collections were a
third of a worker's time: reading, validating and pickling its results)."""


@dataclass
class ChunkResult:
    """What a worker found in its part of a file: the reading's own problems and
    assumptions (from the first chunk only) and each record checked."""

    problems: list[Problem] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    records: list[Checked] = field(default_factory=list)


def pool_worth_it(files: list[Path], workers: int) -> bool:
    """Whether these files are enough work for a pool (`POOL_MIN_BYTES`)."""
    if workers < 2 or current().format:
        return False
    total = 0
    for file in files:
        with contextlib.suppress(OSError):
            total += file.stat().st_size
    return total >= POOL_MIN_BYTES


def _chunks(file: Path, at_most: int) -> int:
    try:
        size = file.stat().st_size
    except OSError:
        return 1
    return max(1, min(at_most, -(-size // CHUNK_BYTES)))


def _tasks(files: list[Path], workers: int) -> Iterator[tuple[Path, int, int]]:
    """(file, chunk, chunks) of each file, in order."""
    at_most = -(-workers * IN_FLIGHT_PER_WORKER // len(files)) if files else 1
    for file in files:
        count = _chunks(file, at_most)
        for chunk in range(count):
            yield file, chunk, count


def _start_worker() -> None:
    """A worker: end as soon as the importing process ends, however it ends (its pipe to the
    worker closes), and leave Ctrl-C to it (it stops the pool); collect garbage as seldom as
    the importing process does while checking (`COLLECT_EVERY`)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    end_with_parent()
    gc.set_threshold(COLLECT_EVERY, *gc.get_threshold()[1:])


def check_chunk(
    file: Path, chunk: int, chunks: int, max_bytes: int, encode: Encode
) -> ChunkResult | None:
    """Read `file` and check the `chunk`-th of `chunks` equal slices of its records; None if
    it is a feed's file (the main process reads those: feeds share records across files)."""
    with feeds.one_import():
        read = read_native_file(file, max_bytes)
    if read is None:
        return None
    result = ChunkResult()
    if chunk == 0:
        result.problems, result.assumptions = read.problems, read.assumptions
    records = read.records
    start, end = len(records) * chunk // chunks, len(records) * (chunk + 1) // chunks
    result.records = [examine(raw, encode) for raw in records[start:end]]
    return result


def _context() -> multiprocessing.context.BaseContext:
    """Fork from a server that has imported the check once (not from the importing process,
    which holds the Neo4j driver's threads and sockets); spawn where there is no forkserver."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])
        return context
    return multiprocessing.get_context("spawn")


class CheckPool:
    """Worker processes checking the files given to `check`, ended with the block (also on
    an error or Ctrl-C: the tasks not started are dropped, the workers stopped)."""

    def __init__(self, workers: int, max_bytes: int, encode: Encode) -> None:
        self.workers = workers
        self.max_bytes = max_bytes
        self.encode = encode
        self._executor: ProcessPoolExecutor | None = None

    def __enter__(self) -> "CheckPool":
        self._executor = ProcessPoolExecutor(
            self.workers, mp_context=_context(), initializer=_start_worker
        )
        return self

    def __exit__(self, *failed: object) -> None:
        executor, self._executor = self._executor, None
        if executor is None:
            return
        if failed[0] is None:
            executor.shutdown(cancel_futures=True)
            return
        # Ctrl-C, or an error here: drop the work at once (Python 3.14: terminate_workers)
        processes = list((executor._processes or {}).values())
        executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()

    def check(self, files: list[Path]) -> Iterator[list[ChunkResult] | None]:
        """The chunks' results of each file, in the order given, as soon as they are all in;
        None for a file a worker found to be a feed's, and then no more (the caller reads it
        and the files after it itself)."""
        executor = self._executor
        assert executor is not None
        tasks = _tasks(files, self.workers)
        waiting: deque[tuple[int, int, Future[ChunkResult | None]]] = deque()

        def top_up() -> None:
            while len(waiting) < self.workers * IN_FLIGHT_PER_WORKER:
                task = next(tasks, None)
                if task is None:
                    return
                file, chunk, count = task
                future = executor.submit(
                    check_chunk, file, chunk, count, self.max_bytes, self.encode
                )
                waiting.append((chunk, count, future))

        top_up()
        done: list[ChunkResult] = []
        while waiting:
            chunk, count, future = waiting.popleft()
            result = future.result()
            if result is None:
                yield None
                return
            top_up()
            done.append(result)
            if chunk == count - 1:
                yield done
                done = []
