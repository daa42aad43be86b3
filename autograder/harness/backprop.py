"""Harness for unit 5 (backprop): run the student's forward and backward pass together.

Runs in the worker. The cache returned by the student's `mlp_forward` may hold anything,
so it never crosses the process boundary as it is: it goes straight into the student's
`mlp_backward`, and only its documented entries ({"activation", "layers": [{"x", "W",
"z", "a"}, …]}) come back, as plain data, for the grader to compare where they are made.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import torch

from autograder.harness import _common

Unit = Callable[[str], ModuleType]
FUNCTIONS = ("linear_forward", "linear_backward", "mlp_forward", "mlp_backward", "train_manual")


def _pairs(grads: Any) -> Any:
    """[(dW, db), …] as tuples; anything not shaped like that is returned as it is."""
    if not isinstance(grads, (list, tuple)):
        return grads
    return [tuple(g) if isinstance(g, (list, tuple)) else g for g in grads]


def _copy(value: Any) -> Any:
    return value.detach().clone() if isinstance(value, torch.Tensor) else value


def _documented(cache: Any) -> Any:
    """Copies of the entries of `cache` that the stub documents; the rest is left out."""
    if not isinstance(cache, dict):
        return cache
    plain = {k: cache[k] for k in ("activation", "layers") if k in cache}
    layers = plain.get("layers")
    if isinstance(layers, (list, tuple)):
        plain["layers"] = [
            {k: _copy(layer[k]) for k in ("x", "W", "z", "a") if k in layer}
            if isinstance(layer, dict)
            else layer
            for layer in layers
        ]
    return plain


def _forward(module: ModuleType, *args: Any) -> tuple[Any, Any]:
    result = module.mlp_forward(*args)
    if not isinstance(result, (list, tuple)) or len(result) != 2:
        raise TypeError(
            "mlp_forward must return a tuple (out, cache); mlp_backward gets that cache"
        )
    return result[0], result[1]


def forward_cache(
    unit: Unit, x: torch.Tensor, params: list[tuple[torch.Tensor, ...]], activation: str | None
) -> tuple[Any, Any]:
    """(out, the documented entries of the cache) of the student's mlp_forward; with
    activation None, called without that argument (to check its default)."""
    args = (x, params) if activation is None else (x, params, activation)
    out, cache = _forward(unit("backprop"), *args)
    return out, _documented(cache)


def forward_backward(
    unit: Unit,
    x: torch.Tensor,
    params: list[tuple[torch.Tensor, ...]],
    activation: str,
    grad_out: torch.Tensor,
) -> tuple[Any, Any, Any]:
    """(out, documented cache, grads): the student's mlp_forward, then mlp_backward on
    the student's own cache."""
    module = unit("backprop")
    out, cache = _forward(module, x, params, activation)
    documented = _documented(cache)  # taken before mlp_backward could change the cache
    return out, documented, _pairs(module.mlp_backward(grad_out, cache))


def observed(unit: Unit, func: str, seed: int, *args: Any) -> dict[str, Any]:
    """The student's backprop.<func>(*args) started from torch's defaults and random states
    seeded with `seed`, and the values made right after it (see _common.observed)."""
    if func not in FUNCTIONS:
        raise ValueError(f"no backprop function {func!r} to observe")
    return _common.observed(getattr(unit("backprop"), func), seed, *args)


def mlp_forward_raises(
    unit: Unit, x: torch.Tensor, params: list[tuple[torch.Tensor, ...]], names: list[str]
) -> list[list[Any]]:
    """What the student's mlp_forward raises for each activation name in `names`."""
    forward = unit("backprop").mlp_forward
    return _common.raised(forward, [((x, params, name), {}) for name in names])


def mlp_backward_raises(
    unit: Unit, grad_out: torch.Tensor, cache: dict[str, Any]
) -> list[list[Any]]:
    """What the student's mlp_backward raises for a cache naming an unknown activation."""
    return _common.raised(unit("backprop").mlp_backward, [((grad_out, cache), {})])


def reused(unit: Unit, func: str, pool: list[Any], calls: list[list[int]]) -> dict[str, Any]:
    """The student's backprop.<func> called on the same objects again and again, which are
    then changed in place (see _common.reused)."""
    if func not in FUNCTIONS:
        raise ValueError(f"no backprop function {func!r} to reuse")
    return _common.reused(getattr(unit("backprop"), func), pool, calls)
