"""Graded: unit 6, functional optimizer steps (torch), step for step against torch.optim.

Each step function is run on a seeded gradient sequence, its own returned p and state fed
back in every step (the run is made in the worker by autograder/harness/optimizers.py,
which sends back a copy of every step's result), and after every step both are compared
with the torch.optim built-in given the same gradients: p_new with the parameter,
state_new with torch's own state for that parameter (the same keys, the same tensors,
"step" as an int counting the steps).
That a step leaves p, g and state alone is judged in test_optimizers_rules.py.
"""

from __future__ import annotations

from typing import Any

import pytest
import torch
from hypothesis import strategies as st

from autograder.batching import batched, cases, given
from autograder.graded.contract import expect_value_error
from autograder.graded.optim_runs import (
    CONFIGS,
    DEFAULTS,
    EDGES,
    SHAPE,
    STEPS,
    check_state,
    returned,
    signature,
    step,
    task,
    torch_run,
)
from autograder.strategies import DTYPES, arrays, as_tensor, randn


def _cases(configs: dict[str, list[dict[str, Any]]]) -> list[object]:
    return [
        pytest.param(
            name,
            kwargs,
            marks=task(name),
            id=name + "".join(f"-{k}={v}" for k, v in kwargs.items()),
        )
        for name, kwargs_list in configs.items()
        for kwargs in kwargs_list
    ]


def _spread(seed: int, dtype: torch.dtype, device: str) -> torch.Tensor:
    """A gradient whose elements span 1e-9 … 1: every ε and default is visible in some."""
    gen = torch.Generator().manual_seed(seed)
    exponents = torch.rand(*SHAPE, generator=gen, dtype=torch.float64) * 9.0 - 9.0
    return (randn(*SHAPE, seed=seed, dtype=torch.float64) * 10.0**exponents).to(dtype).to(device)


def _run(student: Any, name: str, kwargs: dict[str, Any], p0: Any, grads: list[Any]) -> Any:
    """The student's steps from (p0, {}), each fed the one before's result (a Deferred)."""
    return student.harness("optimizers.follow", name, p0, grads, kwargs, task=f"optimizers.{name}")


def _follow(
    check: Any,
    name: str,
    kwargs: dict[str, Any],
    p0: torch.Tensor,
    grads: list[torch.Tensor],
    run: Any,
    what: str = "",
) -> None:
    """Compare p and state after each of the student's steps (`run`, what
    optimizers.follow sent back) with torch's."""
    check.that(
        isinstance(run, list) and 0 < len(run) <= len(grads),
        "the grader got no answer (tell your instructor)",
        call=signature(name, kwargs),
    )
    for k, (g, got, (want_p, want_state)) in enumerate(
        zip(grads, run, torch_run(name, p0, grads, kwargs), strict=False), start=1
    ):
        call = f"{name} step {k} of {len(grads)}{what}: {signature(name, kwargs)}"
        p, state = returned(check, got, call)
        inputs = {"p0": p0, "g": g}
        check.close(
            p,
            want_p,
            call=f"{call} → p_new (your p and state fed back each step; "
            "expected torch.optim's trajectory)",
            inputs=inputs,
            seed=81,
        )
        check_state(check, state, want_state, call, inputs)
    check.that(
        len(run) == len(grads),
        "the grader got no answer (tell your instructor)",
        call=signature(name, kwargs),
    )


@pytest.mark.parametrize(("name", "kwargs"), _cases(CONFIGS))
@cases(dtype=DTYPES)
def test_trajectory_and_state_follow_torch_optim(student, check, device, dtype, name, kwargs):
    p0 = randn(*SHAPE, seed=81, dtype=dtype, device=device)
    grads = [randn(*SHAPE, seed=100 + k, dtype=dtype, device=device) for k in range(STEPS)]
    run = yield _run(student, name, kwargs, p0, grads)
    _follow(check, name, kwargs, p0, grads, run)


@pytest.mark.parametrize(("name", "kwargs"), _cases(DEFAULTS))
@batched
def test_defaults_are_torch_optims(student, check, device, name, kwargs):
    p0 = randn(*SHAPE, seed=82, device=device)
    grads = [_spread(200 + k, torch.float64, device) for k in range(8)]
    run = yield _run(student, name, kwargs, p0, grads)
    _follow(check, name, kwargs, p0, grads, run, " (defaults; gradients from 1e-9 to 1)")


@pytest.mark.parametrize(("name", "kwargs"), _cases(EDGES))
@batched
def test_edge_values_torch_accepts_work(student, check, device, name, kwargs):
    p0 = randn(*SHAPE, seed=83, device=device)
    grads = [randn(*SHAPE, seed=300 + k, device=device) for k in range(4)]
    outcome, run = yield (
        student.harness(
            "optimizers.raises", name, p0, grads[0], [kwargs], task=f"optimizers.{name}"
        ),
        _run(student, name, kwargs, p0, grads),
    )
    call = f"{signature(name, kwargs).replace('state', '{}')} (torch.optim accepts this value)"
    expect_value_error(check, outcome, [call], [False])
    _follow(check, name, kwargs, p0, grads, run, " (an edge value torch.optim accepts)")


@pytest.mark.parametrize("name", [pytest.param(n, marks=task(n), id=n) for n in CONFIGS])
@given(config=st.integers(0, 63), arr=arrays(bound=10.0))
def test_zero_gradient_leaves_p_unchanged(student, check, device, name, config, arr):
    configs = [{k: v for k, v in c.items() if k != "weight_decay"} for c in CONFIGS[name]]
    kwargs = configs[config % len(configs)]
    p = as_tensor(arr, torch.float64, device)
    call = f"{signature(name, kwargs)} with g = 0 on the first step"
    p_new, _ = yield from step(student, check, name, p, torch.zeros_like(p), {}, kwargs, call)
    check.close(p_new, p, call=f"{call} → p_new (a zero gradient must not move p)", inputs={"p": p})
