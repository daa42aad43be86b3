"""Style: the model answers plus the self-tests a careful student adds to each file. They
run only as `python unit.py` (under `if __name__ == "__main__":`), or live in a function
only that block calls, and use what the rules refuse in a task's code: `import sys` and
`os`, `getattr(torch, name)`, `globals()`, the built-ins the tasks re-implement
(torch.sigmoid, F.cross_entropy, torch.optim), autograd, and a name `g` (an optimizer
step's parameter) bound to `torch.autograd.grad`. None of it is any task's code."""

from __future__ import annotations

from tests.correct.corpus import Variant

STYLE = "selftests"

LINEAR_MODEL = Variant(
    "linear_model/main-self-test",
    "linear_model",
    STYLE,
    extra="""
if __name__ == "__main__":
    import os
    import sys

    xs = np.linspace(-1.0, 1.0, 5)
    assert np.allclose(forward(xs, 2.0, 1.0), 2.0 * xs + 1.0)
    assert mse(forward(xs, 2.0), 2.0 * xs) == 0.0
    assert best_on_grid(xs, 2.0 * xs, [1.0, 2.0, 3.0], [-1.0, 0.0]) == (2.0, 0.0)
    print("linear_model ok in", os.getcwd(), file=sys.stderr)
""",
)

GRADIENT_DESCENT = Variant(
    "gradient_descent/main-self-test-with-autograd",
    "gradient_descent",
    STYLE,
    extra="""
if __name__ == "__main__":
    import sys

    xt = torch.linspace(-1.0, 1.0, 7, dtype=torch.float64)
    yt = 3.0 * xt - 0.5
    w = torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(0.1, dtype=torch.float64, requires_grad=True)
    grad = torch.autograd.grad(((xt * w + b - yt) ** 2).mean(), (w, b))
    assert np.allclose(mse_grad(xt.numpy(), yt.numpy(), 0.3, 0.1), [float(v) for v in grad])
    print(fit_autograd(xt, yt, 0.1, 50)[:2], file=sys.stderr)
""",
)

ACTIVATIONS = Variant(
    "activations/main-self-test-against-torch",
    "activations",
    STYLE,
    defs=(
        '''
def _compare_with_torch(names):
    """Each of this file's activations against torch's own; called from the self-test."""
    x = torch.linspace(-8.0, 8.0, 33, dtype=torch.float64)
    for name in names:
        mine, theirs = globals()[name], getattr(torch, name)
        assert torch.allclose(mine(x), theirs(x)), name
    assert torch.allclose(sigmoid(x), torch.sigmoid(x))
    assert torch.allclose(softmax(x, dim=0), torch.softmax(x, dim=0))
''',
    ),
    extra="""
if __name__ == "__main__":
    import sys

    _compare_with_torch(["sigmoid", "tanh", "relu"])
    x = torch.linspace(-4.0, 4.0, 9, dtype=torch.float64, requires_grad=True)
    torch.sigmoid(x).sum().backward()
    assert torch.allclose(sigmoid_grad(x.detach()), x.grad)
    (g,) = torch.autograd.grad(torch.tanh(x).sum(), x)
    assert torch.allclose(tanh_grad(x.detach()), g)
    for name in ("elu", "leaky_relu"):
        print(name, getattr(torch.nn.functional, name)(x.detach())[:3], file=sys.stderr)
""",
)

LOSSES = Variant(
    "losses/main-self-test-against-functional",
    "losses",
    STYLE,
    extra="""
if __name__ == "__main__":
    import sys

    import torch.nn.functional as F

    logits = torch.randn(5, 3, dtype=torch.float64, requires_grad=True)
    labels = torch.tensor([0, 2, 1, 1, 0])
    assert torch.allclose(cross_entropy_loss(logits, labels), F.cross_entropy(logits, labels))
    F.cross_entropy(logits, labels).backward()
    assert torch.allclose(cross_entropy_loss_grad(logits.detach(), labels), logits.grad)
    pred, target = torch.rand(4, dtype=torch.float64), torch.rand(4, dtype=torch.float64)
    for name in ("mse_loss", "l1_loss", "smooth_l1_loss"):
        print(name, getattr(F, name)(pred, target), file=sys.stderr)
""",
)

BACKPROP = Variant(
    "backprop/main-self-test-with-backward",
    "backprop",
    STYLE,
    extra="""
if __name__ == "__main__":
    import sys

    params = [
        (torch.randn(3, 4, dtype=torch.float64, requires_grad=True),
         torch.randn(3, dtype=torch.float64, requires_grad=True)),
        (torch.randn(1, 3, dtype=torch.float64, requires_grad=True),
         torch.randn(1, dtype=torch.float64, requires_grad=True)),
    ]
    x = torch.randn(6, 4, dtype=torch.float64)
    out, cache = mlp_forward(x, params)
    out.sum().backward()
    for (W, b), (dW, db) in zip(params, mlp_backward(torch.ones_like(out), cache)):
        assert torch.allclose(W.grad, dW) and torch.allclose(b.grad, db)
    print("backprop ok", file=sys.stderr)
""",
)

OPTIMIZERS = Variant(
    "optimizers/main-self-test-binds-g-to-autograd",
    "optimizers",
    STYLE,
    extra="""
if __name__ == "__main__":
    import sys

    p = torch.randn(4, dtype=torch.float64, requires_grad=True)
    g = torch.autograd.grad
    state, mine = {}, p.detach().clone()
    opt = torch.optim.Adam([p], lr=0.1)
    for _ in range(5):
        (grad,) = g((mine.requires_grad_() ** 2).sum(), mine)
        mine, state = adam_step(mine.detach(), grad, state, lr=0.1)
        opt.zero_grad()
        (p**2).sum().backward()
        opt.step()
    assert torch.allclose(mine, p.detach()), (mine, p)
    print("adam ok", file=sys.stderr)
""",
)

TRAINING = Variant(
    "training/main-self-test",
    "training",
    STYLE,
    extra="""
if __name__ == "__main__":
    import os
    import sys
    import tempfile

    import matplotlib.pyplot as plt

    X = torch.randn(60, 4)
    y = (X[:, 0] > 0).long()
    X_tr, X_te, y_tr, y_te = train_test_split(X, y)
    model = MLP(4, 8, 2)
    history = {"train_loss": train(model, X_tr, y_tr, 50, 0.5)}
    print(evaluate(model, X_te, y_te), file=sys.stderr)
    path = os.path.join(tempfile.mkdtemp(), "curve.png")
    plot_history(history, path)
    plt.imshow(plt.imread(path))
    plt.show()
""",
)

VARIANTS = (LINEAR_MODEL, GRADIENT_DESCENT, ACTIVATIONS, LOSSES, BACKPROP, OPTIMIZERS, TRAINING)
