"""Style: the student's own objects. Layers with `.forward()` / `.backward()` methods and
`.grad` fields, a `self.softmax` attribute, methods named `grad`, classes named like
torch's own (`Sigmoid`, `ReLU`, `MSELoss`): all of it the student's code, whatever the
names."""

from __future__ import annotations

from tests.correct.corpus import Variant

STYLE = "objects"

ACTIVATIONS = Variant(
    "activations/layer-objects",
    "activations",
    STYLE,
    defs=(
        '''
class Sigmoid:
    """A layer: forward keeps its output, backward applies the chain rule."""

    def forward(self, x):
        z = torch.exp(-torch.abs(x))
        self.out = torch.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))
        return self.out

    def backward(self, grad):
        return grad * self.out * (1.0 - self.out)
''',
        """
class Tanh:
    def __call__(self, x):
        u = torch.expm1(-2.0 * torch.abs(x))
        t = -u / (2.0 + u)
        return torch.where(x >= 0, t, -t)

    def grad(self, x):
        t = self(x)
        return 1.0 - t * t
""",
        """
class ReLU:
    def forward(self, x):
        self.mask = x > 0
        return torch.where(self.mask, x, torch.zeros_like(x))

    def backward(self, grad):
        return grad * self.mask.to(grad.dtype)
""",
        """
class LeakyReLU:
    def __init__(self, alpha):
        self.alpha = alpha

    def forward(self, x):
        return torch.where(x > 0, x, self.alpha * x)

    def backward(self, x, grad):
        return torch.where(x > 0, grad, self.alpha * grad)
""",
        """
class ELU:
    def __init__(self, alpha):
        self.alpha = alpha

    def forward(self, x):
        return torch.where(x > 0, x, self.alpha * torch.expm1(torch.clamp(x, max=0.0)))

    def backward(self, x, grad):
        return torch.where(x > 0, grad, grad * self.alpha * torch.exp(torch.clamp(x, max=0.0)))
""",
        """
class SoftmaxLayer:
    def __init__(self, dim):
        self.dim = dim
        self.softmax = None  # the last output, kept for backward

    def forward(self, x):
        e = torch.exp(x - torch.amax(x, dim=self.dim, keepdim=True))
        self.softmax = e / e.sum(dim=self.dim, keepdim=True)
        return self.softmax

    def backward(self, grad_out):
        dot = (grad_out * self.softmax).sum(dim=self.dim, keepdim=True)
        return self.softmax * (grad_out - dot)
""",
        """
def sigmoid(x):
    return Sigmoid().forward(x)
""",
        """
def tanh(x):
    return Tanh()(x)
""",
        """
def relu(x):
    return ReLU().forward(x)
""",
        """
def leaky_relu(x, alpha=0.01):
    return LeakyReLU(alpha).forward(x)
""",
        """
def elu(x, alpha=1.0):
    return ELU(alpha).forward(x)
""",
        """
def softmax(x, dim=-1):
    return SoftmaxLayer(dim).forward(x)
""",
        """
def sigmoid_grad(x):
    layer = Sigmoid()
    layer.forward(x)
    return layer.backward(torch.ones_like(x))
""",
        """
def tanh_grad(x):
    return Tanh().grad(x)
""",
        """
def relu_grad(x):
    layer = ReLU()
    layer.forward(x)
    return layer.backward(torch.ones_like(x))
""",
        """
def leaky_relu_grad(x, alpha=0.01):
    return LeakyReLU(alpha).backward(x, torch.ones_like(x))
""",
        """
def elu_grad(x, alpha=1.0):
    return ELU(alpha).backward(x, torch.ones_like(x))
""",
        """
def softmax_backward(s, grad_out, dim=-1):
    layer = SoftmaxLayer(dim)
    layer.softmax = s
    return layer.backward(grad_out)
""",
    ),
)

LOSSES = Variant(
    "losses/loss-objects",
    "losses",
    STYLE,
    defs=(
        """
class MSELoss:
    def forward(self, pred, target):
        self.diff = pred - target
        return (self.diff * self.diff).mean()

    def backward(self):
        return 2.0 * self.diff / self.diff.numel()
""",
        """
class CrossEntropy:
    def __init__(self):
        self.softmax = None

    def log_softmax(self, logits):
        shifted = logits - torch.amax(logits, dim=1, keepdim=True)
        return shifted - torch.log(torch.exp(shifted).sum(dim=1, keepdim=True))

    def forward(self, logits, labels):
        self.labels = labels.long()
        log_probs = self.log_softmax(logits)
        self.softmax = torch.exp(log_probs)
        return -log_probs.gather(1, self.labels.unsqueeze(1)).mean()

    def backward(self):
        n = self.softmax.shape[0]
        grad = self.softmax.clone()
        grad[torch.arange(n, device=grad.device), self.labels] -= 1.0
        return grad / n
""",
        """
class Hinge:
    def __init__(self, scores, labels):
        self.y = labels.to(scores.dtype)
        self.margins = 1.0 - self.y * scores
        self.grad = None

    def loss(self):
        return torch.clamp(self.margins, min=0.0).mean()

    def backward(self):
        active = (self.margins > 0).to(self.y.dtype)
        self.grad = -self.y * active / self.y.numel()
        return self.grad
""",
        """
def mse_loss(pred, target):
    return MSELoss().forward(pred, target)
""",
        """
def mse_loss_grad(pred, target):
    loss = MSELoss()
    loss.forward(pred, target)
    return loss.backward()
""",
        """
def cross_entropy_loss(logits, labels):
    return CrossEntropy().forward(logits, labels)
""",
        """
def cross_entropy_loss_grad(logits, labels):
    loss = CrossEntropy()
    loss.forward(logits, labels)
    return loss.backward()
""",
        """
def hinge_loss(scores, labels):
    return Hinge(scores, labels).loss()
""",
        """
def hinge_loss_grad(scores, labels):
    criterion = Hinge(scores, labels)
    criterion.backward()
    return criterion.grad
""",
    ),
)

BACKPROP = Variant(
    "backprop/layer-objects",
    "backprop",
    STYLE,
    defs=(
        '''
class Linear:
    """z = x·Wᵀ + b; backward fills `self.grad` with (dW, db) and returns dx."""

    def __init__(self, W, b=None):
        self.W, self.b = W, b
        self.grad = None

    def forward(self, x):
        self.x = x
        return x @ self.W.T + self.b

    def backward(self, grad_out):
        self.grad = (grad_out.T @ self.x, grad_out.sum(dim=0))
        return grad_out @ self.W
''',
        """
class Sigmoid:
    def forward(self, z):
        e = torch.exp(-torch.abs(z))
        self.a = torch.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
        return self.a

    def backward(self, grad):
        return grad * self.a * (1.0 - self.a)
""",
        """
class Tanh:
    def forward(self, z):
        u = torch.expm1(-2.0 * torch.abs(z))
        t = -u / (2.0 + u)
        self.a = torch.where(z >= 0, t, -t)
        return self.a

    def backward(self, grad):
        return grad * (1.0 - self.a * self.a)
""",
        """
class ReLU:
    def forward(self, z):
        self.z = z
        self.a = torch.where(z > 0, z, torch.zeros_like(z))
        return self.a

    def backward(self, grad):
        return torch.where(self.z > 0, grad, torch.zeros_like(grad))
""",
        """
class MSE:
    def forward(self, out, y):
        self.diff = out - y
        return (self.diff * self.diff).mean()

    def backward(self):
        return 2.0 * self.diff / self.diff.numel()
""",
        """
def linear_forward(x, W, b):
    return Linear(W, b).forward(x)
""",
        """
def linear_backward(grad_out, x, W):
    layer = Linear(W)
    layer.x = x
    dx = layer.backward(grad_out)
    dW, db = layer.grad
    return dx, dW, db
""",
        """
def mlp_forward(x, params, activation="sigmoid"):
    if activation not in LAYERS:
        raise ValueError(f"unknown activation {activation!r}")
    layers, a = [], x
    for W, b in params:
        z = Linear(W, b).forward(a)
        out = LAYERS[activation]().forward(z)
        layers.append({"x": a, "W": W, "z": z, "a": out})
        a = out
    return a, {"activation": activation, "layers": layers}
""",
        """
def mlp_backward(grad_out, cache):
    if cache["activation"] not in LAYERS:
        raise ValueError(f"unknown activation {cache['activation']!r}")
    grads, g = [], grad_out
    for saved in reversed(cache["layers"]):
        act = LAYERS[cache["activation"]]()
        act.z, act.a = saved["z"], saved["a"]  # what its forward kept
        linear = Linear(saved["W"])
        linear.x = saved["x"]
        g = linear.backward(act.backward(g))
        grads.append(linear.grad)
    return grads[::-1]
""",
        """
def train_manual(params, x, y, lr, epochs):
    net = [(Linear(W.clone(), b.clone()), Sigmoid()) for W, b in params]
    criterion, losses = MSE(), []
    for _ in range(epochs):
        a = x
        for linear, act in net:
            a = act.forward(linear.forward(a))
        loss = criterion.forward(a, y)
        losses.append(loss.item())
        g = criterion.backward()
        for linear, act in reversed(net):
            g = linear.backward(act.backward(g))
        for linear, _ in net:
            dW, db = linear.grad
            linear.W, linear.b = linear.W - lr * dW, linear.b - lr * db
    return [(linear.W, linear.b) for linear, _ in net], losses
""",
    ),
    extra='LAYERS = {"sigmoid": Sigmoid, "tanh": Tanh, "relu": ReLU}\n',
)

OPTIMIZERS = Variant(
    "optimizers/running-average-objects",
    "optimizers",
    STYLE,
    defs=(
        '''
@dataclass(frozen=True)
class RunningAverage:
    """avg ← decay·avg + (1 − decay)·value, starting from zeros."""

    decay: float

    def update(self, avg, value):
        return self.decay * avg + (1.0 - self.decay) * value
''',
        """
def rmsprop_step(p, g, state, lr=0.01, alpha=0.99, eps=1e-8):
    if lr < 0 or alpha < 0 or eps < 0:
        raise ValueError(f"invalid lr={lr}, alpha={alpha} or eps={eps}")
    v = RunningAverage(alpha).update(state.get("square_avg", torch.zeros_like(p)), g * g)
    return p - lr * g / (torch.sqrt(v) + eps), {"step": state.get("step", 0) + 1, "square_avg": v}
""",
        """
def adam_step(p, g, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    beta1, beta2 = betas
    if lr < 0 or eps < 0 or weight_decay < 0:
        raise ValueError(f"invalid lr={lr}, eps={eps} or weight_decay={weight_decay}")
    if not (0.0 <= beta1 < 1.0 and 0.0 <= beta2 < 1.0):
        raise ValueError(f"invalid betas={betas}")
    step = state.get("step", 0) + 1
    d = g + weight_decay * p if weight_decay != 0 else g
    m = RunningAverage(beta1).update(state.get("exp_avg", torch.zeros_like(p)), d)
    v = RunningAverage(beta2).update(state.get("exp_avg_sq", torch.zeros_like(p)), d * d)
    denom = torch.sqrt(v) / (1.0 - beta2**step) ** 0.5 + eps
    p_new = p - (lr / (1.0 - beta1**step)) * m / denom
    return p_new, {"step": step, "exp_avg": m, "exp_avg_sq": v}
""",
    ),
    imports="from dataclasses import dataclass\n",
)

TRAINING = Variant(
    "training/epoch-meter-object",
    "training",
    STYLE,
    defs=(
        '''
class EpochMeter:
    """Weighted running mean of the batch losses of one epoch."""

    def __init__(self):
        self.total, self.count = 0.0, 0

    def update(self, loss, n):
        self.total += loss * n
        self.count += n

    @property
    def mean(self):
        return self.total / self.count
''',
        """
def train(model, X, y, epochs, lr, optimizer="sgd", batch_size=None):
    if optimizer not in ("sgd", "adam"):
        raise ValueError(f"unknown optimizer {optimizer!r}")
    make = torch.optim.SGD if optimizer == "sgd" else torch.optim.Adam
    opt = make(model.parameters(), lr=lr)
    criterion = nn.CrossEntropyLoss()
    size = batch_size or X.shape[0]
    model.train()
    history = []
    for _ in range(epochs):
        meter = EpochMeter()
        for start in range(0, X.shape[0], size):
            xb, yb = X[start : start + size], y[start : start + size]
            opt.zero_grad(set_to_none=True)
            loss = criterion(model(xb), yb)
            loss.backward()
            opt.step()
            meter.update(loss.item(), xb.shape[0])
        history.append(meter.mean)
    return history
""",
        """
class MLP(nn.Module):
    def __init__(self, in_features=4, hidden=10, out_features=3):
        super().__init__()
        self.fc1 = nn.Linear(in_features, hidden)
        self.act = nn.ReLU()
        self.fc2 = nn.Linear(hidden, out_features)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))
""",
    ),
)

VARIANTS = (ACTIVATIONS, LOSSES, BACKPROP, OPTIMIZERS, TRAINING)
