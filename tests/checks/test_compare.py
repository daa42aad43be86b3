"""The comparer's verdicts: its shortcuts (equal bits, every element within
the tolerance) must pass and fail exactly what the element-wise rule does."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as hs
from hypothesis.extra import numpy as hnp

from autograder.checks.compare import CheckFailure, Comparer, Context
from autograder.config import Tolerance

TOLERANCES = {"float32": Tolerance(1e-5, 1e-6), "float64": Tolerance(1e-7, 1e-9)}
SPECIAL = [np.nan, np.inf, -np.inf, 0.0, -0.0, 1e308, -1e308, 5e-324]


def rule_passes(got: np.ndarray, want: np.ndarray, tol: Tolerance) -> bool:
    """The element-wise rule, written out: within atol + rtol·|want|, or the same NaN or
    infinity in both."""
    for g, w in zip(got.astype(np.float64).ravel(), want.astype(np.float64).ravel(), strict=True):
        if (np.isnan(g) and np.isnan(w)) or (g == w and not np.isfinite(w)):
            continue
        with np.errstate(over="ignore", invalid="ignore"):
            excess = abs(g - w) - (tol.atol + tol.rtol * abs(w))
        if np.isnan(excess) or excess > 0:
            return False
    return True


def passes(got: object, want: object) -> bool:
    try:
        Comparer(Context("f(x)"), TOLERANCES).compare(got, want, "")
    except CheckFailure:
        return False
    return True


elements = hs.one_of(hs.floats(allow_nan=True, allow_infinity=True), hs.sampled_from(SPECIAL))


@settings(max_examples=300, deadline=None)
@given(
    want=hnp.arrays(np.float64, hnp.array_shapes(max_dims=2, max_side=4), elements=elements),
    noise=hs.sampled_from([0.0, 1e-12, 1e-9, 1e-8, 1e-6, 1.0]),
    dtype=hs.sampled_from([np.float32, np.float64]),
    data=hs.data(),
)
def test_verdict_equals_the_element_wise_rule(want, noise, dtype, data):
    with np.errstate(over="ignore"):
        want = want.astype(dtype)
    picks = data.draw(hnp.arrays(np.float64, want.shape, elements=elements))
    mixed = np.where(np.arange(want.size).reshape(want.shape) % 3 == 0, picks, want)
    with np.errstate(over="ignore", invalid="ignore"):
        got = (mixed.astype(np.float64) * (1 + noise) + noise).astype(dtype)
    tol = TOLERANCES[np.dtype(dtype).name]
    expected = rule_passes(got, want, tol)
    assert passes(got, want) is expected
    assert passes(torch.from_numpy(got.copy()), torch.from_numpy(want.copy())) is expected


@pytest.mark.parametrize(
    ("got", "want", "ok"),
    [
        ([np.nan, 1.0], [np.nan, 1.0], True),
        ([np.nan, 1.0], [1.0, 1.0], False),
        ([np.inf], [np.inf], True),
        ([-np.inf], [np.inf], False),
        ([1.0 + 0.9e-7], [1.0], True),  # just inside float64's tolerance
        ([1.0 + 3e-7], [1.0], False),
        ([-0.0], [0.0], True),
    ],
)
def test_special_values_and_the_boundary(got, want, ok):
    assert passes(np.array(got), np.array(want)) is ok
    assert (
        passes(torch.tensor(got, dtype=torch.float64), torch.tensor(want, dtype=torch.float64))
        is ok
    )


def test_integers_match_exactly():
    assert passes(torch.tensor([1, 2, 3]), torch.tensor([1, 2, 3]))
    assert not passes(torch.tensor([1, 2, 4]), torch.tensor([1, 2, 3]))


def test_a_tensor_subclass_is_not_a_tensor():
    got = torch.nn.Parameter(torch.ones(2))
    assert not passes(got, torch.ones(2))
