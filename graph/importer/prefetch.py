"""Building the next rows while Neo4j writes the last ones: an iterable run in a thread ahead.

An import's client work (reading, checking, building rows) and Neo4j's work on what it was sent
would otherwise take turns. Waiting on Neo4j's answer releases the GIL, so a producer thread
can build the next batch meanwhile; a bounded queue keeps at most `ahead` items waiting, so
memory stays bounded by the batch however large the import.
"""

import queue
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")

_DONE = object()
_POLL_S = 0.1
"""How often a blocked producer looks whether the consumer has gone."""


class _Failed:
    """The producer's exception, handed to the consumer to raise."""

    def __init__(self, error: BaseException) -> None:
        self.error = error


@contextmanager
def prefetched(source: Iterable[T], ahead: int) -> Iterator[Iterator[T]]:
    """Iterate `source` in a thread, up to `ahead` items ahead of the consumer; what it raises
    is raised in the consumer. Leaving the block stops the thread."""
    waiting: queue.Queue[object] = queue.Queue(maxsize=max(ahead, 1))
    stop = threading.Event()

    def hand(value: object) -> bool:
        while not stop.is_set():
            try:
                waiting.put(value, timeout=_POLL_S)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for value in source:
                if not hand(value):
                    return
        except BaseException as error:  # raised again in the consumer
            hand(_Failed(error))
            return
        hand(_DONE)

    def consume() -> Iterator[T]:
        while True:
            value = waiting.get()
            if value is _DONE:
                return
            if isinstance(value, _Failed):
                raise value.error
            yield value  # type: ignore[misc]  # anything else is one of `source`'s items

    thread = threading.Thread(target=produce, name="import-rows", daemon=True)
    thread.start()
    try:
        yield consume()
    finally:
        stop.set()
        thread.join()
