"""Oracle for unit 3 (activations): torch built-ins, derivatives by torch.autograd."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F


def _elementwise_grad(fn: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    """d fn(x) / dx elementwise, by autograd, in x's dtype and device."""
    with torch.enable_grad():
        leaf = x.detach().clone().requires_grad_(True)
        (grad,) = torch.autograd.grad(fn(leaf).sum(), leaf)
    return grad.detach()


def sigmoid(x: torch.Tensor) -> torch.Tensor:
    """σ(x) via torch.sigmoid."""
    return torch.sigmoid(x)


def tanh(x: torch.Tensor) -> torch.Tensor:
    """tanh(x) via torch.tanh."""
    return torch.tanh(x)


def relu(x: torch.Tensor) -> torch.Tensor:
    """max(0, x) via torch.relu."""
    return torch.relu(x)


def leaky_relu(x: torch.Tensor, alpha: float = 0.01) -> torch.Tensor:
    """Leaky ReLU via F.leaky_relu."""
    return F.leaky_relu(x, negative_slope=alpha)


def elu(x: torch.Tensor, alpha: float = 1.0) -> torch.Tensor:
    """ELU via F.elu."""
    return F.elu(x, alpha=alpha)


def softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Softmax along dim via F.softmax."""
    return F.softmax(x, dim=dim)


def sigmoid_grad(x: torch.Tensor) -> torch.Tensor:
    """Autograd derivative of torch.sigmoid."""
    return _elementwise_grad(torch.sigmoid, x)


def tanh_grad(x: torch.Tensor) -> torch.Tensor:
    """Autograd derivative of torch.tanh."""
    return _elementwise_grad(torch.tanh, x)


def relu_grad(x: torch.Tensor) -> torch.Tensor:
    """Autograd derivative of torch.relu (0 at x = 0)."""
    return _elementwise_grad(torch.relu, x)


def leaky_relu_grad(x: torch.Tensor, alpha: float = 0.01) -> torch.Tensor:
    """Autograd derivative of F.leaky_relu (alpha at x = 0)."""
    return _elementwise_grad(lambda t: F.leaky_relu(t, negative_slope=alpha), x)


def elu_grad(x: torch.Tensor, alpha: float = 1.0) -> torch.Tensor:
    """Autograd derivative of F.elu (alpha at x = 0)."""
    return _elementwise_grad(lambda t: F.elu(t, alpha=alpha), x)


def softmax_backward(s: torch.Tensor, grad_out: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Jacobian-transpose product with the explicit softmax Jacobian diag(s) − s sᵀ."""
    s_last = s.movedim(dim, -1)
    g_last = grad_out.movedim(dim, -1)
    jacobian = torch.diag_embed(s_last) - s_last.unsqueeze(-1) * s_last.unsqueeze(-2)
    grad = torch.matmul(jacobian.transpose(-1, -2), g_last.unsqueeze(-1)).squeeze(-1)
    return grad.movedim(-1, dim)
