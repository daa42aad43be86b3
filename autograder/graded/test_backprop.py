"""Graded: unit 5, forward and backward passes of small MLPs written by hand (torch).

Gradients are compared with torch.autograd through torch's own layers, in float64. The
student's mlp_forward cache never leaves the worker: autograder/harness/backprop.py hands
it straight to the student's mlp_backward and sends back only the output and gradients.
"""

from __future__ import annotations

import functools
import itertools
from typing import Any

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from autograder.checks import gradients
from autograder.checks.compare import CheckFailure
from autograder.config import Tolerance
from autograder.oracle import backprop as builtin
from autograder.strategies import DTYPE_IDS, DTYPES, randn
from autograder.worker.client import StudentFailure

pytestmark = pytest.mark.uses("activations", "losses")

NETS = {"4-3-2-1": (4, 3, 2, 1), "5-7-3": (5, 7, 3)}
ACTIVATIONS = ("sigmoid", "relu", "tanh")
LINEAR = ("dx", "dW", "db")
LOOSE32 = Tolerance(rtol=1e-4, atol=1e-6)
EXACT = {"float32": Tolerance(0.0, 0.0), "float64": Tolerance(0.0, 0.0)}
Params = list[tuple[torch.Tensor, torch.Tensor]]


def _task(name: str) -> pytest.MarkDecorator:
    return pytest.mark.task(f"backprop.{name}")


def _net(
    sizes: tuple[int, ...],
    seed: int,
    dtype: torch.dtype = torch.float64,
    device: str = "cpu",
    batch: int = 8,
    scale: float = 1.0,
) -> tuple[torch.Tensor, Params]:
    """A seeded batch x (batch, sizes[0]) and params [(W1, b1), …] for layer sizes `sizes`."""
    x = randn(batch, sizes[0], seed=seed, dtype=dtype, device=device, scale=scale)
    params = [
        (
            randn(n_out, n_in, seed=seed + 2 * k + 1, dtype=dtype, device=device),
            randn(n_out, seed=seed + 2 * k + 2, dtype=dtype, device=device),
        )
        for k, (n_in, n_out) in enumerate(itertools.pairwise(sizes))
    ]
    return x, params


def _names(n_layers: int) -> tuple[str, ...]:
    return tuple(f"d{p}{k}" for k in range(1, n_layers + 1) for p in ("W", "b"))


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


# ---- linear layer ----


@_task("linear_forward")
@pytest.mark.parametrize("batch", [1, 5])
@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_linear_forward_matches_reference(student, reference, check, device, dtype, batch):
    x = randn(batch, 3, seed=31, dtype=dtype, device=device)
    W = randn(4, 3, seed=32, dtype=dtype, device=device)
    b = randn(4, seed=33, dtype=dtype, device=device)
    check.close(
        student.backprop.linear_forward(x, W, b),
        reference.backprop.linear_forward(x, W, b),
        call="linear_forward(x, W, b)",
        inputs={"x": x, "W": W, "b": b},
        seed=31,
    )


@_task("linear_backward")
@pytest.mark.parametrize("batch", [1, 5])
@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_linear_backward_matches_autograd(student, check, device, dtype, batch):
    x = randn(batch, 3, seed=41, dtype=dtype, device=device)
    W, b = randn(4, 3, seed=42, dtype=dtype, device=device), randn(4, seed=43, device=device)
    grad_out = randn(batch, 4, seed=44, dtype=dtype, device=device)
    want = [t.to(dtype) for t in gradients.of_many(F.linear, [x, W, b], grad_out)]
    check.close(
        student.backprop.linear_backward(grad_out, x, W),
        want,
        call="linear_backward(grad_out, x, W)",
        inputs={"grad_out": grad_out, "x": x, "W": W},
        seed=41,
        names=LINEAR,
    )


@_task("linear_backward")
@given(st.integers(1, 6), st.integers(1, 6), st.integers(1, 6), st.integers(0, 2**16))
def test_linear_backward_any_shape(student, check, device, batch, n_in, n_out, seed):
    x = randn(batch, n_in, seed=seed, device=device)
    W, b = (
        randn(n_out, n_in, seed=seed + 1, device=device),
        randn(n_out, seed=seed + 2, device=device),
    )
    grad_out = randn(batch, n_out, seed=seed + 3, device=device)
    check.close(
        student.backprop.linear_backward(grad_out, x, W),
        list(gradients.of_many(F.linear, [x, W, b], grad_out)),
        call="linear_backward(grad_out, x, W)",
        inputs={"grad_out": grad_out, "x": x, "W": W},
        seed=seed,
        names=LINEAR,
    )


# ---- MLP forward and backward ----


@_task("mlp_forward")
@pytest.mark.parametrize("net", list(NETS))
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_mlp_forward_matches_reference(student, reference, check, device, dtype, activation, net):
    x, params = _net(NETS[net], seed=51, dtype=dtype, device=device, scale=2.0)
    got = student.backprop.mlp_forward(x, params, activation)
    check.that(
        isinstance(got, (list, tuple)) and len(got) == 2,
        "expected a tuple (out, cache)",
        call=f"mlp_forward(x, params, {activation!r})",
    )
    want, _ = reference.backprop.mlp_forward(x, params, activation)
    check.close(
        got[0],
        want,
        call=f"mlp_forward(x, params, {activation!r}) → out of a {net} "
        "net (activation after every layer, the last one included)",
        inputs={"x": x},
        seed=51,
    )


@_task("mlp_forward")
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_mlp_forward_is_finite_for_huge_inputs(student, reference, check, device, activation):
    _, params = _net(NETS["4-3-2-1"], seed=52, device=device)
    x = torch.tensor(
        [[1e4, -1e4, 30.0, 0.0], [-1e4, 1e4, -30.0, 100.0]], dtype=torch.float64, device=device
    )
    got = student.backprop.mlp_forward(x, params, activation)
    check.that(
        isinstance(got, (list, tuple)) and len(got) == 2,
        "expected a tuple (out, cache)",
        call=f"mlp_forward(x, params, {activation!r})",
    )
    check.close(
        got[0],
        reference.backprop.mlp_forward(x, params, activation)[0],
        call=f"mlp_forward(x, params, {activation!r}) → out",
        inputs={"x": x},
    )


@_task("mlp_backward")
@pytest.mark.parametrize("net", list(NETS))
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_mlp_backward_matches_autograd(student, check, device, dtype, activation, net):
    x, params = _net(NETS[net], seed=61, dtype=dtype, device=device, scale=2.0)
    grad_out = randn(x.shape[0], NETS[net][-1], seed=62, dtype=dtype, device=device)
    out, cache = builtin.mlp_forward(
        x.double(), [(W.double(), b.double()) for W, b in params], activation
    )
    want = [t.to(dtype) for pair in builtin.mlp_backward(grad_out.double(), cache) for t in pair]
    judge = functools.partial(
        _check_grads,
        check,
        want=want,
        names=_names(len(params)),
        call=f"mlp_backward(grad_out, cache) of a {net} {activation} net",
        inputs={"x": x, "grad_out": grad_out},
    )
    args = (x, params, activation, grad_out)
    try:
        got_out, grads = _backward(student, "forward_backward", *args)
        judge(grads)
        return
    except (CheckFailure, StudentFailure) as exc:
        first = exc
        own_forward_ok = isinstance(exc, CheckFailure) and _matches(check, got_out, out.to(dtype))
    if own_forward_ok:
        raise first
    try:  # the student's mlp_forward is off: judge mlp_backward alone, on a correct cache
        judge(_backward(student, "backward_on_documented_cache", *args))
    except (CheckFailure, StudentFailure):
        raise first from None


def _backward(student: Any, how: str, *args: Any) -> Any:
    return student.harness(f"backprop.{how}", *args, task="backprop.mlp_backward")


def _matches(check: Any, got: Any, want: Any) -> bool:
    try:
        check.close(got, want, call="mlp_forward")
    except CheckFailure:
        return False
    return True


def _check_grads(
    check: Any,
    grads: Any,
    *,
    want: list[torch.Tensor],
    names: tuple[str, ...],
    call: str,
    inputs: dict[str, Any],
) -> None:
    flat = _flat(grads)
    if flat is None or len(flat) != len(want):
        pairs = [tuple(want[i : i + 2]) for i in range(0, len(want), 2)]
        check.close(
            grads,
            pairs,
            call=f"{call}: a list [(dW1, db1), …] in layer order",
            inputs=inputs,
            seed=61,
        )
    check.close(
        flat,
        want,
        call=call + _relative_error(flat, want, names),
        inputs=inputs,
        seed=61,
        names=names,
    )


# ---- training by hand ----


def _autograd_sgd(
    params: Params, x: torch.Tensor, y: torch.Tensor, lr: float, epochs: int
) -> tuple[Params, list[float]]:
    """The grader's own loop: sigmoid MLP, F.mse_loss, loss.backward(), torch.optim.SGD."""
    leaves = [
        (W.detach().clone().requires_grad_(True), b.detach().clone().requires_grad_(True))
        for W, b in params
    ]
    opt = torch.optim.SGD([t for pair in leaves for t in pair], lr=lr)
    losses = []
    for _ in range(epochs):
        opt.zero_grad()
        a = x
        for W, b in leaves:
            a = torch.sigmoid(F.linear(a, W, b))
        loss = F.mse_loss(a, y)
        losses.append(loss.item())
        loss.backward()
        opt.step()
    return [(W.detach(), b.detach()) for W, b in leaves], losses


@_task("train_manual")
@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_train_manual_follows_autograd_and_sgd(student, reference, check, device, dtype):
    lr, epochs = 0.5, 10
    x, params = _net(NETS["4-3-2-1"], seed=71, dtype=dtype, device=device, batch=8)
    gen = torch.Generator().manual_seed(72)
    y = torch.rand(8, 1, generator=gen, dtype=torch.float64).to(dtype).to(device)
    call = f"train_manual(params, x, y, lr={lr}, epochs={epochs}) on a 4-3-2-1 sigmoid net"
    tol = {"float32": LOOSE32, "float64": LOOSE32} if dtype == torch.float32 else None
    inputs = {"x": x, "y": y}
    reply = student.call("backprop", "train_manual", params, x, y, lr, epochs, return_args=True)
    check.close(
        reply.args_after[:3],
        [params, x, y],
        names=("params", "x", "y"),
        call=f"{call} must leave its inputs alone (return new tensors)",
        tolerances=EXACT,
    )
    check.close(
        reply.value,
        reference.backprop.train_manual(params, x, y, lr, epochs),
        call=f"{call} vs the reference",
        inputs=inputs,
        seed=71,
        names=("params", "losses"),
        tolerances=tol,
    )
    check.close(
        reply.value,
        _autograd_sgd(params, x, y, lr, epochs),
        call=f"{call} vs loss.backward() + torch.optim.SGD",
        inputs=inputs,
        seed=71,
        names=("params", "losses"),
        tolerances=tol,
    )
