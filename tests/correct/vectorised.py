"""Style: NumPy-heavy (units 1-2) and library-operator-heavy torch code (einsum, addmm,
addcdiv, lerp, index tricks) where the model answers use plain arithmetic."""

from __future__ import annotations

from tests.correct.corpus import Variant

STYLE = "vectorised"

LINEAR_MODEL = Variant(
    "linear_model/numpy-ufuncs",
    "linear_model",
    STYLE,
    defs=(
        """
def forward(x, w, b=0.0):
    return np.add(np.multiply(np.asarray(x, dtype=np.float64), w), b)
""",
        """
def mse(y_pred, y):
    diff = np.subtract(np.asarray(y_pred, dtype=np.float64), np.asarray(y, dtype=np.float64))
    return float(np.square(diff).mean())
""",
        """
def loss_grid(x, y, ws, bs):
    x = np.ravel(np.asarray(x, dtype=np.float64))
    y = np.ravel(np.asarray(y, dtype=np.float64))
    ws = np.ravel(np.asarray(ws, dtype=np.float64))
    bs = np.ravel(np.asarray(bs, dtype=np.float64))
    pred = np.multiply.outer(ws, x)[:, np.newaxis, :] + bs[np.newaxis, :, np.newaxis]
    return np.square(pred - y).mean(axis=2)
""",
        """
def best_on_grid(x, y, ws, bs):
    ws = np.ravel(np.asarray(ws, dtype=np.float64))
    bs = np.ravel(np.asarray(bs, dtype=np.float64))
    grid = loss_grid(x, y, ws, bs)
    i, j = divmod(int(grid.argmin()), grid.shape[1])
    return float(ws[i]), float(bs[j])
""",
    ),
)

GRADIENT_DESCENT = Variant(
    "gradient_descent/numpy-matrix-form",
    "gradient_descent",
    STYLE,
    defs=(
        """
def mse_grad(x, y, w, b):
    x = np.ravel(np.asarray(x, dtype=np.float64))
    y = np.ravel(np.asarray(y, dtype=np.float64))
    residual = x * w + b - y
    design = np.stack([x, np.ones_like(x)])
    dw, db = 2.0 * design.dot(residual) / x.size
    return float(dw), float(db)
""",
        """
def batch_gd(x, y, w0, b0, lr, epochs):
    x = np.ravel(np.asarray(x, dtype=np.float64))
    y = np.ravel(np.asarray(y, dtype=np.float64))
    theta = np.array([w0, b0], dtype=np.float64)
    costs = np.empty(epochs)
    for k in range(epochs):
        residual = x * theta[0] + theta[1] - y
        costs[k] = np.mean(residual**2)
        theta = theta - lr * 2.0 * np.array([np.mean(residual * x), np.mean(residual)])
    return float(theta[0]), float(theta[1]), costs.tolist()
""",
        """
def fit_autograd(x, y, lr, steps):
    params = torch.zeros(2, dtype=x.dtype, device=x.device, requires_grad=True)
    losses = []
    for _ in range(steps):
        loss = (x * params[0] + params[1] - y).pow(2).mean()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            params -= lr * params.grad
            params.grad.zero_()
    w, b = params.detach().clone().unbind()
    return w, b, losses
""",
    ),
)

ACTIVATIONS = Variant(
    "activations/torch-operators",
    "activations",
    STYLE,
    defs=(
        """
def sigmoid(x):
    return torch.reciprocal(1.0 + torch.exp(-x))
""",
        """
def relu(x):
    return torch.maximum(x, torch.zeros_like(x))
""",
        """
def elu(x, alpha=1.0):
    return torch.where(x > 0, x, alpha * torch.expm1(x.clamp_max(0.0)))
""",
        """
def sigmoid_grad(x):
    e = torch.exp(-x.abs())
    return e / (1.0 + e) ** 2
""",
        """
def tanh_grad(x):
    e = torch.exp(-2.0 * x.abs())
    return 4.0 * e / (1.0 + e) ** 2
""",
        """
def relu_grad(x):
    return torch.heaviside(x, torch.zeros_like(x))
""",
        """
def leaky_relu_grad(x, alpha=0.01):
    return (x > 0).to(x.dtype) * (1.0 - alpha) + alpha
""",
        """
def softmax_backward(s, grad_out, dim=-1):
    s_last = s.movedim(dim, -1)
    g_last = grad_out.movedim(dim, -1)
    jacobian = torch.diag_embed(s_last) - s_last.unsqueeze(-1) * s_last.unsqueeze(-2)
    return torch.einsum("...ij,...j->...i", jacobian, g_last).movedim(-1, dim)
""",
    ),
)

LOSSES = Variant(
    "losses/torch-operators",
    "losses",
    STYLE,
    defs=(
        """
def mse_loss(pred, target):
    return torch.square(pred - target).mean()
""",
        """
def mae_loss(pred, target):
    return torch.linalg.vector_norm(pred - target, ord=1) / pred.numel()
""",
        """
def smooth_l1_loss(pred, target, beta=1.0):
    d = (pred - target).abs()
    if beta == 0:
        return d.mean()
    q = d.clamp(max=beta)
    return (q * (d - 0.5 * q) / beta).mean()
""",
        """
def bce_loss(prob, target, eps=1e-7):
    p = prob.clamp(eps, 1.0 - eps)
    return -(torch.xlogy(target, p) + torch.special.xlog1py(1.0 - target, -p)).mean()
""",
        """
def cross_entropy_loss(logits, labels):
    shifted = logits - logits.max(dim=1, keepdim=True).values
    one_hot = torch.eye(logits.shape[1], dtype=logits.dtype, device=logits.device)[labels]
    log_norm = shifted.exp().sum(dim=1).log()
    return (log_norm - (one_hot * shifted).sum(dim=1)).mean()
""",
        """
def multiclass_hinge_loss(scores, labels, margin=1.0):
    classes = torch.arange(scores.shape[1], device=scores.device)
    wrong = classes.unsqueeze(0) != labels.unsqueeze(1)
    correct = scores[torch.arange(scores.shape[0], device=scores.device), labels]
    margins = (scores - correct.unsqueeze(1) + margin).clamp_min(0.0)
    return (margins * wrong).sum(dim=1).mean()
""",
    ),
)

BACKPROP = Variant(
    "backprop/einsum-addmm",
    "backprop",
    STYLE,
    defs=(
        """
def linear_forward(x, W, b):
    return torch.addmm(b, x, W.t())
""",
        """
def linear_backward(grad_out, x, W):
    dx = torch.einsum("no,oi->ni", grad_out, W)
    dW = torch.einsum("no,ni->oi", grad_out, x)
    return dx, dW, torch.einsum("no->o", grad_out)
""",
    ),
)

OPTIMIZERS = Variant(
    "optimizers/torch-operators",
    "optimizers",
    STYLE,
    defs=(
        """
def adagrad_step(p, g, state, lr=0.01, eps=1e-10):
    if lr < 0 or eps < 0:
        raise ValueError(f"invalid lr={lr} or eps={eps}")
    s = state.get("sum", torch.zeros_like(p)).addcmul(g, g)
    return torch.addcdiv(p, g, s.sqrt().add(eps), value=-lr), {
        "step": state.get("step", 0) + 1,
        "sum": s,
    }
""",
        """
def rmsprop_step(p, g, state, lr=0.01, alpha=0.99, eps=1e-8):
    if min(lr, alpha, eps) < 0:
        raise ValueError(f"invalid lr={lr}, alpha={alpha} or eps={eps}")
    v = state.get("square_avg", torch.zeros_like(p)).mul(alpha).addcmul(g, g, value=1 - alpha)
    p_new = torch.addcdiv(p, g, v.sqrt().add(eps), value=-lr)
    return p_new, {"step": state.get("step", 0) + 1, "square_avg": v}
""",
        """
def adadelta_step(p, g, state, lr=1.0, rho=0.9, eps=1e-6):
    if lr < 0 or eps < 0 or not 0.0 <= rho <= 1.0:
        raise ValueError(f"invalid lr={lr}, rho={rho} or eps={eps}")
    v = state.get("square_avg", torch.zeros_like(p)).mul(rho).addcmul(g, g, value=1 - rho)
    u = state.get("acc_delta", torch.zeros_like(p))
    delta = u.add(eps).sqrt().div(v.add(eps).sqrt()).mul(g)
    u = u.mul(rho).addcmul(delta, delta, value=1 - rho)
    state_new = {"step": state.get("step", 0) + 1, "square_avg": v, "acc_delta": u}
    return p.add(delta, alpha=-lr), state_new
""",
    ),
)

TRAINING = Variant(
    "training/index-select-and-aminmax",
    "training",
    STYLE,
    defs=(
        """
def train_test_split(X, y, test_size=0.2, seed=0):
    n = X.shape[0]
    n_test = int(round(n * test_size))
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    test_idx, train_idx = perm.split([n_test, n - n_test])
    pick = lambda t, rows: t.index_select(0, rows.to(t.device))  # noqa: E731
    return pick(X, train_idx), pick(X, test_idx), pick(y, train_idx), pick(y, test_idx)
""",
        """
def min_max_scale(X_train, X_test):
    lo, hi = torch.aminmax(X_train, dim=0)
    span = (hi - lo).masked_fill(hi == lo, 1.0)
    return (X_train - lo) / span, (X_test - lo) / span
""",
        """
def evaluate(model, X, y):
    model.eval()
    with torch.no_grad():
        logits = model(X)
        loss = nn.CrossEntropyLoss()(logits, y)
        accuracy = (logits.argmax(dim=1) == y).float().mean()
    return loss.item(), accuracy.item()
""",
    ),
)

VARIANTS = (
    LINEAR_MODEL,
    GRADIENT_DESCENT,
    ACTIVATIONS,
    LOSSES,
    BACKPROP,
    OPTIMIZERS,
    TRAINING,
)
