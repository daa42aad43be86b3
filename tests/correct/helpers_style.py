"""Style: helper functions, module-level dispatch tables, tasks that call other tasks, and
units that import the student's own earlier units."""

from __future__ import annotations

from tests.correct.corpus import Variant

STYLE = "helpers"

LINEAR_MODEL = Variant(
    "linear_model/helpers-and-task-reuse",
    "linear_model",
    STYLE,
    defs=(
        '''
def _as_vector(values):
    """A flat float64 copy of any array-like."""
    return np.asarray(values, dtype=np.float64).reshape(-1)
''',
        """
def loss_grid(x, y, ws, bs):
    x, y = _as_vector(x), _as_vector(y)
    rows = [[mse(forward(x, w, b), y) for b in _as_vector(bs)] for w in _as_vector(ws)]
    return np.array(rows, dtype=np.float64).reshape(len(_as_vector(ws)), len(_as_vector(bs)))
""",
        """
def best_on_grid(x, y, ws, bs):
    ws, bs = _as_vector(ws), _as_vector(bs)
    grid = loss_grid(x, y, ws, bs)
    i, j = np.unravel_index(np.argmin(grid), grid.shape)
    return float(ws[i]), float(bs[j])
""",
    ),
)

GRADIENT_DESCENT = Variant(
    "gradient_descent/imports-linear_model",
    "gradient_descent",
    STYLE,
    imports="from linear_model import forward, mse\n",
    defs=(
        """
def batch_gd(x, y, w0, b0, lr, epochs):
    w, b = float(w0), float(b0)
    costs = []
    for _ in range(epochs):
        costs.append(mse(forward(x, w, b), y))
        dw, db = mse_grad(x, y, w, b)
        w, b = w - lr * dw, b - lr * db
    return w, b, costs
""",
        """
def _sample_update(xi, yi, w, b, lr):
    residual = xi * w + b - yi
    return w - lr * 2.0 * residual * xi, b - lr * 2.0 * residual
""",
        """
def sgd(x, y, w0, b0, lr, epochs):
    xs = np.asarray(x, dtype=np.float64).reshape(-1)
    ys = np.asarray(y, dtype=np.float64).reshape(-1)
    w, b = float(w0), float(b0)
    epoch_costs = []
    for _ in range(epochs):
        for xi, yi in zip(xs.tolist(), ys.tolist()):
            w, b = _sample_update(xi, yi, w, b, lr)
        epoch_costs.append(mse(forward(xs, w, b), ys))
    return w, b, epoch_costs
""",
    ),
)

ACTIVATIONS = Variant(
    "activations/helpers-and-dispatch-tables",
    "activations",
    STYLE,
    defs=(
        """
def _stable_sigmoid(x):
    z = torch.exp(-torch.abs(x))
    return torch.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))
""",
        """
def _tanh_of(x):
    u = torch.expm1(-2.0 * torch.abs(x))
    t = -u / (2.0 + u)
    return torch.where(x >= 0, t, -t)
""",
        """
def _piecewise(x, positive, other):
    return torch.where(x > 0, positive, other)
""",
        """
def sigmoid(x):
    return _stable_sigmoid(x)
""",
        """
def tanh(x):
    return _tanh_of(x)
""",
        """
def leaky_relu(x, alpha=0.01):
    return _piecewise(x, x, alpha * x)
""",
        """
def elu(x, alpha=1.0):
    return _piecewise(x, x, alpha * torch.expm1(torch.clamp(x, max=0.0)))
""",
        """
def sigmoid_grad(x):
    s = _stable_sigmoid(x)
    return s * (1.0 - s)
""",
        """
def tanh_grad(x):
    t = _tanh_of(x)
    return 1.0 - t * t
""",
        """
def leaky_relu_grad(x, alpha=0.01):
    return _piecewise(x, torch.ones_like(x), torch.full_like(x, alpha))
""",
        """
def elu_grad(x, alpha=1.0):
    return _piecewise(x, torch.ones_like(x), alpha * torch.exp(torch.clamp(x, max=0.0)))
""",
    ),
    extra="""
ACTIVATIONS = {
    "sigmoid": sigmoid,
    "tanh": tanh,
    "relu": relu,
    "leaky_relu": leaky_relu,
    "elu": elu,
    "softmax": softmax,
}
DERIVATIVES = {
    "sigmoid": sigmoid_grad,
    "tanh": tanh_grad,
    "relu": relu_grad,
    "leaky_relu": leaky_relu_grad,
    "elu": elu_grad,
}
""",
)

LOSSES = Variant(
    "losses/helpers-and-imports-activations",
    "losses",
    STYLE,
    imports="from activations import softmax\n",
    defs=(
        '''
def _mean_over(elements, like):
    """Mean reduction: a sum over every element divided by the element count of `like`."""
    return elements.sum() / like.numel()
''',
        """
def _smooth_l1_pieces(diff, beta):
    quadratic = 0.5 * diff * diff / beta if beta > 0 else torch.zeros_like(diff)
    return torch.where(torch.abs(diff) < beta, quadratic, torch.abs(diff) - 0.5 * beta)
""",
        """
def _one_hot(labels, like):
    return torch.zeros_like(like).scatter(1, labels.long().unsqueeze(1), 1.0)
""",
        """
def mae_loss(pred, target):
    return _mean_over(torch.abs(pred - target), pred)
""",
        """
def smooth_l1_loss(pred, target, beta=1.0):
    return _smooth_l1_pieces(pred - target, beta).mean()
""",
        """
def cross_entropy_loss_grad(logits, labels):
    return (softmax(logits, dim=1) - _one_hot(labels, logits)) / logits.shape[0]
""",
        """
def multiclass_hinge_loss(scores, labels, margin=1.0):
    margins = torch.clamp(scores - scores.gather(1, labels.long().unsqueeze(1)) + margin, min=0.0)
    return (margins * (1.0 - _one_hot(labels, scores))).sum(dim=1).mean()
""",
    ),
    extra="""
LOSSES = {
    "mse": (mse_loss, mse_loss_grad),
    "mae": (mae_loss, mae_loss_grad),
    "smooth_l1": (smooth_l1_loss, smooth_l1_loss_grad),
    "bce": (bce_loss, bce_loss_grad),
    "cross_entropy": (cross_entropy_loss, cross_entropy_loss_grad),
    "hinge": (hinge_loss, hinge_loss_grad),
}
""",
)

BACKPROP = Variant(
    "backprop/dispatch-table-and-imports-activations",
    "backprop",
    STYLE,
    imports="import activations\n",
    defs=(
        """
def _sigmoid_delta(g, z, a):
    return g * a * (1.0 - a)
""",
        """
def _tanh_delta(g, z, a):
    return g * (1.0 - a * a)
""",
        """
def _relu_delta(g, z, a):
    return torch.where(z > 0, g, torch.zeros_like(g))
""",
        """
def mlp_forward(x, params, activation="sigmoid"):
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}")
    forward, _ = ACTIVATIONS[activation]
    a, layers = x, []
    for W, b in params:
        z = linear_forward(a, W, b)
        layers.append({"x": a, "W": W, "z": z, "a": forward(z)})
        a = layers[-1]["a"]
    return a, {"activation": activation, "layers": layers}
""",
        """
def mlp_backward(grad_out, cache):
    if cache["activation"] not in ACTIVATIONS:
        raise ValueError(f"unknown activation {cache['activation']!r}")
    _, delta_of = ACTIVATIONS[cache["activation"]]
    grads, g = [], grad_out
    for layer in reversed(cache["layers"]):
        delta = delta_of(g, layer["z"], layer["a"])
        g, dW, db = linear_backward(delta, layer["x"], layer["W"])
        grads.insert(0, (dW, db))
    return grads
""",
        """
def train_manual(params, x, y, lr, epochs):
    params = [(W.clone(), b.clone()) for W, b in params]
    losses = []
    for _ in range(epochs):
        out, cache = mlp_forward(x, params, "sigmoid")
        diff = out - y
        losses.append(float((diff * diff).mean()))
        grads = mlp_backward(2.0 * diff / diff.numel(), cache)
        params = [(W - lr * dW, b - lr * db) for (W, b), (dW, db) in zip(params, grads)]
    return params, losses
""",
    ),
    extra="""
ACTIVATIONS = {
    "sigmoid": (activations.sigmoid, _sigmoid_delta),
    "tanh": (activations.tanh, _tanh_delta),
    "relu": (activations.relu, _relu_delta),
}
""",
)

OPTIMIZERS = Variant(
    "optimizers/helpers",
    "optimizers",
    STYLE,
    defs=(
        '''
def _require(**checks):
    """Raise ValueError naming every hyper-parameter whose check failed."""
    bad = [name for name, ok in checks.items() if not ok]
    if bad:
        raise ValueError(f"invalid hyper-parameters: {', '.join(bad)}")
''',
        """
def _buffer(state, key, p):
    return state[key] if key in state else torch.zeros_like(p)
""",
        """
def _decayed(avg, value, decay):
    return decay * avg + (1.0 - decay) * value
""",
        """
def sgd_step(p, g, state, lr, momentum=0.0, weight_decay=0.0, nesterov=False):
    _require(
        lr=lr >= 0,
        momentum=momentum >= 0,
        weight_decay=weight_decay >= 0,
        nesterov=not nesterov or momentum > 0,
    )
    d = g if weight_decay == 0 else g + weight_decay * p
    if momentum == 0:
        return p - lr * d, {}
    buf = momentum * state["momentum_buffer"] + d if "momentum_buffer" in state else d.clone()
    step = d + momentum * buf if nesterov else buf
    return p - lr * step, {"momentum_buffer": buf}
""",
        """
def adagrad_step(p, g, state, lr=0.01, eps=1e-10):
    _require(lr=lr >= 0, eps=eps >= 0)
    s = _buffer(state, "sum", p) + g * g
    return p - lr * g / (torch.sqrt(s) + eps), {"step": state.get("step", 0) + 1, "sum": s}
""",
        """
def rmsprop_step(p, g, state, lr=0.01, alpha=0.99, eps=1e-8):
    _require(lr=lr >= 0, alpha=alpha >= 0, eps=eps >= 0)
    v = _decayed(_buffer(state, "square_avg", p), g * g, alpha)
    return p - lr * g / (torch.sqrt(v) + eps), {"step": state.get("step", 0) + 1, "square_avg": v}
""",
        """
def adadelta_step(p, g, state, lr=1.0, rho=0.9, eps=1e-6):
    _require(lr=lr >= 0, eps=eps >= 0, rho=0.0 <= rho <= 1.0)
    v = _decayed(_buffer(state, "square_avg", p), g * g, rho)
    u = _buffer(state, "acc_delta", p)
    delta = torch.sqrt(u + eps) / torch.sqrt(v + eps) * g
    u = _decayed(u, delta * delta, rho)
    return p - lr * delta, {"step": state.get("step", 0) + 1, "square_avg": v, "acc_delta": u}
""",
    ),
)

TRAINING = Variant(
    "training/helpers-and-dispatch-table",
    "training",
    STYLE,
    defs=(
        """
def _batches(X, y, size):
    for start in range(0, X.shape[0], size):
        yield X[start : start + size], y[start : start + size]
""",
        """
def _snapshot(model):
    return {name: tensor.detach().clone() for name, tensor in model.state_dict().items()}
""",
        """
def train(model, X, y, epochs, lr, optimizer="sgd", batch_size=None):
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {optimizer!r}: one of {sorted(OPTIMIZERS)}")
    opt = OPTIMIZERS[optimizer](model.parameters(), lr=lr)
    model.train()
    history = []
    for _ in range(epochs):
        total = 0.0
        for xb, yb in _batches(X, y, batch_size or X.shape[0]):
            opt.zero_grad()
            loss = CRITERION(model(xb), yb)
            loss.backward()
            opt.step()
            total += loss.item() * xb.shape[0]
        history.append(total / X.shape[0])
    return history
""",
        """
def fit_early_stopping(model, X_tr, y_tr, X_val, y_val, patience, max_epochs, lr):
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    history = {"train_loss": [], "val_loss": [], "best_epoch": -1, "stopped_epoch": -1}
    best, best_state, waited = float("inf"), _snapshot(model), 0
    for epoch in range(max_epochs):
        model.train()
        opt.zero_grad()
        loss = CRITERION(model(X_tr), y_tr)
        loss.backward()
        opt.step()
        history["train_loss"].append(loss.item())
        val_loss, _ = evaluate(model, X_val, y_val)
        history["val_loss"].append(val_loss)
        history["stopped_epoch"] = epoch
        if val_loss < best:
            best, best_state, waited = val_loss, _snapshot(model), 0
            history["best_epoch"] = epoch
        else:
            waited += 1
            if waited >= patience:
                break
    model.load_state_dict(best_state)
    return history
""",
    ),
    extra="""
OPTIMIZERS = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam}
CRITERION = nn.CrossEntropyLoss()
""",
)

VARIANTS = (LINEAR_MODEL, GRADIENT_DESCENT, ACTIVATIONS, LOSSES, BACKPROP, OPTIMIZERS, TRAINING)
