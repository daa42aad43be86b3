"""Harness for unit 6 (optimizers): calls whose outcome is not a single returned value.

Runs in the worker: which exception a step raises for invalid hyper-parameters, the values
made right after a step (the grader judges the global settings from them), a run of steps
each fed the step before's result (as the grader would feed it back, copied), and a run of
steps in which each step is called twice on the very same p, g and state objects, which
are then sent back and changed in place: only values come back, for the grader to compare
with its own.
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
    """`name(p, g, state, **kwargs)` started from torch's defaults and random states seeded
    with `seed`, and the values made right after it (see _common.observed)."""
    return _common.observed(_step(unit, name), seed, p, g, state, **kwargs)


def follow(
    unit: Unit, name: str, p: torch.Tensor, grads: list[torch.Tensor], kwargs: dict[str, Any]
) -> list[Any]:
    """Steps from (p, {}) with the gradients `grads`, each given copies of the p_new and
    state_new the step before returned. Per step, a copy of its result; a result that is
    not (tensor, dict) ends the run."""
    step, state, out = _step(unit, name), {}, []
    for g in grads:
        result = _common.copied(step(p, g, state, **kwargs))
        out.append(result)
        if not (isinstance(result, (list, tuple)) and len(result) == 2):
            break
        if not (isinstance(result[0], torch.Tensor) and isinstance(result[1], dict)):
            break
        p, state = _common.copied(result[0]), _common.copied(result[1])
    return out


def reused(
    unit: Unit, name: str, p: torch.Tensor, grads: list[torch.Tensor], kwargs: dict[str, Any]
) -> list[list[Any]]:
    """Steps from {} with the gradients `grads`; step k is called twice on the same p, g
    and state objects, whose tensors are then copied (from a tuple taken before the first
    call, which no call can refill) and changed in place; step k + 1 starts from a copy of
    the first call's result. Per step: [first call's result, a copy of it made right after
    that call, second call's result, copies of p, g and the state's tensors after both
    calls] (a result that is not (p, dict) ends the run)."""
    step, state, out = _step(unit, name), {}, []
    for g in grads:
        held = (p, g, state)
        leaves = tuple(_common.tensors(held))
        first = step(*held, **kwargs)
        then = _common.copied(first)
        again = step(*held, **kwargs)
        given = _common.copied(list(leaves))
        _common.scribble(leaves)
        out.append([first, then, again, given])
        if not (isinstance(then, (list, tuple)) and len(then) == 2):
            break
        if not (isinstance(then[0], torch.Tensor) and isinstance(then[1], dict)):
            break
        p, state = _common.copied(then[0]), _common.copied(then[1])
    return out
