"""Oracle for unit 1 (linear_model), written with plain NumPy built-ins."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def forward(x: ArrayLike, w: float, b: float = 0.0) -> np.ndarray:
    """ŷ = x·w + b as a float64 array."""
    return np.add(np.multiply(np.asarray(x, dtype=np.float64), w), b)


def mse(y_pred: ArrayLike, y: ArrayLike) -> float:
    """mean((ŷ − y)²) as a python float."""
    diff = np.subtract(np.asarray(y_pred, dtype=np.float64), np.asarray(y, dtype=np.float64))
    return float(np.mean(np.square(diff)))


def loss_grid(x: ArrayLike, y: ArrayLike, ws: ArrayLike, bs: ArrayLike) -> np.ndarray:
    """L[i, j] = mse(forward(x, ws[i], bs[j]), y), shape (len(ws), len(bs))."""
    ws_ = np.asarray(ws, dtype=np.float64).ravel()
    bs_ = np.asarray(bs, dtype=np.float64).ravel()
    grid = np.empty((ws_.size, bs_.size), dtype=np.float64)
    for i, w in enumerate(ws_):
        for j, b in enumerate(bs_):
            grid[i, j] = mse(forward(x, float(w), float(b)), y)
    return grid


def best_on_grid(x: ArrayLike, y: ArrayLike, ws: ArrayLike, bs: ArrayLike) -> tuple[float, float]:
    """(ws[i], bs[j]) at the first (row-major) minimum of loss_grid, as python floats."""
    grid = loss_grid(x, y, ws, bs)
    i, j = divmod(int(np.argmin(grid)), grid.shape[1])
    return float(np.ravel(ws)[i]), float(np.ravel(bs)[j])
