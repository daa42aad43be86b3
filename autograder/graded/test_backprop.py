"""Graded: unit 5, forward passes of a linear layer and of small MLPs written by hand (torch).

mlp_forward is judged on its output and on its cache, where the cache is made: the cache
never leaves the worker as it is, autograder/harness/backprop.py sends back only its
documented entries. Every backprop function must leave global settings alone.
"""

from __future__ import annotations

from typing import Any

import pytest
import torch
import torch.nn.functional as F
from hypothesis import strategies as st

from autograder.batching import cases, given
from autograder.checks import gradients
from autograder.graded.contract import OBSERVE_SEED, check_untouched, expect_value_error
from autograder.graded.nets import ACTIVATIONS, INVALID_ACTIVATIONS, NETS, net, task
from autograder.seeds import mixed
from autograder.strategies import DTYPES, randn

pytestmark = pytest.mark.uses("activations", "losses")

LINEAR = ("dx", "dW", "db")
# (batch, in, out): one sample, one input, one output
LINEAR_SHAPES = [(5, 3, 4), (1, 3, 4), (4, 1, 3), (3, 4, 1), (1, 1, 1)]
CACHE_FORMAT = "cache = {'activation': name, 'layers': [{'x': input, 'W', 'z', 'a'}, …]}"


# ---- linear layer ----


@task("linear_forward")
@cases(dtype=DTYPES, shape=LINEAR_SHAPES)
def test_linear_forward_matches_reference(student, reference, check, device, dtype, shape):
    batch, n_in, n_out = shape
    x = randn(batch, n_in, seed=31, dtype=dtype, device=device)
    W = randn(n_out, n_in, seed=32, dtype=dtype, device=device)
    b = randn(n_out, seed=33, dtype=dtype, device=device)
    check.close(
        (yield student.backprop.linear_forward(x, W, b)),
        reference.backprop.linear_forward(x, W, b),
        call="linear_forward(x, W, b)",
        inputs={"x": x, "W": W, "b": b},
        seed=31,
    )


@task("linear_backward")
@cases(dtype=DTYPES, shape=LINEAR_SHAPES)
def test_linear_backward_matches_autograd(student, check, device, dtype, shape):
    batch, n_in, n_out = shape
    x = randn(batch, n_in, seed=41, dtype=dtype, device=device)
    W = randn(n_out, n_in, seed=42, dtype=dtype, device=device)
    b = randn(n_out, seed=43, device=device)
    grad_out = randn(batch, n_out, seed=44, dtype=dtype, device=device)
    want = [t.to(dtype) for t in gradients.of_many(F.linear, [x, W, b], grad_out)]
    check.close(
        (yield student.backprop.linear_backward(grad_out, x, W)),
        want,
        call="linear_backward(grad_out, x, W)",
        inputs={"grad_out": grad_out, "x": x, "W": W},
        seed=41,
        names=LINEAR,
    )


@task("linear_backward")
@given(st.integers(1, 6), st.integers(1, 6), st.integers(1, 6), st.integers(0, 2**16))
def test_linear_backward_any_shape(student, check, device, batch, n_in, n_out, seed):
    x = randn(batch, n_in, seed=seed, device=device)
    W, b = (
        randn(n_out, n_in, seed=seed + 1, device=device),
        randn(n_out, seed=seed + 2, device=device),
    )
    grad_out = randn(batch, n_out, seed=seed + 3, device=device)
    check.close(
        (yield student.backprop.linear_backward(grad_out, x, W)),
        list(gradients.of_many(F.linear, [x, W, b], grad_out)),
        call="linear_backward(grad_out, x, W)",
        inputs={"grad_out": grad_out, "x": x, "W": W},
        seed=seed,
        names=LINEAR,
    )


# ---- MLP forward ----


@task("mlp_forward")
@cases(dtype=DTYPES, activation=ACTIVATIONS, name=list(NETS))
def test_mlp_forward_output_and_cache(student, reference, check, device, dtype, activation, name):
    sizes, batch = NETS[name]
    x, params = net(sizes, seed=51, dtype=dtype, device=device, batch=batch, scale=2.0)
    call = f"mlp_forward(x, params, {activation!r}) of a {name} net"
    got = yield student.harness(
        "backprop.forward_cache", x, params, activation, task="backprop.mlp_forward"
    )
    want_out, want_cache = reference.backprop.mlp_forward(x, params, activation)
    check.close(
        got[0],
        want_out,
        call=f"{call} → out (activation after every layer, the last one included)",
        inputs={"x": x},
        seed=51,
    )
    check.close(
        got[1],
        {"activation": want_cache["activation"], "layers": want_cache["layers"]},
        call=f"{call} ({CACHE_FORMAT}, one entry per layer in forward order) → cache",
        inputs={"x": x},
        seed=51,
    )


@task("mlp_forward")
@cases(activation=ACTIVATIONS)
def test_mlp_forward_is_finite_for_huge_inputs(student, reference, check, device, activation):
    _, params = net(NETS["4-3-2-1"][0], seed=52, device=device)
    x = torch.tensor(
        [[1e4, -1e4, 30.0, 0.0], [-1e4, 1e4, -30.0, 100.0]], dtype=torch.float64, device=device
    )
    got = yield student.harness(
        "backprop.forward_cache", x, params, activation, task="backprop.mlp_forward"
    )
    check.close(
        got[0],
        reference.backprop.mlp_forward(x, params, activation)[0],
        call=f"mlp_forward(x, params, {activation!r}) → out",
        inputs={"x": x},
    )


@task("mlp_forward")
def test_mlp_forward_default_activation_is_sigmoid(student, reference, check, device):
    x, params = net(NETS["5-7-3"][0], seed=58, device=device, batch=3)
    got = student.harness("backprop.forward_cache", x, params, None, task="backprop.mlp_forward")
    check.close(
        list(got),
        list(reference.backprop.mlp_forward(x, params, "sigmoid")),
        call="mlp_forward(x, params) without an activation (the default is 'sigmoid')",
        inputs={"x": x},
        names=("out", "cache"),
    )


@task("mlp_forward")
def test_mlp_forward_rejects_unknown_activations(student, check, device):
    x, params = net(NETS["5-7-3"][0], seed=53, device=device)
    outcomes = student.harness(
        "backprop.mlp_forward_raises",
        x,
        params,
        INVALID_ACTIVATIONS,
        task="backprop.mlp_forward",
    )
    calls = [f"mlp_forward(x, params, {name!r}) (an unknown name)" for name in INVALID_ACTIVATIONS]
    expect_value_error(check, outcomes, calls)


# ---- global settings: seeds, default dtype, grad mode ----


def _global_cases() -> list[Any]:
    names = ("linear_forward", "linear_backward", "mlp_forward", "mlp_backward", "train_manual")
    return [pytest.param(n, marks=task(n), id=n) for n in names]


@pytest.mark.parametrize("name", _global_cases())
def test_leaves_global_settings_alone(student, reference, check, device, name):
    x, params = net(NETS["5-7-3"][0], seed=54, device=device, batch=4)  # float64
    W, b = params[0]
    _, cache = reference.backprop.mlp_forward(x, params, "tanh")
    y = torch.rand(4, 3, generator=torch.Generator().manual_seed(mixed(56)), dtype=torch.float64)
    args = {
        "linear_forward": (x, W, b),
        "linear_backward": (randn(4, 7, seed=57, device=device), x, W),
        "mlp_forward": (x, params, "tanh"),
        "mlp_backward": (randn(4, 3, seed=55, device=device), cache),
        "train_manual": (params, x, y.to(device), 0.5, 3),
    }[name]
    observed = student.harness(
        "backprop.observed", name, OBSERVE_SEED, *args, task=f"backprop.{name}"
    )
    call = f"{name}(…) on float64 inputs, started from torch's defaults"
    check_untouched(check, observed, call=call, seed=OBSERVE_SEED)
