"""Wrong implementations for unit 6 (optimizers)."""

MUTANTS: dict[str, list[tuple[str, str]]] = {
    "optimizers.sgd_step": [
        (
            "the first momentum buffer is the gradient itself (buf = d, no copy): right "
            "numbers, but the state changes when the caller reuses g's memory",
            """
def sgd_step(p, g, state, lr, momentum=0.0, weight_decay=0.0, nesterov=False):
    if lr < 0 or momentum < 0 or weight_decay < 0 or (nesterov and momentum <= 0):
        raise ValueError("invalid hyper-parameter")
    d = g + weight_decay * p if weight_decay != 0 else g
    state_new = {}
    if momentum != 0:
        buf = momentum * state["momentum_buffer"] + d if "momentum_buffer" in state else d
        state_new["momentum_buffer"] = buf
        d = d + momentum * buf if nesterov else buf
    return p - lr * d, state_new
""",
        ),
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
        (
            "weight decay added after the momentum buffer instead of to the gradient first",
            """
def sgd_step(p, g, state, lr, momentum=0.0, weight_decay=0.0, nesterov=False):
    if lr < 0 or momentum < 0 or weight_decay < 0 or (nesterov and momentum <= 0):
        raise ValueError("invalid hyper-parameter")
    d, state_new = g, {}
    if momentum != 0:
        buf = state.get("momentum_buffer")
        buf = d.clone() if buf is None else momentum * buf + d
        state_new["momentum_buffer"] = buf
        d = d + momentum * buf if nesterov else buf
    return p - lr * (d + weight_decay * p), state_new
""",
        ),
        (
            "nesterov without momentum silently runs plain SGD (torch raises ValueError)",
            """
def sgd_step(p, g, state, lr, momentum=0.0, weight_decay=0.0, nesterov=False):
    if lr < 0 or momentum < 0 or weight_decay < 0:
        raise ValueError("invalid hyper-parameter")
    d, state_new = g + weight_decay * p, {}
    if momentum != 0:
        buf = state.get("momentum_buffer")
        buf = d.clone() if buf is None else momentum * buf + d
        state_new["momentum_buffer"] = buf
        d = d + momentum * buf if nesterov else buf
    return p - lr * d, state_new
""",
        ),
        (
            "keeps the buffer under its own name 'velocity' instead of torch's 'momentum_buffer'",
            """
def sgd_step(p, g, state, lr, momentum=0.0, weight_decay=0.0, nesterov=False):
    if lr < 0 or momentum < 0 or weight_decay < 0 or (nesterov and momentum <= 0):
        raise ValueError("invalid hyper-parameter")
    d, state_new = g + weight_decay * p, {}
    if momentum != 0:
        buf = state.get("velocity")
        buf = d.clone() if buf is None else momentum * buf + d
        state_new["velocity"] = buf
        d = d + momentum * buf if nesterov else buf
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
        (
            "counts steps in a float: state['step'] = 1.0, 2.0, …",
            """
def adagrad_step(p, g, state, lr=0.01, eps=1e-10):
    import torch
    if lr < 0 or eps < 0:
        raise ValueError("invalid hyper-parameter")
    s = state.get("sum", torch.zeros_like(p)) + g * g
    step = state.get("step", 0.0) + 1.0
    return p - lr * g / (torch.sqrt(s) + eps), {"step": step, "sum": s}
""",
        ),
        (
            "no step count in the state (only 'sum'): Adagrad's update does not need it",
            """
def adagrad_step(p, g, state, lr=0.01, eps=1e-10):
    import torch
    if lr < 0 or eps < 0:
        raise ValueError("invalid hyper-parameter")
    s = state.get("sum", torch.zeros_like(p)) + g * g
    return p - lr * g / (torch.sqrt(s) + eps), {"sum": s}
""",
        ),
        (
            "Keras' default ε = 1e-7 instead of torch's 1e-10",
            """
def adagrad_step(p, g, state, lr=0.01, eps=1e-7):
    import torch
    if lr < 0 or eps < 0:
        raise ValueError("invalid hyper-parameter")
    s = state.get("sum", torch.zeros_like(p)) + g * g
    step = state.get("step", 0) + 1
    return p - lr * g / (torch.sqrt(s) + eps), {"step": step, "sum": s}
""",
        ),
        (
            "accepts a negative learning rate or ε without complaint",
            """
def adagrad_step(p, g, state, lr=0.01, eps=1e-10):
    import torch
    s = state.get("sum", torch.zeros_like(p)) + g * g
    step = state.get("step", 0) + 1
    return p - lr * g / (torch.sqrt(s) + eps), {"step": step, "sum": s}
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
        (
            "never increments the step count (RMSProp's update does not use it)",
            """
def rmsprop_step(p, g, state, lr=0.01, alpha=0.99, eps=1e-8):
    import torch
    if lr < 0 or alpha < 0 or eps < 0:
        raise ValueError("invalid hyper-parameter")
    v = alpha * state.get("square_avg", torch.zeros_like(p)) + (1.0 - alpha) * g * g
    step = state.get("step", 1)
    return p - lr * g / (torch.sqrt(v) + eps), {"step": step, "square_avg": v}
""",
        ),
        (
            "Keras' default smoothing α = 0.9 instead of torch's 0.99",
            """
def rmsprop_step(p, g, state, lr=0.01, alpha=0.9, eps=1e-8):
    import torch
    if lr < 0 or alpha < 0 or eps < 0:
        raise ValueError("invalid hyper-parameter")
    v = alpha * state.get("square_avg", torch.zeros_like(p)) + (1.0 - alpha) * g * g
    step = state.get("step", 0) + 1
    return p - lr * g / (torch.sqrt(v) + eps), {"step": step, "square_avg": v}
""",
        ),
        (
            "stores the running average as 'v' instead of torch's 'square_avg'",
            """
def rmsprop_step(p, g, state, lr=0.01, alpha=0.99, eps=1e-8):
    import torch
    if lr < 0 or alpha < 0 or eps < 0:
        raise ValueError("invalid hyper-parameter")
    v = alpha * state.get("v", torch.zeros_like(p)) + (1.0 - alpha) * g * g
    step = state.get("step", 0) + 1
    return p - lr * g / (torch.sqrt(v) + eps), {"step": step, "v": v}
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
        (
            "bias correction one step ahead: 1 − βᵗ⁺¹ instead of 1 − βᵗ",
            """
def adam_step(p, g, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    import torch
    b1, b2 = betas
    if lr < 0 or eps < 0 or weight_decay < 0 or not (0 <= b1 < 1 and 0 <= b2 < 1):
        raise ValueError("invalid hyper-parameter")
    step = state.get("step", 0) + 1
    d = g + weight_decay * p
    m = b1 * state.get("exp_avg", torch.zeros_like(p)) + (1.0 - b1) * d
    v = b2 * state.get("exp_avg_sq", torch.zeros_like(p)) + (1.0 - b2) * d * d
    denom = torch.sqrt(v) / (1.0 - b2 ** (step + 1)) ** 0.5 + eps
    p_new = p - lr / (1.0 - b1 ** (step + 1)) * m / denom
    return p_new, {"step": step, "exp_avg": m, "exp_avg_sq": v}
""",
        ),
        (
            "ε added before the bias correction: (√v + ε) / √(1 − β₂ᵗ)",
            """
def adam_step(p, g, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    import torch
    b1, b2 = betas
    if lr < 0 or eps < 0 or weight_decay < 0 or not (0 <= b1 < 1 and 0 <= b2 < 1):
        raise ValueError("invalid hyper-parameter")
    step = state.get("step", 0) + 1
    d = g + weight_decay * p
    m = b1 * state.get("exp_avg", torch.zeros_like(p)) + (1.0 - b1) * d
    v = b2 * state.get("exp_avg_sq", torch.zeros_like(p)) + (1.0 - b2) * d * d
    denom = (torch.sqrt(v) + eps) / (1.0 - b2**step) ** 0.5
    p_new = p - lr / (1.0 - b1**step) * m / denom
    return p_new, {"step": step, "exp_avg": m, "exp_avg_sq": v}
""",
        ),
        (
            "checks betas against the closed interval [0, 1]: accepts β = 1, which torch rejects",
            """
def adam_step(p, g, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    import torch
    b1, b2 = betas
    if lr < 0 or eps < 0 or weight_decay < 0 or not (0 <= b1 <= 1 and 0 <= b2 <= 1):
        raise ValueError("invalid hyper-parameter")
    step = state.get("step", 0) + 1
    d = g + weight_decay * p
    m = b1 * state.get("exp_avg", torch.zeros_like(p)) + (1.0 - b1) * d
    v = b2 * state.get("exp_avg_sq", torch.zeros_like(p)) + (1.0 - b2) * d * d
    denom = torch.sqrt(v) / (1.0 - b2**step) ** 0.5 + eps
    p_new = p - lr / (1.0 - b1**step) * m / denom
    return p_new, {"step": step, "exp_avg": m, "exp_avg_sq": v}
""",
        ),
        (
            "stores the bias-corrected moments m̂, v̂ in the state instead of m, v",
            """
def adam_step(p, g, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    import torch
    b1, b2 = betas
    if lr < 0 or eps < 0 or weight_decay < 0 or not (0 <= b1 < 1 and 0 <= b2 < 1):
        raise ValueError("invalid hyper-parameter")
    step = state.get("step", 0) + 1
    d = g + weight_decay * p
    m_prev = state.get("exp_avg", torch.zeros_like(p)) * (1.0 - b1 ** (step - 1))
    v_prev = state.get("exp_avg_sq", torch.zeros_like(p)) * (1.0 - b2 ** (step - 1))
    m = b1 * m_prev + (1.0 - b1) * d
    v = b2 * v_prev + (1.0 - b2) * d * d
    m_hat, v_hat = m / (1.0 - b1**step), v / (1.0 - b2**step)
    p_new = p - lr * m_hat / (torch.sqrt(v_hat) + eps)
    return p_new, {"step": step, "exp_avg": m_hat, "exp_avg_sq": v_hat}
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
        (
            "ignores lr: Δ is not scaled (the original paper has no learning rate)",
            """
def adadelta_step(p, g, state, lr=1.0, rho=0.9, eps=1e-6):
    import torch
    if lr < 0 or eps < 0 or not 0 <= rho <= 1:
        raise ValueError("invalid hyper-parameter")
    v = rho * state.get("square_avg", torch.zeros_like(p)) + (1.0 - rho) * g * g
    u = state.get("acc_delta", torch.zeros_like(p))
    delta = torch.sqrt(u + eps) / torch.sqrt(v + eps) * g
    u = rho * u + (1.0 - rho) * delta * delta
    return p - delta, {"step": state.get("step", 0) + 1, "square_avg": v, "acc_delta": u}
""",
        ),
        (
            "rejects ρ = 1 (checks ρ < 1 as for Adam's betas); torch accepts ρ in [0, 1]",
            """
def adadelta_step(p, g, state, lr=1.0, rho=0.9, eps=1e-6):
    import torch
    if lr < 0 or eps < 0 or not 0 <= rho < 1:
        raise ValueError("invalid hyper-parameter")
    v = rho * state.get("square_avg", torch.zeros_like(p)) + (1.0 - rho) * g * g
    u = state.get("acc_delta", torch.zeros_like(p))
    delta = torch.sqrt(u + eps) / torch.sqrt(v + eps) * g
    u = rho * u + (1.0 - rho) * delta * delta
    return p - lr * delta, {"step": state.get("step", 0) + 1, "square_avg": v, "acc_delta": u}
""",
        ),
        (
            "Δ accumulated with the learning rate in it: u gets (lr·Δ)²",
            """
def adadelta_step(p, g, state, lr=1.0, rho=0.9, eps=1e-6):
    import torch
    if lr < 0 or eps < 0 or not 0 <= rho <= 1:
        raise ValueError("invalid hyper-parameter")
    v = rho * state.get("square_avg", torch.zeros_like(p)) + (1.0 - rho) * g * g
    u = state.get("acc_delta", torch.zeros_like(p))
    delta = lr * torch.sqrt(u + eps) / torch.sqrt(v + eps) * g
    u = rho * u + (1.0 - rho) * delta * delta
    return p - delta, {"step": state.get("step", 0) + 1, "square_avg": v, "acc_delta": u}
""",
        ),
    ],
}
