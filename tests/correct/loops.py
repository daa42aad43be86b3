"""Style: explicit Python loops and imperative updates where the model answers vectorise."""

from __future__ import annotations

from tests.correct.corpus import Variant

STYLE = "loops"

LINEAR_MODEL = Variant(
    "linear_model/loops",
    "linear_model",
    STYLE,
    defs=(
        """
def forward(x, w, b=0.0):
    x = np.asarray(x, dtype=np.float64)
    out = np.empty_like(x)
    flat_in, flat_out = x.reshape(-1), out.reshape(-1)
    for i in range(flat_in.size):
        flat_out[i] = flat_in[i] * w + b
    return out
""",
        """
def mse(y_pred, y):
    y_pred = np.asarray(y_pred, dtype=np.float64).reshape(-1)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    total = 0.0
    for p, t in zip(y_pred.tolist(), y.tolist()):
        total += (p - t) ** 2
    return total / len(y)
""",
        """
def loss_grid(x, y, ws, bs):
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    ws = np.asarray(ws, dtype=np.float64).reshape(-1)
    bs = np.asarray(bs, dtype=np.float64).reshape(-1)
    grid = np.zeros((len(ws), len(bs)))
    for i in range(len(ws)):
        for j in range(len(bs)):
            grid[i, j] = np.mean((x * ws[i] + bs[j] - y) ** 2)
    return grid
""",
        """
def best_on_grid(x, y, ws, bs):
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    ws = np.asarray(ws, dtype=np.float64).reshape(-1)
    bs = np.asarray(bs, dtype=np.float64).reshape(-1)
    best = None
    for w in ws:
        for b in bs:
            loss = np.mean((x * w + b - y) ** 2)
            if best is None or loss < best[0]:  # strict: ties keep the first, row-major
                best = (loss, float(w), float(b))
    return best[1], best[2]
""",
    ),
)

GRADIENT_DESCENT = Variant(
    "gradient_descent/loops",
    "gradient_descent",
    STYLE,
    defs=(
        """
def mse_grad(x, y, w, b):
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    sum_w = 0.0
    sum_b = 0.0
    for xi, yi in zip(x.tolist(), y.tolist()):
        r = xi * w + b - yi
        sum_w += r * xi
        sum_b += r
    n = len(x)
    return 2.0 * sum_w / n, 2.0 * sum_b / n
""",
        """
def batch_gd(x, y, w0, b0, lr, epochs):
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    w, b = float(w0), float(b0)
    costs = []
    epoch = 0
    while epoch < epochs:
        residual = x * w + b - y
        costs.append(float(np.mean(residual**2)))
        dw = 2.0 * np.mean(residual * x)
        db = 2.0 * np.mean(residual)
        w, b = float(w - lr * dw), float(b - lr * db)
        epoch += 1
    return w, b, costs
""",
        """
def sgd(x, y, w0, b0, lr, epochs):
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    w, b = float(w0), float(b0)
    epoch_costs = []
    for _ in range(epochs):
        for i in range(len(x)):
            r = float(x[i]) * w + b - float(y[i])
            w, b = w - lr * 2.0 * r * float(x[i]), b - lr * 2.0 * r
        epoch_costs.append(float(np.mean((x * w + b - y) ** 2)))
    return w, b, epoch_costs
""",
        """
def fit_autograd(x, y, lr, steps):
    w = torch.tensor(0.0, dtype=x.dtype, device=x.device, requires_grad=True)
    b = torch.tensor(0.0, dtype=x.dtype, device=x.device, requires_grad=True)
    losses = []
    for _ in range(steps):
        loss = torch.mean((w * x + b - y) ** 2)
        losses.append(float(loss))
        loss.backward()
        with torch.no_grad():
            w.sub_(lr * w.grad)
            b.sub_(lr * b.grad)
        w.grad = None
        b.grad = None
    return w.detach(), b.detach(), losses
""",
    ),
)

ACTIVATIONS = Variant(
    "activations/masked-assignment-and-loops",
    "activations",
    STYLE,
    defs=(
        """
def sigmoid(x):
    out = torch.empty_like(x)
    positive = x >= 0
    out[positive] = 1.0 / (1.0 + torch.exp(-x[positive]))
    e = torch.exp(x[~positive])
    out[~positive] = e / (1.0 + e)
    return out
""",
        """
def relu(x):
    out = x.clone()
    out[out < 0] = 0.0
    return out
""",
        """
def leaky_relu(x, alpha=0.01):
    out = x.clone()
    negative = out <= 0
    out[negative] = alpha * out[negative]
    return out
""",
        """
def softmax(x, dim=-1):
    e = torch.exp(x - torch.amax(x, dim=dim, keepdim=True))
    total = torch.zeros_like(e.narrow(dim, 0, 1))
    for k in range(x.shape[dim]):
        total = total + e.narrow(dim, k, 1)
    return e / total
""",
        """
def relu_grad(x):
    grad = torch.zeros_like(x)
    grad[x > 0] = 1.0
    return grad
""",
        """
def leaky_relu_grad(x, alpha=0.01):
    grad = torch.full_like(x, alpha)
    grad[x > 0] = 1.0
    return grad
""",
        """
def elu_grad(x, alpha=1.0):
    grad = torch.ones_like(x)
    negative = x <= 0
    grad[negative] = alpha * torch.exp(x[negative])
    return grad
""",
        """
def softmax_backward(s, grad_out, dim=-1):
    products = grad_out * s
    dot = torch.zeros_like(products.narrow(dim, 0, 1))
    for k in range(s.shape[dim]):
        dot = dot + products.narrow(dim, k, 1)
    return s * (grad_out - dot)
""",
    ),
)

LOSSES = Variant(
    "losses/per-row-loops",
    "losses",
    STYLE,
    defs=(
        """
def cross_entropy_loss(logits, labels):
    n = logits.shape[0]
    total = logits.new_zeros(())
    for i in range(n):
        row = logits[i] - logits[i].max()
        total = total + torch.log(torch.exp(row).sum()) - row[int(labels[i])]
    return total / n
""",
        """
def cross_entropy_loss_grad(logits, labels):
    n = logits.shape[0]
    grad = torch.zeros_like(logits)
    for i in range(n):
        e = torch.exp(logits[i] - logits[i].max())
        grad[i] = e / e.sum()
        grad[i, int(labels[i])] -= 1.0
    return grad / n
""",
        """
def multiclass_hinge_loss(scores, labels, margin=1.0):
    n, classes = scores.shape
    total = scores.new_zeros(())
    for i in range(n):
        y = int(labels[i])
        for j in range(classes):
            if j != y:
                total = total + torch.clamp(scores[i, j] - scores[i, y] + margin, min=0.0)
    return total / n
""",
        """
def multiclass_hinge_loss_grad(scores, labels, margin=1.0):
    n, classes = scores.shape
    grad = torch.zeros_like(scores)
    for i in range(n):
        y = int(labels[i])
        active = 0
        for j in range(classes):
            if j != y and bool(scores[i, j] - scores[i, y] + margin > 0):
                grad[i, j] = 1.0
                active += 1
        grad[i, y] = -float(active)
    return grad / n
""",
        """
def hinge_loss_grad(scores, labels):
    y = labels.to(scores.dtype)
    grad = torch.zeros_like(scores)
    active = 1.0 - y * scores > 0
    grad[active] = -y[active]
    return grad / scores.numel()
""",
    ),
)

BACKPROP = Variant(
    "backprop/loops",
    "backprop",
    STYLE,
    defs=(
        """
def linear_forward(x, W, b):
    columns = [x @ W[j] + b[j] for j in range(W.shape[0])]
    return torch.stack(columns, dim=1)
""",
        """
def linear_backward(grad_out, x, W):
    dW = torch.zeros_like(W)
    db = torch.zeros(W.shape[0], dtype=W.dtype, device=W.device)
    for n in range(x.shape[0]):
        dW = dW + torch.outer(grad_out[n], x[n])
        db = db + grad_out[n]
    return grad_out @ W, dW, db
""",
        """
def mlp_backward(grad_out, cache):
    activation = cache["activation"]
    if activation not in ("sigmoid", "tanh", "relu"):
        raise ValueError(f"unknown activation {activation!r}")
    layers = cache["layers"]
    grads = [None] * len(layers)
    g = grad_out
    for index in range(len(layers) - 1, -1, -1):
        layer = layers[index]
        if activation == "sigmoid":
            delta = g * layer["a"] * (1.0 - layer["a"])
        elif activation == "tanh":
            delta = g * (1.0 - layer["a"] ** 2)
        else:
            delta = g * (layer["z"] > 0).to(g.dtype)
        grads[index] = (delta.T @ layer["x"], delta.sum(dim=0))
        g = delta @ layer["W"]
    return grads
""",
    ),
)

TRAINING = Variant(
    "training/loops",
    "training",
    STYLE,
    defs=(
        """
def train_test_split(X, y, test_size=0.2, seed=0):
    n = X.shape[0]
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed)).tolist()
    n_test = int(round(n * test_size))
    test_rows, train_rows = order[:n_test], order[n_test:]
    return X[train_rows], X[test_rows], y[train_rows], y[test_rows]
""",
        """
def min_max_scale(X_train, X_test):
    train_columns, test_columns = [], []
    for j in range(X_train.shape[1]):
        lo = X_train[:, j].min()
        hi = X_train[:, j].max()
        span = hi - lo if bool(hi > lo) else torch.ones_like(lo)
        train_columns.append((X_train[:, j] - lo) / span)
        test_columns.append((X_test[:, j] - lo) / span)
    return torch.stack(train_columns, dim=1), torch.stack(test_columns, dim=1)
""",
        """
def train(model, X, y, epochs, lr, optimizer="sgd", batch_size=None):
    if optimizer == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=lr)
    elif optimizer == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=lr)
    else:
        raise ValueError(f"unknown optimizer {optimizer!r}")
    size = X.shape[0] if batch_size is None else batch_size
    model.train()
    history = []
    for _ in range(epochs):
        seen, total = 0, 0.0
        for xb, yb in zip(X.split(size), y.split(size)):
            opt.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            total += loss.item() * len(xb)
            seen += len(xb)
        history.append(total / seen)
    return history
""",
        """
def evaluate(model, X, y):
    model.eval()
    with torch.no_grad():
        logits = model(X)
        loss = F.cross_entropy(logits, y).item()
        predictions = logits.argmax(dim=1).tolist()
    correct = 0
    for predicted, label in zip(predictions, y.tolist()):
        if predicted == label:
            correct += 1
    return loss, correct / len(predictions)
""",
        """
def fit_early_stopping(model, X_tr, y_tr, X_val, y_val, patience, max_epochs, lr):
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    train_losses, val_losses = [], []
    best_loss, best_epoch, best_state = None, -1, copy.deepcopy(model.state_dict())
    epoch, waited, stopped = 0, 0, False
    while epoch < max_epochs and not stopped:
        model.train()
        opt.zero_grad()
        loss = F.cross_entropy(model(X_tr), y_tr)
        loss.backward()
        opt.step()
        model.eval()
        with torch.no_grad():
            val = F.cross_entropy(model(X_val), y_val).item()
        train_losses.append(loss.item())
        val_losses.append(val)
        if best_loss is None or val < best_loss:
            best_loss, best_epoch, waited = val, epoch, 0
            best_state = copy.deepcopy(model.state_dict())
        else:
            waited += 1
            stopped = waited >= patience
        epoch += 1
    model.load_state_dict(best_state)
    return {
        "train_loss": train_losses,
        "val_loss": val_losses,
        "best_epoch": best_epoch,
        "stopped_epoch": len(train_losses) - 1,
    }
""",
    ),
)

VARIANTS = (LINEAR_MODEL, GRADIENT_DESCENT, ACTIVATIONS, LOSSES, BACKPROP, TRAINING)
