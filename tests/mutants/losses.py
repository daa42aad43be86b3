"""Wrong implementations for unit 4 (losses)."""

MUTANTS: dict[str, list[tuple[str, str]]] = {
    "losses.mse_loss": [
        (
            "sum instead of mean over the elements",
            """
def mse_loss(pred, target):
    diff = pred - target
    return (diff * diff).sum()
""",
        ),
    ],
    "losses.mse_loss_grad": [
        (
            "forgets the factor 2 of the square",
            """
def mse_loss_grad(pred, target):
    return (pred - target) / pred.numel()
""",
        ),
        (
            "forgets the 1/N of the mean",
            """
def mse_loss_grad(pred, target):
    return 2.0 * (pred - target)
""",
        ),
    ],
    "losses.mae_loss": [
        (
            "forgets the absolute value: mean(p - t)",
            """
def mae_loss(pred, target):
    return (pred - target).mean()
""",
        ),
        (
            "divides by the number of rows instead of the number of elements",
            """
def mae_loss(pred, target):
    import torch
    return torch.abs(pred - target).sum() / pred.shape[0]
""",
        ),
    ],
    "losses.mae_loss_grad": [
        (
            "forgets the 1/N of the mean",
            """
def mae_loss_grad(pred, target):
    import torch
    return torch.sign(pred - target)
""",
        ),
    ],
    "losses.smooth_l1_loss": [
        (
            "the two branches swapped: linear near 0, quadratic further out",
            """
def smooth_l1_loss(pred, target, beta=1.0):
    import torch
    diff = pred - target
    abs_diff = torch.abs(diff)
    per_element = torch.where(abs_diff < beta, abs_diff - 0.5 * beta, 0.5 * diff * diff / beta)
    return per_element.mean()
""",
        ),
        (
            "ignores beta and always uses 1",
            """
def smooth_l1_loss(pred, target, beta=1.0):
    import torch
    diff = pred - target
    abs_diff = torch.abs(diff)
    return torch.where(abs_diff < 1.0, 0.5 * diff * diff, abs_diff - 0.5).mean()
""",
        ),
    ],
    "losses.smooth_l1_loss_grad": [
        (
            "forgets to divide by beta in the quadratic branch",
            """
def smooth_l1_loss_grad(pred, target, beta=1.0):
    import torch
    diff = pred - target
    per_element = torch.where(torch.abs(diff) < beta, diff, torch.sign(diff))
    return per_element / pred.numel()
""",
        ),
        (
            "the two branches swapped",
            """
def smooth_l1_loss_grad(pred, target, beta=1.0):
    import torch
    diff = pred - target
    per_element = torch.where(torch.abs(diff) < beta, torch.sign(diff), diff / beta)
    return per_element / pred.numel()
""",
        ),
    ],
    "losses.bce_loss": [
        (
            "no clamping: log(0) gives -inf, and 0 * -inf gives nan, at probabilities 0 and 1",
            """
def bce_loss(prob, target, eps=1e-7):
    import torch
    per_element = target * torch.log(prob) + (1.0 - target) * torch.log(1.0 - prob)
    return -per_element.mean()
""",
        ),
        (
            "forgets the minus sign: the loss comes out negative",
            """
def bce_loss(prob, target, eps=1e-7):
    import torch
    p = torch.clamp(prob, min=eps, max=1.0 - eps)
    return (target * torch.log(p) + (1.0 - target) * torch.log1p(-p)).mean()
""",
        ),
    ],
    "losses.bce_loss_grad": [
        (
            "wrong sign: (t - p) instead of (p - t)",
            """
def bce_loss_grad(prob, target, eps=1e-7):
    import torch
    p = torch.clamp(prob, min=eps, max=1.0 - eps)
    grad = (target - p) / (p * (1.0 - p)) / prob.numel()
    inside = (prob >= eps) & (prob <= 1.0 - eps)
    return torch.where(inside, grad, torch.zeros_like(grad))
""",
        ),
        (
            "keeps a gradient where the clamp is active (at probabilities 0 and 1)",
            """
def bce_loss_grad(prob, target, eps=1e-7):
    import torch
    p = torch.clamp(prob, min=eps, max=1.0 - eps)
    return (p - target) / (p * (1.0 - p)) / prob.numel()
""",
        ),
    ],
    "losses.cross_entropy_loss": [
        (
            "log(softmax) without the max subtracted: exp(1e4) = inf, inf/inf = nan",
            """
def cross_entropy_loss(logits, labels):
    import torch
    e = torch.exp(logits)
    log_probs = torch.log(e / e.sum(dim=1, keepdim=True))
    return -log_probs.gather(1, labels.long().unsqueeze(1)).mean()
""",
        ),
        (
            "sums over the samples instead of averaging",
            """
def cross_entropy_loss(logits, labels):
    import torch
    shifted = logits - torch.amax(logits, dim=1, keepdim=True)
    log_norm = torch.log(torch.exp(shifted).sum(dim=1))
    picked = shifted.gather(1, labels.long().unsqueeze(1)).squeeze(1)
    return (log_norm - picked).sum()
""",
        ),
    ],
    "losses.cross_entropy_loss_grad": [
        (
            "forgets the 1/N of the mean over samples",
            """
def cross_entropy_loss_grad(logits, labels):
    import torch
    shifted = logits - torch.amax(logits, dim=1, keepdim=True)
    e = torch.exp(shifted)
    probs = e / e.sum(dim=1, keepdim=True)
    one_hot = torch.zeros_like(logits).scatter_(1, labels.long().unsqueeze(1), 1.0)
    return probs - one_hot
""",
        ),
        (
            "returns softmax / N without subtracting the one-hot labels",
            """
def cross_entropy_loss_grad(logits, labels):
    import torch
    shifted = logits - torch.amax(logits, dim=1, keepdim=True)
    e = torch.exp(shifted)
    return e / e.sum(dim=1, keepdim=True) / logits.shape[0]
""",
        ),
    ],
    "losses.hinge_loss": [
        (
            "max(0, y·s - 1) instead of max(0, 1 - y·s)",
            """
def hinge_loss(scores, labels):
    import torch
    return torch.clamp(labels.to(scores.dtype) * scores - 1.0, min=0.0).mean()
""",
        ),
        (
            "sum instead of mean",
            """
def hinge_loss(scores, labels):
    import torch
    return torch.clamp(1.0 - labels.to(scores.dtype) * scores, min=0.0).sum()
""",
        ),
    ],
    "losses.hinge_loss_grad": [
        (
            "wrong sign: +y/N where the margin is violated",
            """
def hinge_loss_grad(scores, labels):
    import torch
    y = labels.to(scores.dtype)
    active = (1.0 - y * scores) > 0
    return torch.where(active, y, torch.zeros_like(y)) / scores.numel()
""",
        ),
        (
            "forgets the 1/N of the mean",
            """
def hinge_loss_grad(scores, labels):
    import torch
    y = labels.to(scores.dtype)
    return torch.where((1.0 - y * scores) > 0, -y, torch.zeros_like(y))
""",
        ),
    ],
    "losses.multiclass_hinge_loss": [
        (
            "includes the true class in the sum: adds the margin once per sample",
            """
def multiclass_hinge_loss(scores, labels, margin=1.0):
    import torch
    correct = scores.gather(1, labels.long().unsqueeze(1))
    return torch.clamp(scores - correct + margin, min=0.0).sum(dim=1).mean()
""",
        ),
        (
            "ignores the margin: max(0, s_j - s_y)",
            """
def multiclass_hinge_loss(scores, labels, margin=1.0):
    import torch
    index = labels.long().unsqueeze(1)
    margins = torch.clamp(scores - scores.gather(1, index), min=0.0)
    return margins.scatter(1, index, 0.0).sum(dim=1).mean()
""",
        ),
    ],
    "losses.multiclass_hinge_loss_grad": [
        (
            "forgets the -count term of the true class (its gradient stays 0)",
            """
def multiclass_hinge_loss_grad(scores, labels, margin=1.0):
    index = labels.long().unsqueeze(1)
    active = ((scores - scores.gather(1, index) + margin) > 0).to(scores.dtype)
    return active.scatter(1, index, 0.0) / scores.shape[0]
""",
        ),
        (
            "counts the true class as active: its gradient is -(count + 1)/N",
            """
def multiclass_hinge_loss_grad(scores, labels, margin=1.0):
    index = labels.long().unsqueeze(1)
    active = ((scores - scores.gather(1, index) + margin) > 0).to(scores.dtype)
    grad = active.scatter(1, index, -active.sum(dim=1, keepdim=True))
    return grad / scores.shape[0]
""",
        ),
    ],
}
