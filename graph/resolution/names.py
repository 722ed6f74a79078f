"""Names as resolution compares them: normalised, folded, tokenised, numbered.

`normal` removes what never tells two things apart: case, accents, Cyrillic or Greek script
(transliterated), punctuation, a leading "the", a feed's date range ("(2000-)"), and the
"armed/military forces of X" form (→ "x armed forces"). `folded` goes further, for spellings
that transliterate one sound differently (q/k, w/v, ou/u, y/i, ch/sh, kh/h, ph/f, doubled
letters): two names equal when folded are one name spelled two ways. `numbers` are the numbers a
name holds ("1st" and "first" are 1): two names with different numbers name different things
(sibling units, two airframes), whatever else they share; `normal` writes ordinal words as
ordinals ("Second" → "2nd").
"""

import re
import unicodedata
from functools import lru_cache

_CYRILLIC = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґў",
        [
            "a",
            "b",
            "v",
            "g",
            "d",
            "e",
            "e",
            "zh",
            "z",
            "i",
            "i",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "shch",
            "",
            "y",
            "",
            "e",
            "yu",
            "ya",
            "i",
            "i",
            "ye",
            "g",
            "u",
        ],
        strict=True,
    )
)
_GREEK = dict(
    zip(
        "αβγδεζηθικλμνξοπρσςτυφχψωάέήίόύώ",
        [
            "a",
            "v",
            "g",
            "d",
            "e",
            "z",
            "i",
            "th",
            "i",
            "k",
            "l",
            "m",
            "n",
            "x",
            "o",
            "p",
            "r",
            "s",
            "s",
            "t",
            "y",
            "f",
            "ch",
            "ps",
            "o",
            "a",
            "e",
            "i",
            "i",
            "o",
            "y",
            "o",
        ],
        strict=True,
    )
)
_SCRIPTS = str.maketrans({**_CYRILLIC, **_GREEK})
_DATES = re.compile(r"\(\s*\d{4}\s*-\s*(\d{4})?\s*\)")
_NOT_WORD = re.compile(r"[^\w]+")
_FORCES_OF = re.compile(r"^(?:armed|military) forces of (.+)$")
_FOLDS = (
    ("kh", "h"),
    ("ch", "sh"),
    ("ph", "f"),
    ("ou", "u"),
    ("q", "k"),
    ("w", "v"),
    ("y", "i"),
)
_DOUBLED = re.compile(r"([a-z])\1+")
_ORDINAL = re.compile(r"^(\d+)(?:st|nd|rd|th)?$")
_WORD_NUMBERS = {
    word: n
    for n, word in enumerate(
        [
            "first",
            "second",
            "third",
            "fourth",
            "fifth",
            "sixth",
            "seventh",
            "eighth",
            "ninth",
            "tenth",
        ],
        1,
    )
}
_ORDINAL_WORDS = {
    word: f"{n}{'st' if n == 1 else 'nd' if n == 2 else 'rd' if n == 3 else 'th'}"
    for word, n in _WORD_NUMBERS.items()
}
MINOR_WORDS = frozenset({"the", "of", "and", "for", "in", "on", "de", "al", "el"})
"""Words an acronym leaves out."""


@lru_cache(maxsize=65536)
def normal(name: str) -> str:
    """The name without case, accents, script, punctuation and the forms that never differ."""
    text = unicodedata.normalize("NFKC", name).casefold().translate(_SCRIPTS)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = _DATES.sub(" ", text)
    words = _NOT_WORD.sub(" ", text).replace("_", " ").split()
    text = " ".join(_ORDINAL_WORDS.get(word, word) for word in words)
    text = text.removeprefix("the ")
    forces = _FORCES_OF.match(text)
    if forces:
        text = f"{forces.group(1)} armed forces"
    return text


@lru_cache(maxsize=65536)
def folded(name: str) -> str:
    """The normal name with transliteration variants folded to one spelling."""
    text = normal(name)
    for old, new in _FOLDS:
        text = text.replace(old, new)
    return _DOUBLED.sub(r"\1", text)


def tokens(name: str) -> tuple[str, ...]:
    """The words of the normal name."""
    return tuple(normal(name).split())


def numbers(name: str) -> frozenset[int]:
    """The numbers the name holds: digits, ordinals ("1st") and ordinal words ("first")."""
    found = set()
    for token in tokens(name):
        match = _ORDINAL.match(token)
        if match:
            found.add(int(match.group(1)))
        elif token in _WORD_NUMBERS:
            found.add(_WORD_NUMBERS[token])
        else:
            found.update(int(digits) for digits in re.findall(r"\d+", token))
    return frozenset(found)


def acronym(name: str) -> str | None:
    """The initials of a name of two words or more ("National Defence Forces" → "ndf")."""
    words = [token for token in tokens(name) if token not in MINOR_WORDS and token.isalpha()]
    return "".join(word[0] for word in words) if len(words) >= 2 else None


def as_acronym(name: str) -> str | None:
    """The name itself, when it could be an acronym: one short word of letters."""
    words = tokens(name)
    if len(words) == 1 and words[0].isalpha() and 2 <= len(words[0]) <= 6:
        return words[0]
    return None
