"""Graded: unit 4, loss functions (mean reduction) and their gradients (torch)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograder.batching import batched, cases, given
from autograder.checks import gradients
from autograder.oracle import losses as builtin
from autograder.strategies import DTYPES, arrays, as_tensor, off_kinks, randn, shapes

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
DEFAULTS = [(n, {}) for n in LOSSES]
# the defaults, plus a non-default beta and margin
VARIANTS = [
    *DEFAULTS,
    ("smooth_l1_loss", {"beta": 0.3}),
    ("multiclass_hinge_loss", {"margin": 2.0}),
]
EPS = 1e-7  # bce_loss's default clamp margin
MATRICES = shapes(min_dims=2, max_dims=2, max_side=5)
SEEDS = st.integers(0, 2**16)
PROBS = hnp.arrays(
    np.float64,
    MATRICES,
    elements=st.one_of(st.sampled_from([0.0, 1.0]), st.floats(0.0, 1.0)),
    fill=st.nothing(),
)
# huge logits; rows: far apart, all equal, a tie at the top, the label at the top
HUGE_LOGITS = [
    [1e4, -1e4, 0.0, 30.0],
    [-1e4, -1e4, -1e4, -1e4],
    [1e4, 1e4, -1e4, 0.0],
    [-1e4, 100.0, -30.0, 1e4],
]
HUGE_LABELS = [1, 2, 0, 3]


def _task(name: str) -> pytest.MarkDecorator:
    return pytest.mark.task(f"losses.{name}")


def _names(*names: str) -> list[object]:
    return [pytest.param(n, marks=_task(n), id=n) for n in names]


def _params(cases: list[tuple[str, dict[str, float]]], both: bool = True) -> list[object]:
    """(task, kwargs) for each loss of `cases` and its gradient (or the gradient alone)."""
    out = []
    for loss, kwargs in cases:
        for name in (loss, f"{loss}_grad") if both else (f"{loss}_grad",):
            extra = "".join(f"-{k}={v}" for k, v in kwargs.items())
            out.append(pytest.param(name, kwargs, marks=_task(name), id=name + extra))
    return out


def _call(name: str, kwargs: dict[str, float]) -> str:
    args = ", ".join(LOSSES[name.removesuffix("_grad")][0])
    extra = "".join(f", {k}={v}" for k, v in kwargs.items())
    return f"{name}({args}{extra})"


def _inputs(
    name: str, base: torch.Tensor, seed: int, dtype: torch.dtype, device: str
) -> tuple[torch.Tensor, torch.Tensor]:
    """(first, second) argument of `name` made from a float64 (N, C) matrix and a seed."""
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


def _keep_off_kinks(
    name: str, first: torch.Tensor, second: torch.Tensor, kwargs: dict[str, float]
) -> None:
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


def _want(
    reference: Any,
    name: str,
    first: torch.Tensor,
    second: torch.Tensor,
    kwargs: dict[str, float],
    avoid_kinks: bool = False,
) -> torch.Tensor:
    """A loss: the reference's value. A gradient: torch.autograd of torch's own loss in
    float64 (optionally away from its kinks), returned in first's dtype."""
    if not name.endswith("_grad"):
        return getattr(reference.losses, name)(first, second, **kwargs)
    if avoid_kinks:
        _keep_off_kinks(name, first, second, kwargs)
    forward = getattr(builtin, name.removesuffix("_grad"))
    second64 = second.double() if second.is_floating_point() else second
    return gradients.of_scalar(forward, first, second64, **kwargs).to(first.dtype)


def _judge(
    student: Any,
    reference: Any,
    check: Any,
    name: str,
    first: torch.Tensor,
    second: torch.Tensor,
    kwargs: dict[str, float],
    seed: int | None = None,
    avoid_kinks: bool = False,
) -> Any:
    """Judge the student's `name` on (first, second) against `_want` (a batched body: use
    with `yield from`)."""
    want = _want(reference, name, first, second, kwargs, avoid_kinks)
    check.close(
        (yield getattr(student.losses, name)(first, second, **kwargs)),
        want,
        call=_call(name, kwargs),
        inputs=_named(name, first, second),
        seed=seed,
    )


def _zero(device: str) -> torch.Tensor:
    return torch.zeros((), dtype=torch.float64, device=device)


# ---- every task: seeded and generated inputs ----


@pytest.mark.parametrize(("name", "kwargs"), _params(VARIANTS))
@cases(dtype=DTYPES)
def test_matches_reference_on_seeded_input(student, reference, check, device, dtype, name, kwargs):
    first, second = _inputs(name, randn(4, 5, seed=31, scale=2.0), 32, dtype, device)
    yield from _judge(student, reference, check, name, first, second, kwargs, seed=31)


@pytest.mark.parametrize(("name", "kwargs"), _params(DEFAULTS))
@given(arr=arrays(shape=MATRICES, bound=7.0), seed=SEEDS)
def test_matches_reference_off_kinks(student, reference, check, device, name, kwargs, arr, seed):
    first, second = _inputs(name, as_tensor(arr, torch.float64, "cpu"), seed, torch.float64, device)
    yield from _judge(
        student, reference, check, name, first, second, kwargs, seed, avoid_kinks=True
    )


# (function, first, second, keyword arguments, value worked out by hand); int lists are labels
HAND = [
    ("mse_loss", [1.0, 2.0], [1.0, 4.0], {}, 2.0),
    ("mae_loss", [1.0, 2.0, 3.0], [2.0, 2.0, 5.0], {}, 1.0),
    ("smooth_l1_loss", [0.0, 0.0], [0.5, 3.0], {}, (0.125 + 2.5) / 2),
    ("smooth_l1_loss", [1.0, 3.0], [0.0, 0.0], {"beta": 2.0}, (0.25 + 2.0) / 2),
    ("bce_loss", [0.5, 0.8], [1.0, 0.0], {}, (math.log(2.0) - math.log(0.2)) / 2),
    (
        "cross_entropy_loss",
        [[0.0, 0.0], [1.0, 3.0]],
        [0, 1],
        {},
        (math.log(2.0) + math.log1p(math.exp(-2.0))) / 2,
    ),
    ("hinge_loss", [2.0, 0.5, -1.0, 0.25], [1.0, 1.0, 1.0, -1.0], {}, (0 + 0.5 + 2 + 1.25) / 4),
    ("multiclass_hinge_loss", [[3.0, 1.0, 2.5], [0.0, 1.0, 0.0]], [0, 0], {}, (0.5 + 3.0) / 2),
    (
        "multiclass_hinge_loss",
        [[3.0, 1.0, 2.5], [0.0, 1.0, 0.0]],
        [0, 0],
        {"margin": 0.25},
        (0.0 + 1.5) / 2,
    ),
    ("mse_loss_grad", [1.0, 2.0], [1.0, 4.0], {}, [0.0, -2.0]),
    ("mae_loss_grad", [1.0, 2.0, 3.0], [2.0, 2.0, 5.0], {}, [-1 / 3, 0.0, -1 / 3]),
    ("smooth_l1_loss_grad", [0.0, 0.0], [0.5, 3.0], {}, [-0.25, -0.5]),
    ("smooth_l1_loss_grad", [1.0, 3.0], [0.0, 0.0], {"beta": 2.0}, [0.25, 0.5]),
    ("bce_loss_grad", [0.5, 0.8], [1.0, 0.0], {}, [-1.0, 2.5]),
    ("cross_entropy_loss_grad", [[0.0, 0.0]], [0], {}, [[-0.5, 0.5]]),
    (
        "hinge_loss_grad",
        [2.0, 0.5, -1.0, 0.25],
        [1.0, 1.0, 1.0, -1.0],
        {},
        [0.0, -0.25, -0.25, 0.25],
    ),
    (
        "multiclass_hinge_loss_grad",
        [[3.0, 1.0, 2.5], [0.0, 1.0, 0.0]],
        [0, 0],
        {},
        [[-0.5, 0.0, 0.5], [-1.0, 0.5, 0.5]],
    ),
]


@pytest.mark.parametrize(
    ("name", "first", "second", "kwargs", "value"),
    [pytest.param(*case, marks=_task(case[0]), id=f"{case[0]}-{i}") for i, case in enumerate(HAND)],
)
def test_hand_checked_values(student, check, device, name, first, second, kwargs, value):
    a, b = (torch.from_numpy(np.array(v)).to(device) for v in (first, second))  # float64, int64
    check.close(
        getattr(student.losses, name)(a, b, **kwargs),
        torch.tensor(value, dtype=torch.float64, device=device),
        call=_call(name, kwargs),
        inputs=_named(name, a, b),
    )


# ---- properties ----


@pytest.mark.parametrize("name", _names("mse_loss", "mae_loss", "smooth_l1_loss"))
@given(arr=arrays(shape=MATRICES, bound=10.0), seed=SEEDS)
def test_loss_is_nonnegative_and_zero_at_the_target(student, check, device, name, arr, seed):
    pred, target = _inputs(name, as_tensor(arr, torch.float64, "cpu"), seed, torch.float64, device)
    got, at_target = yield (
        getattr(student.losses, name)(pred, target),
        getattr(student.losses, name)(pred, pred.clone()),
    )
    check.that(
        isinstance(got, torch.Tensor) and got.numel() == 1 and float(got) >= 0.0,
        f"expected a tensor ≥ 0, received {got!r}",
        call=_call(name, {}),
        inputs={"pred": pred, "target": target},
        seed=seed,
    )
    check.close(
        at_target,
        _zero(device),
        call=f"{name}(pred, pred)",
        inputs={"pred": pred},
    )


@pytest.mark.parametrize("name", _names("hinge_loss", "multiclass_hinge_loss"))
@given(arr=arrays(shape=MATRICES, bound=10.0), seed=SEEDS)
def test_hinge_is_zero_beyond_the_margin(student, check, device, name, arr, seed):
    base = as_tensor(arr, torch.float64, "cpu")
    scores, labels = _inputs(name, base, seed, torch.float64, "cpu")
    if name == "hinge_loss":  # y·s ≥ 1 everywhere
        scores = labels * (1.0 + torch.abs(base))
    else:  # the true class beats every other one by more than the margin
        top = scores.amax(dim=1, keepdim=True) + 1.5 + torch.abs(base[:, :1])
        scores = scores.scatter(1, labels.unsqueeze(1), top)
    scores, labels = scores.to(device), labels.to(device)
    check.close(
        (yield getattr(student.losses, name)(scores, labels)),
        _zero(device),
        call=_call(name, {}),
        inputs={"scores": scores, "labels": labels},
        seed=seed,
    )


@_task("cross_entropy_loss")
@given(shape=MATRICES, value=st.floats(-1e4, 1e4), seed=SEEDS)
def test_cross_entropy_of_uniform_logits_is_log_c(student, check, device, shape, value, seed):
    logits = torch.full(shape, value, dtype=torch.float64, device=device)
    gen = torch.Generator().manual_seed(seed)
    labels = torch.randint(shape[1], (shape[0],), generator=gen).to(device)
    check.close(
        (yield student.losses.cross_entropy_loss(logits, labels)),
        torch.tensor(math.log(shape[1]), dtype=torch.float64, device=device),
        call="cross_entropy_loss(logits, labels) vs log C",
        inputs={"logits": logits, "labels": labels},
        seed=seed,
    )


@_task("cross_entropy_loss")
@given(arr=arrays(shape=MATRICES, bound=1e4), seed=SEEDS)
def test_cross_entropy_is_stable_for_huge_logits(student, reference, check, device, arr, seed):
    logits, labels = _inputs(
        "cross_entropy_loss", as_tensor(arr, torch.float64, "cpu"), seed, torch.float64, device
    )
    yield from _judge(student, reference, check, "cross_entropy_loss", logits, labels, {}, seed)


@pytest.mark.parametrize("name", _names("bce_loss", "bce_loss_grad"))
@given(arr=PROBS, seed=SEEDS)
def test_bce_at_probabilities_zero_and_one(student, reference, check, device, name, arr, seed):
    prob = as_tensor(arr, torch.float64, device)
    _, target = _inputs(name, prob.cpu(), seed, torch.float64, device)
    yield from _judge(student, reference, check, name, prob, target, {}, seed, avoid_kinks=True)


@pytest.mark.parametrize("name", _names("smooth_l1_loss", "smooth_l1_loss_grad"))
@given(arr=arrays(shape=MATRICES, bound=10.0), seed=SEEDS, beta=st.floats(0.05, 5.0))
def test_smooth_l1_with_any_beta(student, reference, check, device, name, arr, seed, beta):
    pred, target = _inputs(name, as_tensor(arr, torch.float64, "cpu"), seed, torch.float64, device)
    yield from _judge(
        student, reference, check, name, pred, target, {"beta": beta}, seed, avoid_kinks=True
    )


# ---- explicit edge cases ----


@pytest.mark.parametrize("name", _names("bce_loss", "bce_loss_grad"))
@cases(dtype=DTYPES)
def test_bce_is_finite_at_probabilities_zero_and_one(
    student, reference, check, device, dtype, name
):
    prob = torch.tensor([0.0, 1.0, 0.0, 1.0, 0.5], dtype=dtype, device=device)
    target = torch.tensor([0.0, 1.0, 1.0, 0.0, 1.0], dtype=dtype, device=device)
    yield from _judge(student, reference, check, name, prob, target, {})


@_task("bce_loss_grad")
@cases(eps=[EPS, 0.01])
def test_bce_grad_at_the_clamp_bounds(student, reference, check, device, eps):
    # p = ε and p = 1 − ε are still inside the clamp (ε ≤ p ≤ 1 − ε, as torch.clamp)
    prob = torch.tensor([eps, 1.0 - eps, eps, 1.0 - eps], dtype=torch.float64, device=device)
    target = torch.tensor([1.0, 0.0, 0.25, 0.75], dtype=torch.float64, device=device)
    kwargs = {} if eps == EPS else {"eps": eps}
    yield from _judge(student, reference, check, "bce_loss_grad", prob, target, kwargs)


@pytest.mark.parametrize(
    ("name", "dtype"),
    [  # the gradient in float64 only: softmax(z)
        pytest.param(
            n, d, marks=_task(n), id=f"{n}-{i}"
        )  # via exp(z − lse) loses digits in float32
        for n, d, i in [
            ("cross_entropy_loss", torch.float32, "float32"),
            ("cross_entropy_loss", torch.float64, "float64"),
            ("cross_entropy_loss_grad", torch.float64, "float64"),
        ]
    ],
)
@batched
def test_cross_entropy_at_huge_logits(student, reference, check, device, dtype, name):
    logits = torch.tensor(HUGE_LOGITS, dtype=dtype, device=device)
    labels = torch.tensor(HUGE_LABELS, dtype=torch.int64, device=device)
    yield from _judge(student, reference, check, name, logits, labels, {})


@pytest.mark.parametrize("name", _names("hinge_loss", "hinge_loss_grad"))
@cases(dtype=DTYPES)
def test_hinge_accepts_int64_labels(student, reference, check, device, dtype, name):
    scores, labels = _inputs(name, randn(4, 5, seed=61, scale=2.0), 62, dtype, device)
    yield from _judge(student, reference, check, name, scores, labels.to(torch.int64), {}, seed=61)
