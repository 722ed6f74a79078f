"""What maps to what between our labels and STIX 2.1 objects: the one table (docs/feeds.md).

    Actor          ↔ identity (identity_class by kind), threat-actor (armed groups)
    EquipmentType  ↔ infrastructure (`x_eventgraph_label: EquipmentType`)
    Asset          ↔ infrastructure
    Location       ↔ location
    Source         ↔ identity of the reporter (the `created_by_ref` of what it says)
    Report         ↔ report
    Event          ↔ sighting (read: also observed-data); a larger event also a grouping
    Relation       ↔ relationship
    claim          ↔ note (read: also opinion, or the object's own confidence)

What STIX has no property for travels in custom properties `x_eventgraph_<field>` (STIX 2.1
§11.1: lower case, `x_` and a producer prefix), so our own exports read back unchanged.
"""

import uuid
from datetime import UTC, datetime
from typing import Any

from stix2.confidence.scales import (
    admiralty_credibility_to_value,
    value_to_admiralty_credibility,
)

from eventgraph.graph.ontology import Credibility

PREFIX = "x_eventgraph_"
"""Our custom properties' prefix."""
NAMESPACE = uuid.UUID("5b0c1c2e-3f3a-5d52-9a37-6e7467726170")
"""The uuid5 namespace of the STIX ids of our records: the same record, the same id."""

SPEC_VERSION = "2.1"

COLLECTION_TYPES: dict[str, str] = {
    "actors": "identity",
    "equipment_types": "infrastructure",
    "assets": "infrastructure",
    "locations": "location",
    "sources": "identity",
    "reports": "report",
    "events": "sighting",
    "relations": "relationship",
}
"""The STIX type each collection is written as (actors: see `actor_type`)."""

LABEL_OF_COLLECTION = {
    "actors": "Actor",
    "equipment_types": "EquipmentType",
    "assets": "Asset",
    "locations": "Location",
    "sources": "Source",
    "reports": "Report",
    "events": "Event",
    "relations": "Relation",
}
COLLECTION_OF_LABEL = {label: collection for collection, label in LABEL_OF_COLLECTION.items()}

THREAT_ACTOR_KINDS = frozenset({"armed_group"})
"""Actor kinds written as `threat-actor` ("individuals, groups or organisations believed to
operate with malicious intent"): armed groups. States, forces and governments stay
identities: STIX's threat actor is an adversary label, which we do not put on a state."""

IDENTITY_CLASS: dict[str, str] = {
    "state": "organization",
    "government": "organization",
    "armed_force": "organization",
    "military_unit": "organization",
    "armed_group": "group",
    "organisation": "organization",
    "person": "individual",
    "group": "group",
    "news_outlet": "organization",
    "data_service": "system",
    "official": "individual",
    "social_media": "system",
}
"""Our actor and source kinds → STIX identity_class (identity-class-ov)."""
ACTOR_KIND_OF_CLASS = {
    "individual": "person",
    "group": "group",
    "organization": "organisation",
    "class": "group",
    "system": "organisation",
    "unknown": "group",
}
SOURCE_KIND_OF_CLASS = {
    "individual": "person",
    "group": "organisation",
    "organization": "organisation",
    "class": "organisation",
    "system": "data_service",
    "unknown": "organisation",
}
"""STIX identity_class → our actor or source kind, for identities we did not write."""

REPORT_TYPES = {"dataset": "observed-data"}
"""Our report kinds with a report-type-ov value; the others are `threat-report`."""

OPINION_CREDIBILITY = {
    "strongly-agree": Credibility.CONFIRMED,
    "agree": Credibility.PROBABLY_TRUE,
    "neutral": Credibility.POSSIBLY_TRUE,
    "disagree": Credibility.DOUBTFUL,
    "strongly-disagree": Credibility.IMPROBABLE,
}
"""An opinion without `confidence`: how far its author agrees, as information credibility."""

GROUPING_CONTEXT = "suspicious-activity"
"""grouping-context-ov value of the groupings we write (an event and its parts)."""

_SCALE = {
    Credibility.CONFIRMED: "1 - Confirmed by other sources",
    Credibility.PROBABLY_TRUE: "2 - Probably True",
    Credibility.POSSIBLY_TRUE: "3 - Possibly True",
    Credibility.DOUBTFUL: "4 - Doubtful",
    Credibility.IMPROBABLE: "5 - Improbable",
}
"""Our credibility → the wording of the stix2 library's Admiralty Credibility scale."""


def confidence_of(credibility: str) -> int | None:
    """STIX confidence of an Admiralty credibility (1 → 90 … 5 → 10; 6 → none)."""
    wording = _SCALE.get(Credibility(credibility))
    return None if wording is None else int(admiralty_credibility_to_value(wording))


def credibility_of(confidence: int | None) -> Credibility:
    """Admiralty credibility of a STIX confidence (90 → 1 … 10 → 5; none → 6)."""
    if confidence is None:
        return Credibility.CANNOT_BE_JUDGED
    wording = str(value_to_admiralty_credibility(confidence))
    return Credibility(wording[0])


def stix_id(stix_type: str, label: str, our_id: str) -> str:
    """The STIX id of one of our records that did not come from STIX."""
    return f"{stix_type}--{uuid.uuid5(NAMESPACE, f'{label}/{our_id}')}"


def stix_ids_in(external_ids: Any) -> list[str]:
    """The `stix` values of an `external_ids` list (`{scheme, value}` items), sorted."""
    if not isinstance(external_ids, list):
        return []
    return sorted(
        str(item["value"])
        for item in external_ids
        if isinstance(item, dict) and item.get("scheme") == "stix" and "value" in item
    )


def actor_type(kind: str) -> str:
    return "threat-actor" if kind in THREAT_ACTOR_KINDS else "identity"


def timestamp(value: datetime) -> str:
    """A STIX timestamp with milliseconds (the form we store and compare versions in)."""
    utc = value.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
