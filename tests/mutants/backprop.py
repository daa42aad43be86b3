"""Wrong implementations for unit 5 (backprop)."""

# shared beginnings of several mutants (each completes the function its own wrong way)
_FORWARD = """
def mlp_forward(x, params, activation="sigmoid"):
    import torch
    acts = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}
    if activation not in acts:
        raise ValueError(activation)
    layers, a = [], x
    for W, b in params:
        z = a @ W.T + b
        out = acts[activation](z)
"""
_BACKWARD = """
def mlp_backward(grad_out, cache):
    import torch
    activation, grads, g = cache["activation"], [], grad_out
    for layer in reversed(cache["layers"]):
        a, z = layer["a"], layer["z"]
"""
_BACKWARD_END = """
        grads.append((delta.T @ layer["x"], delta.sum(dim=0)))
        g = delta @ layer["W"]
    return grads[::-1]
"""
_TRAIN = """
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
"""
_TRAIN_UPDATE = """
        for (W, b), a_in, a_out in zip(reversed(params), reversed(xs), reversed(acts)):
            delta = g * a_out * (1.0 - a_out)
            new.append((W - lr * (delta.T @ a_in), b - lr * delta.sum(dim=0)))
            g = delta @ W
        params = new[::-1]
"""

MUTANTS: dict[str, list[tuple[str, str]]] = {
    "backprop.linear_forward": [
        (
            "switches torch's default dtype to the input's (a global side effect that would"
            " break later code if the worker did not reset it)",
            """
def linear_forward(x, W, b):
    import torch
    torch.set_default_dtype(x.dtype)
    return x @ W.T + b
""",
        ),
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
        (
            "squeezes the result: a one-output layer gives shape (N,) instead of (N, 1)",
            """
def linear_forward(x, W, b):
    return (x @ W.T + b).squeeze()
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
        (
            "dW averaged over the batch (Gᵀ·x / N) instead of summed",
            """
def linear_backward(grad_out, x, W):
    return grad_out @ W, grad_out.T @ x / x.shape[0], grad_out.sum(dim=0)
""",
        ),
        (
            "db keeps the batch dimension: shape (1, out) instead of (out,)",
            """
def linear_backward(grad_out, x, W):
    return grad_out @ W, grad_out.T @ x, grad_out.sum(dim=0, keepdim=True)
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
        (
            "cache entries z and a swapped (the output is right)",
            _FORWARD
            + """
        layers.append({"x": a, "W": W, "z": out, "a": z})
        a = out
    return a, {"activation": activation, "layers": layers}
""",
        ),
        (
            "cache 'x' holds the layer's output instead of its input (a updated first)",
            _FORWARD
            + """
        a = out
        layers.append({"x": a, "W": W, "z": z, "a": out})
    return a, {"activation": activation, "layers": layers}
""",
        ),
        (
            "cache always says 'sigmoid' (copied from the docstring), whatever the activation",
            _FORWARD
            + """
        layers.append({"x": a, "W": W, "z": z, "a": out})
        a = out
    return a, {"activation": "sigmoid", "layers": layers}
""",
        ),
        (
            "an unknown activation name silently falls back to sigmoid (no ValueError)",
            """
def mlp_forward(x, params, activation="sigmoid"):
    import torch
    f = {"tanh": torch.tanh, "relu": torch.relu}.get(activation, torch.sigmoid)
    layers, a = [], x
    for W, b in params:
        z = a @ W.T + b
        layers.append({"x": a, "W": W, "z": z, "a": f(z)})
        a = layers[-1]["a"]
    return a, {"activation": activation, "layers": layers}
""",
        ),
        (
            "written for the course's net only: unpacks exactly three layers from params",
            """
def mlp_forward(x, params, activation="sigmoid"):
    import torch
    acts = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}
    if activation not in acts:
        raise ValueError(activation)
    (W1, b1), (W2, b2), (W3, b3) = params
    layers, a = [], x
    for W, b in ((W1, b1), (W2, b2), (W3, b3)):
        z = a @ W.T + b
        layers.append({"x": a, "W": W, "z": z, "a": acts[activation](z)})
        a = layers[-1]["a"]
    return a, {"activation": activation, "layers": layers}
""",
        ),
        (
            "default activation 'relu' instead of the documented 'sigmoid'",
            _FORWARD.replace('activation="sigmoid"', 'activation="relu"')
            + """
        layers.append({"x": a, "W": W, "z": z, "a": out})
        a = out
    return a, {"activation": activation, "layers": layers}
""",
        ),
        (
            "cache keeps W transposed (Wᵀ, as it enters the product) instead of W",
            _FORWARD
            + """
        layers.append({"x": a, "W": W.T, "z": z, "a": out})
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
        (
            "relu′ taken as 1 at z = 0 (z >= 0): torch's relu has derivative 0 there",
            _BACKWARD
            + """
        if activation == "sigmoid":
            delta = g * a * (1.0 - a)
        elif activation == "tanh":
            delta = g * (1.0 - a * a)
        elif activation == "relu":
            delta = torch.where(z >= 0, g, torch.zeros_like(g))
        else:
            raise ValueError(activation)"""
            + _BACKWARD_END,
        ),
        (
            "σ′ written with z where the formula needs a: z(1 − z) instead of a(1 − a)",
            _BACKWARD
            + """
        if activation == "sigmoid":
            delta = g * z * (1.0 - z)
        elif activation == "tanh":
            delta = g * (1.0 - a * a)
        elif activation == "relu":
            delta = torch.where(z > 0, g, torch.zeros_like(g))
        else:
            raise ValueError(activation)"""
            + _BACKWARD_END,
        ),
        (
            "always uses the sigmoid's derivative, whatever cache['activation'] says",
            _BACKWARD + "        delta = g * a * (1.0 - a)" + _BACKWARD_END,
        ),
        (
            "treats any activation that is not sigmoid or tanh as relu (no ValueError)",
            _BACKWARD
            + """
        if activation == "sigmoid":
            delta = g * a * (1.0 - a)
        elif activation == "tanh":
            delta = g * (1.0 - a * a)
        else:
            delta = torch.where(z > 0, g, torch.zeros_like(g))"""
            + _BACKWARD_END,
        ),
    ],
    "backprop.train_manual": [
        (
            "no copy of the params: with epochs=0 it returns the caller's own tensors",
            """
def train_manual(params, x, y, lr, epochs):
    import torch
    losses = []
    for _ in range(epochs):
        xs, acts, a = [], [], x
        for W, b in params:
            xs.append(a)
            z = a @ W.T + b
            e = torch.exp(-torch.abs(z))
            a = torch.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
            acts.append(a)
        diff = a - y
        losses.append(float((diff * diff).mean()))
        g = 2.0 * diff / diff.numel()
        new_params = []
        for (W, b), a_in, a_out in zip(reversed(params), reversed(xs), reversed(acts)):
            delta = g * a_out * (1.0 - a_out)
            new_params.append((W - lr * (delta.T @ a_in), b - lr * delta.sum(dim=0)))
            g = delta @ W
        params = new_params[::-1]
    return params, losses
""",
        ),
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
        (
            "divides by the batch size N instead of the number of elements of out",
            _TRAIN
            + """
        losses.append(float((diff * diff).sum() / x.shape[0]))
        g, new = 2.0 * diff / x.shape[0], []"""
            + _TRAIN_UPDATE
            + "    return params, losses\n",
        ),
        (
            "records each loss after its update instead of before",
            _TRAIN
            + """
        g, new = 2.0 * diff / diff.numel(), []"""
            + _TRAIN_UPDATE
            + """
        a = x
        for W, b in params:
            a = torch.sigmoid(a @ W.T + b)
        losses.append(float(((a - y) ** 2).mean()))
    return params, losses
""",
        ),
        (
            "returns a variable assigned only inside the loop: crashes for epochs = 0",
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
        g, new = 2.0 * diff / diff.numel(), []
        for (W, b), a_in, a_out in zip(reversed(params), reversed(xs), reversed(acts)):
            delta = g * a_out * (1.0 - a_out)
            new.append((W - lr * (delta.T @ a_in), b - lr * delta.sum(dim=0)))
            g = delta @ W
        trained = params = new[::-1]
    return trained, losses
""",
        ),
        (
            "keeps the losses as 0-dim tensors instead of Python floats",
            _TRAIN
            + """
        losses.append((diff * diff).mean())
        g, new = 2.0 * diff / diff.numel(), []"""
            + _TRAIN_UPDATE
            + "    return params, losses\n",
        ),
        (
            "seeds torch's generator 'for reproducibility' (torch.manual_seed(0))",
            _TRAIN.replace("    import torch\n", "    import torch\n    torch.manual_seed(0)\n")
            + """
        losses.append(float((diff * diff).mean()))
        g, new = 2.0 * diff / diff.numel(), []"""
            + _TRAIN_UPDATE
            + "    return params, losses\n",
        ),
    ],
}
