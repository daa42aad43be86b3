"""Unit 4 — losses: loss functions (mean reduction) and their gradients, written by hand in torch.

Every loss returns a 0-dim tensor; every `*_grad` returns ∂L/∂(first argument) with that
argument's shape, dtype and device. Targets and labels are not differentiated. Do not call
torch.nn.functional, torch.logsumexp, torch.softmax or autograd here.
"""

from __future__ import annotations

import torch


def mse_loss(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean squared error.

    Formula: L = (1/N) Σᵢ (pᵢ − tᵢ)²   (N = number of elements)

    Args:
        pred: predictions p (float32 or float64).
        target: targets t, same shape as pred.

    Returns:
        0-dim tensor (pred's dtype and device).
    """
    ### BEGIN SOLUTION
    diff = pred - target
    return (diff * diff).mean()
    ### END SOLUTION


def mse_loss_grad(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Gradient of `mse_loss` with respect to pred.

    Formula: ∂L/∂pᵢ = 2·(pᵢ − tᵢ) / N

    Args:
        pred: predictions p.
        target: targets t, same shape as pred.

    Returns:
        Tensor of pred's shape, dtype and device.
    """
    ### BEGIN SOLUTION
    return 2.0 * (pred - target) / pred.numel()
    ### END SOLUTION


def mae_loss(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean absolute error (L1 loss).

    Formula: L = (1/N) Σᵢ |pᵢ − tᵢ|

    Args:
        pred: predictions p (float32 or float64).
        target: targets t, same shape as pred.

    Returns:
        0-dim tensor (pred's dtype and device).
    """
    ### BEGIN SOLUTION
    return torch.abs(pred - target).mean()
    ### END SOLUTION


def mae_loss_grad(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Gradient of `mae_loss` with respect to pred (0 where pᵢ = tᵢ, as torch).

    Formula: ∂L/∂pᵢ = sign(pᵢ − tᵢ) / N

    Args:
        pred: predictions p.
        target: targets t, same shape as pred.

    Returns:
        Tensor of pred's shape, dtype and device.
    """
    ### BEGIN SOLUTION
    return torch.sign(pred - target) / pred.numel()
    ### END SOLUTION


def smooth_l1_loss(pred: torch.Tensor, target: torch.Tensor, beta: float = 1.0) -> torch.Tensor:
    """Smooth L1 loss (torch's definition): quadratic near 0, linear further out.

    Formula: with dᵢ = pᵢ − tᵢ,
             ℓᵢ = 0.5·dᵢ² / β   if |dᵢ| < β
             ℓᵢ = |dᵢ| − 0.5·β  otherwise
             L = (1/N) Σᵢ ℓᵢ

    Args:
        pred: predictions p (float32 or float64).
        target: targets t, same shape as pred.
        beta: threshold β ≥ 0 between the two pieces (β = 0 gives the L1 loss).

    Returns:
        0-dim tensor (pred's dtype and device).
    """
    ### BEGIN SOLUTION
    diff = pred - target
    abs_diff = torch.abs(diff)
    quadratic = 0.5 * diff * diff / beta if beta > 0 else torch.zeros_like(diff)
    per_element = torch.where(abs_diff < beta, quadratic, abs_diff - 0.5 * beta)
    return per_element.mean()
    ### END SOLUTION


def smooth_l1_loss_grad(
    pred: torch.Tensor, target: torch.Tensor, beta: float = 1.0
) -> torch.Tensor:
    """Gradient of `smooth_l1_loss` with respect to pred.

    Formula: with dᵢ = pᵢ − tᵢ,
             ∂L/∂pᵢ = dᵢ / (β·N)      if |dᵢ| < β
             ∂L/∂pᵢ = sign(dᵢ) / N   otherwise

    Args:
        pred: predictions p.
        target: targets t, same shape as pred.
        beta: threshold β ≥ 0.

    Returns:
        Tensor of pred's shape, dtype and device.
    """
    ### BEGIN SOLUTION
    diff = pred - target
    linear = diff / beta if beta > 0 else torch.zeros_like(diff)
    per_element = torch.where(torch.abs(diff) < beta, linear, torch.sign(diff))
    return per_element / pred.numel()
    ### END SOLUTION


def bce_loss(prob: torch.Tensor, target: torch.Tensor, eps: float = 1e-7) -> torch.Tensor:
    """Binary cross-entropy on probabilities, clamped away from 0 and 1.

    Formula: p̃ᵢ = clamp(pᵢ, ε, 1 − ε)
             L = −(1/N) Σᵢ [tᵢ·log(p̃ᵢ) + (1 − tᵢ)·log(1 − p̃ᵢ)]

    Hint: the clamp keeps log finite when a probability is exactly 0 or 1.

    Args:
        prob: predicted probabilities p in [0, 1] (float32 or float64).
        target: targets t in [0, 1], same shape as prob.
        eps: clamp margin ε.

    Returns:
        0-dim tensor (prob's dtype and device).
    """
    ### BEGIN SOLUTION
    p = torch.clamp(prob, min=eps, max=1.0 - eps)
    per_element = target * torch.log(p) + (1.0 - target) * torch.log1p(-p)
    return -per_element.mean()
    ### END SOLUTION


def bce_loss_grad(prob: torch.Tensor, target: torch.Tensor, eps: float = 1e-7) -> torch.Tensor:
    """Gradient of `bce_loss` with respect to prob (clamp included).

    Formula: with p̃ᵢ = clamp(pᵢ, ε, 1 − ε),
             ∂L/∂pᵢ = (p̃ᵢ − tᵢ) / (p̃ᵢ·(1 − p̃ᵢ)·N)   if ε ≤ pᵢ ≤ 1 − ε
             ∂L/∂pᵢ = 0                            where the clamp is active

    Args:
        prob: predicted probabilities p.
        target: targets t, same shape as prob.
        eps: clamp margin ε.

    Returns:
        Tensor of prob's shape, dtype and device.
    """
    ### BEGIN SOLUTION
    p = torch.clamp(prob, min=eps, max=1.0 - eps)
    grad = (p - target) / (p * (1.0 - p)) / prob.numel()
    inside = (prob >= eps) & (prob <= 1.0 - eps)
    return torch.where(inside, grad, torch.zeros_like(grad))
    ### END SOLUTION


def cross_entropy_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Softmax cross-entropy for integer class labels, averaged over samples.

    Formula: Lₙ = log Σⱼ exp(zₙⱼ) − zₙ,yₙ ;  L = (1/N) Σₙ Lₙ

    Hint: log Σⱼ exp(zⱼ) = m + log Σⱼ exp(zⱼ − m) with m = maxⱼ zⱼ (log-sum-exp trick),
    so logits of size 1e4 do not overflow.

    Args:
        logits: scores z of shape (N, C) (float32 or float64).
        labels: class indices y of shape (N,), int64 in [0, C).

    Returns:
        0-dim tensor (logits' dtype and device).
    """
    ### BEGIN SOLUTION
    shifted = logits - torch.amax(logits, dim=1, keepdim=True)
    log_norm = torch.log(torch.exp(shifted).sum(dim=1))
    picked = shifted.gather(1, labels.long().unsqueeze(1)).squeeze(1)
    return (log_norm - picked).mean()
    ### END SOLUTION


def cross_entropy_loss_grad(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Gradient of `cross_entropy_loss` with respect to the logits.

    Formula: ∂L/∂zₙⱼ = (softmax(zₙ)ⱼ − [j = yₙ]) / N

    Hint: compute the softmax with the max subtracted; build the one-hot with scatter_.

    Args:
        logits: scores z of shape (N, C).
        labels: class indices y of shape (N,), int64.

    Returns:
        Tensor of shape (N, C), logits' dtype and device.
    """
    ### BEGIN SOLUTION
    shifted = logits - torch.amax(logits, dim=1, keepdim=True)
    e = torch.exp(shifted)
    probs = e / e.sum(dim=1, keepdim=True)
    one_hot = torch.zeros_like(logits).scatter_(1, labels.long().unsqueeze(1), 1.0)
    return (probs - one_hot) / logits.shape[0]
    ### END SOLUTION


def hinge_loss(scores: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Binary hinge loss for labels ±1.

    Formula: L = (1/N) Σᵢ max(0, 1 − yᵢ·sᵢ)

    Args:
        scores: raw scores s (float32 or float64).
        labels: labels y in {−1, +1}, same shape as scores.

    Returns:
        0-dim tensor (scores' dtype and device).
    """
    ### BEGIN SOLUTION
    margins = 1.0 - labels.to(scores.dtype) * scores
    return torch.clamp(margins, min=0.0).mean()
    ### END SOLUTION


def hinge_loss_grad(scores: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Gradient of `hinge_loss` with respect to the scores.

    Formula: ∂L/∂sᵢ = −yᵢ / N  if 1 − yᵢ·sᵢ > 0, else 0

    Args:
        scores: raw scores s.
        labels: labels y in {−1, +1}, same shape as scores.

    Returns:
        Tensor of scores' shape, dtype and device.
    """
    ### BEGIN SOLUTION
    y = labels.to(scores.dtype)
    active = (1.0 - y * scores) > 0
    return torch.where(active, -y, torch.zeros_like(y)) / scores.numel()
    ### END SOLUTION


def multiclass_hinge_loss(
    scores: torch.Tensor, labels: torch.Tensor, margin: float = 1.0
) -> torch.Tensor:
    """Multiclass (Weston–Watkins / SVM) hinge loss, averaged over samples.

    Formula: Lₙ = Σ_{j ≠ yₙ} max(0, sₙⱼ − sₙ,yₙ + Δ) ;  L = (1/N) Σₙ Lₙ   (Δ = margin)

    Args:
        scores: class scores s of shape (N, C) (float32 or float64).
        labels: class indices y of shape (N,), int64 in [0, C).
        margin: margin Δ.

    Returns:
        0-dim tensor (scores' dtype and device).
    """
    ### BEGIN SOLUTION
    index = labels.long().unsqueeze(1)
    correct = scores.gather(1, index)
    margins = torch.clamp(scores - correct + margin, min=0.0)
    margins = margins.scatter(1, index, 0.0)
    return margins.sum(dim=1).mean()
    ### END SOLUTION


def multiclass_hinge_loss_grad(
    scores: torch.Tensor, labels: torch.Tensor, margin: float = 1.0
) -> torch.Tensor:
    """Gradient of `multiclass_hinge_loss` with respect to the scores.

    Formula: with aₙⱼ = 1 if j ≠ yₙ and sₙⱼ − sₙ,yₙ + Δ > 0 else 0,
             ∂L/∂sₙⱼ = aₙⱼ / N          for j ≠ yₙ
             ∂L/∂sₙ,yₙ = −(Σⱼ aₙⱼ) / N

    Args:
        scores: class scores s of shape (N, C).
        labels: class indices y of shape (N,), int64.
        margin: margin Δ.

    Returns:
        Tensor of shape (N, C), scores' dtype and device.
    """
    ### BEGIN SOLUTION
    index = labels.long().unsqueeze(1)
    correct = scores.gather(1, index)
    active = ((scores - correct + margin) > 0).to(scores.dtype)
    active = active.scatter(1, index, 0.0)
    grad = active.scatter(1, index, -active.sum(dim=1, keepdim=True))
    return grad / scores.shape[0]
    ### END SOLUTION
