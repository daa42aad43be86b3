"""Unit 5 — backprop: forward and backward passes of small MLPs, written by hand in torch.

Layers follow nn.Linear's convention: W has shape (out, in), b has shape (out,), and a
batch x has shape (N, in). Every result keeps the inputs' floating dtype and device. Do not
use torch.autograd, `.backward()`, torch.nn, torch.nn.functional or torch.sigmoid here:
every derivative is written out with the chain rule. Leave global state alone: no random
seeds or draws, no torch.set_default_dtype.
"""

from __future__ import annotations

from typing import Any

import torch


def linear_forward(x: torch.Tensor, W: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Forward pass of a fully connected layer.

    Formula: z = x·Wᵀ + b   (zₙⱼ = Σᵢ xₙᵢ·Wⱼᵢ + bⱼ)

    Args:
        x: inputs, shape (N, in).
        W: weights, shape (out, in).
        b: biases, shape (out,).

    Returns:
        z, shape (N, out).
    """
    raise NotImplementedError("backprop.linear_forward: write this part")


def linear_backward(
    grad_out: torch.Tensor, x: torch.Tensor, W: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Backward pass of a fully connected layer z = x·Wᵀ + b.

    Formula: with G = ∂L/∂z (shape (N, out)):
             ∂L/∂x = G·W          (N, in)
             ∂L/∂W = Gᵀ·x         (out, in)
             ∂L/∂b = Σₙ Gₙ        (out,), summed over the batch

    Args:
        grad_out: G = ∂L/∂z, shape (N, out).
        x: the layer's inputs from the forward pass, shape (N, in).
        W: weights, shape (out, in).

    Returns:
        (dx, dW, db) with the shapes of x, W and b.
    """
    raise NotImplementedError("backprop.linear_backward: write this part")


def mlp_forward(
    x: torch.Tensor,
    params: list[tuple[torch.Tensor, torch.Tensor]],
    activation: str = "sigmoid",
) -> tuple[torch.Tensor, dict[str, Any]]:
    """Forward pass of an MLP with the activation after every layer, the last one included.

    Formula: a⁰ = x;  for layer l = 1..L:  zˡ = aˡ⁻¹·Wˡᵀ + bˡ,  aˡ = f(zˡ);  out = aᴸ
             f = sigmoid: σ(z) = 1 / (1 + exp(−z))
             f = tanh:    tanh(z) = (1 − exp(−2z)) / (1 + exp(−2z))
             f = relu:    max(0, z)

    Hint: keep σ and tanh finite for |z| up to 1e4 by only ever exponentiating −|z|.

    Args:
        x: inputs, shape (N, in).
        params: [(W1, b1), (W2, b2), …] with Wˡ of shape (outˡ, inˡ) and bˡ of shape (outˡ,).
        activation: "sigmoid", "relu" or "tanh" (exactly these names).

    Returns:
        (out, cache): out = aᴸ of shape (N, out_L); cache is a dict with everything
        `mlp_backward` needs: {"activation": str, "layers": [{"x": aˡ⁻¹, "W": Wˡ,
        "z": zˡ, "a": aˡ}, …]} (one entry per layer, in forward order).

    Raises:
        ValueError: for any other activation name.
    """
    raise NotImplementedError("backprop.mlp_forward: write this part")


def mlp_backward(
    grad_out: torch.Tensor, cache: dict[str, Any]
) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Backward pass of `mlp_forward`: the gradient of every layer's weights and biases.

    Formula: start with g = ∂L/∂aᴸ = grad_out; for l = L..1:
             δˡ = g ⊙ f′(zˡ)   with σ′ = a(1 − a), tanh′ = 1 − a², relu′ = [z > 0]
             ∂L/∂Wˡ = δˡᵀ·aˡ⁻¹,  ∂L/∂bˡ = Σₙ δˡₙ,  g ← δˡ·Wˡ

    Args:
        grad_out: ∂L/∂out, shape (N, out_L).
        cache: the cache returned by `mlp_forward`.

    Returns:
        [(dW1, db1), (dW2, db2), …] in forward (layer) order, with the shapes of the params.

    Raises:
        ValueError: if cache["activation"] is not "sigmoid", "relu" or "tanh".
    """
    raise NotImplementedError("backprop.mlp_backward: write this part")


def train_manual(
    params: list[tuple[torch.Tensor, torch.Tensor]],
    x: torch.Tensor,
    y: torch.Tensor,
    lr: float,
    epochs: int,
) -> tuple[list[tuple[torch.Tensor, torch.Tensor]], list[float]]:
    """Full-batch gradient descent on a sigmoid MLP, every gradient by hand.

    Formula: out = MLP(x) with σ after every layer (as `mlp_forward(x, params, "sigmoid")`)
             L = (1/M) Σ (out − y)²   (M = number of elements of out)
             ∂L/∂out = 2·(out − y) / M, back-propagated as in `mlp_backward`
             Wˡ ← Wˡ − lr·∂L/∂Wˡ,  bˡ ← bˡ − lr·∂L/∂bˡ   (the same step as torch.optim.SGD)

    Args:
        params: initial [(W1, b1), …] (not modified).
        x: inputs, shape (N, in).
        y: targets, shape (N, out_L).
        lr: learning rate.
        epochs: number of updates (0 returns copies of params and []).

    Returns:
        (params, losses): the trained [(W1, b1), …] as new tensors, and losses as python
        floats with losses[k] the loss before update k (len(losses) == epochs).
    """
    raise NotImplementedError("backprop.train_manual: write this part")
