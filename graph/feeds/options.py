"""The feed options of one import (`--format`, `--grading`, `--feed-config`).

The importer's reading stage is called with files only; the options reach the feed readers
through a context variable the caller sets around the import (`using`), so that the reading
stage's signature stays the importer's own.
"""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import Any

from eventgraph.graph.feeds.grading import Grading


@dataclass(frozen=True)
class FeedOptions:
    format: str | None = None
    """Read every file as this format (detection only checks that it is not another one)."""
    grading: Mapping[str, Grading] = field(default_factory=dict)
    """Per feed, the grading that replaces its default."""
    shared: dict[tuple[str, str], tuple[str, dict[str, Any]]] = field(
        default_factory=dict, compare=False
    )
    """The entity records (airframes, types, airports …) this import's feed files gave so
    far, by (collection, id), with the file that gave each first: the same airframe from two
    feeds is one record, the fields one feed lacks filled from the other. They are checked
    once every file is read (`feeds.shared_records`), as the import streams file by file."""


_CURRENT: ContextVar[FeedOptions | None] = ContextVar("feed_options", default=None)


def current() -> FeedOptions:
    return _CURRENT.get() or FeedOptions()


@contextmanager
def using(options: FeedOptions) -> Iterator[None]:
    """Apply `options` to the feed files read inside the block."""
    token = _CURRENT.set(options)
    try:
        yield
    finally:
        _CURRENT.reset(token)


@contextmanager
def one_import() -> Iterator[None]:
    """Scope one import: the options in force (or the defaults), with no shared records yet."""
    with using(replace(current(), shared={})):
        yield
