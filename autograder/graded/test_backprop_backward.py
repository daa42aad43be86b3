"""Graded: unit 5, the backward pass of small MLPs written by hand (torch).

Gradients are compared with torch.autograd through torch's own activations and layers,
in float64. mlp_backward is run first on the cache of the student's own mlp_forward; when
that fails and the student's forward output or cache is off too (or it failed), it is
judged alone, on a correct cache in the documented format, so one bug costs only its own
task.
"""

from __future__ import annotations

from typing import Any

import pytest
import torch

from autograder.batching import batched, cases
from autograder.checks.compare import CheckFailure
from autograder.graded.contract import expect_value_error
from autograder.graded.nets import ACTIVATIONS, NETS, grad_names, net, task
from autograder.oracle import backprop as builtin
from autograder.strategies import DTYPES, randn
from autograder.worker.client import StudentFailure

pytestmark = pytest.mark.uses("activations", "losses")
TASK = "backprop.mlp_backward"


def _flat(grads: Any) -> list[Any] | None:
    """[dW1, db1, dW2, …] from [(dW1, db1), …], or None when it is not shaped like that."""
    if not isinstance(grads, (list, tuple)) or not all(
        isinstance(g, (list, tuple)) and len(g) == 2 for g in grads
    ):
        return None
    return [t for pair in grads for t in pair]


def _relative_error(got: list[Any], want: list[torch.Tensor], names: tuple[str, ...]) -> str:
    """' (relative error of dW2: 0.31)' for the first gradient that is off, else ''."""
    for name, g, w in zip(names, got, want, strict=False):
        if not isinstance(g, torch.Tensor) or g.shape != w.shape or g.dtype != w.dtype:
            return ""
        diff = (g.detach().cpu().double() - w.cpu().double()).norm()
        error = float(diff / w.cpu().double().norm().clamp_min(1e-30))
        if not error < 1e-6:
            return f" (relative error of {name}: {error:.2g})"
    return ""


class _Judge:
    """Compares one network's gradients with autograd's; knows the correct forward pass."""

    def __init__(self, check: Any, reference: Any, x: torch.Tensor, params: Any, act: str):
        self.check, self.x, self.params, self.activation = check, x, params, act
        self.out, cache = reference.backprop.mlp_forward(x, params, act)
        self.cache = {"activation": cache["activation"], "layers": cache["layers"]}

    def grads(self, grad_out: torch.Tensor, got: Any, call: str) -> None:
        dtype = grad_out.dtype
        _, cache = builtin.mlp_forward(
            self.x.double(), [(W.double(), b.double()) for W, b in self.params], self.activation
        )
        want = [
            t.to(dtype) for pair in builtin.mlp_backward(grad_out.double(), cache) for t in pair
        ]
        names, inputs = grad_names(len(self.params)), {"x": self.x, "grad_out": grad_out}
        flat = _flat(got)
        if flat is None or len(flat) != len(want):
            pairs = [tuple(want[i : i + 2]) for i in range(0, len(want), 2)]
            self.check.close(
                got, pairs, call=f"{call}: a list [(dW1, db1), …] in layer order", inputs=inputs
            )
        self.check.close(
            flat, want, call=call + _relative_error(flat, want, names), inputs=inputs, names=names
        )

    def forward_is_right(self, out: Any, cache: Any) -> bool:
        try:
            self.check.close([out, cache], [self.out, self.cache], call="mlp_forward")
        except CheckFailure:
            return False
        return True


def _judge_backward(student: Any, judge: _Judge, grad_out: torch.Tensor, call: str) -> Any:
    """The student's mlp_backward on its own cache; alone, on a correct cache, when that
    fails and the student's forward pass (output or cache) is off or failed (a batched
    body: use with `yield from`)."""
    args = (judge.x, judge.params, judge.activation, grad_out)
    own_forward = None
    try:
        out, cache, grads = yield student.harness("backprop.forward_backward", *args, task=TASK)
        own_forward = (out, cache)
        judge.grads(grad_out, grads, call)
        return
    except (CheckFailure, StudentFailure):
        if own_forward is not None and judge.forward_is_right(*own_forward):
            raise
    grads = yield student.value("backprop", "mlp_backward", grad_out, judge.cache)
    judge.grads(grad_out, grads, f"{call} (on a correct cache; your mlp_forward is off)")


@task("mlp_backward")
@cases(dtype=DTYPES, activation=ACTIVATIONS, name=list(NETS))
def test_mlp_backward_matches_autograd(student, reference, check, device, dtype, activation, name):
    sizes, batch = NETS[name]
    x, params = net(sizes, seed=61, dtype=dtype, device=device, batch=batch, scale=2.0)
    grad_out = randn(batch, sizes[-1], seed=62, dtype=dtype, device=device)
    judge = _Judge(check, reference, x, params, activation)
    call = f"mlp_backward(grad_out, cache) of a {name} net"
    yield from _judge_backward(student, judge, grad_out, call)


@task("mlp_backward")
@batched
def test_mlp_backward_relu_derivative_is_zero_at_zero(student, reference, check, device):
    x, params = net((3, 4, 2), seed=63, device=device, batch=5)
    x[2] = 0.0  # with zero biases this sample has z = 0 exactly in every layer
    params = [(W, torch.zeros_like(b)) for W, b in params]
    grad_out = randn(5, 2, seed=64, device=device)
    judge = _Judge(check, reference, x, params, "relu")
    call = "mlp_backward(grad_out, cache) of a relu net where some z are exactly 0 (relu′(0) = 0)"
    yield from _judge_backward(student, judge, grad_out, call)


@task("mlp_backward")
def test_mlp_backward_rejects_unknown_activation(student, reference, check, device):
    x, params = net((3, 4, 2), seed=65, device=device, batch=3)
    _, cache = reference.backprop.mlp_forward(x, params, "sigmoid")
    cache = {"activation": "softmax", "layers": cache["layers"]}
    grad_out = randn(3, 2, seed=66, device=device)
    outcomes = student.harness("backprop.mlp_backward_raises", grad_out, cache, task=TASK)
    expect_value_error(
        check, outcomes, ["mlp_backward(grad_out, cache) with cache['activation'] = 'softmax'"]
    )
