"""Graded: unit 4, loss functions (mean reduction) and their gradients (torch)."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograder.checks import gradients
from autograder.oracle import losses as builtin
from autograder.strategies import DTYPE_IDS, DTYPES, arrays, as_tensor, off_kinks, randn, shapes

# name → (argument names, how its inputs are made)
LOSSES = {
    "mse_loss": (("pred", "target"), "regression"),
    "mae_loss": (("pred", "target"), "regression"),
    "smooth_l1_loss": (("pred", "target"), "regression"),
    "bce_loss": (("prob", "target"), "probability"),
    "cross_entropy_loss": (("logits", "labels"), "classes"),
    "hinge_loss": (("scores", "labels"), "signs"),
    "multiclass_hinge_loss": (("scores", "labels"), "classes"),
}
# (loss, keyword arguments): the defaults, plus a non-default beta and margin
VARIANTS = [*((n, {}) for n in LOSSES), ("smooth_l1_loss", {"beta": 0.3}),
            ("multiclass_hinge_loss", {"margin": 2.0})]
EPS = 1e-7  # bce_loss's default clamp margin
MATRICES = shapes(min_dims=2, max_dims=2, max_side=5)
SEEDS = st.integers(0, 2**16)
# huge logits, rows: far apart, all equal, a tie at the top, label at the top
HUGE_LOGITS = [[1e4, -1e4, 0.0, 30.0], [-1e4, -1e4, -1e4, -1e4], [1e4, 1e4, -1e4, 0.0],
               [-1e4, 100.0, -30.0, 1e4]]
HUGE_LABELS = [1, 2, 0, 3]


def _task(name: str) -> pytest.MarkDecorator:
    return pytest.mark.task(f"losses.{name}")


def _params(cases: list[tuple[str, dict[str, float]]], grad: bool = False) -> list[object]:
    out = []
    for name, kwargs in cases:
        full = f"{name}_grad" if grad else name
        extra = "".join(f"-{k}={v}" for k, v in kwargs.items())
        out.append(pytest.param(full, kwargs, marks=_task(full), id=full + extra))
    return out


def _call(name: str, kwargs: dict[str, float]) -> str:
    args = ", ".join(LOSSES[name.removesuffix("_grad")][0])
    extra = "".join(f", {k}={v}" for k, v in kwargs.items())
    return f"{name}({args}{extra})"


def _inputs(name: str, base: torch.Tensor, seed: int, dtype: torch.dtype,
            device: str) -> tuple[torch.Tensor, torch.Tensor]:
    """(first, second) argument of loss `name` built from a float64 (N, C) matrix and a seed."""
    family = LOSSES[name.removesuffix("_grad")][1]
    gen = torch.Generator().manual_seed(seed)
    n, c = base.shape
    if family == "regression":
        first, second = base, 3.0 * torch.randn(n, c, generator=gen, dtype=torch.float64)
    elif family == "probability":  # about one in seven probabilities is exactly 0 or 1
        first = torch.clamp(0.5 + 0.1 * base, 0.0, 1.0)
        second = torch.rand(n, c, generator=gen, dtype=torch.float64)
    elif family == "classes":
        first, second = base, torch.randint(c, (n,), generator=gen)
    else:
        first = base
        second = (2 * torch.randint(2, (n, c), generator=gen) - 1).to(torch.float64)
    second = second.to(dtype) if second.is_floating_point() else second
    return first.to(dtype).to(device), second.to(device)


def _named(name: str, first: torch.Tensor, second: torch.Tensor) -> dict[str, torch.Tensor]:
    return dict(zip(LOSSES[name.removesuffix("_grad")][0], (first, second), strict=True))


def _autograd(name: str, first: torch.Tensor, second: torch.Tensor,
              kwargs: dict[str, float]) -> torch.Tensor:
    """∂L/∂first through torch's built-in loss, in float64."""
    forward = getattr(builtin, name.removesuffix("_grad"))
    second = second.double() if second.is_floating_point() else second
    return gradients.of_scalar(forward, first, second, **kwargs)


def _keep_off_kinks(name: str, first: torch.Tensor, second: torch.Tensor,
                    kwargs: dict[str, float]) -> None:
    """Reject an example near a point where the loss's gradient jumps."""
    loss = name.removesuffix("_grad")
    p, t = first.detach().cpu().double(), second.detach().cpu()
    if loss == "mae_loss":
        off_kinks(p - t, (0.0,))
    elif loss == "smooth_l1_loss":
        off_kinks(torch.abs(p - t), (kwargs.get("beta", 1.0),))
    elif loss == "bce_loss":
        off_kinks(p, (EPS, 1.0 - EPS), margin=1e-9)
    elif loss == "hinge_loss":
        off_kinks(1.0 - t.double() * p, (0.0,))
    elif loss == "multiclass_hinge_loss":
        index = t.long().unsqueeze(1)
        margins = p - p.gather(1, index) + kwargs.get("margin", 1.0)
        off_kinks(margins.scatter(1, index, 1.0), (0.0,))


def _scalar(value: float, dtype: torch.dtype, device: str) -> torch.Tensor:
    return torch.tensor(value, dtype=dtype, device=device)


# ---- losses: seeded inputs vs the reference, hand-checked values, properties ----


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize(("name", "kwargs"), _params(VARIANTS))
def test_loss_matches_reference_on_seeded_input(student, reference, check, device, dtype, name,
                                                kwargs):
    first, second = _inputs(name, randn(4, 5, seed=31, scale=2.0), 32, dtype, device)
    got = getattr(student.losses, name)(first, second, **kwargs)
    want = getattr(reference.losses, name)(first, second, **kwargs)
    check.close(got, want, call=_call(name, kwargs), inputs=_named(name, first, second), seed=31)


def _t(values: list[object], floating: bool = True) -> tuple[list[object], bool]:
    return values, floating


# (function, first, second, keyword arguments, value worked out by hand)
HAND = [
    ("mse_loss", _t([1.0, 2.0]), _t([1.0, 4.0]), {}, 2.0),
    ("mae_loss", _t([1.0, 2.0, 3.0]), _t([2.0, 2.0, 5.0]), {}, 1.0),
    ("smooth_l1_loss", _t([0.0, 0.0]), _t([0.5, 3.0]), {}, (0.125 + 2.5) / 2),
    ("smooth_l1_loss", _t([1.0, 3.0]), _t([0.0, 0.0]), {"beta": 2.0}, (0.25 + 2.0) / 2),
    ("bce_loss", _t([0.5, 0.8]), _t([1.0, 0.0]), {}, (math.log(2.0) - math.log(0.2)) / 2),
    ("cross_entropy_loss", _t([[0.0, 0.0], [1.0, 3.0]]), _t([0, 1], False), {},
     (math.log(2.0) + math.log1p(math.exp(-2.0))) / 2),
    ("hinge_loss", _t([2.0, 0.5, -1.0, 0.25]), _t([1.0, 1.0, 1.0, -1.0]), {}, 3.75 / 4),
    ("multiclass_hinge_loss", _t([[3.0, 1.0, 2.5], [0.0, 1.0, 0.0]]), _t([0, 0], False), {},
     (0.5 + 3.0) / 2),
    ("multiclass_hinge_loss", _t([[3.0, 1.0, 2.5], [0.0, 1.0, 0.0]]), _t([0, 0], False),
     {"margin": 0.25}, (0.0 + 2.5) / 2),
    ("mse_loss_grad", _t([1.0, 2.0]), _t([1.0, 4.0]), {}, [0.0, -2.0]),
    ("mae_loss_grad", _t([1.0, 2.0, 3.0]), _t([2.0, 2.0, 5.0]), {}, [-1 / 3, 0.0, -1 / 3]),
    ("smooth_l1_loss_grad", _t([0.0, 0.0]), _t([0.5, 3.0]), {}, [-0.25, -0.5]),
    ("smooth_l1_loss_grad", _t([1.0, 3.0]), _t([0.0, 0.0]), {"beta": 2.0}, [0.25, 0.5]),
    ("bce_loss_grad", _t([0.5, 0.8]), _t([1.0, 0.0]), {}, [-1.0, 2.5]),
    ("cross_entropy_loss_grad", _t([[0.0, 0.0]]), _t([0], False), {}, [[-0.5, 0.5]]),
    ("hinge_loss_grad", _t([2.0, 0.5, -1.0, 0.25]), _t([1.0, 1.0, 1.0, -1.0]), {},
     [0.0, -0.25, -0.25, 0.25]),
    ("multiclass_hinge_loss_grad", _t([[3.0, 1.0, 2.5], [0.0, 1.0, 0.0]]), _t([0, 0], False),
     {}, [[-0.5, 0.0, 0.5], [-1.0, 0.5, 0.5]]),
]


@pytest.mark.parametrize(("name", "first", "second", "kwargs", "value"), [
    pytest.param(*case, marks=_task(case[0]), id=f"{case[0]}-{i}") for i, case in enumerate(HAND)])
def test_hand_checked_values(student, check, device, name, first, second, kwargs, value):
    def tensor(spec: tuple[list[object], bool]) -> torch.Tensor:
        return torch.tensor(spec[0], dtype=torch.float64 if spec[1] else torch.int64,
                            device=device)

    a, b = tensor(first), tensor(second)
    want = torch.tensor(value, dtype=torch.float64, device=device)
    check.close(getattr(student.losses, name)(a, b, **kwargs), want, call=_call(name, kwargs),
                inputs=_named(name, a, b))


@pytest.mark.parametrize("name", [pytest.param(n, marks=_task(n), id=n)
                                  for n in ("mse_loss", "mae_loss", "smooth_l1_loss")])
@given(arr=arrays(shape=MATRICES, bound=10.0), seed=SEEDS)
def test_loss_is_nonnegative_and_zero_at_the_target(student, reference, check, device, name,
                                                    arr, seed):
    pred, target = _inputs(name, as_tensor(arr, torch.float64, "cpu"), seed, torch.float64,
                           device)
    got = getattr(student.losses, name)(pred, target)
    check.close(got, getattr(reference.losses, name)(pred, target), call=_call(name, {}),
                inputs={"pred": pred, "target": target}, seed=seed)
    check.that(float(got) >= 0.0, "a loss is never negative", call=_call(name, {}),
               inputs={"pred": pred, "target": target}, seed=seed)
    check.close(getattr(student.losses, name)(pred, pred.clone()), _scalar(0.0, pred.dtype, device),
                call=f"{name}(pred, pred)", inputs={"pred": pred})


@pytest.mark.parametrize("name", [pytest.param(n, marks=_task(n), id=n)
                                  for n in ("hinge_loss", "multiclass_hinge_loss")])
@given(arr=arrays(shape=MATRICES, bound=10.0), seed=SEEDS)
def test_hinge_is_zero_beyond_the_margin(student, check, device, name, arr, seed):
    base = as_tensor(arr, torch.float64, "cpu")
    scores, labels = _inputs(name, base, seed, torch.float64, "cpu")
    if name == "hinge_loss":  # y·s ≥ 1 everywhere
        scores = labels * (1.0 + torch.abs(base))
    else:  # the true class beats every other by at least the margin
        top = scores.amax(dim=1, keepdim=True) + 1.0 + torch.abs(base[:, :1])
        scores = scores.scatter(1, labels.unsqueeze(1), top)
    scores, labels = scores.to(device), labels.to(device)
    check.close(getattr(student.losses, name)(scores, labels), _scalar(0.0, torch.float64, device),
                call=_call(name, {}), inputs={"scores": scores, "labels": labels}, seed=seed)


@_task("cross_entropy_loss")
@given(shape=MATRICES, value=st.floats(-1e4, 1e4), seed=SEEDS)
def test_cross_entropy_of_uniform_logits_is_log_c(student, check, device, shape, value, seed):
    logits = torch.full(shape, value, dtype=torch.float64, device=device)
    labels = torch.randint(shape[1], (shape[0],), generator=torch.Generator().manual_seed(seed))
    labels = labels.to(device)
    check.close(student.losses.cross_entropy_loss(logits, labels),
                _scalar(math.log(shape[1]), torch.float64, device),
                call="cross_entropy_loss(logits, labels) vs log C",
                inputs={"logits": logits, "labels": labels}, seed=seed)


@_task("cross_entropy_loss")
@given(arr=arrays(shape=MATRICES, bound=1e4), seed=SEEDS)
def test_cross_entropy_is_stable_for_huge_logits(student, reference, check, device, arr, seed):
    logits, labels = _inputs("cross_entropy_loss", as_tensor(arr, torch.float64, "cpu"), seed,
                             torch.float64, device)
    check.close(student.losses.cross_entropy_loss(logits, labels),
                reference.losses.cross_entropy_loss(logits, labels),
                call="cross_entropy_loss(logits, labels)",
                inputs={"logits": logits, "labels": labels}, seed=seed)


PROBS = hnp.arrays(torch.float64.__reduce__ and "float64", MATRICES,
                   elements=st.one_of(st.sampled_from([0.0, 1.0]), st.floats(0.0, 1.0)))


@pytest.mark.parametrize("name", [pytest.param(n, marks=_task(n), id=n)
                                  for n in ("bce_loss", "bce_loss_grad")])
@given(arr=PROBS, seed=SEEDS)
def test_bce_at_probabilities_zero_and_one(student, reference, check, device, name, arr, seed):
    prob = as_tensor(arr, torch.float64, device)
    _, target = _inputs(name, prob.cpu(), seed, torch.float64, device)
    if name == "bce_loss":
        want = reference.losses.bce_loss(prob, target)
    else:
        _keep_off_kinks(name, prob, target, {})
        want = _autograd(name, prob, target, {})
    check.close(getattr(student.losses, name)(prob, target), want, call=_call(name, {}),
                inputs={"prob": prob, "target": target}, seed=seed)


@pytest.mark.parametrize("name", [pytest.param(n, marks=_task(n), id=n)
                                  for n in ("smooth_l1_loss", "smooth_l1_loss_grad")])
@given(arr=arrays(shape=MATRICES, bound=10.0), seed=SEEDS, beta=st.floats(0.05, 5.0))
def test_smooth_l1_with_any_beta(student, reference, check, device, name, arr, seed, beta):
    pred, target = _inputs(name, as_tensor(arr, torch.float64, "cpu"), seed, torch.float64,
                           device)
    kwargs = {"beta": beta}
    if name == "smooth_l1_loss":
        want = reference.losses.smooth_l1_loss(pred, target, beta=beta)
    else:
        _keep_off_kinks(name, pred, target, kwargs)
        want = _autograd(name, pred, target, kwargs)
    check.close(getattr(student.losses, name)(pred, target, beta=beta), want,
                call=_call(name, kwargs), inputs={"pred": pred, "target": target}, seed=seed)


# ---- gradients: compared with torch.autograd through torch's own loss, in float64 ----


@pytest.mark.parametrize(("name", "kwargs"), _params(VARIANTS, grad=True))
def test_grad_matches_autograd_on_seeded_input(student, check, device, name, kwargs):
    first, second = _inputs(name, randn(4, 5, seed=41, scale=2.0), 42, torch.float64, device)
    want = _autograd(name, first, second, kwargs)
    check.close(getattr(student.losses, name)(first, second, **kwargs), want,
                call=_call(name, kwargs), inputs=_named(name, first, second), seed=41)


@pytest.mark.parametrize(("name", "kwargs"), _params(VARIANTS[:len(LOSSES)], grad=True))
def test_grad_keeps_float32_and_device(student, check, device, name, kwargs):
    first, second = _inputs(name, randn(3, 4, seed=51, scale=2.0), 52, torch.float32, device)
    want = _autograd(name, first, second, kwargs).to(torch.float32)
    check.close(getattr(student.losses, name)(first, second, **kwargs), want,
                call=_call(name, kwargs), inputs=_named(name, first, second), seed=51)


@pytest.mark.parametrize(("name", "kwargs"), _params(VARIANTS[:len(LOSSES)], grad=True))
@given(arr=arrays(shape=MATRICES, bound=7.0), seed=SEEDS)
def test_grad_matches_autograd_off_kinks(student, check, device, name, kwargs, arr, seed):
    first, second = _inputs(name, as_tensor(arr, torch.float64, "cpu"), seed, torch.float64,
                            device)
    _keep_off_kinks(name, first, second, kwargs)
    want = _autograd(name, first, second, kwargs)
    check.close(getattr(student.losses, name)(first, second, **kwargs), want,
                call=_call(name, kwargs), inputs=_named(name, first, second), seed=seed)


# ---- explicit edge cases ----


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name", [pytest.param(n, marks=_task(n), id=n)
                                  for n in ("bce_loss", "bce_loss_grad")])
def test_bce_is_finite_at_probabilities_zero_and_one(student, reference, check, device, dtype,
                                                     name):
    prob = torch.tensor([0.0, 1.0, 0.0, 1.0, 0.5], dtype=dtype, device=device)
    target = torch.tensor([0.0, 1.0, 1.0, 0.0, 1.0], dtype=dtype, device=device)
    if name == "bce_loss":
        want = reference.losses.bce_loss(prob, target)
    else:
        want = _autograd(name, prob, target, {}).to(dtype)
    check.close(getattr(student.losses, name)(prob, target), want, call=_call(name, {}),
                inputs={"prob": prob, "target": target})


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name", [pytest.param(n, marks=_task(n), id=n)
                                  for n in ("cross_entropy_loss", "cross_entropy_loss_grad")])
def test_cross_entropy_at_huge_logits(student, reference, check, device, dtype, name):
    logits = torch.tensor(HUGE_LOGITS, dtype=dtype, device=device)
    labels = torch.tensor(HUGE_LABELS, dtype=torch.int64, device=device)
    if name == "cross_entropy_loss":
        want = reference.losses.cross_entropy_loss(logits, labels)
    else:
        want = _autograd(name, logits, labels, {}).to(dtype)
    check.close(getattr(student.losses, name)(logits, labels), want, call=_call(name, {}),
                inputs={"logits": logits, "labels": labels})


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name", [pytest.param(n, marks=_task(n), id=n)
                                  for n in ("hinge_loss", "hinge_loss_grad")])
def test_hinge_accepts_int64_labels(student, reference, check, device, dtype, name):
    scores, labels = _inputs(name, randn(4, 5, seed=61, scale=2.0), 62, dtype, device)
    labels = labels.to(torch.int64)
    if name == "hinge_loss":
        want = reference.losses.hinge_loss(scores, labels)
    else:
        want = _autograd(name, scores, labels, {}).to(dtype)
    check.close(getattr(student.losses, name)(scores, labels), want, call=_call(name, {}),
                inputs={"scores": scores, "labels": labels}, seed=61)
