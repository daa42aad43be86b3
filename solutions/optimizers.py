"""Unit 6 — optimizers: one update step of SGD/momentum, Adagrad, RMSProp, Adam and Adadelta.

Every step is functional: it takes the parameter p, its gradient g and the optimizer's state
(a dict of tensors and ints, `{}` before the first step) and returns (p_new, state_new)
without modifying p, g, state or any tensor inside state. A run of steps must follow
torch.optim's trajectory with the same hyper-parameters, so the state keys are torch's own
("momentum_buffer", "sum", "square_avg", "exp_avg", "exp_avg_sq", "acc_delta", "step"), with
"step" a Python int counting the steps taken. A hyper-parameter outside the range that
torch.optim accepts raises ValueError, exactly where torch.optim's constructor raises.
Do not use torch.optim here, and leave global state alone (random seeds, default dtype).
"""

from __future__ import annotations

import torch


def sgd_step(
    p: torch.Tensor,
    g: torch.Tensor,
    state: dict,
    lr: float,
    momentum: float = 0.0,
    weight_decay: float = 0.0,
    nesterov: bool = False,
) -> tuple[torch.Tensor, dict]:
    """One step of SGD with optional momentum, Nesterov momentum and L2 weight decay.

    Formula: d = g + λ·p                       (weight decay λ, added to the gradient first)
             if μ ≠ 0:  buf = d on the first step, else buf = μ·buf + d
                        d = d + μ·buf (Nesterov)  or  d = buf (classical momentum)
             p_new = p − lr·d

    Args:
        p: parameter tensor.
        g: its gradient, same shape.
        state: {} on the first step, afterwards the state returned by the previous step
            ({"momentum_buffer": tensor} when momentum ≠ 0, {} otherwise).
        lr: learning rate.
        momentum: momentum factor μ (0 = plain SGD).
        weight_decay: L2 penalty λ.
        nesterov: use Nesterov momentum (requires momentum > 0).

    Returns:
        (p_new, state_new), both new objects.

    Raises:
        ValueError: if lr < 0, momentum < 0, weight_decay < 0, or nesterov with momentum 0.
    """
    ### BEGIN SOLUTION
    if lr < 0 or momentum < 0 or weight_decay < 0:
        raise ValueError(f"invalid lr={lr}, momentum={momentum} or weight_decay={weight_decay}")
    if nesterov and momentum <= 0:
        raise ValueError("Nesterov momentum requires momentum > 0")
    d = g + weight_decay * p if weight_decay != 0 else g
    state_new = {}
    if momentum != 0:
        if "momentum_buffer" in state:
            buf = momentum * state["momentum_buffer"] + d
        else:
            buf = d.clone()
        state_new["momentum_buffer"] = buf
        d = d + momentum * buf if nesterov else buf
    return p - lr * d, state_new
    ### END SOLUTION


def adagrad_step(
    p: torch.Tensor, g: torch.Tensor, state: dict, lr: float = 0.01, eps: float = 1e-10
) -> tuple[torch.Tensor, dict]:
    """One step of Adagrad (torch defaults: no lr decay, accumulator starting at 0).

    Formula: t = t + 1
             s = s + g²                 (s starts at 0)
             p_new = p − lr·g / (√s + ε)

    Args:
        p: parameter tensor.
        g: its gradient, same shape.
        state: {} on the first step, afterwards {"step": int, "sum": tensor}.
        lr: learning rate.
        eps: ε added to the denominator.

    Returns:
        (p_new, state_new) with state_new = {"step": t, "sum": s}.

    Raises:
        ValueError: if lr < 0 or eps < 0.
    """
    ### BEGIN SOLUTION
    if lr < 0 or eps < 0:
        raise ValueError(f"invalid lr={lr} or eps={eps}")
    step = int(state.get("step", 0)) + 1
    s = state["sum"] if "sum" in state else torch.zeros_like(p)
    s = s + g * g
    p_new = p - lr * g / (torch.sqrt(s) + eps)
    return p_new, {"step": step, "sum": s}
    ### END SOLUTION


def rmsprop_step(
    p: torch.Tensor,
    g: torch.Tensor,
    state: dict,
    lr: float = 0.01,
    alpha: float = 0.99,
    eps: float = 1e-8,
) -> tuple[torch.Tensor, dict]:
    """One step of RMSProp (torch defaults: not centered, no momentum, no weight decay).

    Formula: t = t + 1
             v = α·v + (1 − α)·g²       (v starts at 0)
             p_new = p − lr·g / (√v + ε)

    Args:
        p: parameter tensor.
        g: its gradient, same shape.
        state: {} on the first step, afterwards {"step": int, "square_avg": tensor}.
        lr: learning rate.
        alpha: smoothing constant α.
        eps: ε added to the denominator.

    Returns:
        (p_new, state_new) with state_new = {"step": t, "square_avg": v}.

    Raises:
        ValueError: if lr < 0, alpha < 0 or eps < 0 (α > 1 is accepted, as in torch).
    """
    ### BEGIN SOLUTION
    if lr < 0 or alpha < 0 or eps < 0:
        raise ValueError(f"invalid lr={lr}, alpha={alpha} or eps={eps}")
    step = int(state.get("step", 0)) + 1
    v = state["square_avg"] if "square_avg" in state else torch.zeros_like(p)
    v = alpha * v + (1.0 - alpha) * g * g
    p_new = p - lr * g / (torch.sqrt(v) + eps)
    return p_new, {"step": step, "square_avg": v}
    ### END SOLUTION


def adam_step(
    p: torch.Tensor,
    g: torch.Tensor,
    state: dict,
    lr: float = 1e-3,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0.0,
) -> tuple[torch.Tensor, dict]:
    """One step of Adam with bias correction and L2 weight decay (torch.optim.Adam, not AdamW).

    Formula: t = t + 1
             d = g + λ·p
             m = β₁·m + (1 − β₁)·d          (m, v start at 0)
             v = β₂·v + (1 − β₂)·d²
             p_new = p − (lr / (1 − β₁ᵗ))·m / (√v / √(1 − β₂ᵗ) + ε)

    Args:
        p: parameter tensor.
        g: its gradient, same shape.
        state: {} on the first step, afterwards {"step": int, "exp_avg": tensor,
            "exp_avg_sq": tensor}.
        lr: learning rate.
        betas: (β₁, β₂), decay rates of the two moment estimates.
        eps: ε added to the denominator (after the bias correction, as torch).
        weight_decay: L2 penalty λ, added to the gradient.

    Returns:
        (p_new, state_new) with state_new = {"step": t, "exp_avg": m, "exp_avg_sq": v}.

    Raises:
        ValueError: if lr < 0, eps < 0, weight_decay < 0, or β₁ or β₂ outside [0, 1).
    """
    ### BEGIN SOLUTION
    beta1, beta2 = betas
    if lr < 0 or eps < 0 or weight_decay < 0:
        raise ValueError(f"invalid lr={lr}, eps={eps} or weight_decay={weight_decay}")
    if not (0.0 <= beta1 < 1.0 and 0.0 <= beta2 < 1.0):
        raise ValueError(f"invalid betas={betas}: each must lie in [0, 1)")
    step = int(state.get("step", 0)) + 1
    m = state["exp_avg"] if "exp_avg" in state else torch.zeros_like(p)
    v = state["exp_avg_sq"] if "exp_avg_sq" in state else torch.zeros_like(p)
    d = g + weight_decay * p if weight_decay != 0 else g
    m = beta1 * m + (1.0 - beta1) * d
    v = beta2 * v + (1.0 - beta2) * d * d
    bias_correction1 = 1.0 - beta1**step
    bias_correction2 = 1.0 - beta2**step
    denom = torch.sqrt(v) / bias_correction2**0.5 + eps
    p_new = p - (lr / bias_correction1) * m / denom
    return p_new, {"step": step, "exp_avg": m, "exp_avg_sq": v}
    ### END SOLUTION


def adadelta_step(
    p: torch.Tensor,
    g: torch.Tensor,
    state: dict,
    lr: float = 1.0,
    rho: float = 0.9,
    eps: float = 1e-6,
) -> tuple[torch.Tensor, dict]:
    """One step of Adadelta (torch defaults: no weight decay).

    Formula: t = t + 1
             v = ρ·v + (1 − ρ)·g²                  (v, u start at 0)
             Δ = √(u + ε) / √(v + ε) · g           (u from the previous step)
             u = ρ·u + (1 − ρ)·Δ²
             p_new = p − lr·Δ

    Args:
        p: parameter tensor.
        g: its gradient, same shape.
        state: {} on the first step, afterwards {"step": int, "square_avg": tensor,
            "acc_delta": tensor}.
        lr: learning rate (scales Δ).
        rho: decay rate ρ of both running averages.
        eps: ε inside both square roots.

    Returns:
        (p_new, state_new) with state_new = {"step": t, "square_avg": v, "acc_delta": u}.

    Raises:
        ValueError: if lr < 0, eps < 0, or rho outside [0, 1] (ρ = 1 is accepted, as in torch).
    """
    ### BEGIN SOLUTION
    if lr < 0 or eps < 0 or not 0.0 <= rho <= 1.0:
        raise ValueError(f"invalid lr={lr}, rho={rho} or eps={eps}")
    step = int(state.get("step", 0)) + 1
    v = state["square_avg"] if "square_avg" in state else torch.zeros_like(p)
    u = state["acc_delta"] if "acc_delta" in state else torch.zeros_like(p)
    v = rho * v + (1.0 - rho) * g * g
    delta = torch.sqrt(u + eps) / torch.sqrt(v + eps) * g
    u = rho * u + (1.0 - rho) * delta * delta
    p_new = p - lr * delta
    return p_new, {"step": step, "square_avg": v, "acc_delta": u}
    ### END SOLUTION
