"""Skewed choices: a few actors, bases and sources are in many events, most in few.

Real event data is like that (a handful of air forces fly most of the tracked flights), and it
is what makes queries on busy entities expensive, so the benchmark needs it.
"""

import random
from bisect import bisect_right
from itertools import accumulate
from typing import Generic, TypeVar

T = TypeVar("T")


class Skewed(Generic[T]):
    """Picks from `items` with Zipf-like weights: the k-th item is chosen ∝ 1 / k^exponent."""

    def __init__(self, items: list[T], exponent: float = 0.8) -> None:
        if not items:
            raise ValueError("nothing to choose from")
        self._items = items
        self._cumulative = list(
            accumulate(1.0 / (rank + 1) ** exponent for rank in range(len(items)))
        )

    def pick(self, rng: random.Random) -> T:
        """One item; the same generator state gives the same item."""
        point = rng.random() * self._cumulative[-1]
        return self._items[min(bisect_right(self._cumulative, point), len(self._items) - 1)]
