"""Time as analysts know it: an interval with a precision, never more exact than the source.

In the graph an event's time is two UTC instants, `start` and `end`, both inclusive (`end` is
the last microsecond of the last day for day-level precisions), so "did it happen in this
window" is `start <= window_end AND end >= window_start`, served by range indexes. Either bound
may be open (null). `time_precision` says how to read them, and the native format writes them
back exactly as precise as they came in: `2025-10-26` (day), `2025-10` (month), `2025` (year),
an instant with its offset (exact), or two of those (interval).

An event may also say how long it lasted, apart from when (`Duration`: "a pause of about six
months" between bounds that are each known only roughly): the bounds say where the event lies,
the duration how much of that room it took.
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from eventgraph.graph.ontology import DurationUnit, TimePrecision

_YEAR = re.compile(r"^(\d{4})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_ONE_MICROSECOND = timedelta(microseconds=1)


class TimeError(ValueError):
    """A time value that cannot be read, or bounds that contradict each other."""


@dataclass(frozen=True)
class Span:
    """An inclusive UTC interval; a bound of None is open."""

    start: datetime | None
    end: datetime | None
    precision: TimePrecision


@dataclass(frozen=True)
class Duration:
    """How long something lasted, as precisely as the source says it."""

    amount: int
    unit: DurationUnit
    approximate: bool = False
    """The source says "about": the amount is a round figure, not a measurement."""

    def shortest(self) -> timedelta:
        """The least time `amount` units can be (a month at least 28 days, a year 365)."""
        return self.amount * _SHORTEST_UNIT[self.unit]


_SHORTEST_UNIT = {
    DurationUnit.MINUTE: timedelta(minutes=1),
    DurationUnit.HOUR: timedelta(hours=1),
    DurationUnit.DAY: timedelta(days=1),
    DurationUnit.WEEK: timedelta(weeks=1),
    DurationUnit.MONTH: timedelta(days=28),
    DurationUnit.YEAR: timedelta(days=365),
}


def check_fits(duration: Duration, within: Span) -> None:
    """Refuse a duration that cannot fit between the span's bounds. An approximate one is only
    a round figure, so it is not held to its span."""
    if duration.approximate or within.start is None or within.end is None:
        return
    room = within.end - within.start + _ONE_MICROSECOND
    if duration.shortest() > room:
        raise TimeError(
            f"a duration of {duration.amount} {duration.unit}{'s' if duration.amount > 1 else ''} "
            "does not fit between "
            f"{_iso(within.start)} and {_iso(within.end)}: widen the time, or mark the "
            "duration approximate if the source gives a round figure"
        )


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    first = datetime.combine(day, time.min, tzinfo=UTC)
    return first, first + timedelta(days=1) - _ONE_MICROSECOND


def _month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    first = datetime(year, month, 1, tzinfo=UTC)
    following = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
    return first, following - _ONE_MICROSECOND


def _instant(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise TimeError(f"'{value.isoformat()}' has no time zone: add one (Z for UTC)")
    return value.astimezone(UTC)


def bounds(value: object) -> tuple[datetime, datetime, TimePrecision]:
    """The first and last instant a partial time covers, and its precision.

    Accepts a year (`2025`), a month (`2025-10`), a day (`2025-10-26`) or an instant with a
    time zone (`2025-10-26T14:05:00Z`), as YAML/JSON give them (int, str, date or datetime).
    """
    if isinstance(value, str | int) and not isinstance(value, bool):
        return _bounds_of_text(value)
    return _bounds(value)


@lru_cache(maxsize=8192)
def _bounds_of_text(value: str | int) -> tuple[datetime, datetime, TimePrecision]:
    """`bounds` of text and years, remembered: an import checks and stores each time several
    times over, and its events share a few thousand days."""
    return _bounds(value)


def _bounds(value: object) -> tuple[datetime, datetime, TimePrecision]:
    if isinstance(value, datetime):
        instant = _instant(value)
        return instant, instant, TimePrecision.EXACT
    if isinstance(value, date):
        return (*_day_bounds(value), TimePrecision.DAY)
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 9999:
        return (*_month_bounds(value, 1)[:1], _month_bounds(value, 12)[1], TimePrecision.YEAR)
    if isinstance(value, str):
        text = value.strip()
        if match := _YEAR.match(text):
            return bounds(int(match.group(1)))
        if match := _MONTH.match(text):
            year, month = int(match.group(1)), int(match.group(2))
            if not 1 <= month <= 12:
                raise TimeError(f"'{value}' has no month {month}")
            return (*_month_bounds(year, month), TimePrecision.MONTH)
        parsed: date | None
        try:
            if "T" in text or " " in text:
                parsed = datetime.fromisoformat(text.replace("z", "Z"))
            else:
                parsed = date.fromisoformat(text)
        except ValueError:
            parsed = None
        if parsed is not None:
            return bounds(parsed)
    raise TimeError(
        f"'{value}' is not a time: use 2025, 2025-10, 2025-10-26 or 2025-10-26T14:05:00Z"
    )


def span(start: object, end: object, precision: TimePrecision) -> Span:
    """Check that `start`/`end` fit `precision` and return the inclusive UTC interval."""
    if precision is TimePrecision.INTERVAL:
        if start is None and end is None:
            raise TimeError("an interval needs a start, an end, or both")
        low = bounds(start)[0] if start is not None else None
        high = bounds(end)[1] if end is not None else None
        if low is not None and high is not None and high < low:
            raise TimeError(f"the end ({end}) is before the start ({start})")
        return Span(low, high, precision)
    if start is None:
        raise TimeError(f"precision '{precision}' needs a start")
    low, high, given = bounds(start)
    if given is not precision:
        raise TimeError(
            f"'{start}' is {given}-precise but the precision says {precision}; "
            "write the start as precisely as the precision says, or use precision interval"
        )
    if end is not None:
        end_low, end_high, end_given = bounds(end)
        if precision is not TimePrecision.EXACT:
            if (end_low, end_high) != (low, high):
                raise TimeError(
                    f"precision '{precision}' covers one {precision}; for {start} to {end} "
                    "use precision interval"
                )
        elif end_given is not TimePrecision.EXACT:
            raise TimeError("an exact time's end must be an instant too")
        elif end_low < low:
            raise TimeError(f"the end ({end}) is before the start ({start})")
        else:
            high = end_high
    return Span(low, high, precision)


def _iso(instant: datetime) -> str:
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _partial(instant: datetime, is_end: bool) -> str:
    """The shortest text that `bounds` reads back to a bound covering `instant`."""
    day = instant.astimezone(UTC).date()
    first, last = _day_bounds(day)
    return day.isoformat() if instant == (last if is_end else first) else _iso(instant)


def render(
    start: datetime | None, end: datetime | None, precision: TimePrecision
) -> dict[str, str]:
    """The native-format `start`/`end` for a stored interval, as precise as it was given."""
    if precision is TimePrecision.YEAR and start is not None:
        return {"start": f"{start.year:04d}"}
    if precision is TimePrecision.MONTH and start is not None:
        return {"start": f"{start.year:04d}-{start.month:02d}"}
    if precision is TimePrecision.DAY and start is not None:
        return {"start": start.date().isoformat()}
    if precision is TimePrecision.EXACT and start is not None:
        rendered = {"start": _iso(start)}
        if end is not None and end != start:
            rendered["end"] = _iso(end)
        return rendered
    rendered = {}
    if start is not None:
        rendered["start"] = _partial(start, is_end=False)
    if end is not None:
        rendered["end"] = _partial(end, is_end=True)
    return rendered


def render_bound(instant: datetime, precision: TimePrecision) -> str:
    """A single bound (a relation's `since`/`until`) as precisely as it was given."""
    if precision is TimePrecision.YEAR:
        return f"{instant.year:04d}"
    if precision is TimePrecision.MONTH:
        return f"{instant.year:04d}-{instant.month:02d}"
    if precision is TimePrecision.DAY:
        return instant.astimezone(UTC).date().isoformat()
    return _iso(instant)


def canonical(value: object) -> str:
    """One spelling per partial time (`2025`, `2025-10`, `2025-10-26`, `…T…Z`), so that equal
    times hash equal whether YAML gave an int, a date or a string."""
    low, _, precision = bounds(value)
    return render_bound(low, precision)
