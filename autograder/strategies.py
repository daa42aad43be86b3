"""Inputs for graded tests: seeded tensors, and bounded, NaN-free hypothesis strategies
(hypothesis.extra.numpy arrays whose every element is drawn, none filled)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograder.seeds import mixed

DTYPES = (torch.float32, torch.float64)
DTYPE_IDS = ("float32", "float64")
KINK_MARGIN = 1e-3


def randn(
    *shape: int,
    seed: int,
    dtype: torch.dtype = torch.float64,
    device: str = "cpu",
    scale: float = 1.0,
) -> torch.Tensor:
    """A reproducible normal tensor: the same seed (mixed with the run's grading seed, see
    autograder.seeds) gives the same values everywhere."""
    gen = torch.Generator().manual_seed(mixed(seed))
    return (torch.randn(*shape, generator=gen, dtype=torch.float64) * scale).to(dtype).to(device)


def shapes(
    min_dims: int = 1, max_dims: int = 3, max_side: int = 6
) -> st.SearchStrategy[tuple[int, ...]]:
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=max_side)


def arrays(
    shape: Any = None, bound: float = 20.0, avoid: Sequence[float] = ()
) -> st.SearchStrategy[np.ndarray]:
    """float64 arrays with finite values in [-bound, bound]; `shape` may be a strategy.

    Values within 2·KINK_MARGIN of a point in `avoid` are not generated, so tests that
    must stay off kinks (checked with `off_kinks`) rarely have to reject an example.
    """
    edges = sorted(avoid)
    lows = [-bound, *(k + 2 * KINK_MARGIN for k in edges)]
    highs = [*(k - 2 * KINK_MARGIN for k in edges), bound]
    pieces = [
        st.floats(lo, hi, allow_nan=False, allow_infinity=False)
        for lo, hi in zip(lows, highs, strict=True)
        if lo < hi
    ]
    return hnp.arrays(
        np.float64,
        shape if shape is not None else shapes(),
        elements=st.one_of(*pieces),
        fill=st.nothing(),  # every element drawn: no array that is one value almost everywhere
    )


def as_tensor(arr: np.ndarray, dtype: torch.dtype, device: str) -> torch.Tensor:
    return torch.from_numpy(np.array(arr, dtype=np.float64)).to(dtype).to(device)


def off_kinks(
    x: torch.Tensor | np.ndarray, kinks: Sequence[float], margin: float = KINK_MARGIN
) -> None:
    """Discard a generated example that lies within `margin` of a kink (e.g. ReLU at 0)."""
    values = x.detach().cpu().double().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)
    for kink in kinks:
        assume(bool(np.all(np.abs(values - kink) > margin)))
