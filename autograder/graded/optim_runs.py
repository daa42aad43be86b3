"""Shared by the graded optimizer tests: hyper-parameters, torch.optim runs, one student step.

Everything here runs in the grader. Which hyper-parameters are invalid is torch.optim's
rule on the installed torch (lr, eps, momentum, weight_decay, alpha < 0; betas outside
[0, 1); rho outside [0, 1]; nesterov without momentum); the grader's own tests check that
torch still rejects every INVALID entry and accepts every EDGES entry.
"""

from __future__ import annotations

from typing import Any

import pytest
import torch

from autograder.config import Tolerance

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
        {"lr": 0.05, "momentum": 0.7, "weight_decay": 0.2},
        {"lr": 0.02, "weight_decay": 1.0},
    ],
    "adagrad_step": [{"lr": 0.5, "eps": 0.01}, {"lr": 0.1}],
    "rmsprop_step": [{"lr": 0.02, "alpha": 0.9, "eps": 0.01}, {"lr": 0.01}],
    "adam_step": [
        {"lr": 0.01},
        {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.1},
        {"lr": 0.01, "weight_decay": 1.0},
    ],
    "adadelta_step": [{}, {"lr": 0.5, "rho": 0.95, "eps": 1e-3}],
}
# no optional argument at all: the defaults must be torch.optim's
DEFAULTS: dict[str, list[dict[str, Any]]] = {name: [{}] for name in OPTIMS} | {
    "sgd_step": [{"lr": 0.1}]
}
# values at the edge of what torch.optim accepts: they must work, not raise
EDGES: dict[str, list[dict[str, Any]]] = {
    "sgd_step": [{"lr": 0.0, "momentum": 0.9}],
    "adagrad_step": [{"lr": 0.1, "eps": 0.0}, {"lr": 0.0}],
    "rmsprop_step": [{"alpha": 0.0}, {"lr": 0.0}, {"eps": 0.0}],
    "adam_step": [{"lr": 0.01, "betas": (0.0, 0.0)}, {"lr": 0.0}, {"eps": 0.0}],
    "adadelta_step": [{"rho": 0.0}, {"rho": 1.0}, {"lr": 0.0, "eps": 0.0}],
}
# accepted by torch.optim but not worth a trajectory (α > 1 can make v negative): no error
ACCEPTED: dict[str, list[dict[str, Any]]] = {name: [] for name in OPTIMS} | {
    "rmsprop_step": [{"alpha": 1.5}]
}
# values torch.optim's constructor rejects with ValueError
INVALID: dict[str, list[dict[str, Any]]] = {
    "sgd_step": [
        {"lr": -0.1},
        {"lr": 0.1, "momentum": -0.5},
        {"lr": 0.1, "weight_decay": -0.1},
        {"lr": 0.1, "nesterov": True},
    ],
    "adagrad_step": [{"lr": -0.01}, {"eps": -1e-10}],
    "rmsprop_step": [{"lr": -0.01}, {"alpha": -0.1}, {"eps": -1e-8}],
    "adam_step": [
        {"lr": -1e-3},
        {"betas": (1.0, 0.999)},
        {"betas": (0.9, 1.0)},
        {"betas": (-0.1, 0.999)},
        {"eps": -1e-8},
        {"weight_decay": -0.1},
    ],
    "adadelta_step": [{"lr": -1.0}, {"rho": 1.1}, {"rho": -0.1}, {"eps": -1e-6}],
}


def task(name: str) -> pytest.MarkDecorator:
    return pytest.mark.task(f"optimizers.{name}")


def signature(name: str, kwargs: dict[str, Any]) -> str:
    extra = "".join(f", {k}={v}" for k, v in kwargs.items())
    return f"{name}(p, g, state{extra})"


def torch_state(opt: torch.optim.Optimizer, param: torch.Tensor) -> dict[str, Any]:
    """torch's state for `param` as the contract has it: tensors, and "step" as an int."""
    return {
        k: int(v.item()) if k == "step" else v.detach().clone()
        for k, v in opt.state[param].items()
        if v is not None
    }


def torch_run(
    name: str, p0: torch.Tensor, grads: list[torch.Tensor], kwargs: dict[str, Any]
) -> list[tuple[torch.Tensor, dict[str, Any]]]:
    """(p, state) after each step of the torch.optim built-in, given the gradients `grads`."""
    param = p0.detach().clone().requires_grad_(True)
    opt = OPTIMS[name]([param], **kwargs)
    run = []
    for g in grads:
        param.grad = g.detach().clone()
        opt.step()
        run.append((param.detach().clone(), torch_state(opt, param)))
    return run


def check_state(
    check: Any, state: dict, want: dict[str, Any], call: str, inputs: dict[str, Any]
) -> None:
    """state_new against torch's own state: the same keys, "step" an int, close tensors."""
    keys = sorted(map(str, state))
    check.that(
        set(state) == set(want),
        f"state_new has keys {keys}; expected torch.optim's own keys {sorted(want)}",
        call=call,
    )
    if "step" in want:
        got = state["step"]
        check.that(
            type(got) is int and got == want["step"],
            "state_new['step'] must be a Python int counting the steps taken: expected "
            f"{want['step']}, received {got!r} ({type(got).__name__})",
            call=call,
        )
    tensors = {k: v for k, v in want.items() if k != "step"}
    check.close(state, tensors, call=f"{call} → state_new", inputs=inputs)


def step(
    student: Any,
    check: Any,
    name: str,
    p: torch.Tensor,
    g: torch.Tensor,
    state: Any,
    kwargs: dict[str, Any],
    call: str,
) -> Any:
    """One student step; fails unless it returned (p_new, state_new) with a dict state (a
    batched body: `p_new, state_new = yield from step(...)`)."""
    got = yield student.value("optimizers", name, p, g, state, **kwargs)
    return returned(check, got, call)


def returned(check: Any, got: Any, call: str) -> tuple[Any, Any]:
    """(p_new, state_new) of a step's result; fails unless it has that shape."""
    check.that(
        isinstance(got, (list, tuple)) and len(got) == 2,
        "expected a tuple (p_new, state_new)",
        call=call,
    )
    check.that(
        isinstance(got[1], dict), "state_new must be a dict (of tensors and ints)", call=call
    )
    return got[0], got[1]
