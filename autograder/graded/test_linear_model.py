"""Graded: unit 1, the linear model ŷ = x·w + b and its MSE over a (w, b) grid (NumPy)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume
from hypothesis import strategies as st

from autograder.batching import batched, cases, given
from autograder.seeds import mixed
from autograder.strategies import arrays, shapes

SEEDS = (0, 1, 2)
SIZES = st.integers(1, 12)
SCALARS = st.floats(-5.0, 5.0)
# (x, y): two float64 vectors of the same length
PAIRS = SIZES.flatmap(lambda n: st.tuples(arrays((n,), bound=10.0), arrays((n,), bound=10.0)))
# a short list of distinct candidate values, as an array
AXES = st.lists(SCALARS, min_size=1, max_size=6, unique=True).map(np.array)
# hand-checked grid for x = [1, 2], y = [2, 4]: L[i, j] = mean(((ws[i] - 2)·x + bs[j])²)
HAND_X, HAND_Y = np.array([1.0, 2.0]), np.array([2.0, 4.0])
HAND_WS, HAND_BS = np.array([1.0, 2.0, 3.0]), np.array([-1.0, 0.0, 1.0, 2.0])
HAND_GRID = np.array([[6.5, 2.5, 0.5, 0.5], [1.0, 0.0, 1.0, 4.0], [0.5, 2.5, 6.5, 12.5]])


def _task(name: str) -> pytest.MarkDecorator:
    return pytest.mark.task(f"linear_model.{name}")


def _data(seed: int, n: int = 12) -> tuple[np.ndarray, np.ndarray]:
    """Noisy points around a line (slope and intercept vary with the seed), x in [−3, 3]."""
    rng = np.random.default_rng(mixed(seed))
    x = rng.uniform(-3.0, 3.0, n)
    return x, (1.0 + 0.4 * seed) * x + (0.3 * seed - 0.5) + rng.normal(0.0, 0.4, n)


def _grid(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A (w, b) grid around the data's line, with len(ws) != len(bs)."""
    rng = np.random.default_rng(mixed(100 + seed))
    return np.linspace(-1.0, 3.0, 9) + rng.uniform(-0.05, 0.05), np.linspace(-2.0, 1.0, 7)


# ---- forward ----


@_task("forward")
@batched
def test_forward_hand_checked_values(student, check):
    x = [1.0, 2.0, 3.0]
    with_b, without_b = yield (
        student.linear_model.forward(x, 2.0, 1.0),
        student.linear_model.forward(np.array(x), 2.0),
    )
    check.close(
        with_b,
        np.array([3.0, 5.0, 7.0]),
        call="forward(x, w=2, b=1)",
        inputs={"x": np.array(x)},
    )
    check.close(
        without_b,
        np.array([2.0, 4.0, 6.0]),
        call="forward(x, w=2) (b left at its default 0)",
        inputs={"x": np.array(x)},
    )


@_task("forward")
@cases(seed=SEEDS, shape=[(12,), (3, 4)])
def test_forward_matches_reference_on_seeded_input(student, reference, check, seed, shape):
    x = np.random.default_rng(mixed(seed)).normal(0.0, 3.0, shape)
    w, b = 0.5 + seed, -1.25 * seed + 0.3
    check.close(
        (yield student.linear_model.forward(x, w, b)),
        reference.linear_model.forward(x, w, b),
        call=f"forward(x, w={w:g}, b={b:g})",
        inputs={"x": x},
        seed=seed,
    )


@_task("forward")
@given(arrays(shapes(max_dims=2), bound=10.0), SCALARS, SCALARS)
def test_forward_matches_reference(student, reference, check, x, w, b):
    check.close(
        (yield student.linear_model.forward(x, w, b)),
        reference.linear_model.forward(x, w, b),
        call=f"forward(x, w={w!r}, b={b!r})",
        inputs={"x": x},
    )


# ---- mse ----


@_task("mse")
@batched
def test_mse_hand_checked_value(student, check):
    y_pred, y = np.array([3.0, 5.0, 7.0]), np.array([2.0, 5.0, 9.0])
    arrays, lists = yield (
        student.linear_model.mse(y_pred, y),
        student.linear_model.mse(y_pred.tolist(), y.tolist()),
    )
    check.close(
        arrays,
        5.0 / 3.0,
        call="mse(y_pred, y)",
        inputs={"y_pred": y_pred, "y": y},
    )
    check.close(
        lists,
        5.0 / 3.0,
        call="mse(y_pred, y) with python lists (any array-like)",
        inputs={"y_pred": y_pred, "y": y},
    )


@_task("mse")
@cases(seed=SEEDS)
def test_mse_matches_reference_on_seeded_input(student, reference, check, seed):
    x, y = _data(seed)
    y_pred = reference.linear_model.forward(x, 1.2, 0.1)
    check.close(
        (yield student.linear_model.mse(y_pred, y)),
        reference.linear_model.mse(y_pred, y),
        call="mse(y_pred, y)",
        inputs={"y_pred": y_pred, "y": y},
        seed=seed,
    )


@_task("mse")
@given(PAIRS)
def test_mse_is_nonnegative_and_zero_at_the_target(student, reference, check, pair):
    y_pred, y = pair
    got, at_target = yield student.linear_model.mse(y_pred, y), student.linear_model.mse(y, y)
    inputs = {"y_pred": y_pred, "y": y}
    check.close(got, reference.linear_model.mse(y_pred, y), call="mse(y_pred, y)", inputs=inputs)
    check.that(got >= 0.0, f"must be >= 0, received {got!r}", call="mse(y_pred, y)", inputs=inputs)
    check.close(at_target, 0.0, call="mse(y, y)", inputs={"y": y})


# ---- loss_grid ----


@_task("loss_grid")
def test_loss_grid_hand_checked_values(student, check):
    lists = (HAND_X.tolist(), HAND_Y.tolist(), HAND_WS.tolist(), HAND_BS.tolist())
    check.close(
        student.linear_model.loss_grid(*lists),
        HAND_GRID,
        call="loss_grid(x, y, ws, bs) with python lists (any array-like)",
        inputs={"x": HAND_X, "y": HAND_Y, "ws": HAND_WS, "bs": HAND_BS},
    )


@_task("loss_grid")
@cases(seed=SEEDS)
def test_loss_grid_matches_reference_on_seeded_input(student, reference, check, seed):
    (x, y), (ws, bs) = _data(seed), _grid(seed)
    check.close(
        (yield student.linear_model.loss_grid(x, y, ws, bs)),
        reference.linear_model.loss_grid(x, y, ws, bs),
        call="loss_grid(x, y, ws, bs)",
        inputs={"x": x, "y": y, "ws": ws, "bs": bs},
        seed=seed,
    )


@_task("loss_grid")
@given(PAIRS, AXES, AXES)
def test_loss_grid_entries_are_the_mse_at_each_point(student, reference, check, pair, ws, bs):
    x, y = pair
    ref = reference.linear_model
    want = np.array([[ref.mse(ref.forward(x, float(w), float(b)), y) for b in bs] for w in ws])
    check.close(
        (yield student.linear_model.loss_grid(x, y, ws, bs)),
        want,
        call="loss_grid(x, y, ws, bs) vs mse(forward(x, ws[i], bs[j]), y)",
        inputs={"x": x, "y": y, "ws": ws, "bs": bs},
    )


# ---- best_on_grid ----


def _unique_minimum(grid: np.ndarray) -> bool:
    """Whether the grid's smallest loss beats the second smallest by a clear margin."""
    flat = np.sort(grid.ravel())
    return flat.size == 1 or bool(flat[1] - flat[0] > 1e-9 * max(1.0, abs(flat[0])))


@_task("best_on_grid")
def test_best_on_grid_hand_checked(student, check):
    lists = (HAND_X.tolist(), HAND_Y.tolist(), HAND_WS.tolist(), HAND_BS.tolist())
    check.close(
        student.linear_model.best_on_grid(*lists),
        (2.0, 0.0),
        call="best_on_grid(x, y, ws, bs) with python lists (any array-like)",
        names=("w", "b"),
        inputs={"x": HAND_X, "y": HAND_Y, "ws": HAND_WS, "bs": HAND_BS},
    )


@_task("best_on_grid")
@cases(seed=SEEDS)
def test_best_on_grid_matches_reference_on_seeded_input(student, reference, check, seed):
    (x, y), (ws, bs) = _data(seed), _grid(seed)
    check.close(
        (yield student.linear_model.best_on_grid(x, y, ws, bs)),
        reference.linear_model.best_on_grid(x, y, ws, bs),
        call="best_on_grid(x, y, ws, bs)",
        names=("w", "b"),
        inputs={"x": x, "y": y, "ws": ws, "bs": bs},
        seed=seed,
    )


@_task("best_on_grid")
@given(PAIRS, AXES, AXES)
def test_best_on_grid_is_the_grid_minimum(student, reference, check, pair, ws, bs):
    x, y = pair
    assume(_unique_minimum(reference.linear_model.loss_grid(x, y, ws, bs)))
    check.close(
        (yield student.linear_model.best_on_grid(x, y, ws, bs)),
        reference.linear_model.best_on_grid(x, y, ws, bs),
        call="best_on_grid(x, y, ws, bs)",
        names=("w", "b"),
        inputs={"x": x, "y": y, "ws": ws, "bs": bs},
    )


@_task("best_on_grid")
@cases(
    {"x": [1.0, -1.0], "y": [0.0, 0.0], "ws": [-1.0, 1.0], "bs": [0.0], "want": (-1.0, 0.0)},
    {"x": [2.0, 3.0], "y": [0.0, 0.0], "ws": [0.0], "bs": [-1.0, 1.0], "want": (0.0, -1.0)},
    {"x": [1.0], "y": [1.0], "ws": [0.0, 2.0, 1.0], "bs": [1.0, -1.0, 0.0], "want": (0.0, 1.0)},
)
def test_best_on_grid_breaks_ties_at_the_first_minimum(student, check, x, y, ws, bs, want):
    """Exact ties (the losses are equal to the bit): the first minimum in row-major order,
    as np.argmin and the docstring say."""
    check.close(
        (yield student.linear_model.best_on_grid(x, y, ws, bs)),
        want,
        call="best_on_grid(x, y, ws, bs) where several cells tie for the smallest loss",
        names=("w", "b"),
        inputs={"x": np.asarray(x), "y": np.asarray(y), "ws": np.asarray(ws), "bs": np.asarray(bs)},
    )
