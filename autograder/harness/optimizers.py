"""Harness for unit 6 (optimizers): calls whose outcome is not a returned value.

Runs in the worker: which exception a step raises for invalid hyper-parameters, and
whether a step leaves the process-wide settings (random states, default dtype) alone.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import torch

from autograder.harness import _common

Unit = Callable[[str], ModuleType]
STEPS = ("sgd_step", "adagrad_step", "rmsprop_step", "adam_step", "adadelta_step")


def _step(unit: Unit, name: str) -> Callable[..., Any]:
    if name not in STEPS:
        raise ValueError(f"no optimizer step {name!r}")
    return getattr(unit("optimizers"), name)


def raises(
    unit: Unit, name: str, p: torch.Tensor, g: torch.Tensor, configs: list[dict[str, Any]]
) -> list[list[Any]]:
    """For each hyper-parameter dict in `configs`: what `name(p, g, {}, **config)` raised."""
    return _common.raised(_step(unit, name), [((p, g, {}), config) for config in configs])


def observed(
    unit: Unit,
    name: str,
    seed: int,
    p: torch.Tensor,
    g: torch.Tensor,
    state: dict,
    kwargs: dict[str, Any],
) -> dict[str, Any]:
    """`name(p, g, state, **kwargs)` with the global settings before and after the call
    (random states seeded with `seed` first)."""
    return _common.observed(_step(unit, name), seed, p, g, state, **kwargs)


def fresh(
    unit: Unit, name: str, p: torch.Tensor, g: torch.Tensor, kwargs: dict[str, Any]
) -> list[list[str]]:
    """Two steps from {} (the second on the first's state): for each, the returned
    tensors that share memory with that step's p, g or state."""
    step, state, shared = _step(unit, name), {}, []
    for _ in range(2):
        p_new, state_new = step(p, g, state, **kwargs)
        shared.append(
            _common.shared_memory({"p_new": p_new, "state_new": state_new}, [p, g, state])
        )
        p, state = p_new, state_new
    return shared
