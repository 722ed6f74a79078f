"""The events of a synthetic dataset, made one at a time so a million never sit in memory.

Events are spread evenly over the world's three years, with a busy few: a Zipf-like choice
of operators, bases and sources, a hub air force in about a tenth of all events, two rivals
that clash every `RIVALRY_EVERY` events, build-ups (`BURST_SHARE` of all events) of flights
and deployments to the air bases of a few provinces in four-week windows, and pauses in an air
force's flights (months long, some still open) that a later flight ends. Each event has 2–4
participants in roles the ontology allows for their labels and 1–3 graded claims; times are
as precise as a source would give them (instants, days, intervals of days, months).
"""

import random
from collections import deque
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from bench.reports import Reports
from bench.skew import Skewed
from bench.world import BURST_WEEKS, PERIOD_DAYS, PERIOD_START, Burst, Record, World

EVENT_MIX = (
    ("flight", 44),
    ("airlift", 2),
    ("deployment", 10),
    ("attack", 12),
    ("defence", 4),
    ("statement", 12),
    ("comment_refusal", 3),
    ("assessment", 6),
    ("signal", 5),
    ("political_development", 2),
)
BURST_SHARE = 0.04
"""Share of all events that belong to a build-up (the same share at every scale)."""
RIVALRY_EVERY = 97
"""Every 97th event is a clash between the two rivals (the `actor_a`/`actor_b` probes)."""
PART_OF_AIRLIFT = 0.3
"""Chance that a flight by an operator with an airlift under way is a leg of it."""
HIATUS_EVERY = 200
"""Every 200th event is a pause in some air force's flights (so even 200 events have one)."""
ENDS_HIATUS = 0.3
"""Chance that a flight by an operator whose flights had paused ends the pause."""
_PERIOD_START = datetime.combine(PERIOD_START, datetime.min.time(), tzinfo=UTC)
_SECONDS = PERIOD_DAYS * 86_400
_NO_YEAR = "The report gives no year; the year is assumed from context."


def event_id(index: int) -> str:
    """The id of the `index`-th event (zero-based)."""
    return f"event-{index:07d}"


def _iso(instant: datetime) -> str:
    return instant.strftime("%Y-%m-%dT%H:%M:00Z")


def exact_time(instant: datetime) -> Record:
    """An event's time as a feed that saw it happen gives it: the instant, to the minute."""
    return {"start": _iso(instant), "precision": "exact"}


class EventStream:
    """Iterates over `count` events drawn from a world; the same seed gives the same events."""

    def __init__(self, world: World, reports: Reports, count: int, seed: int) -> None:
        self.world = world
        self.reports = reports
        self.count = count
        self.rng = random.Random(f"eventgraph-bench/events/{seed}")
        self.kinds = [kind for kind, _ in EVENT_MIX]
        self.weights = [weight for _, weight in EVENT_MIX]
        self.operators = Skewed(world.air_forces, exponent=1.0)
        self.forces = Skewed(world.air_forces + world.navies, exponent=0.8)
        self.airfields = Skewed(world.airfields, exponent=0.6)
        self.groups = Skewed(world.armed_groups, exponent=0.8)
        self.sources = Skewed(world.source_ids, exponent=0.7)
        self.states = Skewed(world.states, exponent=0.6)
        self.places = world.sites + world.cities
        self.subjects = world.states + world.armed_groups + world.airfields + world.bases
        self.targets = world.bases + world.airfields
        self.officials = world.governments + world.air_forces + world.navies
        self.recent: deque[str] = deque(maxlen=500)
        self.airlift_of: dict[str, str] = {}
        """Operator → its latest airlift, which its flights may be legs of."""
        self.hiatus_of: dict[str, str] = {}
        """Operator → a pause in its flights that no flight has ended yet."""

    def __iter__(self) -> Iterator[Record]:
        for event, _ in self.drawn():
            yield event

    def drawn(self) -> Iterator[tuple[Record, datetime]]:
        """Each event with the instant it was drawn at: its `time` gives that instant only as
        precisely as a source would (its day, its month, an interval around it)."""
        for index in range(self.count):
            yield self._event(index)

    # ---- one event ---------------------------------------------------------------------------

    def _event(self, index: int) -> tuple[Record, datetime]:
        rng = self.rng
        when = _PERIOD_START + timedelta(seconds=(index + rng.random()) / self.count * _SECONDS)
        event: Record = {"id": event_id(index)}
        if index % RIVALRY_EVERY == 5:
            self._clash(event)
        elif index % HIATUS_EVERY == 3:
            self._hiatus(event)
        elif rng.random() < BURST_SHARE:
            burst = self.world.bursts[rng.randrange(len(self.world.bursts))]
            when = self._burst_time(burst)
            if rng.random() < 0.75:
                self._flight(event, burst)
            else:
                self._deployment(event, burst)
        else:
            kind = rng.choices(self.kinds, weights=self.weights)[0]
            getattr(self, f"_{kind}")(event)
        event["time"] = self._time(when, event["type"], in_burst="burst" in event)
        event.pop("burst", None)
        event["claims"] = self._claims(event, when)
        self.recent.append(event["id"])
        return _ordered(event), when

    def _burst_time(self, burst: Burst) -> datetime:
        start = datetime.combine(burst.first_day, datetime.min.time(), tzinfo=UTC)
        build_up = timedelta(weeks=BURST_WEEKS - 1).total_seconds()
        return start + timedelta(weeks=1, seconds=self.rng.random() * build_up)

    def _time(self, when: datetime, kind: str, in_burst: bool) -> Record:
        rng = self.rng
        roll = rng.random() * (0.75 if in_burst else 1.0)
        time: Record
        if kind == "airlift":
            end = when + timedelta(days=rng.randrange(3, 15))
            time = {"start": when.date().isoformat(), "end": end.date().isoformat()}
            time["precision"] = "interval"
        elif kind == "hiatus":
            time = {"start": when.strftime("%Y-%m")}
            if rng.random() < 0.5:  # still going on when reported: open-ended
                end = when + timedelta(days=rng.randrange(60, 240))
                time["end"] = end.strftime("%Y-%m")
            time["precision"] = "interval"
        elif roll < 0.35:
            time = {"start": _iso(when)}
            if kind == "flight":
                time["end"] = _iso(when + timedelta(minutes=rng.randrange(45, 420)))
            time["precision"] = "exact"
        elif roll < 0.75:
            time = {"start": when.date().isoformat(), "precision": "day"}
        elif roll < 0.95:
            end = when + timedelta(days=rng.randrange(1, 7))
            time = {"start": when.date().isoformat(), "end": end.date().isoformat()}
            time["precision"] = "interval"
        else:
            time = {"start": when.strftime("%Y-%m"), "precision": "month"}
        if rng.random() < 0.02:
            time.update(year_assumed=True, note=_NO_YEAR)
        return time

    def _claims(self, event: Record, when: datetime) -> list[Record]:
        """1–3 claims by different sources; most come from a report published soon after."""
        rng = self.rng
        cited: list[tuple[str, str | None]] = []
        for _ in range(rng.choices((1, 2, 3), weights=(6, 3, 1))[0]):
            report = self.reports.soon_after(when.date(), rng) if rng.random() < 0.8 else None
            source = report["publisher"] if report else self.sources.pick(rng)
            if all(source != earlier for earlier, _ in cited):
                cited.append((source, report["id"] if report else None))
        kind = event["type"].replace("_", " ")
        article = "an" if kind[0] in "aeiou" else "a"
        claims = []
        for source, report_id in cited:
            claim: Record = {"source": source}
            if report_id:
                claim["report"] = report_id
            if rng.random() < 0.2:
                claim["reliability"] = rng.choice("ABCDEF")
            claim["credibility"] = rng.choices((1, 2, 3, 4, 5, 6), weights=(2, 5, 4, 2, 1, 1))[0]
            claim["paraphrase"] = f"Reports {article} {kind}: {event['name']}."
            if rng.random() < 0.25:
                reported = when.date() + timedelta(days=rng.randrange(0, 4))
                claim["reported_on"] = reported.isoformat()
            claims.append(claim)
        return claims

    def _name(self, ref: str) -> str:
        return self.world.name_of[ref]

    def _about(self, event: Record, chance: float) -> None:
        if self.recent and self.rng.random() < chance:
            event["about"] = [self.recent[self.rng.randrange(len(self.recent))]]

    # ---- event types -------------------------------------------------------------------------

    def _flight(self, event: Record, burst: Burst | None = None) -> None:
        rng, world = self.rng, self.world
        operator = self.operators.pick(rng)
        origin = self.airfields.pick(rng)
        if burst is not None:
            operator = world.hub_air_force if rng.random() < 0.7 else operator
            destination = rng.choice(burst.bases)
            event["burst"] = True
        else:
            destination = self.airfields.pick(rng)
        while destination == origin:
            origin = self.airfields.pick(rng)
        airframe = rng.choice(world.airframes_of[operator])
        aircraft = airframe if rng.random() < 0.7 else world.type_of[airframe]
        participants = [
            {"role": "operator", "ref": operator},
            {"role": "aircraft", "ref": aircraft},
        ]
        if rng.random() < 0.4 and world.units_of[operator]:
            participants.append({"role": "operator", "ref": rng.choice(world.units_of[operator])})
        if rng.random() < 0.15:
            participants.append({"role": "participant", "ref": rng.choice(world.persons)})
        event.update(
            type="flight",
            name=f"{self._name(aircraft)} flight to {self._name(destination)}",
            place_precision="site",
            origin=origin,
            destination=destination,
            participants=participants,
        )
        airlift = self.airlift_of.get(operator)
        if airlift is not None and rng.random() < PART_OF_AIRLIFT:
            event["part_of"] = [airlift]
        if operator in self.hiatus_of and rng.random() < ENDS_HIATUS:
            event["ends"] = [self.hiatus_of.pop(operator)]

    def _airlift(self, event: Record) -> None:
        rng, world = self.rng, self.world
        operator = self.operators.pick(rng)
        destination = self.airfields.pick(rng)
        participants = [{"role": "operator", "ref": operator}]
        units = world.units_of[operator]
        participants.append(
            {"role": "participant", "ref": rng.choice(units)}
            if units
            else {"role": "equipment", "ref": world.type_of[world.airframes_of[operator][0]]}
        )
        event.update(
            type="airlift",
            name=f"{self._name(operator)} airlift to {self._name(destination)}",
            destination=destination,
            participants=participants,
        )
        self.airlift_of[operator] = event["id"]

    def _hiatus(self, event: Record) -> None:
        rng = self.rng
        operator = self.operators.pick(rng)
        base = self.airfields.pick(rng)
        event.update(
            type="hiatus",
            name=f"{self._name(operator)} flights to {self._name(base)} pause",
            participants=[
                {"role": "operator", "ref": operator},
                {"role": "subject", "ref": base},
            ],
        )
        self.hiatus_of[operator] = event["id"]

    def _deployment(self, event: Record, burst: Burst | None = None) -> None:
        rng, world = self.rng, self.world
        force = world.hub_air_force if burst is not None else self.forces.pick(rng)
        units = world.units_of[force]
        equipment = (
            rng.choice(world.airframes_of[force])
            if force in world.airframes_of
            else rng.choice(world.ships)
        )
        participants = [{"role": "operator", "ref": force}, {"role": "equipment", "ref": equipment}]
        if units and rng.random() < 0.6:
            participants.append({"role": "participant", "ref": rng.choice(units)})
        if burst is not None:
            place = rng.choice(burst.bases)
            event["burst"] = True
        else:
            place = rng.choice(world.bases if force in world.navies else world.airfields)
        event.update(
            type="deployment",
            name=f"{self._name(force)} deploys to {self._name(place)}",
            place_precision="site",
            at=[place],
            participants=participants,
        )

    def _attack(self, event: Record) -> None:
        rng, world = self.rng, self.world
        group = self.groups.pick(rng)
        target = rng.choice(self.targets)
        participants = [{"role": "perpetrator", "ref": group}, {"role": "target", "ref": target}]
        if rng.random() < 0.5:
            force = self.forces.pick(rng)
            if world.units_of[force]:
                participants.append({"role": "defender", "ref": rng.choice(world.units_of[force])})
        if rng.random() < 0.2:
            ally = self.groups.pick(rng)
            if ally != group:
                participants.append({"role": "perpetrator", "ref": ally})
        event.update(
            type="attack",
            name=f"Attack on {self._name(target)}",
            place_precision="site",
            at=[target],
            participants=participants,
        )

    def _defence(self, event: Record) -> None:
        rng, world = self.rng, self.world
        force = self.forces.pick(rng)
        defender = rng.choice(world.units_of[force]) if world.units_of[force] else force
        place = rng.choice(self.places)
        event.update(
            type="defence",
            name=f"{self._name(defender)} repels an attack near {self._name(place)}",
            place_precision="city" if place.startswith("city") else "site",
            at=[place],
            participants=[
                {"role": "defender", "ref": defender},
                {"role": "perpetrator", "ref": self.groups.pick(rng)},
            ],
        )
        self._about(event, 0.3)

    def _clash(self, event: Record) -> None:
        unit, group = self.world.rivals
        place = self.places[self.rng.randrange(len(self.places))]
        event.update(
            type="defence",
            name=f"{self._name(unit)} holds off {self._name(group)} near {self._name(place)}",
            place_precision="city" if place.startswith("city") else "site",
            at=[place],
            participants=[
                {"role": "defender", "ref": unit},
                {"role": "perpetrator", "ref": group},
                {"role": "defender", "ref": self.world.hub_air_force},
            ],
        )

    def _statement(self, event: Record) -> None:
        rng, world = self.rng, self.world
        roll = rng.random()
        if roll < 0.5:
            speaker = rng.choice(world.persons)
        elif roll < 0.8:
            speaker = rng.choice(world.governments)
        else:
            speaker = self.forces.pick(rng)
        subject = rng.choice(self.subjects)
        participants = [{"role": "speaker", "ref": speaker}, {"role": "subject", "ref": subject}]
        if rng.random() < 0.4:
            participants.append({"role": "addressee", "ref": self.states.pick(rng)})
        event.update(
            type="statement",
            name=f"Statement on {self._name(subject)}",
            participants=_distinct(participants),
        )
        self._about(event, 0.5)

    def _comment_refusal(self, event: Record) -> None:
        rng = self.rng
        speaker = rng.choice(self.officials)
        subject = rng.choice(self.subjects)
        event.update(
            type="comment_refusal",
            name=f"No comment on {self._name(subject)}",
            participants=[
                {"role": "speaker", "ref": speaker},
                {"role": "subject", "ref": subject},
            ],
        )
        self._about(event, 0.7)

    def _assessment(self, event: Record) -> None:
        rng, world = self.rng, self.world
        speaker = rng.choice(world.organisations if rng.random() < 0.6 else world.persons)
        subjects = rng.sample(self.subjects, rng.choice((1, 2)))
        participants = [{"role": "speaker", "ref": speaker}]
        participants.extend({"role": "subject", "ref": subject} for subject in subjects)
        event.update(
            type="assessment",
            name=f"Assessment of {self._name(subjects[0])}",
            participants=participants,
        )
        self._about(event, 0.6)

    def _signal(self, event: Record) -> None:
        rng, world = self.rng, self.world
        force = self.forces.pick(rng)
        addressee = self.states.pick(rng)
        participants = [
            {"role": "participant", "ref": force},
            {"role": "addressee", "ref": addressee},
        ]
        if rng.random() < 0.5:
            participants.append({"role": "subject", "ref": rng.choice(world.airfields)})
        event.update(
            type="signal",
            name=f"Show of force by the {self._name(force)}",
            participants=_distinct(participants),
        )
        self._about(event, 0.5)

    def _political_development(self, event: Record) -> None:
        rng, world = self.rng, self.world
        country = rng.randrange(len(world.states))
        participants = [
            {"role": "participant", "ref": world.governments[country]},
            {"role": "subject", "ref": world.states[country]},
        ]
        if rng.random() < 0.5:
            participants.append({"role": "addressee", "ref": self.states.pick(rng)})
        event.update(
            type="political_development",
            name=f"Political shift in {self._name(world.states[country])}",
            participants=_distinct(participants),
        )


def _distinct(participants: list[Record]) -> list[Record]:
    """Participants without a second entry for the same entity."""
    seen: set[str] = set()
    kept = []
    for participant in participants:
        if participant["ref"] not in seen:
            seen.add(participant["ref"])
            kept.append(participant)
    return kept


_KEY_ORDER = (
    "id",
    "type",
    "name",
    "time",
    "place_precision",
    "at",
    "origin",
    "destination",
    "participants",
    "part_of",
    "about",
    "ends",
    "claims",
)


def _ordered(event: Record) -> Record:
    return {key: event[key] for key in _KEY_ORDER if key in event}
