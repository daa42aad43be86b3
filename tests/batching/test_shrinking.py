"""A failing example is shrunk to a simpler one that still fails, within a budget."""

from __future__ import annotations

import random

import numpy as np

from autograder.batching import shrinking
from autograder.batching import strategies as st
from autograder.batching.choices import Choices
from autograder.strategies import arrays


def _shrinker(strategy: st.Strategy, fails):
    def evaluate(candidates: list[list[int]]) -> list[list[int] | None]:
        out = []
        for candidate in candidates:
            src = Choices(None, candidate)
            out.append(src.made if fails(strategy.draw(src)) else None)
        return out

    return evaluate


def _failing(strategy: st.Strategy, fails, seed: int = 0) -> list[int]:
    rng = random.Random(seed)
    while True:
        src = Choices(rng)
        if fails(strategy.draw(src)):
            return src.made


def test_an_array_with_a_large_element_shrinks_to_a_single_small_one():
    strategy = arrays(bound=100.0)

    def fails(a: np.ndarray) -> bool:
        return bool(np.any(a > 10.0))

    sizes = []
    for seed in range(6):
        start = _failing(strategy, fails, seed)
        best = shrinking.shrink(start, _shrinker(strategy, fails), budget=2000)
        shrunk = strategy.draw(Choices(None, best))
        assert fails(shrunk) and shrunk.ndim == 1 and shrunk.size <= 4
        sizes.append(shrunk.size)
    assert sizes.count(1) >= 4  # mostly a single element


def test_shrinking_never_leaves_the_failing_examples_and_respects_its_budget():
    strategy = st.tuples(st.integers(0, 1000), st.integers(0, 1000))
    tried = []

    def fails(pair: tuple[int, int]) -> bool:
        return pair[0] + pair[1] > 500

    evaluate = _shrinker(strategy, fails)

    def counting(candidates):
        tried.extend(candidates)
        return evaluate(candidates)

    start = _failing(strategy, fails, seed=3)
    best = shrinking.shrink(start, counting, budget=100)
    assert fails(strategy.draw(Choices(None, best)))
    assert not shrinking.simpler(start, best)
    assert len(tried) <= 100
