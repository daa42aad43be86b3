"""Wrong implementations for unit 6 (optimizers)."""

MUTANTS: dict[str, list[tuple[str, str]]] = {
    "optimizers.sgd_step": [
        (
            "momentum with dampening: buf = μ·buf + (1 − μ)·d (torch's default dampening is 0)",
            """
def sgd_step(p, g, state, lr, momentum=0.0, weight_decay=0.0, nesterov=False):
    d = g + weight_decay * p
    state_new = {}
    if momentum != 0:
        buf = state.get("momentum_buffer")
        buf = d.clone() if buf is None else momentum * buf + (1.0 - momentum) * d
        state_new["momentum_buffer"] = buf
        d = d + momentum * buf if nesterov else buf
    return p - lr * d, state_new
""",
        ),
        (
            "ignores nesterov: always classical momentum",
            """
def sgd_step(p, g, state, lr, momentum=0.0, weight_decay=0.0, nesterov=False):
    d = g + weight_decay * p
    state_new = {}
    if momentum != 0:
        buf = state.get("momentum_buffer")
        buf = d.clone() if buf is None else momentum * buf + d
        state_new["momentum_buffer"] = buf
        d = buf
    return p - lr * d, state_new
""",
        ),
    ],
    "optimizers.adagrad_step": [
        (
            "eps inside the square root: √(s + ε) instead of √s + ε",
            """
def adagrad_step(p, g, state, lr=0.01, eps=1e-10):
    import torch
    s = state.get("sum", torch.zeros_like(p)) + g * g
    return p - lr * g / torch.sqrt(s + eps), {"step": state.get("step", 0) + 1, "sum": s}
""",
        ),
        (
            "updates p in place (p -= lr·…) and returns it: the caller's tensor changes",
            """
def adagrad_step(p, g, state, lr=0.01, eps=1e-10):
    import torch
    s = state.get("sum", torch.zeros_like(p)) + g * g
    p -= lr * g / (torch.sqrt(s) + eps)
    return p, {"step": state.get("step", 0) + 1, "sum": s}
""",
        ),
    ],
    "optimizers.rmsprop_step": [
        (
            "eps inside the square root: √(v + ε) instead of √v + ε",
            """
def rmsprop_step(p, g, state, lr=0.01, alpha=0.99, eps=1e-8):
    import torch
    v = alpha * state.get("square_avg", torch.zeros_like(p)) + (1.0 - alpha) * g * g
    return p - lr * g / torch.sqrt(v + eps), {"step": state.get("step", 0) + 1,
                                               "square_avg": v}
""",
        ),
        (
            "updates the state's running average in place (v.mul_(α).add_(…))",
            """
def rmsprop_step(p, g, state, lr=0.01, alpha=0.99, eps=1e-8):
    import torch
    v = state["square_avg"] if "square_avg" in state else torch.zeros_like(p)
    v.mul_(alpha).add_((1.0 - alpha) * g * g)
    return p - lr * g / (torch.sqrt(v) + eps), {"step": state.get("step", 0) + 1,
                                                 "square_avg": v}
""",
        ),
    ],
    "optimizers.adam_step": [
        (
            "no bias correction: the first steps are far too small",
            """
def adam_step(p, g, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    import torch
    b1, b2 = betas
    d = g + weight_decay * p
    m = b1 * state.get("exp_avg", torch.zeros_like(p)) + (1.0 - b1) * d
    v = b2 * state.get("exp_avg_sq", torch.zeros_like(p)) + (1.0 - b2) * d * d
    step = state.get("step", 0) + 1
    return p - lr * m / (torch.sqrt(v) + eps), {"step": step, "exp_avg": m, "exp_avg_sq": v}
""",
        ),
        (
            "decoupled weight decay (AdamW) instead of torch.optim.Adam's L2 term in the gradient",
            """
def adam_step(p, g, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    import torch
    b1, b2 = betas
    step = state.get("step", 0) + 1
    m = b1 * state.get("exp_avg", torch.zeros_like(p)) + (1.0 - b1) * g
    v = b2 * state.get("exp_avg_sq", torch.zeros_like(p)) + (1.0 - b2) * g * g
    denom = torch.sqrt(v) / (1.0 - b2**step) ** 0.5 + eps
    p_new = p * (1.0 - lr * weight_decay) - lr / (1.0 - b1**step) * m / denom
    return p_new, {"step": step, "exp_avg": m, "exp_avg_sq": v}
""",
        ),
    ],
    "optimizers.adadelta_step": [
        (
            "swapped accumulators in the ratio: √(v + ε) / √(u + ε)",
            """
def adadelta_step(p, g, state, lr=1.0, rho=0.9, eps=1e-6):
    import torch
    v = rho * state.get("square_avg", torch.zeros_like(p)) + (1.0 - rho) * g * g
    u = state.get("acc_delta", torch.zeros_like(p))
    delta = torch.sqrt(v + eps) / torch.sqrt(u + eps) * g
    u = rho * u + (1.0 - rho) * delta * delta
    return p - lr * delta, {"step": state.get("step", 0) + 1, "square_avg": v, "acc_delta": u}
""",
        ),
        (
            "accumulates g² instead of Δ² into acc_delta",
            """
def adadelta_step(p, g, state, lr=1.0, rho=0.9, eps=1e-6):
    import torch
    v = rho * state.get("square_avg", torch.zeros_like(p)) + (1.0 - rho) * g * g
    u = state.get("acc_delta", torch.zeros_like(p))
    delta = torch.sqrt(u + eps) / torch.sqrt(v + eps) * g
    u = rho * u + (1.0 - rho) * g * g
    return p - lr * delta, {"step": state.get("step", 0) + 1, "square_avg": v, "acc_delta": u}
""",
        ),
    ],
}
