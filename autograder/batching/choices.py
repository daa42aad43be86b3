"""Where generated inputs come from: a recorded sequence of small integer choices.

Every strategy draws only through `Choices.choice(n)`, an integer in [0, n]. Generating
an example draws the choices at random (from a seeded generator); replaying a recorded
sequence rebuilds the very same example; a shorter or smaller sequence rebuilds a simpler
one, which is how a failing example is shrunk (autograder.batching.shrinking). Choices
past the end of a replayed sequence are 0, the simplest.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

MAX_CHOICES = 20_000  # one example may not draw more (a strategy that never stops)


class Reject(Exception):
    """The example is discarded, not failed (`assume` was false, or a draw overran)."""


def assume(condition: object) -> None:
    """Discard the current example unless `condition` holds (like hypothesis.assume)."""
    if not condition:
        raise Reject("assumption not met")


class Choices:
    """The choices of one example: replayed from `prefix`, then random (or 0 without `rng`)."""

    def __init__(self, rng: random.Random | None, prefix: Sequence[int] = ()) -> None:
        self.rng, self.prefix = rng, prefix
        self.made: list[int] = []
        self.args: dict[str, object] = {}  # the values drawn for the test, by name

    def choice(self, n: int) -> int:
        """An integer in [0, n], uniform when generated."""
        return self._record(n, self._uniform(n) if self._generating() else None)

    def biased(self, n: int, special: Sequence[int], p: float) -> int:
        """An integer in [0, n] that is, when generated, one of `special` with probability
        `p` (a bound, 0, 1: where bugs hide) and uniform otherwise. It is recorded as the
        plain number, so shrinking lowers it like any other choice."""
        if self.rng is None or not self._generating() or not special or self.rng.random() >= p:
            return self.choice(n)
        pick = special[int(self.rng.random() * len(special))]
        return self._record(n, min(max(pick, 0), n))

    def weighted(self, weights: Sequence[float]) -> int:
        """An index into `weights`, drawn in proportion to them; 0 is the simplest."""
        if self.rng is None or not self._generating():
            return self.choice(len(weights) - 1)
        point, total = self.rng.random() * sum(weights), 0.0
        for index, weight in enumerate(weights):
            total += weight
            if point < total:
                return self._record(len(weights) - 1, index)
        return self._record(len(weights) - 1, len(weights) - 1)

    def _generating(self) -> bool:
        return self.rng is not None and len(self.made) >= len(self.prefix)

    def _uniform(self, n: int) -> int:
        assert self.rng is not None
        if n < 2**30:
            return int(self.rng.random() * (n + 1))
        return self.rng.getrandbits(62) % (n + 1)

    def _record(self, n: int, generated: int | None) -> int:
        k = len(self.made)
        if k >= MAX_CHOICES:
            raise Reject(f"an example drew more than {MAX_CHOICES} choices")
        if generated is not None:
            value = generated
        elif k < len(self.prefix):
            value = min(max(self.prefix[k], 0), n)
        else:
            value = 0
        self.made.append(value)
        return value
