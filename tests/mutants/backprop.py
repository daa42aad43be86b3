"""Wrong implementations for unit 5 (backprop)."""

MUTANTS: dict[str, list[tuple[str, str]]] = {
    "backprop.linear_forward": [
        (
            "x @ W without the transpose: only works when W happens to be square",
            """
def linear_forward(x, W, b):
    return x @ W + b
""",
        ),
        (
            "computes in float64 and returns float64 for float32 inputs",
            """
def linear_forward(x, W, b):
    return x.double() @ W.double().T + b.double()
""",
        ),
    ],
    "backprop.linear_backward": [
        (
            "swapped transpose: dW = xᵀ·G has shape (in, out) instead of (out, in)",
            """
def linear_backward(grad_out, x, W):
    return grad_out @ W, x.T @ grad_out, grad_out.sum(dim=0)
""",
        ),
        (
            "db averaged over the batch instead of summed",
            """
def linear_backward(grad_out, x, W):
    return grad_out @ W, grad_out.T @ x, grad_out.mean(dim=0)
""",
        ),
    ],
    "backprop.mlp_forward": [
        (
            "no activation after the last layer (the course's net has one there)",
            """
def mlp_forward(x, params, activation="sigmoid"):
    import torch
    acts = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}
    if activation not in acts:
        raise ValueError(activation)
    layers, a = [], x
    for k, (W, b) in enumerate(params):
        z = a @ W.T + b
        out = z if k == len(params) - 1 else acts[activation](z)
        layers.append({"x": a, "W": W, "z": z, "a": out})
        a = out
    return a, {"activation": activation, "layers": layers}
""",
        ),
        (
            "textbook tanh (e^z − e^−z)/(e^z + e^−z): inf/inf = nan for huge z",
            """
def mlp_forward(x, params, activation="sigmoid"):
    import torch
    layers, a = [], x
    for W, b in params:
        z = a @ W.T + b
        if activation == "sigmoid":
            out = torch.sigmoid(z)
        elif activation == "tanh":
            out = (torch.exp(z) - torch.exp(-z)) / (torch.exp(z) + torch.exp(-z))
        else:
            out = torch.clamp(z, min=0.0)
        layers.append({"x": a, "W": W, "z": z, "a": out})
        a = out
    return a, {"activation": activation, "layers": layers}
""",
        ),
    ],
    "backprop.mlp_backward": [
        (
            "forgets the activation's derivative: δ = g instead of g ⊙ f′(z)",
            """
def mlp_backward(grad_out, cache):
    grads, g = [], grad_out
    for layer in reversed(cache["layers"]):
        grads.append((g.T @ layer["x"], g.sum(dim=0)))
        g = g @ layer["W"]
    return grads[::-1]
""",
        ),
        (
            "mixes up the layers: returns the gradients last layer first",
            """
def mlp_backward(grad_out, cache):
    import torch
    activation, grads, g = cache["activation"], [], grad_out
    for layer in reversed(cache["layers"]):
        a, z = layer["a"], layer["z"]
        if activation == "sigmoid":
            delta = g * a * (1.0 - a)
        elif activation == "tanh":
            delta = g * (1.0 - a * a)
        else:
            delta = torch.where(z > 0, g, torch.zeros_like(g))
        grads.append((delta.T @ layer["x"], delta.sum(dim=0)))
        g = delta @ layer["W"]
    return grads
""",
        ),
    ],
    "backprop.train_manual": [
        (
            "right numbers, but updates the caller's tensors in place (W -= lr·dW)",
            """
def train_manual(params, x, y, lr, epochs):
    import torch
    losses = []
    for _ in range(epochs):
        xs, acts, a = [], [], x
        for W, b in params:
            xs.append(a)
            a = torch.sigmoid(a @ W.T + b)
            acts.append(a)
        diff = a - y
        losses.append(float((diff * diff).mean()))
        g, grads = 2.0 * diff / diff.numel(), []
        for (W, b), a_in, a_out in zip(reversed(params), reversed(xs), reversed(acts)):
            delta = g * a_out * (1.0 - a_out)
            grads.append((delta.T @ a_in, delta.sum(dim=0)))
            g = delta @ W
        for (W, b), (dW, db) in zip(params, reversed(grads)):
            W -= lr * dW
            b -= lr * db
    return params, losses
""",
        ),
        (
            "drops the factor 2 of the squared error: ∂L/∂out = (out − y) / M",
            """
def train_manual(params, x, y, lr, epochs):
    import torch
    params = [(W.clone(), b.clone()) for W, b in params]
    losses = []
    for _ in range(epochs):
        xs, acts, a = [], [], x
        for W, b in params:
            xs.append(a)
            a = torch.sigmoid(a @ W.T + b)
            acts.append(a)
        diff = a - y
        losses.append(float((diff * diff).mean()))
        g, new = diff / diff.numel(), []
        for (W, b), a_in, a_out in zip(reversed(params), reversed(xs), reversed(acts)):
            delta = g * a_out * (1.0 - a_out)
            new.append((W - lr * (delta.T @ a_in), b - lr * delta.sum(dim=0)))
            g = delta @ W
        params = new[::-1]
    return params, losses
""",
        ),
    ],
}
