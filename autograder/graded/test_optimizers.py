"""Graded: unit 6, functional optimizer steps (torch), step for step against torch.optim.

Each step function is run for STEPS steps on a seeded gradient sequence, its own returned
p and state fed back in every step, and the whole trajectory is compared with the
torch.optim built-in given the same gradients. Every call must leave p, g and state alone.
"""

from __future__ import annotations

from typing import Any

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from autograder.config import Tolerance
from autograder.strategies import DTYPE_IDS, DTYPES, arrays, as_tensor, randn

STEPS = 25
SHAPE = (3, 4)
EXACT = {"float32": Tolerance(0.0, 0.0), "float64": Tolerance(0.0, 0.0)}
OPTIMS: dict[str, type[torch.optim.Optimizer]] = {
    "sgd_step": torch.optim.SGD,
    "adagrad_step": torch.optim.Adagrad,
    "rmsprop_step": torch.optim.RMSprop,
    "adam_step": torch.optim.Adam,
    "adadelta_step": torch.optim.Adadelta,
}
# step function → hyper-parameters to run it with (a large eps makes its place visible)
CONFIGS: dict[str, list[dict[str, Any]]] = {
    "sgd_step": [
        {"lr": 0.1},
        {"lr": 0.05, "momentum": 0.9},
        {"lr": 0.05, "momentum": 0.9, "nesterov": True},
        {"lr": 0.1, "weight_decay": 0.1},
        {"lr": 0.05, "momentum": 0.8, "weight_decay": 0.05, "nesterov": True},
    ],
    "adagrad_step": [{"lr": 0.5, "eps": 0.01}, {"lr": 0.1}],
    "rmsprop_step": [{"lr": 0.02, "alpha": 0.9, "eps": 0.01}, {"lr": 0.01}],
    "adam_step": [
        {"lr": 0.01},
        {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.1},
    ],
    "adadelta_step": [{}, {"lr": 0.5, "rho": 0.95, "eps": 1e-3}],
}


def _task(name: str) -> pytest.MarkDecorator:
    return pytest.mark.task(f"optimizers.{name}")


def _signature(name: str, kwargs: dict[str, Any]) -> str:
    extra = "".join(f", {k}={v}" for k, v in kwargs.items())
    return f"{name}(p, g, state{extra})"


def _cases() -> list[object]:
    return [
        pytest.param(
            name,
            kwargs,
            marks=_task(name),
            id=name + "".join(f"-{k}={v}" for k, v in kwargs.items()),
        )
        for name, configs in CONFIGS.items()
        for kwargs in configs
    ]


def _torch_trajectory(
    name: str, p0: torch.Tensor, grads: list[torch.Tensor], kwargs: dict[str, Any]
) -> list[torch.Tensor]:
    """p after each step of the torch.optim built-in, given the gradients `grads`."""
    param = p0.detach().clone().requires_grad_(True)
    opt = OPTIMS[name]([param], **kwargs)
    trajectory = []
    for g in grads:
        param.grad = g.detach().clone()
        opt.step()
        trajectory.append(param.detach().clone())
    return trajectory


def _step(
    student: Any,
    check: Any,
    name: str,
    p: torch.Tensor,
    g: torch.Tensor,
    state: Any,
    kwargs: dict[str, Any],
    call: str,
) -> tuple[Any, Any]:
    """One student step; fails unless it left p, g and state alone and returned (p, state)."""
    reply = student.call("optimizers", name, p, g, state, return_args=True, **kwargs)
    after = reply.args_after
    check.close(
        after,
        [p, g, state],
        names=("p", "g", "state"),
        tolerances=EXACT,
        call=f"{call} must not modify its inputs (build new tensors and a new dict)",
    )
    if isinstance(state, dict):
        check.that(
            isinstance(after[2], dict) and sorted(after[2]) == sorted(state),
            f"it added keys {sorted(set(after[2]) - set(state))} to the state dict it "
            "was given; return a new dict instead",
            call=call,
        )
    got = reply.value
    check.that(
        isinstance(got, (list, tuple)) and len(got) == 2,
        "expected a tuple (p_new, state_new)",
        call=call,
    )
    check.that(
        isinstance(got[1], dict), "state_new must be a dict (of tensors and ints)", call=call
    )
    return got[0], got[1]


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize(("name", "kwargs"), _cases())
def test_trajectory_follows_torch_optim(student, check, device, dtype, name, kwargs):
    p0 = randn(*SHAPE, seed=81, dtype=dtype, device=device)
    grads = [randn(*SHAPE, seed=100 + k, dtype=dtype, device=device) for k in range(STEPS)]
    trajectory = _torch_trajectory(name, p0, grads, kwargs)
    p, state = p0, {}
    for k, (g, want) in enumerate(zip(grads, trajectory, strict=True), start=1):
        call = f"{name} step {k} of {STEPS}: {_signature(name, kwargs)}"
        p, state = _step(student, check, name, p, g, state, kwargs, call)
        check.close(
            p,
            want,
            call=f"{call} → p_new (your p and state fed back each step; "
            "expected torch.optim's trajectory)",
            inputs={"p0": p0, "g": g},
            seed=81,
        )


@pytest.mark.parametrize("name", [pytest.param(n, marks=_task(n), id=n) for n in CONFIGS])
@given(data=st.data())
def test_zero_gradient_leaves_p_unchanged(student, check, device, name, data):
    configs = [{k: v for k, v in c.items() if k != "weight_decay"} for c in CONFIGS[name]]
    kwargs = data.draw(st.sampled_from(configs), label="kwargs")
    p = as_tensor(data.draw(arrays(bound=10.0), label="p"), torch.float64, device)
    call = f"{_signature(name, kwargs)} with g = 0 on the first step"
    p_new, _ = _step(student, check, name, p, torch.zeros_like(p), {}, kwargs, call)
    check.close(p_new, p, call=f"{call} → p_new (a zero gradient must not move p)", inputs={"p": p})
