"""Graded: unit 3, activation functions and their derivatives (torch)."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import strategies as st

from autograder.batching import batched, cases, given
from autograder.checks import gradients
from autograder.oracle import activations as builtin
from autograder.strategies import DTYPES, arrays, as_tensor, off_kinks, randn

# name → (keyword arguments, kinks of the function where its derivative jumps)
ELEMENTWISE = {
    "sigmoid": ({}, ()),
    "tanh": ({}, ()),
    "relu": ({}, (0.0,)),
    "leaky_relu": ({"alpha": 0.1}, (0.0,)),
    "elu": ({"alpha": 0.7}, (0.0,)),
}
HUGE = torch.tensor([-1e4, -100.0, -30.0, 0.0, 30.0, 100.0, 1e4], dtype=torch.float64)
# rows at very different scales (softmax must shift each row by its own max)
FAR_ROWS = [[1e4, 0.0, -1e4, 9999.0], [-1e4, -9999.0, -9998.0, -1e4]]


def _task(name: str) -> pytest.MarkDecorator:
    return pytest.mark.task(f"activations.{name}")


def _params(names: list[str]) -> list[object]:
    return [pytest.param(n, marks=_task(n), id=n) for n in names]


def _call(name: str, kwargs: dict[str, object], arg: str = "x") -> str:
    extra = "".join(f", {k}={v}" for k, v in kwargs.items())
    return f"{name}({arg}{extra})"


@pytest.mark.parametrize("name", _params([*ELEMENTWISE, "softmax"]))
@cases(dtype=DTYPES)
def test_forward_matches_reference_on_seeded_input(student, reference, check, device, dtype, name):
    kwargs = ELEMENTWISE.get(name, ({"dim": -1}, ()))[0]
    x = randn(4, 5, seed=11, dtype=dtype, device=device, scale=3.0)
    got = yield getattr(student.activations, name)(x, **kwargs)
    want = getattr(reference.activations, name)(x, **kwargs)
    check.close(got, want, call=_call(name, kwargs), inputs={"x": x}, seed=11)


@pytest.mark.parametrize("name", _params([*ELEMENTWISE, "softmax"]))
@cases(dtype=DTYPES)
def test_forward_is_finite_and_exact_at_huge_inputs(student, reference, check, device, dtype, name):
    kwargs = ELEMENTWISE.get(name, ({"dim": -1}, ()))[0]
    x = HUGE.to(dtype).to(device)
    got = yield getattr(student.activations, name)(x, **kwargs)
    want = getattr(reference.activations, name)(x, **kwargs)
    check.close(got, want, call=_call(name, kwargs), inputs={"x": x})


@_task("sigmoid")
def test_sigmoid_hand_checked_values(student, check, device):
    x = torch.tensor([0.0, 2.0, -2.0], dtype=torch.float64, device=device)
    want = torch.tensor(
        [0.5, 0.8807970779778823, 0.11920292202211755], dtype=torch.float64, device=device
    )
    check.close(student.activations.sigmoid(x), want, call="sigmoid(x)", inputs={"x": x})


@_task("sigmoid")
@given(arrays(bound=60.0))
def test_sigmoid_is_symmetric(student, check, device, arr):
    x = as_tensor(arr, torch.float64, device)
    pos, neg = yield student.activations.sigmoid(x), student.activations.sigmoid(-x)
    check.close(
        neg,
        1.0 - pos if isinstance(pos, torch.Tensor) else pos,
        call="sigmoid(-x) vs 1 - sigmoid(x)",
        inputs={"x": x},
        tolerances={"float64": _loose()},
    )


@_task("tanh")
@given(arrays(bound=40.0))
def test_tanh_equals_two_sigmoid_two_x_minus_one(student, reference, check, device, arr):
    x = as_tensor(arr, torch.float64, device)
    want = 2.0 * reference.activations.sigmoid(2.0 * x) - 1.0
    check.close(
        (yield student.activations.tanh(x)),
        want,
        call="tanh(x) vs 2σ(2x) − 1",
        inputs={"x": x},
        tolerances={"float64": _loose()},
    )


@pytest.mark.parametrize("name", _params([*ELEMENTWISE]))
@given(arr=arrays(bound=50.0))
def test_forward_matches_reference_on_random_input(student, reference, check, device, name, arr):
    """Values no one can know in advance (under a course secret, see autograder.seeds): a
    constant or a table of the fixed inputs' answers fails here."""
    kwargs = ELEMENTWISE[name][0]
    x = as_tensor(arr, torch.float64, device)
    want = getattr(reference.activations, name)(x, **kwargs)
    check.close(
        (yield getattr(student.activations, name)(x, **kwargs)),
        want,
        call=_call(name, kwargs),
        inputs={"x": x},
    )


@_task("softmax")
@given(arrays(bound=50.0), st.floats(-100.0, 100.0))
def test_softmax_rows_sum_to_one_and_ignore_shifts(student, reference, check, device, arr, shift):
    x = as_tensor(arr, torch.float64, device)
    s, shifted = yield (
        student.activations.softmax(x, dim=-1),
        student.activations.softmax(x + shift, dim=-1),
    )
    check.close(
        s.sum(dim=-1) if isinstance(s, torch.Tensor) else s,
        torch.ones(x.shape[:-1], dtype=torch.float64, device=device),
        call="softmax(x, dim=-1).sum(dim=-1)",
        inputs={"x": x},
        tolerances={"float64": _loose()},
    )
    check.close(
        s,
        reference.activations.softmax(x, dim=-1),
        call="softmax(x, dim=-1)",
        inputs={"x": x},
        tolerances={"float64": _loose()},
    )
    check.close(
        shifted,
        s,
        call=f"softmax(x + {shift:g}) vs softmax(x)",
        inputs={"x": x},
        tolerances={"float64": _loose()},
    )


@_task("softmax")
@cases(dtype=DTYPES)
def test_softmax_is_finite_for_rows_far_apart(student, reference, check, device, dtype):
    # each row needs its own max: one max over the whole tensor underflows the second row
    x = torch.tensor(FAR_ROWS, dtype=dtype, device=device)
    check.close(
        (yield student.activations.softmax(x, dim=-1)),
        reference.activations.softmax(x, dim=-1),
        call="softmax(x, dim=-1)",
        inputs={"x": x},
    )


@_task("softmax")
@cases(dim=[0, 1])
def test_softmax_respects_dim(student, reference, check, device, dim):
    x = randn(3, 4, seed=5, device=device)
    check.close(
        (yield student.activations.softmax(x, dim=dim)),
        reference.activations.softmax(x, dim=dim),
        call=f"softmax(x, dim={dim})",
        inputs={"x": x},
        seed=5,
    )


# ---- derivatives: compared with torch.autograd through torch's own forward, in float64 ----


def _loose() -> object:
    from autograder.config import Tolerance

    return Tolerance(rtol=1e-7, atol=1e-10)


@pytest.mark.parametrize("name", _params([f"{n}_grad" for n in ELEMENTWISE]))
@batched
def test_derivative_matches_autograd_on_seeded_input(student, reference, check, device, name):
    forward = name.removesuffix("_grad")
    kwargs = ELEMENTWISE[forward][0]
    x = randn(4, 5, seed=7, device=device, scale=3.0)
    want = gradients.elementwise(getattr(builtin, forward), x, **kwargs)
    check.close(
        (yield getattr(student.activations, name)(x, **kwargs)),
        want,
        call=_call(name, kwargs),
        inputs={"x": x},
        seed=7,
    )


@pytest.mark.parametrize("name", _params([f"{n}_grad" for n in ELEMENTWISE]))
@batched
def test_derivative_keeps_float32_and_device(student, reference, check, device, name):
    forward = name.removesuffix("_grad")
    kwargs = ELEMENTWISE[forward][0]
    x = randn(3, 4, seed=8, dtype=torch.float32, device=device, scale=3.0)
    want = gradients.elementwise(getattr(builtin, forward), x, **kwargs)
    check.close(
        (yield getattr(student.activations, name)(x, **kwargs)),
        want.to(torch.float32),
        call=_call(name, kwargs),
        inputs={"x": x},
        seed=8,
    )


@pytest.mark.parametrize("name", _params([f"{n}_grad" for n in ELEMENTWISE]))
@given(arr=arrays(bound=25.0, avoid=(0.0,)))
def test_derivative_matches_autograd_off_kinks(student, reference, check, device, name, arr):
    forward = name.removesuffix("_grad")
    kwargs, kinks = ELEMENTWISE[forward]
    off_kinks(arr, kinks)
    x = as_tensor(arr, torch.float64, device)
    want = gradients.elementwise(getattr(builtin, forward), x, **kwargs)
    check.close(
        (yield getattr(student.activations, name)(x, **kwargs)),
        want,
        call=_call(name, kwargs),
        inputs={"x": x},
    )


@pytest.mark.parametrize("name", _params([f"{n}_grad" for n in ELEMENTWISE]))
@batched
def test_derivative_is_finite_at_huge_inputs(student, reference, check, device, name):
    forward = name.removesuffix("_grad")
    kwargs = ELEMENTWISE[forward][0]
    x = HUGE.to(device)
    want = gradients.elementwise(getattr(builtin, forward), x, **kwargs)
    check.close(
        (yield getattr(student.activations, name)(x, **kwargs)),
        want,
        call=_call(name, kwargs),
        inputs={"x": x},
    )


@_task("relu_grad")
def test_relu_grad_is_zero_at_zero(student, check, device):
    x = torch.tensor([-1.0, 0.0, 2.0], dtype=torch.float64, device=device)
    want = torch.tensor([0.0, 0.0, 1.0], dtype=torch.float64, device=device)
    check.close(student.activations.relu_grad(x), want, call="relu_grad(x)", inputs={"x": x})


@_task("softmax_backward")
@cases(dim=[-1, 0])
def test_softmax_backward_matches_autograd(student, reference, check, device, dim):
    x = randn(3, 5, seed=21, device=device, scale=2.0)
    grad_out = randn(3, 5, seed=22, device=device)
    s = reference.activations.softmax(x, dim=dim)
    want = gradients.vjp(builtin.softmax, x, grad_out, dim=dim)
    check.close(
        (yield student.activations.softmax_backward(s, grad_out, dim=dim)),
        want,
        call=f"softmax_backward(s, grad_out, dim={dim})",
        inputs={"s": s, "grad_out": grad_out},
        seed=21,
    )


@_task("softmax_backward")
@given(arrays(bound=30.0), st.integers(0, 2**16))
def test_softmax_backward_property(student, reference, check, device, arr, seed):
    x = as_tensor(arr, torch.float64, device)
    grad_out = randn(*x.shape, seed=seed, device=device)
    s = reference.activations.softmax(x, dim=-1)
    want = gradients.vjp(builtin.softmax, x, grad_out, dim=-1)
    check.close(
        (yield student.activations.softmax_backward(s, grad_out, dim=-1)),
        want,
        call="softmax_backward(s, grad_out)",
        inputs={"s": s, "grad_out": grad_out},
        seed=seed,
    )


@pytest.mark.parametrize("name", _params(["leaky_relu", "elu", "leaky_relu_grad", "elu_grad"]))
@cases(alpha=(None, 0.3, 2.5))
def test_alpha_is_honoured_and_defaults_as_documented(
    student, reference, check, device, name, alpha
):
    """alpha left out (its documented default), and values other than the ones the other
    tests use: a hard-coded alpha shows here."""
    kwargs = {} if alpha is None else {"alpha": alpha}
    x = randn(4, 5, seed=17, device=device, scale=3.0)
    forward = name.removesuffix("_grad")
    if name.endswith("_grad"):
        want = gradients.elementwise(getattr(builtin, forward), x, **kwargs)
    else:
        want = getattr(reference.activations, name)(x, **kwargs)
    check.close(
        (yield getattr(student.activations, name)(x, **kwargs)),
        want,
        call=_call(name, kwargs),
        inputs={"x": x},
        seed=17,
    )


@pytest.mark.parametrize("name", _params(["leaky_relu_grad", "elu_grad"]))
@cases(alpha=(0.3, 1.5))
def test_derivative_at_the_kink_is_alpha_as_documented(student, check, device, name, alpha):
    """At x = 0 both take the x ≤ 0 branch, as torch does: the derivative is α."""
    x = torch.tensor([-1.0, 0.0, 2.0], dtype=torch.float64, device=device)
    left = alpha if name == "leaky_relu_grad" else alpha * math.exp(-1.0)
    want = torch.tensor([left, alpha, 1.0], dtype=torch.float64, device=device)
    check.close(
        (yield getattr(student.activations, name)(x, alpha=alpha)),
        want,
        call=f"{name}(x, alpha={alpha}) at x = 0 (α there, as torch)",
        inputs={"x": x},
    )
