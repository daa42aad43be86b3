"""Generated inputs: bounded, finite, reproducible from their choices, and simplest at 0."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from autograder.batching import strategies as st
from autograder.batching.choices import MAX_CHOICES, Choices, Reject, assume
from autograder.strategies import KINK_MARGIN, arrays, shapes


def _draws(strategy: st.Strategy, n: int = 400, seed: int = 0) -> list:
    rng = random.Random(seed)
    return [strategy.draw(Choices(rng)) for _ in range(n)]


@pytest.mark.parametrize("lo, hi", [(-5.0, 5.0), (0.05, 5.0), (-1e4, 1e4), (0.0, 1.0), (2.0, 2.0)])
def test_floats_stay_finite_and_inside_their_bounds(lo, hi):
    values = _draws(st.floats(lo, hi))
    assert all(math.isfinite(v) and lo <= v <= hi for v in values)


def test_floats_reach_the_values_where_bugs_hide():
    values = set(_draws(st.floats(-10.0, 10.0), n=2000))
    assert {0.0, -10.0, 10.0, 1.0, -1.0} <= values  # bounds, zero, small integers
    assert any(0 < abs(v) < 1e-6 for v in values)  # tiny magnitudes
    assert any(v != int(v) and abs(v) > 1 for v in values)  # plain fractions


def test_integers_cover_their_range_and_bounds():
    values = _draws(st.integers(1, 6))
    assert set(values) == {1, 2, 3, 4, 5, 6}


def test_arrays_have_the_shapes_asked_for_and_sometimes_repeat_one_value():
    drawn = _draws(arrays(shapes(min_dims=2, max_dims=2, max_side=5), bound=7.0))
    assert all(a.ndim == 2 and 1 <= min(a.shape) and max(a.shape) <= 5 for a in drawn)
    assert all(a.dtype == np.float64 and np.all(np.abs(a) <= 7.0) for a in drawn)
    assert any(a.size > 1 and np.all(a == a.flat[0]) for a in drawn)  # filled with one value
    assert any(len(np.unique(a)) == a.size > 4 for a in drawn)  # every element drawn


def test_arrays_that_avoid_kinks_keep_their_distance():
    drawn = _draws(arrays(bound=25.0, avoid=(0.0,)))
    assert all(np.all(np.abs(a) >= 2 * KINK_MARGIN) for a in drawn)


def test_replaying_the_choices_rebuilds_the_example():
    strategy = st.tuples(arrays(bound=3.0), st.integers(0, 2**16), st.floats(-1.0, 1.0))
    src = Choices(random.Random(5))
    first = strategy.draw(src)
    again = strategy.draw(Choices(None, src.made))
    assert np.array_equal(first[0], again[0]) and first[1:] == again[1:]


def test_all_zero_choices_give_the_simplest_example():
    strategy = st.tuples(arrays(bound=3.0), st.integers(-4, 9), st.floats(0.05, 5.0))
    arr, k, f = strategy.draw(Choices(None))
    assert arr.shape == (1,) and arr[0] == 0.0 and k == 0 and f == 0.05


def test_unique_lists_hold_distinct_values():
    drawn = _draws(st.lists(st.floats(-5.0, 5.0), min_size=1, max_size=6, unique=True))
    assert all(1 <= len(x) <= 6 and len(set(x)) == len(x) for x in drawn)


def test_data_draws_in_the_body_are_remembered_by_label():
    data = st.data().draw(Choices(random.Random(1)))
    value = data.draw(st.sampled_from(["a", "b"]), label="letter")
    assert data.drawn == [("letter", value)]


def test_assume_and_a_runaway_strategy_discard_the_example():
    with pytest.raises(Reject):
        assume(False)
    src = Choices(random.Random(0))
    with pytest.raises(Reject):
        for _ in range(MAX_CHOICES + 1):
            src.choice(3)
