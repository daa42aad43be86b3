"""Unit 2 — gradient_descent: batch gradient descent, SGD and autograd on ŷ = x·w + b."""

from __future__ import annotations

import numpy as np
import torch
from numpy.typing import ArrayLike


def mse_grad(x: ArrayLike, y: ArrayLike, w: float, b: float) -> tuple[float, float]:
    """Gradient of the mean squared error with respect to w and b.

    Formula: L = (1/N) Σᵢ (xᵢ·w + b − yᵢ)²
             ∂L/∂w = (2/N) Σᵢ (xᵢ·w + b − yᵢ)·xᵢ
             ∂L/∂b = (2/N) Σᵢ (xᵢ·w + b − yᵢ)

    Args:
        x: inputs, shape (N,) (array-like, converted to float64).
        y: targets, shape (N,).
        w: current weight.
        b: current bias.

    Returns:
        (dw, db) as python floats.
    """
    ### BEGIN SOLUTION
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    residual = x * w + b - y
    dw = 2.0 * np.mean(residual * x)
    db = 2.0 * np.mean(residual)
    return float(dw), float(db)
    ### END SOLUTION


def batch_gd(
    x: ArrayLike, y: ArrayLike, w0: float, b0: float, lr: float, epochs: int
) -> tuple[float, float, list[float]]:
    """Full-batch gradient descent on the MSE of ŷ = x·w + b.

    Formula: w ← w − lr·∂L/∂w,  b ← b − lr·∂L/∂b  (both gradients taken at the same (w, b)),
             with L = (1/N) Σᵢ (xᵢ·w + b − yᵢ)²

    Args:
        x: inputs, shape (N,).
        y: targets, shape (N,).
        w0: initial weight.
        b0: initial bias.
        lr: learning rate.
        epochs: number of updates (one per epoch).

    Returns:
        (w, b, costs): final w and b as python floats, and a list of `epochs` floats where
        costs[k] is the MSE *before* update k.
    """
    ### BEGIN SOLUTION
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    w, b = float(w0), float(b0)
    costs: list[float] = []
    for _ in range(epochs):
        residual = x * w + b - y
        costs.append(float(np.mean(residual**2)))
        dw = 2.0 * np.mean(residual * x)
        db = 2.0 * np.mean(residual)
        w = float(w - lr * dw)
        b = float(b - lr * db)
    return w, b, costs
    ### END SOLUTION


def sgd(
    x: ArrayLike, y: ArrayLike, w0: float, b0: float, lr: float, epochs: int
) -> tuple[float, float, list[float]]:
    """Stochastic gradient descent: one update per sample, in data order.

    Formula: for each sample i:  rᵢ = xᵢ·w + b − yᵢ,
             w ← w − lr·2·rᵢ·xᵢ,  b ← b − lr·2·rᵢ  (both using the same rᵢ)

    Args:
        x: inputs, shape (N,).
        y: targets, shape (N,).
        w0: initial weight.
        b0: initial bias.
        lr: learning rate.
        epochs: number of passes over the data.

    Returns:
        (w, b, epoch_costs): final w and b as python floats, and a list of `epochs` floats
        where epoch_costs[e] is the full-data MSE *after* epoch e.
    """
    ### BEGIN SOLUTION
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    w, b = float(w0), float(b0)
    epoch_costs: list[float] = []
    for _ in range(epochs):
        for xi, yi in zip(x.tolist(), y.tolist(), strict=True):
            residual = xi * w + b - yi
            w = w - lr * 2.0 * residual * xi
            b = b - lr * 2.0 * residual
        epoch_costs.append(float(np.mean((x * w + b - y) ** 2)))
    return float(w), float(b), epoch_costs
    ### END SOLUTION


def fit_autograd(
    x: torch.Tensor, y: torch.Tensor, lr: float, steps: int
) -> tuple[torch.Tensor, torch.Tensor, list[float]]:
    """Fit ŷ = x·w + b with torch autograd and a hand-written update.

    Formula: L = mean((x·w + b − y)²);  w ← w − lr·w.grad,  b ← b − lr·b.grad

    w and b start as 0-dim zero tensors (x's dtype and device) with requires_grad=True.
    Each step: compute L, call L.backward(), update under torch.no_grad(), zero the grads.

    Args:
        x: inputs, 1-D float tensor.
        y: targets, 1-D float tensor of the same length.
        lr: learning rate.
        steps: number of updates.

    Returns:
        (w, b, losses): w and b as detached 0-dim tensors, and a list of `steps` floats
        where losses[k] = L.item() *before* update k.
    """
    ### BEGIN SOLUTION
    w = torch.zeros((), dtype=x.dtype, device=x.device, requires_grad=True)
    b = torch.zeros((), dtype=x.dtype, device=x.device, requires_grad=True)
    losses: list[float] = []
    for _ in range(steps):
        loss = ((x * w + b - y) ** 2).mean()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        w.grad.zero_()
        b.grad.zero_()
    return w.detach(), b.detach(), losses
    ### END SOLUTION
