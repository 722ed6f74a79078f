"""Who acts and who is acted on, in each of our event types' roles: the one table the feeds
that code events as "actor does X to recipient" (GDELT's Actor1/Actor2, POLECAT's actor and
recipient) read their participants through."""

ACTING_ROLES: dict[str, tuple[str, str]] = {
    "attack": ("perpetrator", "target"),
    "statement": ("speaker", "addressee"),
    "comment_refusal": ("speaker", "subject"),
    "signal": ("participant", "addressee"),
    "deployment": ("operator", "participant"),
}
"""Event type → (the role of who acts, the role of whom it is done to)."""


def acting_roles(event_type: str) -> tuple[str, str]:
    """The two roles of an event type; types without a direction: participants both."""
    return ACTING_ROLES.get(event_type, ("participant", "participant"))
