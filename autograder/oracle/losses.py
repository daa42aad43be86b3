"""Oracle for unit 4 (losses): torch built-in losses, gradients by torch.autograd."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F


def _grad_wrt_first(
    fn: Callable[[torch.Tensor], torch.Tensor], first: torch.Tensor
) -> torch.Tensor:
    """∂fn(first)/∂first by autograd, in first's dtype and device."""
    with torch.enable_grad():
        leaf = first.detach().clone().requires_grad_(True)
        (grad,) = torch.autograd.grad(fn(leaf), leaf)
    return grad.detach()


def mse_loss(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """F.mse_loss with mean reduction."""
    return F.mse_loss(pred, target)


def mse_loss_grad(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Autograd of F.mse_loss w.r.t. pred."""
    return _grad_wrt_first(lambda p: F.mse_loss(p, target), pred)


def mae_loss(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """F.l1_loss with mean reduction."""
    return F.l1_loss(pred, target)


def mae_loss_grad(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Autograd of F.l1_loss w.r.t. pred (0 where pred == target)."""
    return _grad_wrt_first(lambda p: F.l1_loss(p, target), pred)


def smooth_l1_loss(pred: torch.Tensor, target: torch.Tensor, beta: float = 1.0) -> torch.Tensor:
    """F.smooth_l1_loss with mean reduction."""
    return F.smooth_l1_loss(pred, target, beta=beta)


def smooth_l1_loss_grad(
    pred: torch.Tensor, target: torch.Tensor, beta: float = 1.0
) -> torch.Tensor:
    """Autograd of F.smooth_l1_loss w.r.t. pred."""
    return _grad_wrt_first(lambda p: F.smooth_l1_loss(p, target, beta=beta), pred)


def bce_loss(prob: torch.Tensor, target: torch.Tensor, eps: float = 1e-7) -> torch.Tensor:
    """F.binary_cross_entropy on prob clamped to [eps, 1 − eps]."""
    return F.binary_cross_entropy(prob.clamp(eps, 1.0 - eps), target.to(prob.dtype))


def bce_loss_grad(prob: torch.Tensor, target: torch.Tensor, eps: float = 1e-7) -> torch.Tensor:
    """Autograd of the clamped BCE w.r.t. prob (zero where the clamp is active)."""
    return _grad_wrt_first(lambda p: bce_loss(p, target, eps), prob)


def cross_entropy_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """F.cross_entropy with integer labels, mean reduction."""
    return F.cross_entropy(logits, labels.long())


def cross_entropy_loss_grad(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Autograd of F.cross_entropy w.r.t. logits."""
    return _grad_wrt_first(lambda z: F.cross_entropy(z, labels.long()), logits)


def hinge_loss(scores: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """mean(relu(1 − y·s)) for labels ±1."""
    return torch.relu(1.0 - labels.to(scores.dtype) * scores).mean()


def hinge_loss_grad(scores: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Autograd of hinge_loss w.r.t. scores (0 where the margin is exactly met)."""
    return _grad_wrt_first(lambda s: hinge_loss(s, labels), scores)


def multiclass_hinge_loss(
    scores: torch.Tensor, labels: torch.Tensor, margin: float = 1.0
) -> torch.Tensor:
    """F.multi_margin_loss (p=1), rescaled from a per-class mean to a per-sample sum."""
    return F.multi_margin_loss(scores, labels.long(), p=1, margin=margin) * scores.shape[1]


def multiclass_hinge_loss_grad(
    scores: torch.Tensor, labels: torch.Tensor, margin: float = 1.0
) -> torch.Tensor:
    """Autograd of multiclass_hinge_loss w.r.t. scores."""
    return _grad_wrt_first(lambda s: multiclass_hinge_loss(s, labels, margin), scores)
