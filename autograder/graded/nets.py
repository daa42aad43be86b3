"""Shared by the graded backprop tests: seeded networks of several shapes.

Everything here runs in the grader; the student's code only ever sees the tensors.
"""

from __future__ import annotations

import itertools

import pytest
import torch

from autograder.config import Tolerance
from autograder.strategies import randn

# name → (layer sizes, batch): one output and several, one layer to three, batch 1
NETS: dict[str, tuple[tuple[int, ...], int]] = {
    "4-3-2-1": ((4, 3, 2, 1), 8),
    "5-7-3": ((5, 7, 3), 6),
    "3-5-4-2 batch 1": ((3, 5, 4, 2), 1),
    "6-2": ((6, 2), 4),
}
ACTIVATIONS = ("sigmoid", "relu", "tanh")
INVALID_ACTIVATIONS = ["softmax", "leaky_relu", "identity", ""]
EXACT = {"float32": Tolerance(0.0, 0.0), "float64": Tolerance(0.0, 0.0)}
LOOSE32 = Tolerance(rtol=1e-4, atol=1e-6)
Params = list[tuple[torch.Tensor, torch.Tensor]]


def task(name: str) -> pytest.MarkDecorator:
    return pytest.mark.task(f"backprop.{name}")


def net(
    sizes: tuple[int, ...],
    seed: int,
    dtype: torch.dtype = torch.float64,
    device: str = "cpu",
    batch: int = 8,
    scale: float = 1.0,
) -> tuple[torch.Tensor, Params]:
    """A seeded batch x (batch, sizes[0]) and params [(W1, b1), …] for layer sizes `sizes`."""
    x = randn(batch, sizes[0], seed=seed, dtype=dtype, device=device, scale=scale)
    params = [
        (
            randn(n_out, n_in, seed=seed + 2 * k + 1, dtype=dtype, device=device),
            randn(n_out, seed=seed + 2 * k + 2, dtype=dtype, device=device),
        )
        for k, (n_in, n_out) in enumerate(itertools.pairwise(sizes))
    ]
    return x, params


def grad_names(n_layers: int) -> tuple[str, ...]:
    return tuple(f"d{p}{k}" for k in range(1, n_layers + 1) for p in ("W", "b"))
