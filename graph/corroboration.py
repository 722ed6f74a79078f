"""Corroboration: how many independent origins support an event or a relation, and how well.

The one owner of its Cypher (docs/reliability.md says the rules in words). Each claim has one
or more **origins**, the sources whose data or word it finally rests on:

1. the sources it is `BASED_ON`, if it names any (Bloomberg's reading of Flightradar24's
   tracks rests on Flightradar24);
2. else, when the claim's source published the claim's report and that report `REPEATS`
   another (a syndicated copy, a rewrite), the publisher of the first report of the chain (the
   one that repeats no other), followed up to `MAX_REPEAT_HOPS` reports back: an outlet
   repeating a wire story is the wire;
3. else the claim's own source.

The **independent origins** of an event or relation are the distinct origins of its claims;
retracted claims count for nothing (`graph.retraction.not_retracted`). Its best and worst
grading are those of a claim: the Admiralty reliability first (A best), then the credibility
(1 best), so "cannot be judged" (F, 6) sorts last. It rests only on anonymous sources when
every origin is an anonymous Source.

The functions take the variable of the event or relation (`v`), or of lists built from it, and
fresh variable names (`stem`, made unique by the caller), and give Cypher text without
parameters.
"""

from eventgraph.graph.retraction import not_retracted

MAX_REPEAT_HOPS = 10
"""How far back a chain of reports repeating one another is followed."""


def claims_of(v: str, claim: str) -> str:
    """The pattern and condition binding `claim` to each claim of `v` that is not retracted."""
    return f"({v})<-[:SUPPORTS]-({claim}:Claim) WHERE {not_retracted(claim)}"


def origins(v: str, claim: str, origin: str) -> str:
    """A clause binding each claim of `v` (as `claim`) to each of its origins (as `origin`, a
    Source), one row per pair; the caller goes on with WITH or RETURN."""
    own, basis, based, first = (f"{claim}_{part}" for part in ("own", "basis", "based", "first"))
    report, outlet = f"{claim}_report", f"{claim}_outlet"
    repeated = (
        f"head([({claim})-[:IN_REPORT]->({report}:Report)-[:REPEATS*1..{MAX_REPEAT_HOPS}]->"
        f"({first}:Report)-[:PUBLISHED_BY]->({outlet}:Source) "
        f"WHERE ({report})-[:PUBLISHED_BY]->({own}) AND NOT ({first})-[:REPEATS]->() "
        f"| {outlet}])"
    )
    return (
        f"MATCH {claims_of(v, claim)} "
        f"MATCH ({claim})-[:SOURCED_FROM]->({own}:Source) "
        f"WITH {claim}, {own}, COLLECT {{ MATCH ({claim})-[:BASED_ON]->({basis}:Source) "
        f"RETURN {basis} ORDER BY {basis}.id }} AS {based} "
        f"UNWIND CASE WHEN size({based}) > 0 THEN {based} ELSE [coalesce({repeated}, {own})] END "
        f"AS {origin} "
    )


def independent_origins(v: str, stem: str) -> str:
    """How many distinct origins the claims of `v` have."""
    claim, origin = f"{stem}_claim", f"{stem}_origin"
    return f"size(COLLECT {{ {origins(v, claim, origin)}RETURN DISTINCT {origin} }})"


def corroborated(v: str, stem: str, shape: str) -> str:
    """`shape` (Cypher text) over the origins of `v` worked out once: `{stem}_pairs`, a list of
    `[claim, origin]` in the claims' order (a claim's own origins by key), and
    `{stem}_origins`, each origin once, in the order of the first claim that rests on it."""
    claim, origin = f"{stem}_claim", f"{stem}_origin"
    pairs, distinct, seen, pair = (
        f"{stem}_{part}" for part in ("pairs", "origins", "seen", "pair")
    )
    found = (
        f"COLLECT {{ {origins(v, claim, origin)}RETURN [{claim}, {origin}] AS pair "
        f"ORDER BY {claim}.position, {claim}.id }}"
    )
    once = (
        f"reduce({seen} = [], {pair} IN {pairs} | "
        f"CASE WHEN {pair}[1] IN {seen} THEN {seen} ELSE {seen} + [{pair}[1]] END)"
    )
    return f"head([{pairs} IN [{found}] | head([{distinct} IN [{once}] | {shape}])])"


def anonymous_only(distinct: str) -> str:
    """Whether the origins `distinct` (a list of Sources) are some, and all anonymous."""
    each = f"{distinct}_each"
    every = f"all({each} IN {distinct} WHERE coalesce({each}.anonymous, false))"
    return f"(size({distinct}) > 0 AND {every})"


def claims_resting_on(pairs: str, origin: str) -> str:
    """How many of the claims in `pairs` rest on `origin`."""
    each = f"{pairs}_each"
    return f"size([{each} IN {pairs} WHERE {each}[1] = {origin}])"


GRADING = {
    "reliability": "{claim}.reliability",
    "credibility": "toInteger({claim}.credibility)",
    "code": "{claim}.reliability + {claim}.credibility",
}
"""The parts of a grading, over the claim that has it: `code` is the usual `B2`."""


def grading(v: str, stem: str, parts: list[tuple[str, str]], worst: bool) -> str:
    """The best (or worst) grading among the claims of `v`, as a map of `parts` (response key,
    part of `GRADING`); null when it has no claims."""
    claim = f"{stem}_claim"
    order = "DESC" if worst else "ASC"
    entries = ", ".join(f"`{key}`: {GRADING[part].format(claim=claim)}" for key, part in parts)
    return (
        f"head(COLLECT {{ MATCH {claims_of(v, claim)} RETURN {{{entries}}} AS item "
        f"ORDER BY {claim}.reliability {order}, toInteger({claim}.credibility) {order}, "
        f"{claim}.id {order} LIMIT 1 }})"
    )


def claim_count(v: str, stem: str) -> str:
    """How many claims of `v` are counted (those not retracted)."""
    return f"COUNT {{ MATCH {claims_of(v, f'{stem}_claim')} }}"
