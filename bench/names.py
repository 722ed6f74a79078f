"""Made-up but pronounceable names, so a synthetic graph reads like a real one.

Names are built from syllables with the caller's random generator: the same seed gives the same
names. `NamePool` hands out each name once, so entities never share a name by accident (they
share one only where the generator wants a full-text search to find several).
"""

import random

_ONSETS = ("b", "d", "f", "g", "h", "k", "kh", "l", "m", "n", "r", "s", "sh", "t", "v", "z", "")
_NUCLEI = ("a", "e", "i", "o", "u", "a", "e", "ai", "ia", "ou")
_CODAS = ("", "", "", "k", "l", "n", "r", "s", "t", "m")
_ENDINGS = ("", "", "", "", "a", "ia", "ov", "ar", "istan", "grad", "ak", "abad")


def pseudo_word(rng: random.Random, syllables: int) -> str:
    """One capitalised word of `syllables` syllables and perhaps an ending."""
    word = "".join(
        rng.choice(_ONSETS) + rng.choice(_NUCLEI) + rng.choice(_CODAS) for _ in range(syllables)
    )
    prefix = "al-" if rng.random() < 0.05 else ""
    return prefix + (word + rng.choice(_ENDINGS)).capitalize()


class NamePool:
    """Unique pseudo-words drawn from one random generator."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: set[str] = set()

    def take(self, syllables: int = 2) -> str:
        """A word no earlier call returned."""
        while True:
            word = pseudo_word(self._rng, syllables)
            if word.lower() not in self._used and len(word.removeprefix("al-")) >= 4:
                self._used.add(word.lower())
                return word
