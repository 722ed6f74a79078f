"""pydantic's validation errors said in eventgraph's words, as `Problem`s.

pydantic's own messages ("Input should be a valid string", "Tuple should have at least 1 item
after validation") speak of Python types and leave the user to guess the fix. Each error
`type` the record models can raise gets a sentence here that names what the field needs and
what it got; a type without one still gets a plain sentence, never pydantic's.
"""

from collections.abc import Callable
from difflib import get_close_matches
from typing import Any

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from eventgraph.graph.errors import Problem
from eventgraph.graph.importer.reading import PathKey, RawRecord
from eventgraph.graph.records import (
    ID_PATTERN,
    RECORD_TYPES,
    SUGGESTION,
    ClaimSpec,
    Participant,
    Point,
    TimeSpec,
)

_NESTED: dict[str, type[BaseModel]] = {
    model.__name__: model for model in (ClaimSpec, Participant, Point, TimeSpec)
}
"""Models that appear inside records, by the class name pydantic reports."""
_ALL_FIELDS = sorted(
    {name for model in RECORD_TYPES for name in model.model_fields}
    | {name for model in _NESTED.values() for name in model.model_fields}
    | {"from"}
)
"""Every field name of the format, to suggest the one an unknown field was meant to be."""
_UNION_TAGS = {"str", "int", "float", "bool", "date", "datetime"}
"""Loc parts pydantic adds for the member of a union (`str | int | date`) that was tried."""
_TIME_TAGS = {"str", "int", "date", "datetime"}
_TIME = "a year, month, day or instant (2025, 2025-10, 2025-10-26, 2025-10-26T14:05:00Z)"


def shown(value: object) -> str:
    """A value as a message shows it: text quoted and cut short, lists and mappings by kind."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"{value:g}" if isinstance(value, float) else str(value)
    if isinstance(value, str):
        return f"'{value}'" if len(value) <= 60 else f"'{value[:57]}…'"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return f"a {type(value).__name__}"


def _number(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _singular(field: str) -> str:
    return field.removesuffix("es") if field.endswith("ses") else field.removesuffix("s")


def _fields(class_name: str) -> str:
    model = _NESTED.get(class_name)
    if model is None:
        return "a mapping"
    required = [name for name, info in model.model_fields.items() if info.is_required()]
    return f"a mapping with {', '.join(required)}" if required else "a mapping"


def _choices(detail: ErrorDetails) -> list[str]:
    expected = str(detail.get("ctx", {}).get("expected", ""))
    return [part.strip().strip("'") for part in expected.replace(" or ", ", ").split(", ")]


def suggest(value: object, choices: list[str]) -> str | None:
    """`did you mean 'x'?` for the choice closest to `value`, if one is close (`b`: `B`)."""
    same = [choice for choice in choices if choice.casefold() == str(value).casefold()]
    if same:
        return f"did you mean '{same[0]}'?"
    close = get_close_matches(str(value), choices, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


Wording = Callable[[ErrorDetails, Any, str], str]

_WORDS: dict[str, Wording] = {
    "missing": lambda d, got, field: "is required",
    "string_type": lambda d, got, field: f"must be text, not {got}",
    "string_too_short": lambda d, got, field: "must not be empty",
    "string_too_long": lambda d, got, field: (
        f"is longer than {d.get('ctx', {}).get('max_length')} characters"
    ),
    "int_type": lambda d, got, field: f"must be a whole number, not {got}",
    "int_parsing": lambda d, got, field: f"must be a whole number, not {got}",
    "int_from_float": lambda d, got, field: f"must be a whole number, not {got}",
    "float_type": lambda d, got, field: f"must be a number, not {got}",
    "float_parsing": lambda d, got, field: f"must be a number, not {got}",
    "finite_number": lambda d, got, field: f"must be a finite number, not {got}",
    "greater_than_equal": lambda d, got, field: (
        f"must be at least {_number(d.get('ctx', {}).get('ge'))}, not {got}"
    ),
    "greater_than": lambda d, got, field: (
        f"must be more than {_number(d.get('ctx', {}).get('gt'))}, not {got}"
    ),
    "less_than_equal": lambda d, got, field: (
        f"must be at most {_number(d.get('ctx', {}).get('le'))}, not {got}"
    ),
    "less_than": lambda d, got, field: (
        f"must be less than {_number(d.get('ctx', {}).get('lt'))}, not {got}"
    ),
    "bool_type": lambda d, got, field: f"must be true or false, not {got}",
    "bool_parsing": lambda d, got, field: f"must be true or false, not {got}",
    "tuple_type": lambda d, got, field: f"must be a list, not {got}",
    "list_type": lambda d, got, field: f"must be a list, not {got}",
    "too_short": lambda d, got, field: (
        f"needs at least one {_singular(field)}"
        if d.get("ctx", {}).get("min_length") == 1
        else f"needs at least {d.get('ctx', {}).get('min_length')} items"
    ),
    "too_long": lambda d, got, field: f"has more than {d.get('ctx', {}).get('max_length')} items",
    "model_type": lambda d, got, field: (
        f"must be {_fields(str(d.get('ctx', {}).get('class_name')))}, not {got}"
    ),
    "model_attributes_type": lambda d, got, field: f"must be a mapping, not {got}",
    "dict_type": lambda d, got, field: f"must be a mapping, not {got}",
    "enum": lambda d, got, field: f"{got} is not one of: {', '.join(_choices(d))}",
}
for _kind in (
    "date_type",
    "date_parsing",
    "date_from_datetime_parsing",
    "date_from_datetime_inexact",
    "datetime_type",
    "datetime_parsing",
    "datetime_from_date_parsing",
):
    _WORDS[_kind] = lambda d, got, field: f"{got} is not a date (YYYY-MM-DD, e.g. 2025-10-26)"


def in_words(detail: ErrorDetails, field: str) -> tuple[str, str | None]:
    """(reason, suggestion) for one pydantic error about `field`."""
    kind = detail["type"]
    got = shown(detail.get("input"))
    if kind == "value_error":  # our own validators' messages: already ours, maybe with a hint
        reason, _, close = detail["msg"].removeprefix("Value error, ").partition(SUGGESTION)
        return reason, f"did you mean {close}" if close else None
    if kind == "string_pattern_mismatch":
        if detail.get("ctx", {}).get("pattern") == ID_PATTERN:
            return (
                f"{got} is not an id: letters, digits and . _ : / - only, starting with a "
                "letter or digit, at most 200 characters",
                None,
            )
        return f"{got} is not in the expected form", None
    if kind == "enum":
        return _WORDS[kind](detail, got, field), suggest(detail.get("input"), _choices(detail))
    if kind == "extra_forbidden":
        return "is not a field of this record", suggest(field, _ALL_FIELDS)
    wording = _WORDS.get(kind)
    return (wording(detail, got, field) if wording else f"cannot be {got}"), None


def field_path(loc: tuple[int | str, ...]) -> PathKey:
    """The record path pydantic's `loc` names (`time.start`, not `time.start.str`)."""
    return _untagged(loc)[0]


def _untagged(loc: tuple[int | str, ...]) -> tuple[PathKey, set[str]]:
    """The field path without pydantic's union-member and validator parts, and those tags."""
    path: list[str | int] = []
    tags: set[str] = set()
    for part in loc:
        if isinstance(part, str) and (part in _UNION_TAGS or part.startswith("function-")):
            tags.add(part)
        else:
            path.append(part)
    return tuple(path), tags


def record_problems(raw: RawRecord, errors: list[ErrorDetails]) -> list[Problem]:
    """Every field problem of one record, one per field, in eventgraph's words."""
    by_path: dict[PathKey, list[tuple[ErrorDetails, set[str]]]] = {}
    for detail in errors:
        path, tags = _untagged(tuple(detail["loc"]))
        by_path.setdefault(path, []).append((detail, tags))
    problems = []
    for path, details in by_path.items():
        field = next((part for part in reversed(path) if isinstance(part, str)), "")
        inner = any(other != path and other[: len(path)] == path for other in by_path)
        if inner and all(detail["type"] == "too_short" for detail, _ in details):
            continue  # pydantic counts only valid items: "too short" as an item inside failed
        union = {tag for _, tags in details for tag in tags} & _UNION_TAGS
        if len(details) > 1 and union:
            got = shown(details[0][0].get("input"))
            wanted = _TIME if union <= _TIME_TAGS else "a value of another kind"
            reason, suggestion = f"must be {wanted}, not {got}", None
        else:
            reason, suggestion = in_words(details[0][0], field)
        problems.append(
            Problem(raw.where(path), raw.field(path), reason, suggestion, about=raw.subject())
        )
    return problems
