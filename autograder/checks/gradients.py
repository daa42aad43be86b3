"""Reference derivatives from torch.autograd, always taken in float64.

The student's hand-written derivative is compared with these; the forward
function differentiated is the trusted reference's, never the student's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import torch


def _leaf(x: torch.Tensor) -> torch.Tensor:
    return x.detach().to(torch.float64).clone().requires_grad_(True)


def elementwise(
    forward: Callable[..., torch.Tensor], x: torch.Tensor, *args: Any, **kwargs: Any
) -> torch.Tensor:
    """d forward(x)_i / d x_i for an elementwise function, in float64."""
    leaf = _leaf(x)
    out = forward(leaf, *args, **kwargs)
    (grad,) = torch.autograd.grad(out, leaf, grad_outputs=torch.ones_like(out))
    return grad


def vjp(
    forward: Callable[..., torch.Tensor],
    x: torch.Tensor,
    grad_out: torch.Tensor,
    *args: Any,
    **kwargs: Any,
) -> torch.Tensor:
    """Vector–Jacobian product grad_out ᵀ · ∂forward(x)/∂x, in float64."""
    leaf = _leaf(x)
    out = forward(leaf, *args, **kwargs)
    (grad,) = torch.autograd.grad(out, leaf, grad_outputs=grad_out.detach().to(torch.float64))
    return grad


def of_scalar(
    forward: Callable[..., torch.Tensor], x: torch.Tensor, *args: Any, **kwargs: Any
) -> torch.Tensor:
    """∂forward(x, *args)/∂x for a scalar-valued function (a loss), in float64."""
    leaf = _leaf(x)
    (grad,) = torch.autograd.grad(forward(leaf, *args, **kwargs), leaf)
    return grad


def of_many(
    forward: Callable[..., torch.Tensor], inputs: Sequence[torch.Tensor], grad_out: torch.Tensor
) -> tuple[torch.Tensor, ...]:
    """Gradients of ⟨grad_out, forward(*inputs)⟩ with respect to every input, in float64."""
    leaves = [_leaf(t) for t in inputs]
    out = forward(*leaves)
    return torch.autograd.grad(out, leaves, grad_outputs=grad_out.detach().to(torch.float64))
