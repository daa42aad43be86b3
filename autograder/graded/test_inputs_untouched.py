"""Graded: units 3 and 4 leave their inputs as they were.

An activation or a loss that writes into its input (`x.clamp_(min=0)`, `pred -= target`)
returns the right value once, and corrupts the caller's tensor: the next layer, the
backward pass or the next epoch then works on changed data. The worker sends back the
arguments as they were after the call, and the grader compares them with its own
untouched copies, bit for bit.
"""

from __future__ import annotations

from typing import Any

import pytest
import torch

from autograder.batching import cases
from autograder.graded.contract import EXACT
from autograder.graded.test_activations import ELEMENTWISE
from autograder.graded.test_losses import LOSSES, _inputs
from autograder.strategies import randn

ACTIVATIONS = [
    *((name, kwargs) for name, (kwargs, _) in ELEMENTWISE.items()),
    *((f"{name}_grad", kwargs) for name, (kwargs, _) in ELEMENTWISE.items()),
    ("softmax", {"dim": -1}),
]
LOSS_TASKS = [name for loss in LOSSES for name in (loss, f"{loss}_grad")]


def _judge_kept(check: Any, reply: Any, given: dict[str, torch.Tensor], call: str) -> None:
    after = reply.args_after
    check.that(
        isinstance(after, list) and len(after) == len(given),
        "the grader got no answer (tell your instructor)",
        call=call,
    )
    for (name, before), got in zip(given.items(), after, strict=True):
        check.close(
            got,
            before,
            call=f"{call}: {name} afterwards (leave the inputs as they were; build new tensors)",
            tolerances=EXACT,
        )


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [pytest.param(n, k, marks=pytest.mark.task(f"activations.{n}"), id=n) for n, k in ACTIVATIONS],
)
@cases(dtype=(torch.float32, torch.float64))
def test_activation_leaves_x_alone(student, check, device, dtype, name, kwargs):
    x = randn(4, 5, seed=61, dtype=dtype, device=device, scale=3.0)
    x[0, 0] = 0.0  # the kink of relu and friends, where in-place tricks differ
    own = x.clone()
    reply = yield student.call("activations", name, own, return_args=True, **kwargs)
    _judge_kept(check, reply, {"x": x}, f"{name}(x)")


@pytest.mark.task("activations.softmax_backward")
@cases(dtype=(torch.float32, torch.float64))
def test_softmax_backward_leaves_its_inputs_alone(student, check, device, dtype):
    s = torch.softmax(randn(4, 5, seed=62, dtype=dtype, device=device), dim=-1)
    grad_out = randn(4, 5, seed=63, dtype=dtype, device=device)
    reply = yield student.call(
        "activations", "softmax_backward", s.clone(), grad_out.clone(), return_args=True
    )
    _judge_kept(check, reply, {"s": s, "grad_out": grad_out}, "softmax_backward(s, grad_out)")


@pytest.mark.parametrize(
    "name",
    [pytest.param(n, marks=pytest.mark.task(f"losses.{n}"), id=n) for n in LOSS_TASKS],
)
@cases(dtype=(torch.float32, torch.float64))
def test_loss_leaves_its_inputs_alone(student, check, device, dtype, name):
    first, second = _inputs(name, randn(4, 5, seed=64, scale=2.0), 65, dtype, device)
    names = LOSSES[name.removesuffix("_grad")][0]
    reply = yield student.call("losses", name, first.clone(), second.clone(), return_args=True)
    _judge_kept(check, reply, dict(zip(names, (first, second), strict=True)), name)
