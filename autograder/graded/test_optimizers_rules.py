"""Graded: unit 6, the rules of an optimizer step beyond its values.

Hyper-parameters that torch.optim's constructor rejects must raise ValueError and those it
accepts must not (their values are compared in test_optimizers.py); a step must leave
global settings alone (random states, default dtype, grad mode).
"""

from __future__ import annotations

import pytest

from autograder.graded.contract import OBSERVE_SEED, check_untouched, expect_value_error
from autograder.graded.optim_runs import (
    ACCEPTED,
    CONFIGS,
    INVALID,
    OPTIMS,
    SHAPE,
    signature,
    task,
)
from autograder.strategies import randn


@pytest.mark.parametrize("name", [pytest.param(n, marks=task(n), id=n) for n in INVALID])
def test_value_error_exactly_where_torch_optim_raises(student, check, device, name):
    p, g = randn(*SHAPE, seed=91, device=device), randn(*SHAPE, seed=92, device=device)
    configs = INVALID[name] + ACCEPTED[name]
    outcomes = student.harness("optimizers.raises", name, p, g, configs, task=f"optimizers.{name}")
    must_raise = [k < len(INVALID[name]) for k in range(len(configs))]
    verdict = {True: "rejects", False: "accepts"}
    calls = [
        f"{signature(name, kwargs).replace('state', '{}')} (torch.optim."
        f"{OPTIMS[name].__name__} {verdict[must]} this value)"
        for kwargs, must in zip(configs, must_raise, strict=True)
    ]
    expect_value_error(check, outcomes, calls, must_raise)


@pytest.mark.parametrize("name", [pytest.param(n, marks=task(n), id=n) for n in CONFIGS])
def test_step_leaves_global_settings_alone(student, check, device, name):
    p = randn(*SHAPE, seed=93, device=device)  # float64: a set_default_dtype(p.dtype) shows
    g = randn(*SHAPE, seed=94, device=device)
    kwargs = CONFIGS[name][-1]
    observed = student.harness(
        "optimizers.observed", name, OBSERVE_SEED, p, g, {}, kwargs, task=f"optimizers.{name}"
    )
    call = f"{signature(name, kwargs)} on float64 inputs, started from torch's defaults"
    check_untouched(check, observed, call=call)


@pytest.mark.parametrize("name", [pytest.param(n, marks=task(n), id=n) for n in CONFIGS])
def test_returned_tensors_are_new(student, check, device, name):
    p, g = randn(*SHAPE, seed=95, device=device), randn(*SHAPE, seed=96, device=device)
    for kwargs in CONFIGS[name]:
        call = signature(name, kwargs)
        shared = student.harness("optimizers.fresh", name, p, g, kwargs, task=f"optimizers.{name}")
        for k, paths in enumerate(shared, start=1):
            check.that(
                not paths,
                f"on step {k}, {', '.join(paths)} shares memory with p, g or the state given "
                "(an in-place change of those would change it too): return new tensors, "
                "e.g. with .clone()",
                call=call,
            )
