"""Oracle for unit 5 (backprop): torch built-in layers, gradients by torch.autograd."""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

_ACTIVATIONS = {"sigmoid": torch.sigmoid, "relu": torch.relu, "tanh": torch.tanh}


def linear_forward(x: torch.Tensor, W: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """x @ Wᵀ + b via F.linear."""
    return F.linear(x, W, b)


def linear_backward(
    grad_out: torch.Tensor, x: torch.Tensor, W: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(dx, dW, db) by autograd.grad of F.linear with grad_out as the upstream gradient."""
    with torch.enable_grad():
        xl = x.detach().clone().requires_grad_(True)
        Wl = W.detach().clone().requires_grad_(True)
        bl = torch.zeros(W.shape[0], dtype=W.dtype, device=W.device, requires_grad=True)
        dx, dW, db = torch.autograd.grad(F.linear(xl, Wl, bl), (xl, Wl, bl), grad_out)
    return dx.detach(), dW.detach(), db.detach()


def mlp_forward(
    x: torch.Tensor,
    params: list[tuple[torch.Tensor, torch.Tensor]],
    activation: str = "sigmoid",
) -> tuple[torch.Tensor, dict[str, Any]]:
    """F.linear + built-in activation after every layer; the cache in the documented format."""
    act = _activation(activation)
    layers, a = [], x
    for W, b in params:
        z = F.linear(a, W, b)
        layers.append({"x": a, "W": W, "z": z, "a": act(z)})
        a = layers[-1]["a"]
    return a, {"activation": activation, "layers": layers}


def mlp_backward(
    grad_out: torch.Tensor, cache: dict[str, Any]
) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """[(dW, db), …]: layer by layer, autograd.grad of the built-in activation at z and of
    F.linear at (x, W), from the documented cache."""
    act = _activation(cache["activation"])
    grads, g = [], grad_out
    with torch.enable_grad():
        for layer in reversed(cache["layers"]):
            z = layer["z"].detach().requires_grad_(True)
            (delta,) = torch.autograd.grad(act(z), z, g)
            x = layer["x"].detach().requires_grad_(True)
            W = layer["W"].detach().requires_grad_(True)
            b = torch.zeros(W.shape[0], dtype=W.dtype, device=W.device, requires_grad=True)
            g, dW, db = torch.autograd.grad(F.linear(x, W, b), (x, W, b), delta)
            grads.append((dW.detach(), db.detach()))
    return grads[::-1]


def _activation(name: str) -> Any:
    if name not in _ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}")
    return _ACTIVATIONS[name]


def train_manual(
    params: list[tuple[torch.Tensor, torch.Tensor]],
    x: torch.Tensor,
    y: torch.Tensor,
    lr: float,
    epochs: int,
) -> tuple[list[tuple[torch.Tensor, torch.Tensor]], list[float]]:
    """Sigmoid MLP + F.mse_loss, loss.backward() and torch.optim.SGD; losses before each step."""
    leaves = [
        (W.detach().clone().requires_grad_(True), b.detach().clone().requires_grad_(True))
        for W, b in params
    ]
    opt = torch.optim.SGD([t for pair in leaves for t in pair], lr=lr)
    losses: list[float] = []
    with torch.enable_grad():
        for _ in range(epochs):
            opt.zero_grad()
            a = x.detach()
            for W, b in leaves:
                a = torch.sigmoid(F.linear(a, W, b))
            loss = F.mse_loss(a, y)
            losses.append(loss.item())
            loss.backward()
            opt.step()
    return [(W.detach(), b.detach()) for W, b in leaves], losses
