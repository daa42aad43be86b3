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
        """An integer in [0, n]."""
        k = len(self.made)
        if k >= MAX_CHOICES:
            raise Reject(f"an example drew more than {MAX_CHOICES} choices")
        if k < len(self.prefix):
            value = min(max(self.prefix[k], 0), n)
        elif self.rng is None:
            value = 0
        else:
            value = (
                int(self.rng.random() * (n + 1))
                if n < 2**30
                else self.rng.getrandbits(62) % (n + 1)
            )
        self.made.append(value)
        return value

    def below(self, numerator: int, denominator: int = 100) -> bool:
        """True with probability numerator/denominator; shrinks to True (choice 0)."""
        return self.choice(denominator - 1) < numerator
