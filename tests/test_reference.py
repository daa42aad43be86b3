"""The two references agree: solutions/ and the torch built-in oracle, on random inputs.

A student release ships without solutions/ and grades against the oracle, so the
two must give the same verdicts: their outputs must agree well inside the
graded tolerances.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch

from tests.helpers import SOLUTIONS

SEEDS = range(5)


def solution(unit: str):
    spec = importlib.util.spec_from_file_location(f"_sol_{unit}", SOLUTIONS / f"{unit}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def oracle(unit: str):
    return importlib.import_module(f"autograder.oracle.{unit}")


def close(a: Any, b: Any, path: str = "") -> None:
    if isinstance(a, torch.Tensor):
        assert isinstance(b, torch.Tensor) and a.dtype == b.dtype and a.shape == b.shape, path
        torch.testing.assert_close(a, b, rtol=1e-6, atol=1e-9, msg=path)
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            close(x, y, f"{path}[{i}]")
    elif isinstance(a, dict):
        assert set(a) == set(b), path
        for key in a:
            close(a[key], b[key], f"{path}[{key!r}]")
    else:
        np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-10, err_msg=path)


def rng(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def t(*shape: int, seed: int, scale: float = 3.0) -> torch.Tensor:
    return torch.randn(*shape, generator=rng(seed), dtype=torch.float64) * scale


def np_data(seed: int) -> dict[str, Any]:
    r = np.random.default_rng(seed)
    x = r.normal(size=12)
    return {
        "x": x,
        "y": 2 * x + 1 + r.normal(scale=0.1, size=12),
        "ws": np.linspace(-1, 4, 7),
        "bs": np.linspace(-2, 3, 5),
    }


def labels(n: int, classes: int, seed: int) -> torch.Tensor:
    return torch.randint(0, classes, (n,), generator=rng(seed))


CASES: dict[str, list[tuple[str, Callable[[int], tuple[tuple, dict]]]]] = {
    "linear_model": [
        ("forward", lambda s: ((np_data(s)["x"], 1.5, -0.5), {})),
        ("mse", lambda s: ((np_data(s)["x"], np_data(s)["y"]), {})),
        (
            "loss_grid",
            lambda s: ((np_data(s)["x"], np_data(s)["y"], np_data(s)["ws"], np_data(s)["bs"]), {}),
        ),
        (
            "best_on_grid",
            lambda s: ((np_data(s)["x"], np_data(s)["y"], np_data(s)["ws"], np_data(s)["bs"]), {}),
        ),
    ],
    "gradient_descent": [
        ("mse_grad", lambda s: ((np_data(s)["x"], np_data(s)["y"], 0.3, -0.2), {})),
        ("batch_gd", lambda s: ((np_data(s)["x"], np_data(s)["y"], 0.0, 0.0, 0.05, 20), {})),
        ("sgd", lambda s: ((np_data(s)["x"], np_data(s)["y"], 0.0, 0.0, 0.01, 5), {})),
        (
            "fit_autograd",
            lambda s: (
                (torch.from_numpy(np_data(s)["x"]), torch.from_numpy(np_data(s)["y"]), 0.05, 20),
                {},
            ),
        ),
    ],
    "activations": [
        *[
            (n, lambda s: ((t(4, 5, seed=s),), {}))
            for n in ("sigmoid", "tanh", "relu", "sigmoid_grad", "tanh_grad", "relu_grad")
        ],
        ("leaky_relu", lambda s: ((t(4, 5, seed=s),), {"alpha": 0.2})),
        ("leaky_relu_grad", lambda s: ((t(4, 5, seed=s),), {"alpha": 0.2})),
        ("elu", lambda s: ((t(4, 5, seed=s),), {"alpha": 0.7})),
        ("elu_grad", lambda s: ((t(4, 5, seed=s),), {"alpha": 0.7})),
        ("softmax", lambda s: ((t(4, 5, seed=s, scale=50.0),), {"dim": 0})),
        (
            "softmax_backward",
            lambda s: ((torch.softmax(t(3, 4, seed=s), -1), t(3, 4, seed=s + 99)), {}),
        ),
    ],
    "losses": [
        *[
            (n, lambda s: ((t(6, seed=s), t(6, seed=s + 50)), {}))
            for n in ("mse_loss", "mse_loss_grad", "mae_loss", "mae_loss_grad")
        ],
        ("smooth_l1_loss", lambda s: ((t(6, seed=s), t(6, seed=s + 50)), {"beta": 0.5})),
        ("smooth_l1_loss_grad", lambda s: ((t(6, seed=s), t(6, seed=s + 50)), {"beta": 0.5})),
        *[
            (
                n,
                lambda s: (
                    (
                        torch.rand(6, generator=rng(s), dtype=torch.float64),
                        torch.randint(0, 2, (6,), generator=rng(s)).double(),
                    ),
                    {},
                ),
            )
            for n in ("bce_loss", "bce_loss_grad")
        ],
        *[
            (n, lambda s: ((t(5, 4, seed=s, scale=100.0), labels(5, 4, s)), {}))
            for n in (
                "cross_entropy_loss",
                "cross_entropy_loss_grad",
                "multiclass_hinge_loss",
                "multiclass_hinge_loss_grad",
            )
        ],
        *[
            (n, lambda s: ((t(6, seed=s), labels(6, 2, s).double() * 2 - 1), {}))
            for n in ("hinge_loss", "hinge_loss_grad")
        ],
    ],
}


@pytest.mark.parametrize(
    ("unit", "name", "make"),
    [(u, n, m) for u, cases in CASES.items() for n, m in cases],
    ids=[f"{u}.{n}" for u, cases in CASES.items() for n, _ in cases],
)
def test_solution_and_oracle_agree_on_random_inputs(unit, name, make):
    sol, ora = getattr(solution(unit), name), getattr(oracle(unit), name)
    for seed in SEEDS:
        args, kwargs = make(seed)
        close(sol(*args, **kwargs), ora(*args, **kwargs), f"{unit}.{name} seed {seed}")


@pytest.mark.parametrize("unit", list(CASES))
def test_every_task_of_the_unit_is_compared(unit):
    public = {
        n
        for n in dir(solution(unit))
        if not n.startswith("_")
        and callable(getattr(solution(unit), n))
        and getattr(getattr(solution(unit), n), "__module__", "").startswith("_sol_")
    }
    assert public == {name for name, _ in CASES[unit]}
