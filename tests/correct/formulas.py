"""Style: other valid formulas for the same values (sigmoid via tanh, softmax through
log-sum-exp, Adam with the bias-corrected step size, identities between activations)."""

from __future__ import annotations

from tests.correct.corpus import Variant

STYLE = "formulas"

LINEAR_MODEL = Variant(
    "linear_model/dot-products",
    "linear_model",
    STYLE,
    defs=(
        """
def mse(y_pred, y):
    diff = (np.asarray(y_pred, dtype=np.float64) - np.asarray(y, dtype=np.float64)).ravel()
    return float(np.dot(diff, diff) / diff.size)
""",
        """
def loss_grid(x, y, ws, bs):
    x = np.asarray(x, dtype=np.float64).ravel()
    y = np.asarray(y, dtype=np.float64).ravel()
    ws = np.asarray(ws, dtype=np.float64).ravel()
    bs = np.asarray(bs, dtype=np.float64).ravel()
    residual = x[None, None, :] * ws[:, None, None] + bs[None, :, None] - y
    return np.einsum("ijk,ijk->ij", residual, residual) / x.size
""",
    ),
)

GRADIENT_DESCENT = Variant(
    "gradient_descent/averages",
    "gradient_descent",
    STYLE,
    defs=(
        """
def mse_grad(x, y, w, b):
    x = np.asarray(x, dtype=np.float64)
    residual = x * w + b - np.asarray(y, dtype=np.float64)
    return float(np.average(2.0 * residual * x)), float(np.average(2.0 * residual))
""",
        """
def fit_autograd(x, y, lr, steps):
    w = torch.zeros((), dtype=x.dtype, device=x.device).requires_grad_()
    b = torch.zeros_like(w).requires_grad_()
    losses = []
    for _ in range(steps):
        loss = torch.nn.functional.mse_loss(x * w + b, y)
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            w.copy_(w - lr * w.grad)
            b.copy_(b - lr * b.grad)
            w.grad.zero_()
            b.grad.zero_()
    return w.detach(), b.detach(), losses
""",
    ),
)

ACTIVATIONS = Variant(
    "activations/identities",
    "activations",
    STYLE,
    defs=(
        """
def sigmoid(x):
    # σ(x) = (1 + tanh(x / 2)) / 2, with this file's own tanh
    return 0.5 * (1.0 + tanh(0.5 * x))
""",
        """
def relu(x):
    return 0.5 * (x + torch.abs(x))
""",
        """
def leaky_relu(x, alpha=0.01):
    return relu(x) - alpha * relu(-x)
""",
        """
def softmax(x, dim=-1):
    shifted = x - torch.amax(x, dim=dim, keepdim=True)
    return torch.exp(shifted - torch.logsumexp(shifted, dim=dim, keepdim=True))
""",
        """
def sigmoid_grad(x):
    # σ'(x) = σ(x)·(1 − σ(x)) = σ(x)·σ(−x)
    return sigmoid(x) * sigmoid(-x)
""",
        """
def tanh_grad(x):
    t = tanh(x)
    return (1.0 - t) * (1.0 + t)
""",
        """
def relu_grad(x):
    return torch.sign(relu(x))
""",
        """
def softmax_backward(s, grad_out, dim=-1):
    return s * grad_out - s * (s * grad_out).sum(dim=dim, keepdim=True)
""",
    ),
)

LOSSES = Variant(
    "losses/identities",
    "losses",
    STYLE,
    defs=(
        """
def mse_loss_grad(pred, target):
    return (pred - target) * (2.0 / pred.numel())
""",
        """
def mae_loss_grad(pred, target):
    diff = pred - target
    return ((diff > 0).to(diff.dtype) - (diff < 0).to(diff.dtype)) / diff.numel()
""",
        """
def smooth_l1_loss_grad(pred, target, beta=1.0):
    diff = pred - target
    if beta == 0:
        return torch.sign(diff) / diff.numel()
    return torch.clamp(diff / beta, -1.0, 1.0) / diff.numel()
""",
        """
def bce_loss(prob, target, eps=1e-7):
    p = torch.clamp(prob, eps, 1.0 - eps)
    return -torch.mean(target * torch.log(p) + (1.0 - target) * torch.log(1.0 - p))
""",
        """
def bce_loss_grad(prob, target, eps=1e-7):
    p = torch.clamp(prob, eps, 1.0 - eps)
    inside = ((prob >= eps) & (prob <= 1.0 - eps)).to(prob.dtype)
    return inside * (-target / p + (1.0 - target) / (1.0 - p)) / prob.numel()
""",
        """
def hinge_loss(scores, labels):
    return torch.relu(1.0 - labels.to(scores.dtype) * scores).mean()
""",
    ),
)

OPTIMIZERS = Variant(
    "optimizers/bias-corrected-step-size",
    "optimizers",
    STYLE,
    defs=(
        """
def sgd_step(p, g, state, lr, momentum=0.0, weight_decay=0.0, nesterov=False):
    if lr < 0 or momentum < 0 or weight_decay < 0 or (nesterov and momentum <= 0):
        raise ValueError("invalid SGD hyper-parameters")
    d = g.add(p, alpha=weight_decay) if weight_decay else g
    if not momentum:
        return p.sub(d, alpha=lr), {}
    previous = state.get("momentum_buffer")
    buf = d.clone() if previous is None else previous.mul(momentum).add(d)
    direction = d.add(buf, alpha=momentum) if nesterov else buf
    return p.sub(direction, alpha=lr), {"momentum_buffer": buf}
""",
        """
def adam_step(p, g, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    beta1, beta2 = betas
    if lr < 0 or eps < 0 or weight_decay < 0 or not (0 <= beta1 < 1 and 0 <= beta2 < 1):
        raise ValueError("invalid Adam hyper-parameters")
    t = state.get("step", 0) + 1
    d = g + weight_decay * p if weight_decay else g
    m = beta1 * state.get("exp_avg", torch.zeros_like(p)) + (1 - beta1) * d
    v = beta2 * state.get("exp_avg_sq", torch.zeros_like(p)) + (1 - beta2) * d * d
    # Kingma & Ba, end of section 2: the bias correction folded into the step size,
    # with ε scaled the same way so the step is torch's exactly
    root = math.sqrt(1 - beta2**t)
    step_size = lr * root / (1 - beta1**t)
    p_new = p - step_size * m / (torch.sqrt(v) + eps * root)
    return p_new, {"step": t, "exp_avg": m, "exp_avg_sq": v}
""",
        """
def rmsprop_step(p, g, state, lr=0.01, alpha=0.99, eps=1e-8):
    if lr < 0 or alpha < 0 or eps < 0:
        raise ValueError("invalid RMSprop hyper-parameters")
    v = torch.lerp(state.get("square_avg", torch.zeros_like(p)), g * g, 1 - alpha)
    return p - lr * g / (v.sqrt() + eps), {"step": state.get("step", 0) + 1, "square_avg": v}
""",
        """
def adadelta_step(p, g, state, lr=1.0, rho=0.9, eps=1e-6):
    if lr < 0 or eps < 0 or not 0 <= rho <= 1:
        raise ValueError("invalid Adadelta hyper-parameters")
    v = rho * state.get("square_avg", torch.zeros_like(p)) + (1 - rho) * g * g
    u = state.get("acc_delta", torch.zeros_like(p))
    delta = torch.sqrt((u + eps) / (v + eps)) * g
    u = rho * u + (1 - rho) * delta * delta
    return p - lr * delta, {"step": state.get("step", 0) + 1, "square_avg": v, "acc_delta": u}
""",
    ),
    imports="import math\n",
)

TRAINING = Variant(
    "training/functional-forms",
    "training",
    STYLE,
    defs=(
        """
def train_test_split(X, y, test_size=0.2, seed=0):
    generator = torch.Generator()
    generator.manual_seed(seed)
    perm = torch.randperm(len(X), generator=generator)
    n_test = round(len(X) * test_size)
    train_idx, test_idx = perm[n_test:], perm[:n_test]
    X_train, X_test = X[train_idx.to(X.device)], X[test_idx.to(X.device)]
    return X_train, X_test, y[train_idx.to(y.device)], y[test_idx.to(y.device)]
""",
        """
def min_max_scale(X_train, X_test):
    lo = X_train.amin(dim=0, keepdim=True)
    span = X_train.amax(dim=0, keepdim=True) - lo
    span = span + (span == 0).to(span.dtype)
    return (X_train - lo) / span, (X_test - lo) / span
""",
        """
class MLP(nn.Module):
    def __init__(self, in_features=4, hidden=10, out_features=3):
        super().__init__()
        self.fc1 = nn.Linear(in_features, hidden)
        self.fc2 = nn.Linear(hidden, out_features)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))
""",
        """
def evaluate(model, X, y):
    model.train(False)
    with torch.inference_mode():
        logits = model(X)
        loss = F.cross_entropy(logits, y).item()
        accuracy = torch.sum(torch.argmax(logits, dim=1) == y).item() / len(y)
    return loss, accuracy
""",
    ),
)

VARIANTS = (LINEAR_MODEL, GRADIENT_DESCENT, ACTIVATIONS, LOSSES, OPTIMIZERS, TRAINING)
