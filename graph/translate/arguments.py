"""A root field's arguments, as the API hands them over (the model's names, plain values), turned
into what the statement builders take: filters, instants, page windows."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from eventgraph.graph.errors import InvalidData, Problem
from eventgraph.graph.model import camel
from eventgraph.graph.timespan import TimeError, bounds
from eventgraph.graph.translate.queries import EventFilter, RelationFilter, Sourcing

Arguments = Mapping[str, Any] | None
"""An input object's fields by the model's names (None when it was not given)."""


def _get(raw: Arguments, name: str) -> Any:
    return None if raw is None else raw.get(name)


def instant(value: str | None, field: str, last: bool) -> datetime | None:
    """The first (or, with `last`, the last) instant of a partial time (`2025-10`)."""
    if value is None:
        return None
    try:
        low, high, _ = bounds(value)
    except TimeError as error:
        raise InvalidData([Problem(field, field, str(error))]) from None
    return high if last else low


def window(raw: Arguments, where: str) -> tuple[datetime | None, datetime | None]:
    """A window's first and last instant; `where` names it in problems (`filter.window`)."""
    return (
        instant(_get(raw, "from"), f"{where}.from", last=False),
        instant(_get(raw, "to"), f"{where}.to", last=True),
    )


def _near(raw: Arguments) -> tuple[float, float, float] | None:
    if raw is None:
        return None
    return (raw["latitude"], raw["longitude"], raw["km"])


def _claim_conditions(raw: Arguments) -> dict[str, Any]:
    """The grading and sourcing conditions events and relations share (`ClaimConditions`)."""
    return {
        "min_reliability": _get(raw, "min_reliability"),
        "min_credibility": _get(raw, "min_credibility"),
        "source": _get(raw, "source"),
        "sourcing": Sourcing(_get(raw, "sourcing") or Sourcing.ANY),
        "min_independent_origins": _at_least_zero(raw, "min_independent_origins"),
    }


def _at_least_zero(raw: Arguments, name: str) -> int | None:
    value = _get(raw, name)
    if value is not None and value < 0:
        raise InvalidData([Problem("filter", camel(name), f"must be 0 or more, not {value}")])
    return value  # type: ignore[no-any-return]


def event_filter(raw: Arguments) -> EventFilter:
    start, end = window(_get(raw, "window"), "filter.window")
    return EventFilter(
        types=tuple(_get(raw, "types") or ()),
        text=_get(raw, "text"),
        claim_text=_get(raw, "claim_text"),
        start=start,
        end=end,
        involving=_get(raw, "involving"),
        role=_get(raw, "role"),
        at=_get(raw, "at"),
        near=_near(_get(raw, "near")),
        origin=_get(raw, "origin"),
        destination=_get(raw, "destination"),
        **_claim_conditions(raw),
    )


def relation_filter(raw: Arguments) -> RelationFilter:
    start, end = window(_get(raw, "window"), "filter.window")
    return RelationFilter(
        types=tuple(_get(raw, "types") or ()),
        from_=_get(raw, "from"),
        to=_get(raw, "to"),
        involving=_get(raw, "involving"),
        start=start,
        end=end,
        **_claim_conditions(raw),
    )


def kinds_filter(raw: Arguments) -> tuple[tuple[str, ...], str | None]:
    """An entity list's filter: the kinds (any of) and the text."""
    return tuple(_get(raw, "kinds") or ()), _get(raw, "text")
