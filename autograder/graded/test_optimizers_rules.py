"""Graded: unit 6, the rules of an optimizer step beyond its values.

Hyper-parameters that torch.optim's constructor rejects must raise ValueError and those it
accepts must not (their values are compared in test_optimizers.py); a step must leave
global settings alone (random states, default dtype, grad mode), leave p, g and state as
they were and return new tensors. Each rule is judged from values: what the step returns
when it is called twice on the very same objects, which the grader then changes in place,
and values made right after a step, all compared with the grader's own.
"""

from __future__ import annotations

from typing import Any

import pytest

from autograder.batching import batched
from autograder.graded.contract import (
    OBSERVE_SEED,
    check_inputs_kept,
    check_untouched,
    expect_value_error,
)
from autograder.graded.optim_runs import (
    ACCEPTED,
    CONFIGS,
    EXACT,
    INVALID,
    OPTIMS,
    SHAPE,
    check_state,
    returned,
    signature,
    task,
    torch_run,
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
    check_untouched(check, observed, call=call, seed=OBSERVE_SEED)


@pytest.mark.parametrize("name", [pytest.param(n, marks=task(n), id=n) for n in CONFIGS])
@batched
def test_step_leaves_its_inputs_alone_and_returns_new_tensors(student, check, device, name):
    p0 = randn(*SHAPE, seed=95, device=device)
    grads = [randn(*SHAPE, seed=96 + k, device=device) for k in range(3)]
    every = yield tuple(
        student.harness("optimizers.reused", name, p0, grads, kwargs, task=f"optimizers.{name}")
        for kwargs in CONFIGS[name]
    )
    for kwargs, runs in zip(CONFIGS[name], every, strict=True):
        want = torch_run(name, p0, grads, kwargs)
        check.that(
            isinstance(runs, list)
            and 0 < len(runs) <= len(grads)
            and all(isinstance(run, list) and len(run) == 4 for run in runs),
            "the grader got no answer (tell your instructor)",
            call=signature(name, kwargs),
        )
        given: dict[str, Any] = {"p": p0, "g": grads[0], "state": {}}
        for k, ((first, then, again, kept), (want_p, want_state)) in enumerate(
            zip(runs, want, strict=False), start=1
        ):
            call = f"{name} step {k} of {len(grads)}: {signature(name, kwargs)}"
            inputs = {"p0": p0, "g": grads[k - 1]}
            p_new, state_new = returned(check, then, call)
            check.close(p_new, want_p, call=f"{call} → p_new", inputs=inputs)
            check_state(check, state_new, want_state, call, inputs)
            check_inputs_kept(check, kept, given, f"{call}, called twice")
            given = {"p": p_new, "g": grads[k] if k < len(grads) else None, "state": state_new}
            check.close(
                first,
                then,
                names=("p_new", "state_new"),
                tolerances=EXACT,
                call=f"{call}, read again after the grader reused p, g and state and then "
                "changed them in place (return new tensors that share no memory with them)",
            )
            check.close(
                again,
                then,
                names=("p_new", "state_new"),
                tolerances=EXACT,
                call=f"{call}, called a second time on the same p, g and state (the first "
                "call must leave them as they were: build new tensors and a new dict)",
            )
        check.that(
            len(runs) == len(grads),
            "the grader got no answer (tell your instructor)",
            call=signature(name, kwargs),
        )
