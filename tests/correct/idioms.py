"""Style: everyday idioms of student code that a rule reading names could trip over:
debug prints, `match`, walrus, closures and recursion, decorators (`@torch.no_grad()`,
a `functools.wraps` checker), top-level helpers and classes named like torch's own
(`grad`, `backward`, `softmax`, `log_softmax`, `SGD`, `Adam`), an autograd-like
`Function`/`ctx` API of the student's own, `.data` updates, DataLoader batches, extra
cache keys, numpy scalars where floats are asked."""

from __future__ import annotations

from tests.correct.corpus import Variant

STYLE = "idioms"

LINEAR_MODEL = Variant(
    "linear_model/itertools-fsum-vectorize",
    "linear_model",
    STYLE,
    imports="import math\nfrom itertools import product\n",
    defs=(
        """
def forward(x, w, b=0.0):
    return np.vectorize(lambda v: v * w + b, otypes=[np.float64])(np.asarray(x, dtype=np.float64))
""",
        """
def mse(y_pred, y):
    p = np.asarray(y_pred, dtype=np.float64).ravel()
    t = np.asarray(y, dtype=np.float64).ravel()
    return math.fsum((a - b) ** 2 for a, b in zip(p.tolist(), t.tolist())) / p.size
""",
        """
def best_on_grid(x, y, ws, bs):
    x = np.asarray(x, dtype=np.float64).ravel()
    y = np.asarray(y, dtype=np.float64).ravel()
    ws = np.asarray(ws, dtype=np.float64).ravel()
    bs = np.asarray(bs, dtype=np.float64).ravel()
    pairs = product(range(len(ws)), range(len(bs)))
    losses = {(i, j): np.mean((x * ws[i] + bs[j] - y) ** 2) for i, j in pairs}
    i, j = min(losses, key=lambda ij: (losses[ij], ij))
    return ws[i], bs[j]  # numpy float64 scalars: floats too
""",
    ),
)

GRADIENT_DESCENT = Variant(
    "gradient_descent/model-object-with-backward",
    "gradient_descent",
    STYLE,
    defs=(
        '''
class LinearRegression:
    """ŷ = x·w + b with the MSE; backward() returns (∂L/∂w, ∂L/∂b)."""

    def __init__(self, w, b):
        self.w, self.b = w, b

    def forward(self, x, y):
        self.x = np.asarray(x, dtype=np.float64)
        self.residual = self.x * self.w + self.b - np.asarray(y, dtype=np.float64)
        return float(np.mean(self.residual**2))

    def backward(self):
        return float(2.0 * np.mean(self.residual * self.x)), float(2.0 * np.mean(self.residual))
''',
        """
def mse_grad(x, y, w, b):
    model = LinearRegression(w, b)
    model.forward(x, y)
    return model.backward()
""",
        """
def fit_autograd(x, y, lr, steps):
    w = torch.zeros((), dtype=x.dtype, device=x.device, requires_grad=True)
    b = torch.zeros((), dtype=x.dtype, device=x.device, requires_grad=True)
    losses = []
    for _ in range(steps):
        loss = ((x * w + b - y) ** 2).mean()
        losses.append(loss.item())
        loss.backward()
        w.data -= lr * w.grad.data  # the pre-no_grad tutorial idiom
        b.data -= lr * b.grad.data
        w.grad.data.zero_()
        b.grad.data.zero_()
    return w.detach(), b.detach(), losses
""",
    ),
)

ACTIVATIONS = Variant(
    "activations/own-function-ctx-grad-backward-print-no_grad-wraps",
    "activations",
    STYLE,
    imports="import functools\n",
    defs=(
        '''
def keeps_dtype(func):
    """Check that an activation keeps its input's dtype and device."""

    @functools.wraps(func)
    def wrapper(x, *args, **kwargs):
        out = func(x, *args, **kwargs)
        assert out.dtype == x.dtype and out.device == x.device, func.__name__
        return out

    return wrapper
''',
        """
@keeps_dtype
def tanh(x):
    u = torch.expm1(-2.0 * torch.abs(x))
    t = -u / (2.0 + u)
    return torch.where(x >= 0, t, -t)
""",
        """
@keeps_dtype
def tanh_grad(x):
    t = tanh(x)
    return 1.0 - t * t
""",
        '''
class Context:
    """The student's own stand-in for autograd's ctx."""

    def save_for_backward(self, *tensors):
        self.saved_tensors = tensors
''',
        """
class SigmoidFunction:
    @staticmethod
    def forward(ctx, x):
        z = torch.exp(-torch.abs(x))
        out = torch.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad_output):
        (out,) = ctx.saved_tensors
        return grad_output * out * (1.0 - out)
""",
        '''
def grad(name, x, **kwargs):
    """The derivative of one of this file's activations, by name (a dispatch helper)."""
    match name:
        case "sigmoid":
            ctx = Context()
            SigmoidFunction.forward(ctx, x)
            return SigmoidFunction.backward(ctx, torch.ones_like(x))
        case "relu":
            return (x > 0).to(x.dtype)
        case "elu":
            negative = kwargs.get("alpha", 1.0) * torch.exp(torch.clamp(x, max=0.0))
            return torch.where(x > 0, torch.ones_like(x), negative)
        case _:
            raise ValueError(f"no derivative for {name!r}")
''',
        '''
def backward(s, grad_out, dim):
    """softmax's vector-Jacobian product (a helper named like what it computes)."""
    return s * (grad_out - (grad_out * s).sum(dim=dim, keepdim=True))
''',
        """
def sigmoid(x):
    return SigmoidFunction.forward(Context(), x)
""",
        """
def softmax(x, dim=-1):
    if DEBUG:
        print(f"softmax: x {tuple(x.shape)} {x.dtype}, dim={dim}")
    e = torch.exp(x - torch.amax(x, dim=dim, keepdim=True))
    out = e / e.sum(dim=dim, keepdim=True)
    print("softmax sums:", out.sum(dim=dim).flatten()[:3].tolist())
    return out
""",
        """
def sigmoid_grad(x):
    with torch.no_grad():
        return grad("sigmoid", x)
""",
        """
@torch.no_grad()
def relu_grad(x):
    return grad("relu", x)
""",
        """
def elu_grad(x, alpha=1.0):
    return grad("elu", x, alpha=alpha)
""",
        """
def softmax_backward(s, grad_out, dim=-1):
    return backward(s, grad_out, dim)
""",
    ),
    extra="DEBUG = True\n",
)

LOSSES = Variant(
    "losses/own-softmax-and-log_softmax-helpers",
    "losses",
    STYLE,
    defs=(
        '''
def log_softmax(logits):
    """Row-wise log-softmax, written here (the file's own helper)."""
    shifted = logits - torch.amax(logits, dim=1, keepdim=True)
    return shifted - torch.log(torch.exp(shifted).sum(dim=1, keepdim=True))
''',
        """
def softmax(logits):
    return torch.exp(log_softmax(logits))
""",
        """
def cross_entropy_loss(logits, labels):
    return -log_softmax(logits).gather(1, labels.long().unsqueeze(1)).mean()
""",
        """
def cross_entropy_loss_grad(logits, labels):
    grad = softmax(logits)
    grad[torch.arange(len(labels), device=grad.device), labels.long()] -= 1.0
    return grad / len(labels)
""",
    ),
)

BACKPROP = Variant(
    "backprop/match-closures-extra-cache-keys",
    "backprop",
    STYLE,
    defs=(
        '''
def make_activation(name):
    """(f, δ) for an activation name: closures over nothing but torch."""
    match name:
        case "sigmoid":
            def f(z):
                e = torch.exp(-torch.abs(z))
                return torch.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))

            return f, lambda g, z, a: g * a * (1.0 - a)
        case "tanh":
            def f(z):
                u = torch.expm1(-2.0 * torch.abs(z))
                return torch.where(z >= 0, -u / (2.0 + u), u / (2.0 + u))

            return f, lambda g, z, a: g * (1.0 - a * a)
        case "relu":
            return (lambda z: torch.where(z > 0, z, torch.zeros_like(z))), (
                lambda g, z, a: torch.where(z > 0, g, torch.zeros_like(g))
            )
        case _:
            raise ValueError(f"unknown activation {name!r}")
''',
        """
def mlp_forward(x, params, activation="sigmoid"):
    f, _ = make_activation(activation)
    layers, a = [], x
    for index, (W, b) in enumerate(params):
        z = a @ W.T + b
        layers.append({"x": a, "W": W, "b": b, "z": z, "a": (a := f(z)), "index": index})
    return a, {"activation": activation, "layers": layers, "depth": len(params), "input": x}
""",
        """
def mlp_backward(grad_out, cache):
    _, delta_of = make_activation(cache["activation"])

    def back(layers, g):
        if not layers:
            return []
        *earlier, last = layers
        delta = delta_of(g, last["z"], last["a"])
        return back(earlier, delta @ last["W"]) + [(delta.T @ last["x"], delta.sum(dim=0))]

    return back(list(cache["layers"]), grad_out)
""",
    ),
)

OPTIMIZERS = Variant(
    "optimizers/own-classes-named-SGD-Adam-and-no_grad",
    "optimizers",
    STYLE,
    defs=(
        '''
class SGD:
    """The student's own SGD rule (not torch.optim.SGD)."""

    def __init__(self, lr, momentum, weight_decay, nesterov):
        if lr < 0 or momentum < 0 or weight_decay < 0:
            raise ValueError("invalid SGD hyper-parameters")
        if nesterov and momentum <= 0:
            raise ValueError("Nesterov momentum requires momentum > 0")
        self.lr, self.momentum = lr, momentum
        self.weight_decay, self.nesterov = weight_decay, nesterov

    def step(self, p, grad, state):
        d = grad + self.weight_decay * p if self.weight_decay != 0 else grad
        if self.momentum == 0:
            return p - self.lr * d, {}
        old = state.get("momentum_buffer")
        buf = d.clone() if old is None else self.momentum * old + d
        d = d + self.momentum * buf if self.nesterov else buf
        return p - self.lr * d, {"momentum_buffer": buf}
''',
        '''
class Adam:
    """The student's own Adam rule (not torch.optim.Adam)."""

    def __init__(self, lr, betas, eps, weight_decay):
        beta1, beta2 = betas
        if lr < 0 or eps < 0 or weight_decay < 0 or not (0 <= beta1 < 1 and 0 <= beta2 < 1):
            raise ValueError("invalid Adam hyper-parameters")
        self.lr, self.beta1, self.beta2, self.eps, self.wd = lr, beta1, beta2, eps, weight_decay

    def step(self, p, grad, state):
        t = state.get("step", 0) + 1
        d = grad + self.wd * p if self.wd != 0 else grad
        m = self.beta1 * state.get("exp_avg", torch.zeros_like(p)) + (1.0 - self.beta1) * d
        v = self.beta2 * state.get("exp_avg_sq", torch.zeros_like(p)) + (1.0 - self.beta2) * d * d
        denom = torch.sqrt(v) / (1.0 - self.beta2**t) ** 0.5 + self.eps
        p_new = p - (self.lr / (1.0 - self.beta1**t)) * m / denom
        return p_new, {"step": t, "exp_avg": m, "exp_avg_sq": v}
''',
        """
@torch.no_grad()
def sgd_step(p, g, state, lr, momentum=0.0, weight_decay=0.0, nesterov=False):
    return SGD(lr, momentum, weight_decay, nesterov).step(p, g, state)
""",
        """
def adam_step(p, g, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    with torch.no_grad():
        return Adam(lr, betas, eps, weight_decay).step(p, g, state)
""",
    ),
)

TRAINING = Variant(
    "training/dataloader-no_grad-decorator-deepcopy-prints",
    "training",
    STYLE,
    imports="from torch.utils.data import DataLoader, TensorDataset\n",
    defs=(
        """
def train(model, X, y, epochs, lr, optimizer="sgd", batch_size=None):
    if optimizer not in ("sgd", "adam"):
        raise ValueError(f"unknown optimizer {optimizer!r}")
    opt = (torch.optim.SGD if optimizer == "sgd" else torch.optim.Adam)(model.parameters(), lr=lr)
    # its own generator: iterating a DataLoader draws a base seed, never from torch's global one
    loader = DataLoader(
        TensorDataset(X, y), batch_size=batch_size or len(X), generator=torch.Generator()
    )
    model.train()
    history = []
    for epoch in range(epochs):
        total = 0.0
        for xb, yb in loader:
            model.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            total += loss.item() * len(xb)
        history.append(total / len(X))
        if epoch % 50 == 0:
            print(f"epoch {epoch}: loss {history[-1]:.4f}")
    return history
""",
        """
@torch.no_grad()
def evaluate(model, X, y):
    model.eval()
    logits = model(X)
    return F.cross_entropy(logits, y).item(), (logits.argmax(1) == y).double().mean().item()
""",
        """
def fit_early_stopping(model, X_tr, y_tr, X_val, y_val, patience, max_epochs, lr):
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    history = {"train_loss": [], "val_loss": [], "best_epoch": -1, "stopped_epoch": -1}
    best_model, bad_epochs = copy.deepcopy(model), 0
    for epoch in range(max_epochs):
        model.train()
        opt.zero_grad()
        loss = F.cross_entropy(model(X_tr), y_tr)
        loss.backward()
        opt.step()
        val_loss, _ = evaluate(model, X_val, y_val)
        history["train_loss"].append(loss.item())
        history["val_loss"].append(val_loss)
        history["stopped_epoch"] = epoch
        if history["best_epoch"] < 0 or val_loss < min(history["val_loss"][:-1]):
            history["best_epoch"], bad_epochs = epoch, 0
            best_model = copy.deepcopy(model)
        else:
            bad_epochs += 1
            if bad_epochs >= patience:
                break
    model.load_state_dict(best_model.state_dict())
    return history
""",
        """
def plot_history(history, path):
    import matplotlib.pyplot as plt

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(6, 4))
    for key, label in (("train_loss", "train loss"), ("val_loss", "val loss")):
        if history.get(key):
            ax.plot(range(len(history[key])), history[key], label=label)
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
""",
    ),
)

VARIANTS = (LINEAR_MODEL, GRADIENT_DESCENT, ACTIVATIONS, LOSSES, BACKPROP, OPTIMIZERS, TRAINING)
