"""Harness for unit 5 (backprop): run the student's forward and backward pass together.

Runs in the worker. The cache returned by the student's `mlp_forward` may hold anything,
so it never crosses the process boundary: it goes straight into the student's
`mlp_backward`. Only the output and the gradients come back, as plain data.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import torch

Unit = Callable[[str], ModuleType]
_ACTIVATIONS = {"sigmoid": torch.sigmoid, "relu": torch.relu, "tanh": torch.tanh}


def _pairs(grads: Any) -> Any:
    """[(dW, db), …] as tuples; anything not shaped like that is returned as it is."""
    if not isinstance(grads, (list, tuple)):
        return grads
    return [tuple(g) if isinstance(g, (list, tuple)) else g for g in grads]


def forward_backward(
    unit: Unit,
    x: torch.Tensor,
    params: list[tuple[torch.Tensor, ...]],
    activation: str,
    grad_out: torch.Tensor,
) -> tuple[Any, Any]:
    """(out, grads): the student's mlp_forward, then mlp_backward on the student's own cache."""
    module = unit("backprop")
    result = module.mlp_forward(x, params, activation)
    if not isinstance(result, (list, tuple)) or len(result) != 2:
        raise TypeError(
            "mlp_forward must return a tuple (out, cache); mlp_backward gets that cache"
        )
    out, cache = result
    return out, _pairs(module.mlp_backward(grad_out, cache))


def backward_on_documented_cache(
    unit: Unit,
    x: torch.Tensor,
    params: list[tuple[torch.Tensor, ...]],
    activation: str,
    grad_out: torch.Tensor,
) -> Any:
    """The student's mlp_backward on a correct cache in the stub's documented format,
    built here with torch's own activations (to grade it apart from a wrong mlp_forward)."""
    act, layers, a = _ACTIVATIONS[activation], [], x
    for W, b in params:
        z = a @ W.T + b
        layers.append({"x": a, "W": W, "z": z, "a": act(z)})
        a = layers[-1]["a"]
    cache = {"activation": activation, "layers": layers}
    return _pairs(unit("backprop").mlp_backward(grad_out, cache))
