"""Graded: unit 2, gradient descent, SGD and autograd on ŷ = x·w + b (NumPy, then torch)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import strategies as st

from autograder.batching import batched, cases, given
from autograder.config import Tolerance
from autograder.seeds import mixed
from autograder.strategies import DTYPES, arrays, randn

SEEDS = (0, 1, 2)
SCALARS = st.floats(-3.0, 3.0)
# (x, y): two float64 vectors of the same length
PAIRS = st.integers(1, 12).flatmap(
    lambda n: st.tuples(arrays((n,), bound=5.0), arrays((n,), bound=5.0))
)
# Sums of many products can cancel: compare random cases with a small absolute slack too.
SUMS = {"float64": Tolerance(rtol=1e-9, atol=1e-10)}
# x = [1, 2, 3], y = 2x from w = b = 0 with lr = 0.1: worked out by hand
HAND_X, HAND_Y = np.array([1.0, 2.0, 3.0]), np.array([2.0, 4.0, 6.0])
HAND_GD = (28 / 15 - 8.8 / 45, 10.4 / 15, [56 / 3, 8 / 27])  # two steps: (w, b, costs)


def _task(name: str) -> pytest.MarkDecorator:
    return pytest.mark.task(f"gradient_descent.{name}")


def _data(seed: int, n: int = 12) -> tuple[np.ndarray, np.ndarray]:
    """Noisy points around a line that varies with the seed, x in [−2, 2], in random order."""
    rng = np.random.default_rng(mixed(seed))
    x = rng.uniform(-2.0, 2.0, n)
    return x, (1.5 - 0.5 * seed) * x + (0.4 * seed - 0.5) + rng.normal(0.0, 0.3, n)


def _autograd_mse_grad(x: np.ndarray, y: np.ndarray, w: float, b: float) -> tuple[float, float]:
    """(∂L/∂w, ∂L/∂b) of L = mean((x·w + b − y)²) by torch.autograd, in float64."""
    xt, yt = torch.from_numpy(np.array(x, np.float64)), torch.from_numpy(np.array(y, np.float64))
    with torch.enable_grad():
        wt = torch.tensor(float(w), dtype=torch.float64, requires_grad=True)
        bt = torch.tensor(float(b), dtype=torch.float64, requires_grad=True)
        dw, db = torch.autograd.grad(((xt * wt + bt - yt) ** 2).mean(), (wt, bt))
    return float(dw), float(db)


def _safe_lr(x: np.ndarray) -> float:
    """Half of 1/λmax of the MSE's Hessian 2·[[mean x², mean x], [mean x, 1]]: costs decrease."""
    m = np.mean(x)
    hessian = 2.0 * np.array([[np.mean(x * x), m], [m, 1.0]])
    return float(0.5 / np.linalg.eigvalsh(hessian).max())


# ---- mse_grad ----


@_task("mse_grad")
def test_mse_grad_hand_checked_values(student, check):
    check.close(
        student.gradient_descent.mse_grad(HAND_X.tolist(), HAND_Y.tolist(), 0.0, 0.0),
        (-56 / 3, -8.0),
        call="mse_grad(x, y, w=0, b=0) with python lists (any array-like)",
        names=("dw", "db"),
        inputs={"x": HAND_X, "y": HAND_Y},
    )


@_task("mse_grad")
@cases(seed=SEEDS)
def test_mse_grad_matches_autograd_on_seeded_input(student, check, seed):
    x, y = _data(seed)
    w, b = 0.7 * seed - 0.4, 0.5 - 0.3 * seed
    check.close(
        (yield student.gradient_descent.mse_grad(x, y, w, b)),
        _autograd_mse_grad(x, y, w, b),
        call=f"mse_grad(x, y, w={w:g}, b={b:g})",
        names=("dw", "db"),
        inputs={"x": x, "y": y},
        seed=seed,
    )


@_task("mse_grad")
@given(PAIRS, SCALARS, SCALARS)
def test_mse_grad_matches_autograd(student, check, pair, w, b):
    x, y = pair
    check.close(
        (yield student.gradient_descent.mse_grad(x, y, w, b)),
        _autograd_mse_grad(x, y, w, b),
        call=f"mse_grad(x, y, w={w!r}, b={b!r})",
        names=("dw", "db"),
        inputs={"x": x, "y": y},
        tolerances=SUMS,
    )


# ---- batch_gd ----


@_task("batch_gd")
def test_batch_gd_hand_checked_trajectory(student, check):
    check.close(
        student.gradient_descent.batch_gd(HAND_X.tolist(), HAND_Y.tolist(), 0.0, 0.0, 0.1, 2),
        HAND_GD,
        call="batch_gd(x, y, w0=0, b0=0, lr=0.1, epochs=2) with python lists (any array-like)",
        names=("w", "b", "costs"),
        inputs={"x": HAND_X, "y": HAND_Y},
    )


@_task("batch_gd")
@cases(seed=SEEDS)
def test_batch_gd_matches_reference_on_seeded_input(student, reference, check, seed):
    x, y = _data(seed)
    w0, b0, lr, epochs = 0.5 * seed - 1.0, 1.0 - 0.5 * seed, 0.1, 30
    call = f"batch_gd(x, y, w0={w0:g}, b0={b0:g}, lr={lr:g}, epochs={epochs})"
    check.close(
        (yield student.gradient_descent.batch_gd(x, y, w0, b0, lr, epochs)),
        reference.gradient_descent.batch_gd(x, y, w0, b0, lr, epochs),
        call=call,
        names=("w", "b", "costs"),
        inputs={"x": x, "y": y},
        seed=seed,
    )


@_task("batch_gd")
@given(PAIRS, SCALARS, SCALARS)
def test_batch_gd_costs_decrease_with_a_small_learning_rate(
    student, reference, check, pair, w0, b0
):
    x, y = pair
    lr, epochs = _safe_lr(x), 15
    call = f"batch_gd(x, y, w0={w0!r}, b0={b0!r}, lr={lr!r}, epochs={epochs})"
    got = yield student.gradient_descent.batch_gd(x, y, w0, b0, lr, epochs)
    costs = got[2] if isinstance(got, (tuple, list)) and len(got) == 3 else None
    if isinstance(costs, list) and all(isinstance(c, float) for c in costs):
        up = [k for k in range(1, len(costs)) if costs[k] > costs[k - 1] * (1 + 1e-12) + 1e-12]
        if up:
            check.fail(
                f"costs must go down for this small lr, but costs[{up[0]}] = "
                f"{costs[up[0]]:.6g} > costs[{up[0] - 1}] = {costs[up[0] - 1]:.6g} "
                "(is the update w - lr·dw, downhill?)",
                call=call,
                inputs={"x": x, "y": y},
            )
    check.close(
        got,
        reference.gradient_descent.batch_gd(x, y, w0, b0, lr, epochs),
        call=call,
        names=("w", "b", "costs"),
        inputs={"x": x, "y": y},
        tolerances=SUMS,
    )


# ---- sgd ----


@_task("sgd")
def test_sgd_hand_checked_epoch(student, check):
    x, y = HAND_X[:2], HAND_Y[:2]
    # sample 1: r = -2 → (w, b) = (0.4, 0.4); sample 2: r = -2.8 → (1.52, 0.96); cost 0.48²/2
    check.close(
        student.gradient_descent.sgd(x.tolist(), y.tolist(), 0.0, 0.0, 0.1, 1),
        (1.52, 0.96, [0.1152]),
        call="sgd(x, y, w0=0, b0=0, lr=0.1, epochs=1) with python lists (any array-like)",
        names=("w", "b", "epoch_costs"),
        inputs={"x": x, "y": y},
    )


@_task("sgd")
@cases(seed=(*SEEDS, 3))
def test_sgd_matches_reference_on_seeded_input(student, reference, check, seed):
    x, y = _data(seed, n=10 + 2 * seed)
    w0, b0, lr, epochs = 1.0 - 0.5 * seed, 0.25 * seed, 0.05, 20
    call = f"sgd(x, y, w0={w0:g}, b0={b0:g}, lr={lr:g}, epochs={epochs})"
    check.close(
        (yield student.gradient_descent.sgd(x, y, w0, b0, lr, epochs)),
        reference.gradient_descent.sgd(x, y, w0, b0, lr, epochs),
        call=call,
        names=("w", "b", "epoch_costs"),
        inputs={"x": x, "y": y},
        seed=seed,
    )


# ---- fit_autograd (torch) ----


@_task("fit_autograd")
def test_fit_autograd_hand_checked_trajectory(student, check, device):
    x = torch.tensor(HAND_X, dtype=torch.float64, device=device)
    y = torch.tensor(HAND_Y, dtype=torch.float64, device=device)
    w, b, losses = HAND_GD
    want = (
        torch.tensor(w, dtype=torch.float64, device=device),
        torch.tensor(b, dtype=torch.float64, device=device),
        losses,
    )
    check.close(
        student.gradient_descent.fit_autograd(x, y, 0.1, 2),
        want,
        call="fit_autograd(x, y, lr=0.1, steps=2)",
        names=("w", "b", "losses"),
        inputs={"x": x, "y": y},
    )


@_task("fit_autograd")
@cases(dtype=DTYPES, seed=(31, 32))
def test_fit_autograd_matches_reference(student, reference, check, device, dtype, seed):
    x = randn(16, seed=seed, dtype=dtype, device=device)
    y = (1.7 * x - 0.8 + 0.2 * randn(16, seed=seed + 100, device=device)).to(dtype)
    lr, steps = 0.1, 30
    # losses are python floats: in float32 they carry float32's rounding
    tolerances = {"float64": check.tolerances["float32"]} if dtype == torch.float32 else None
    check.close(
        (yield student.gradient_descent.fit_autograd(x, y, lr, steps)),
        reference.gradient_descent.fit_autograd(x, y, lr, steps),
        call=f"fit_autograd(x, y, lr={lr:g}, steps={steps})",
        names=("w", "b", "losses"),
        inputs={"x": x, "y": y},
        seed=seed,
        tolerances=tolerances,
    )


@_task("fit_autograd")
@batched
def test_fit_autograd_returns_detached_parameters(student, check, device):
    """The docstring promises w and b detached: tensors still tracking gradients would
    drag the whole training graph into whatever the caller does next."""
    x = torch.tensor(HAND_X, dtype=torch.float64, device=device)
    y = torch.tensor(HAND_Y, dtype=torch.float64, device=device)
    got = yield student.gradient_descent.fit_autograd(x, y, 0.1, 2)
    call = "fit_autograd(x, y, lr=0.1, steps=2)"
    check.that(
        isinstance(got, tuple) and len(got) == 3,
        f"expected a tuple (w, b, losses), received {type(got).__name__}",
        call=call,
    )
    for name, value in zip(("w", "b"), got[:2], strict=True):
        check.that(
            isinstance(value, torch.Tensor) and not value.requires_grad,
            f"{name} still requires grad: return {name}.detach() (the docstring says detached)",
            call=call,
        )
