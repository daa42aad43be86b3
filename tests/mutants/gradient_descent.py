"""Wrong implementations for unit 2 (gradient_descent)."""

MUTANTS: dict[str, list[tuple[str, str]]] = {
    "gradient_descent.mse_grad": [
        (
            "overwrites dw and db each sample instead of accumulating over the samples",
            """
def mse_grad(x, y, w, b):
    import numpy as np
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n = len(x)
    dw = db = 0.0
    for xi, yi in zip(x, y):
        residual = xi * w + b - yi
        dw = 2.0 * residual * xi / n
        db = 2.0 * residual / n
    return float(dw), float(db)
""",
        ),
        (
            "forgets the factor 2 from the square",
            """
def mse_grad(x, y, w, b):
    import numpy as np
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    residual = x * w + b - y
    return float(np.mean(residual * x)), float(np.mean(residual))
""",
        ),
    ],
    "gradient_descent.batch_gd": [
        (
            "records the cost after the update instead of before it",
            """
def batch_gd(x, y, w0, b0, lr, epochs):
    import numpy as np
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    w, b = float(w0), float(b0)
    costs = []
    for _ in range(epochs):
        residual = x * w + b - y
        w = float(w - lr * 2.0 * np.mean(residual * x))
        b = float(b - lr * 2.0 * np.mean(residual))
        costs.append(float(np.mean((x * w + b - y) ** 2)))
    return w, b, costs
""",
        ),
        (
            "updates w first, then takes b's gradient at the new w",
            """
def batch_gd(x, y, w0, b0, lr, epochs):
    import numpy as np
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    w, b = float(w0), float(b0)
    costs = []
    for _ in range(epochs):
        costs.append(float(np.mean((x * w + b - y) ** 2)))
        w = float(w - lr * 2.0 * np.mean((x * w + b - y) * x))
        b = float(b - lr * 2.0 * np.mean(x * w + b - y))
    return w, b, costs
""",
        ),
    ],
    "gradient_descent.sgd": [
        (
            "shuffles the samples every epoch instead of going in data order",
            """
def sgd(x, y, w0, b0, lr, epochs):
    import numpy as np
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    w, b = float(w0), float(b0)
    costs = []
    for _ in range(epochs):
        for i in np.random.permutation(len(x)):
            residual = x[i] * w + b - y[i]
            w, b = w - lr * 2.0 * residual * x[i], b - lr * 2.0 * residual
        costs.append(float(np.mean((x * w + b - y) ** 2)))
    return float(w), float(b), costs
""",
        ),
        (
            "one full-batch gradient step per sample instead of the sample's own gradient",
            """
def sgd(x, y, w0, b0, lr, epochs):
    import numpy as np
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    w, b = float(w0), float(b0)
    costs = []
    for _ in range(epochs):
        for _ in range(len(x)):
            residual = x * w + b - y
            w, b = w - lr * 2.0 * np.mean(residual * x), b - lr * 2.0 * np.mean(residual)
        costs.append(float(np.mean((x * w + b - y) ** 2)))
    return float(w), float(b), costs
""",
        ),
    ],
    "gradient_descent.fit_autograd": [
        (
            "never zeroes the grads, so they accumulate over the steps",
            """
def fit_autograd(x, y, lr, steps):
    import torch
    w = torch.zeros((), dtype=x.dtype, device=x.device, requires_grad=True)
    b = torch.zeros((), dtype=x.dtype, device=x.device, requires_grad=True)
    losses = []
    for _ in range(steps):
        loss = ((x * w + b - y) ** 2).mean()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
    return w.detach(), b.detach(), losses
""",
        ),
        (
            "creates w and b with torch's default dtype and device, not x's",
            """
def fit_autograd(x, y, lr, steps):
    import torch
    w = torch.zeros((), requires_grad=True)
    b = torch.zeros((), requires_grad=True)
    losses = []
    for _ in range(steps):
        loss = ((x * w + b - y) ** 2).mean()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        w.grad.zero_()
        b.grad.zero_()
    return w.detach(), b.detach(), losses
""",
        ),
    ],
}
