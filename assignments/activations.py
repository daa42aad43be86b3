"""Unit 3 — activations: activation functions and their derivatives, written by hand in torch.

Every function keeps the input's shape, floating dtype and device, and stays finite for
|x| up to 1e4. Do not call the built-in you are asked to write (torch.sigmoid, torch.tanh,
torch.relu, torch.softmax, torch.nn.functional.*).
"""

from __future__ import annotations

import torch


def sigmoid(x: torch.Tensor) -> torch.Tensor:
    """Logistic sigmoid, elementwise.

    Formula: σ(x) = 1 / (1 + exp(−x))

    Hint: exp(−x) overflows for very negative x. With z = exp(−|x|) (always ≤ 1) use
    σ(x) = 1 / (1 + z) for x ≥ 0 and σ(x) = z / (1 + z) for x < 0 (torch.where).

    Args:
        x: input tensor (float32 or float64).

    Returns:
        Tensor of x's shape, dtype and device with values in [0, 1].
    """
    raise NotImplementedError("activations.sigmoid: write this part")


def tanh(x: torch.Tensor) -> torch.Tensor:
    """Hyperbolic tangent, elementwise.

    Formula: tanh(x) = (exp(x) − exp(−x)) / (exp(x) + exp(−x)) = 2σ(2x) − 1

    Hint: exp(x) overflows for large |x|. With u = expm1(−2|x|) = exp(−2|x|) − 1,
    tanh(|x|) = −u / (2 + u); then restore the sign of x (tanh is odd).

    Args:
        x: input tensor (float32 or float64).

    Returns:
        Tensor of x's shape, dtype and device with values in [−1, 1].
    """
    raise NotImplementedError("activations.tanh: write this part")


def relu(x: torch.Tensor) -> torch.Tensor:
    """Rectified linear unit, elementwise.

    Formula: relu(x) = max(0, x)

    Args:
        x: input tensor (float32 or float64).

    Returns:
        Tensor of x's shape, dtype and device.
    """
    raise NotImplementedError("activations.relu: write this part")


def leaky_relu(x: torch.Tensor, alpha: float = 0.01) -> torch.Tensor:
    """Leaky ReLU, elementwise.

    Formula: f(x) = x if x > 0 else α·x

    Args:
        x: input tensor (float32 or float64).
        alpha: slope α for x ≤ 0.

    Returns:
        Tensor of x's shape, dtype and device.
    """
    raise NotImplementedError("activations.leaky_relu: write this part")


def elu(x: torch.Tensor, alpha: float = 1.0) -> torch.Tensor:
    """Exponential linear unit, elementwise.

    Formula: f(x) = x if x > 0 else α·(exp(x) − 1)

    Hint: use torch.expm1 (accurate near 0) on min(x, 0) so exp never overflows in the
    branch torch.where throws away.

    Args:
        x: input tensor (float32 or float64).
        alpha: α, the value f approaches as x → −∞ is −α.

    Returns:
        Tensor of x's shape, dtype and device.
    """
    raise NotImplementedError("activations.elu: write this part")


def softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Softmax along one dimension.

    Formula: softmax(x)ᵢ = exp(xᵢ) / Σⱼ exp(xⱼ)

    Hint: subtract the max along `dim` (keepdim=True) before exp; the result is unchanged
    and exp can no longer overflow.

    Args:
        x: input tensor (float32 or float64).
        dim: dimension that sums to one.

    Returns:
        Tensor of x's shape, dtype and device; non-negative, summing to 1 along `dim`.
    """
    raise NotImplementedError("activations.softmax: write this part")


def sigmoid_grad(x: torch.Tensor) -> torch.Tensor:
    """Derivative of the sigmoid at x, elementwise.

    Formula: σ′(x) = σ(x)·(1 − σ(x))

    Hint: compute σ(x) stably first (see `sigmoid`).

    Args:
        x: input tensor (float32 or float64).

    Returns:
        Tensor of x's shape, dtype and device.
    """
    raise NotImplementedError("activations.sigmoid_grad: write this part")


def tanh_grad(x: torch.Tensor) -> torch.Tensor:
    """Derivative of tanh at x, elementwise.

    Formula: tanh′(x) = 1 − tanh(x)²

    Hint: compute tanh(x) stably first (see `tanh`).

    Args:
        x: input tensor (float32 or float64).

    Returns:
        Tensor of x's shape, dtype and device.
    """
    raise NotImplementedError("activations.tanh_grad: write this part")


def relu_grad(x: torch.Tensor) -> torch.Tensor:
    """Derivative of ReLU at x, elementwise (0 at x = 0, as torch).

    Formula: relu′(x) = 1 if x > 0 else 0

    Args:
        x: input tensor (float32 or float64).

    Returns:
        Tensor of x's shape, dtype and device holding 0s and 1s.
    """
    raise NotImplementedError("activations.relu_grad: write this part")


def leaky_relu_grad(x: torch.Tensor, alpha: float = 0.01) -> torch.Tensor:
    """Derivative of leaky ReLU at x, elementwise (α at x = 0, as torch).

    Formula: f′(x) = 1 if x > 0 else α

    Args:
        x: input tensor (float32 or float64).
        alpha: slope α for x ≤ 0.

    Returns:
        Tensor of x's shape, dtype and device.
    """
    raise NotImplementedError("activations.leaky_relu_grad: write this part")


def elu_grad(x: torch.Tensor, alpha: float = 1.0) -> torch.Tensor:
    """Derivative of ELU at x, elementwise (α at x = 0, as torch).

    Formula: f′(x) = 1 if x > 0 else α·exp(x)

    Hint: take exp of min(x, 0) so the discarded branch never overflows.

    Args:
        x: input tensor (float32 or float64).
        alpha: α of `elu`.

    Returns:
        Tensor of x's shape, dtype and device.
    """
    raise NotImplementedError("activations.elu_grad: write this part")


def softmax_backward(s: torch.Tensor, grad_out: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Vector–Jacobian product of softmax: the gradient w.r.t. x given s = softmax(x).

    Formula: ∂sᵢ/∂xⱼ = sᵢ·(δᵢⱼ − sⱼ), so
             grad_xᵢ = sᵢ·(gᵢ − Σⱼ gⱼ·sⱼ)   (sum along `dim`, g = grad_out)

    Args:
        s: softmax output along `dim` (float32 or float64).
        grad_out: upstream gradient ∂L/∂s, same shape as s.
        dim: the softmax dimension.

    Returns:
        ∂L/∂x, a tensor of s's shape, dtype and device.
    """
    raise NotImplementedError("activations.softmax_backward: write this part")
