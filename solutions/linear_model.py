"""Unit 1 — linear_model: the linear model ŷ = x·w + b and its MSE loss over a (w, b) grid."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def forward(x: ArrayLike, w: float, b: float = 0.0) -> np.ndarray:
    """Predict with the linear model, elementwise.

    Formula: ŷ = x·w + b

    Args:
        x: inputs (any array-like; converted to float64).
        w: weight (slope).
        b: bias (intercept), 0.0 by default.

    Returns:
        float64 array of x's shape holding the predictions ŷ.
    """
    ### BEGIN SOLUTION
    x = np.asarray(x, dtype=np.float64)
    return x * w + b
    ### END SOLUTION


def mse(y_pred: ArrayLike, y: ArrayLike) -> float:
    """Mean squared error between predictions and targets.

    Formula: MSE = (1/N) Σᵢ (ŷᵢ − yᵢ)²

    Args:
        y_pred: predictions ŷ (array-like).
        y: targets y (array-like, same shape as y_pred).

    Returns:
        The mean squared error as a python float.
    """
    ### BEGIN SOLUTION
    y_pred = np.asarray(y_pred, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    return float(np.mean((y_pred - y) ** 2))
    ### END SOLUTION


def loss_grid(x: ArrayLike, y: ArrayLike, ws: ArrayLike, bs: ArrayLike) -> np.ndarray:
    """MSE of the linear model at every (w, b) pair of a grid.

    Formula: L[i, j] = (1/N) Σₖ (xₖ·ws[i] + bs[j] − yₖ)²

    Hint: broadcasting x[None, None, :] against ws[:, None, None] and bs[None, :, None]
    avoids Python loops.

    Args:
        x: inputs, shape (N,).
        y: targets, shape (N,).
        ws: candidate weights, shape (len(ws),).
        bs: candidate biases, shape (len(bs),).

    Returns:
        float64 array L of shape (len(ws), len(bs)).
    """
    ### BEGIN SOLUTION
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    ws = np.asarray(ws, dtype=np.float64).reshape(-1)
    bs = np.asarray(bs, dtype=np.float64).reshape(-1)
    pred = x[None, None, :] * ws[:, None, None] + bs[None, :, None]
    return np.mean((pred - y[None, None, :]) ** 2, axis=-1)
    ### END SOLUTION


def best_on_grid(x: ArrayLike, y: ArrayLike, ws: ArrayLike, bs: ArrayLike) -> tuple[float, float]:
    """The (w, b) pair of the grid with the smallest MSE.

    Formula: (i*, j*) = argminᵢⱼ L[i, j],  L[i, j] = (1/N) Σₖ (xₖ·ws[i] + bs[j] − yₖ)²

    Ties go to the first minimum in row-major order (what np.argmin returns).

    Args:
        x: inputs, shape (N,).
        y: targets, shape (N,).
        ws: candidate weights.
        bs: candidate biases.

    Returns:
        (w, b) = (ws[i*], bs[j*]) as python floats.
    """
    ### BEGIN SOLUTION
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    ws = np.asarray(ws, dtype=np.float64).reshape(-1)
    bs = np.asarray(bs, dtype=np.float64).reshape(-1)
    pred = x[None, None, :] * ws[:, None, None] + bs[None, :, None]
    grid = np.mean((pred - y[None, None, :]) ** 2, axis=-1)
    i, j = np.unravel_index(np.argmin(grid), grid.shape)
    return float(ws[i]), float(bs[j])
    ### END SOLUTION
