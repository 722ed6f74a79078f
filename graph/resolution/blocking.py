"""Candidate pairs by blocking: only nodes that share a key are ever compared, never all pairs.

Keys are taken from every name and alias of a node: its normal and its folded form (within the
label, across kinds, so that a person and the organisation named after them meet and are
vetoed with a reason), and within the label and kind its rarer words, its long words less one
letter each (`TYPO_WORD`) and its initials. A key more than
`MAX_BLOCK` nodes share ("air", "regiment") says nothing and is dropped, which keeps the
number of pairs near-linear in the number of nodes.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence

from eventgraph.graph.resolution.names import MINOR_WORDS, acronym, as_acronym, folded, normal
from eventgraph.graph.resolution.reading import Entity
from eventgraph.graph.resolution.scoring import GENERIC_KINDS, KINDLESS_LABELS

MAX_BLOCK = 100
TYPO_WORD = 5
"""Words this long also give each of their one-letter deletions as keys: two spellings one
typo apart (a letter added, dropped, changed or two swapped) share one of them."""
Key = tuple[str, ...]


def _block_kinds(entity: Entity, kinds: Iterable[str]) -> set[str]:
    if entity.label in KINDLESS_LABELS:
        return {""}
    if entity.kind in GENERIC_KINDS:
        return {*kinds, ""}
    return {entity.kind or ""}


def keys_of(entity: Entity, kinds: Iterable[str] = ()) -> set[Key]:
    """The blocking keys of one node; one of a generic kind meets every kind of `kinds`, and
    places meet whatever their kinds (`scoring.KINDLESS_LABELS`)."""
    keys: set[Key] = set()
    for kind in _block_kinds(entity, kinds):
        keys |= _keys(entity, kind)
    return keys


def _keys(entity: Entity, kind: str) -> set[Key]:
    keys: set[Key] = set()
    for name in entity.names:
        if not normal(name):
            continue
        keys.add(("normal", normal(name)))
        keys.add(("folded", folded(name)))
        for word in {*normal(name).split(), *folded(name).split()}:
            if len(word) >= 3 and word not in MINOR_WORDS:
                keys.add(("word", kind, word))
            if len(word) >= TYPO_WORD and word.isalpha():
                keys.update(("less", kind, word[:n] + word[n + 1 :]) for n in range(len(word)))
        for initials in (acronym(name), as_acronym(name)):
            if initials:
                keys.add(("initials", kind, initials))
    return keys


def candidate_pairs(entities: Sequence[Entity]) -> Iterator[tuple[int, int]]:
    """Each pair of positions in `entities` that share a key (a < b), once."""
    blocks: dict[Key, list[int]] = defaultdict(list)
    kinds = {entity.kind for entity in entities if entity.kind and entity.kind not in GENERIC_KINDS}
    for position, entity in enumerate(entities):
        for key in keys_of(entity, kinds):
            blocks[key].append(position)
    seen: set[tuple[int, int]] = set()
    for members in blocks.values():
        if len(members) < 2 or len(members) > MAX_BLOCK:
            continue
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                pair = (a, b) if a < b else (b, a)
                if pair not in seen:
                    seen.add(pair)
                    yield pair
