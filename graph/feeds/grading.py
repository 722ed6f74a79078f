"""How far to trust each feed: one table of defaults, changed by `--grading` or a config file.

An Admiralty grading is a source reliability A–F and an information credibility 1–6, written
together (`B2`). Each feed's default and why is in docs/feeds.md; `--grading adsb=C3` (or a
TOML file, `--feed-config`, with a `[grading]` table) overrides it for one import.
"""

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from eventgraph.graph.ontology import Credibility, Reliability


class GradingError(ValueError):
    """A grading option or config file that cannot be read; the message says why."""


@dataclass(frozen=True)
class Grading:
    reliability: Reliability
    credibility: Credibility

    def __str__(self) -> str:
        return f"{self.reliability.value}{self.credibility.value}"


def parse_grading(text: str) -> Grading:
    """`B2` → reliability B, credibility 2."""
    value = text.strip().upper()
    reliabilities = [r.value for r in Reliability]
    credibilities = [c.value for c in Credibility]
    if len(value) != 2 or value[0] not in reliabilities or value[1] not in credibilities:
        raise GradingError(
            f"'{text}' is not an Admiralty grading: a reliability {'–'.join(reliabilities[::5])} "
            f"and a credibility {credibilities[0]}–{credibilities[-1]}, e.g. B2"
        )
    return Grading(Reliability(value[0]), Credibility(value[1]))


def _checked(feed: str, text: str, feeds: Iterable[str]) -> tuple[str, Grading]:
    known = sorted(feeds)
    if feed not in known:
        raise GradingError(f"'{feed}' is not a feed eventgraph reads ({', '.join(known)})")
    return feed, parse_grading(text)


def parse_overrides(items: Iterable[str], feeds: Iterable[str]) -> dict[str, Grading]:
    """`["adsb=C3", "fr24=B3"]` → per feed grading; unknown feeds and bad gradings refused."""
    known = list(feeds)
    found: dict[str, Grading] = {}
    for item in items:
        feed, sep, text = item.partition("=")
        if not sep:
            raise GradingError(f"'{item}' is not FEED=GRADING, e.g. adsb=B2")
        name, grading = _checked(feed.strip().lower(), text, known)
        found[name] = grading
    return found


def read_config(path: Path, feeds: Iterable[str]) -> dict[str, Grading]:
    """The `[grading]` table of a TOML feed config (`adsb = "B2"`)."""
    try:
        config = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        reason = (error.strerror or str(error)).lower()
        raise GradingError(f"{path}: cannot be read ({reason})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise GradingError(f"{path}: not valid TOML ({error})") from None
    unknown = sorted(set(config) - {"grading"})
    if unknown:
        raise GradingError(f"{path}: unknown table(s) {', '.join(unknown)} (only [grading])")
    table = config.get("grading", {})
    if not isinstance(table, dict):
        raise GradingError(f'{path}: grading must be a table of FEED = "GRADING"')
    known = list(feeds)
    found: dict[str, Grading] = {}
    for feed, text in table.items():
        if not isinstance(text, str):
            raise GradingError(f'{path}: grading.{feed} must be text such as "B2"')
        try:
            name, grading = _checked(feed.lower(), text, known)
        except GradingError as error:
            raise GradingError(f"{path}: grading.{feed}: {error}") from None
        found[name] = grading
    return found


def merged(
    defaults: Mapping[str, Grading], *overrides: Mapping[str, Grading]
) -> dict[str, Grading]:
    """Defaults, then each override in turn (a config file, then the command line)."""
    result = dict(defaults)
    for override in overrides:
        result.update(override)
    return result
