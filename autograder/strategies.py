"""Inputs for graded tests: seeded tensors and bounded, NaN-free strategies
(autograder.batching.strategies, drawn the way hypothesis' are, at a fraction of the cost)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from autograder.batching import assume
from autograder.batching import strategies as st
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


def shapes(min_dims: int = 1, max_dims: int = 3, max_side: int = 6) -> st.Strategy[Any]:
    return st.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=max_side)


def arrays(
    shape: Any = None, bound: float = 20.0, avoid: Sequence[float] = ()
) -> st.Strategy[np.ndarray]:
    """float64 arrays with finite values in [-bound, bound]; `shape` may be a strategy.

    Values within 2·KINK_MARGIN of a point in `avoid` are not generated, so tests that
    must stay off kinks (checked with `off_kinks`) rarely have to reject an example.
    """
    edges = sorted(avoid)
    lows = [-bound, *(k + 2 * KINK_MARGIN for k in edges)]
    highs = [*(k - 2 * KINK_MARGIN for k in edges), bound]
    pieces = [st.floats(lo, hi) for lo, hi in zip(lows, highs, strict=True) if lo < hi]
    return st.arrays(np.float64, shape if shape is not None else shapes(), st.one_of(*pieces))


def as_tensor(arr: np.ndarray, dtype: torch.dtype, device: str) -> torch.Tensor:
    return torch.from_numpy(np.array(arr, dtype=np.float64)).to(dtype).to(device)


def off_kinks(
    x: torch.Tensor | np.ndarray, kinks: Sequence[float], margin: float = KINK_MARGIN
) -> None:
    """Discard a generated example that lies within `margin` of a kink (e.g. ReLU at 0)."""
    values = x.detach().cpu().double().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)
    for kink in kinks:
        assume(bool(np.all(np.abs(values - kink) > margin)))
