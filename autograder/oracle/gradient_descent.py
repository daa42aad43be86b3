"""Oracle for unit 2 (gradient_descent): torch autograd / torch.optim and NumPy built-ins."""

from __future__ import annotations

import numpy as np
import torch
from numpy.typing import ArrayLike


def _as_f64(a: ArrayLike) -> torch.Tensor:
    """A 1-D float64 CPU tensor copy of an array-like."""
    return torch.as_tensor(np.asarray(a, dtype=np.float64)).reshape(-1).clone()


def mse_grad(x: ArrayLike, y: ArrayLike, w: float, b: float) -> tuple[float, float]:
    """(∂L/∂w, ∂L/∂b) of L = mean((x·w + b − y)²), by autograd in float64."""
    with torch.enable_grad():
        wt = torch.tensor(float(w), dtype=torch.float64, requires_grad=True)
        bt = torch.tensor(float(b), dtype=torch.float64, requires_grad=True)
        loss = torch.nn.functional.mse_loss(_as_f64(x) * wt + bt, _as_f64(y))
        dw, db = torch.autograd.grad(loss, (wt, bt))
    return float(dw), float(db)


def batch_gd(
    x: ArrayLike, y: ArrayLike, w0: float, b0: float, lr: float, epochs: int
) -> tuple[float, float, list[float]]:
    """Full-batch descent with torch.optim.SGD in float64; costs[k] is the cost before update k."""
    xt, yt = _as_f64(x), _as_f64(y)
    wt = torch.tensor(float(w0), dtype=torch.float64, requires_grad=True)
    bt = torch.tensor(float(b0), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([wt, bt], lr=lr)
    costs: list[float] = []
    with torch.enable_grad():
        for _ in range(epochs):
            opt.zero_grad()
            loss = torch.nn.functional.mse_loss(xt * wt + bt, yt)
            costs.append(loss.item())
            loss.backward()
            opt.step()
    return wt.item(), bt.item(), costs


def sgd(
    x: ArrayLike, y: ArrayLike, w0: float, b0: float, lr: float, epochs: int
) -> tuple[float, float, list[float]]:
    """Per-sample descent on (x_i·w + b − y_i)², in data order; costs[e] = MSE after epoch e."""
    xs = np.asarray(x, dtype=np.float64).ravel()
    ys = np.asarray(y, dtype=np.float64).ravel()
    params = np.array([w0, b0], dtype=np.float64)
    epoch_costs: list[float] = []
    for _ in range(epochs):
        for xi, yi in zip(xs, ys, strict=True):
            features = np.array([xi, 1.0])
            params = params - lr * 2.0 * (features @ params - yi) * features
        epoch_costs.append(float(np.mean(np.square(xs * params[0] + params[1] - ys))))
    return float(params[0]), float(params[1]), epoch_costs


def fit_autograd(
    x: torch.Tensor, y: torch.Tensor, lr: float, steps: int
) -> tuple[torch.Tensor, torch.Tensor, list[float]]:
    """Fit ŷ = x·w + b from w = b = 0 with torch.optim.SGD; losses[k] is the loss before step k."""
    w = torch.zeros((), dtype=x.dtype, device=x.device, requires_grad=True)
    b = torch.zeros((), dtype=x.dtype, device=x.device, requires_grad=True)
    opt = torch.optim.SGD([w, b], lr=lr)
    losses: list[float] = []
    with torch.enable_grad():
        for _ in range(steps):
            opt.zero_grad()
            loss = torch.nn.functional.mse_loss(x * w + b, y.to(x.dtype))
            losses.append(loss.item())
            loss.backward()
            opt.step()
    return w.detach(), b.detach(), losses
