"""Wrong implementations for unit 1 (linear_model)."""

MUTANTS: dict[str, list[tuple[str, str]]] = {
    "linear_model.forward": [
        (
            "ignores the bias b",
            """
def forward(x, w, b=0.0):
    import numpy as np
    return np.asarray(x, dtype=np.float64) * w
""",
        ),
        (
            "swaps the roles of w and b: x·b + w",
            """
def forward(x, w, b=0.0):
    import numpy as np
    return np.asarray(x, dtype=np.float64) * b + w
""",
        ),
    ],
    "linear_model.mse": [
        (
            "sum instead of mean of the squared errors",
            """
def mse(y_pred, y):
    import numpy as np
    diff = np.asarray(y_pred, dtype=np.float64) - np.asarray(y, dtype=np.float64)
    return float(np.sum(diff ** 2))
""",
        ),
        (
            "computes it with torch and returns a 0-d tensor instead of a float",
            """
def mse(y_pred, y):
    import torch
    diff = torch.as_tensor(y_pred, dtype=torch.float64) - torch.as_tensor(y, dtype=torch.float64)
    return (diff ** 2).mean()
""",
        ),
    ],
    "linear_model.loss_grid": [
        (
            "axes swapped: rows follow bs and columns ws (the transpose)",
            """
def loss_grid(x, y, ws, bs):
    import numpy as np
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    ws = np.asarray(ws, dtype=np.float64)
    bs = np.asarray(bs, dtype=np.float64)
    pred = x[None, None, :] * ws[None, :, None] + bs[:, None, None]
    return np.mean((pred - y) ** 2, axis=-1)
""",
        ),
        (
            "squares the mean residual instead of averaging the squared residuals",
            """
def loss_grid(x, y, ws, bs):
    import numpy as np
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    ws = np.asarray(ws, dtype=np.float64)
    bs = np.asarray(bs, dtype=np.float64)
    pred = x[None, None, :] * ws[:, None, None] + bs[None, :, None]
    return np.mean(pred - y, axis=-1) ** 2
""",
        ),
    ],
    "linear_model.best_on_grid": [
        (
            "returns the grid indices (i, j) instead of the values (ws[i], bs[j])",
            """
def best_on_grid(x, y, ws, bs):
    import numpy as np
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    ws = np.asarray(ws, dtype=np.float64)
    bs = np.asarray(bs, dtype=np.float64)
    grid = np.mean((x[None, None, :] * ws[:, None, None] + bs[None, :, None] - y) ** 2, axis=-1)
    i, j = np.unravel_index(np.argmin(grid), grid.shape)
    return int(i), int(j)
""",
        ),
        (
            "unravels the flat argmin with the wrong row length (len(ws) instead of len(bs))",
            """
def best_on_grid(x, y, ws, bs):
    import numpy as np
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    ws = np.asarray(ws, dtype=np.float64)
    bs = np.asarray(bs, dtype=np.float64)
    grid = np.mean((x[None, None, :] * ws[:, None, None] + bs[None, :, None] - y) ** 2, axis=-1)
    i, j = divmod(int(np.argmin(grid)), len(ws))
    return float(ws[i % len(ws)]), float(bs[j % len(bs)])
""",
        ),
    ],
}
