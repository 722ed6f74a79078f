"""One pair's reasons and score: the score is the sum of the reasons' weights, held to [0, 1].

Every weight is here, so a proposal explains itself: each reason says what was found and how
much it counted. A veto (weight `VETO`) is evidence that the two are different things — their
kinds differ (a person and the organisation named after them), their names hold different
numbers (1st and 2nd Guards Tank Army), their registrations differ — and takes the score to 0
whatever the names say. Names alone reach `NAME_WEIGHT` at most, below the default threshold
(`DEFAULT_MIN_SCORE`) until the kind or the place agrees too, and never make a proposal
automatic: only the safe rule (graph/resolution/safe.py) does.
"""

import math
import re
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from eventgraph.graph.resolution.names import acronym, as_acronym, folded, normal, numbers
from eventgraph.graph.resolution.reading import Entity


class ReasonKind(StrEnum):
    EXTERNAL_ID = "external_id"
    SAME_NAME = "same_name"
    TRANSLITERATION = "transliteration"
    ACRONYM = "acronym"
    TYPO = "typo"
    SIMILAR_NAME = "similar_name"
    SAME_KIND = "same_kind"
    KIND_DIFFERS = "kind_differs"
    NUMBERS_DIFFER = "numbers_differ"
    SAME_REGISTRATION = "same_registration"
    REGISTRATION_DIFFERS = "registration_differs"
    SAME_LOCATION = "same_location"
    NEAR = "near"
    FAR = "far"
    CO_OCCURRENCE = "co_occurrence"


NAME_WEIGHT = 0.8
"""Names equal after normalisation; closer spellings weigh less (below)."""
TRANSLITERATION_WEIGHT = 0.75
ACRONYM_WEIGHT = 0.7
TYPO_WEIGHT = 0.75
"""Folded names one edit apart (a letter added, dropped, changed or two swapped) …"""
TYPO_MIN_LENGTH = 6
"""… when both are at least this long: in shorter names one letter is a different name."""
FUZZY_FLOOR = 0.9
"""The least similarity (rapidfuzz's token-sort ratio over folded names, 0–1) that counts:
distinct names of one style ("Government of Ustiangrad", "Government of Sussiasgrad") reach
0.83, so a lower floor proposes them."""
REST_FLOOR = 0.9
"""The least similarity of the words two similar names do not share (a typo in them is
`TYPO` instead)."""
KIND_WEIGHT = 0.1
GENERIC_KINDS = frozenset({"group"})
"""Kinds a feed gives when it knows no better (ACLED's actors are `group`s): never compared."""
KINDLESS_LABELS = frozenset({"Location"})
"""Labels whose kinds are compared only as areas and points (a place's kind is a feed's guess;
its point is not): such nodes meet in blocking whatever their kinds."""
AREA_KINDS = frozenset({"country", "region", "province", "district"})
REGISTRATION_WEIGHT = 0.3
PLACE_WEIGHT = 0.1
FAR_WEIGHT = -0.5
CO_OCCURRENCE_WEIGHT = 0.05
"""Per shared event, up to `CO_OCCURRENCE_CAP`."""
CO_OCCURRENCE_CAP = 0.1
VETO = -1.0
DEFAULT_MIN_SCORE = 0.8
"""Proposals below this are not shown unless asked for (`--min-score`, `minScore`)."""
FAR_SLACK_KM = 10.0
"""Two points are far apart beyond twice their radii plus this."""


@dataclass(frozen=True)
class Reason:
    """One thing found about a pair, and what it counted."""

    kind: StrEnum
    """A `ReasonKind`, or for events a `CoreferenceReasonKind` (event_scoring.py)."""
    detail: str
    weight: float

    @property
    def veto(self) -> bool:
        return self.weight <= VETO


def score_of(reasons: tuple[Reason, ...]) -> float:
    """The sum of the weights, held to [0, 1]."""
    return round(min(1.0, max(0.0, sum(reason.weight for reason in reasons))), 3)


def name_reason(a: Entity, b: Entity) -> tuple[Reason, frozenset[int], frozenset[int]] | None:
    """The strongest agreement between any name or alias of `a` and any of `b`, with the
    numbers of the two names that agree; None when none agrees enough to count."""
    best: tuple[Reason, frozenset[int], frozenset[int]] | None = None
    for x in a.names:
        for y in b.names:
            reason = _names_agree(x, y)
            if reason is not None and (best is None or reason.weight > best[0].weight):
                best = (reason, numbers(x), numbers(y))
                if reason.weight >= NAME_WEIGHT:
                    return best
    return best


def _names_agree(x: str, y: str) -> Reason | None:
    if normal(x) and normal(x) == normal(y):
        return Reason(
            ReasonKind.SAME_NAME, f"'{x}' and '{y}' are equal after normalisation", NAME_WEIGHT
        )
    if folded(x) and folded(x) == folded(y):
        return Reason(
            ReasonKind.TRANSLITERATION,
            f"'{x}' and '{y}' are one name transliterated two ways",
            TRANSLITERATION_WEIGHT,
        )
    short = as_acronym(y)
    if short is not None and acronym(x) == short:
        return Reason(ReasonKind.ACRONYM, f"'{y}' is the initials of '{x}'", ACRONYM_WEIGHT)
    short = as_acronym(x)
    if short is not None and acronym(y) == short:
        return Reason(ReasonKind.ACRONYM, f"'{x}' is the initials of '{y}'", ACRONYM_WEIGHT)
    if _one_edit(normal(x), normal(y)) or _one_edit(folded(x), folded(y)):
        return Reason(
            ReasonKind.TYPO, f"'{x}' and '{y}' are one letter apart once normalised", TYPO_WEIGHT
        )
    fx, fy = folded(x), folded(y)
    similarity = fuzz.token_sort_ratio(fx, fy) / 100
    if similarity >= FUZZY_FLOOR and _rest_alike(fx, fy):
        return Reason(
            ReasonKind.SIMILAR_NAME,
            f"'{x}' and '{y}' are {similarity:.0%} alike",
            round(NAME_WEIGHT * similarity, 3),
        )
    return None


def _one_edit(x: str, y: str) -> bool:
    return min(len(x), len(y)) >= TYPO_MIN_LENGTH and OSA.distance(x, y) == 1


def _rest_alike(x: str, y: str) -> bool:
    """The words the two names do not share are alike too: shared words ("Government of",
    "Centre for Security Studies") make distinct names look similar."""
    left, right = set(x.split()), set(y.split())
    rest_x, rest_y = " ".join(sorted(left - right)), " ".join(sorted(right - left))
    return not (rest_x and rest_y) or fuzz.ratio(rest_x, rest_y) / 100 >= REST_FLOOR


def _registration(value: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", value.upper())


def km_between(lat_a: float, lon_a: float, lat_b: float, lon_b: float) -> float:
    """Great-circle distance between two WGS-84 points, in km."""
    la, lb = math.radians(lat_a), math.radians(lat_b)
    dlat, dlon = lb - la, math.radians(lon_b - lon_a)
    h = math.sin(dlat / 2) ** 2 + math.cos(la) * math.cos(lb) * math.sin(dlon / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def _km(a: Entity, b: Entity) -> float:
    assert a.lat is not None and a.lon is not None and b.lat is not None and b.lon is not None
    return km_between(a.lat, a.lon, b.lat, b.lon)


def _place_reason(a: Entity, b: Entity) -> Reason | None:
    if a.located_at is not None and a.located_at == b.located_at:
        return Reason(ReasonKind.SAME_LOCATION, f"both are at {a.located_at}", PLACE_WEIGHT)
    if a.lat is None or b.lat is None or a.radius_km is None or b.radius_km is None:
        return None
    km, allowed = _km(a, b), a.radius_km + b.radius_km
    if km <= allowed:
        return Reason(
            ReasonKind.NEAR, f"{km:.1f} km apart, within their {allowed:g} km", PLACE_WEIGHT
        )
    if km > 2 * allowed + FAR_SLACK_KM:
        return Reason(ReasonKind.FAR, f"{km:.0f} km apart, beyond their {allowed:g} km", FAR_WEIGHT)
    return None


def _kinds_compared(a: Entity, b: Entity) -> bool:
    """Kinds say something unless one is missing or generic; two places' kinds only when one
    is an area and the other is not (a feed calls Hmeimim a city that we call a site, and
    the points decide; but the city of Latakia is not Latakia province)."""
    if a.kind is None or b.kind is None or {a.kind, b.kind} & GENERIC_KINDS:
        return False
    if a.label in KINDLESS_LABELS and a.kind != b.kind:
        return (a.kind in AREA_KINDS) != (b.kind in AREA_KINDS)
    return True


def facts_of(a: Entity, b: Entity) -> list[Reason]:
    """What kind, registration and place say about a pair (not names, not events)."""
    reasons = []
    if _kinds_compared(a, b):
        if a.kind == b.kind:
            reasons.append(Reason(ReasonKind.SAME_KIND, f"both are {a.kind}", KIND_WEIGHT))
        else:
            reasons.append(
                Reason(ReasonKind.KIND_DIFFERS, f"{a.kind} is not {b.kind}", VETO),
            )
    if a.registration and b.registration:
        if _registration(a.registration) == _registration(b.registration):
            reasons.append(
                Reason(
                    ReasonKind.SAME_REGISTRATION,
                    f"registration {a.registration}",
                    REGISTRATION_WEIGHT,
                )
            )
        else:
            reasons.append(
                Reason(
                    ReasonKind.REGISTRATION_DIFFERS,
                    f"registration {a.registration} is not {b.registration}",
                    VETO,
                )
            )
    place = _place_reason(a, b)
    if place is not None:
        reasons.append(place)
    return reasons


def numbers_reason(left: frozenset[int], right: frozenset[int]) -> Reason | None:
    """A veto when both names hold numbers and they are not the same numbers."""
    if left and right and left != right:
        shown = [", ".join(str(n) for n in sorted(side)) for side in (left, right)]
        return Reason(ReasonKind.NUMBERS_DIFFER, f"numbers {shown[0]} and {shown[1]}", VETO)
    return None


def co_occurrence_reason(shared: int) -> Reason | None:
    """Events both take part in (or are places of)."""
    if shared <= 0:
        return None
    weight = min(CO_OCCURRENCE_CAP, CO_OCCURRENCE_WEIGHT * shared)
    return Reason(ReasonKind.CO_OCCURRENCE, f"{shared} events name both", weight)
