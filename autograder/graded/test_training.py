"""Graded: unit 7, part 1: data split, min-max scaling and the MLP.

Models live in the worker (autograder/harness/training.py); the grader gets plain data
back (values, state dicts, values made right after a call) and judges it against the
reference. That a function leaves its inputs alone is judged from values too: it is
called again on the very same tensors, which the grader changes in place afterwards.
The training loop is graded in test_training_loop.py, early stopping and the plot in
their own modules.
"""

from __future__ import annotations

from typing import Any

import pytest
import torch

from autograder.batching import batched, cases
from autograder.data import load_iris
from autograder.graded.contract import check_reused
from autograder.graded.iris_runs import (
    EXACT,
    check_losses,
    check_untouched,
    forward,
    held_out_accuracy,
    iris,
)
from autograder.seeds import mixed
from autograder.strategies import randn

pytestmark = pytest.mark.uses("losses", "activations")

SPLIT = ("X_train", "X_test", "y_train", "y_test")


def _task(name: str) -> pytest.MarkDecorator:
    return pytest.mark.task(f"training.{name}")


def _watch(student: Any, name: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """training.<name>(...) in the worker, and the values made right after it."""
    return student.harness("training.watch", name, *args, task=f"training.{name}", **kwargs)


def _reused(student: Any, name: str, pool: list[Any], calls: list[list[int]]) -> Any:
    """training.<name> on the same objects call after call (see _common.reused)."""
    return student.harness("training.reused", name, pool, calls, task=f"training.{name}")


def _split_inputs(rows: int, targets: str) -> tuple[torch.Tensor, torch.Tensor]:
    X, y = load_iris()
    if targets == "float (n, 2)":
        return X[:rows].float(), torch.stack([X[:rows, 0], y[:rows].double()], dim=1)
    return X[:rows], y[:rows]


SPLIT_CASES = [
    {"rows": 150, "test_size": 0.2, "seed": 0, "targets": "int64"},
    {"rows": 150, "test_size": 0.2, "seed": 1, "targets": "int64"},
    {"rows": 10, "test_size": 0.3, "seed": 5, "targets": "float (n, 2)"},
]


@_task("train_test_split")
@cases(*SPLIT_CASES)
def test_split_matches_reference(student, reference, check, device, rows, test_size, seed, targets):
    X, y = (t.to(device) for t in _split_inputs(rows, targets))
    seed = mixed(seed)
    check.close(
        (yield student.training.train_test_split(X, y, test_size=test_size, seed=seed)),
        reference.training.train_test_split(X, y, test_size=test_size, seed=seed),
        call=f"train_test_split(X, y, test_size={test_size}, seed={seed}), {targets} targets",
        inputs={"X": X, "y": y},
        names=SPLIT,
    )


@_task("train_test_split")
@cases(
    {"rows": 150, "test_size": 0.2}, {"rows": 11, "test_size": 0.5}, {"rows": 20, "test_size": 0.25}
)
def test_split_is_a_seeded_partition_and_leaves_inputs_alone(
    student, reference, check, rows, test_size
):
    y, seed = torch.arange(rows), mixed(3)
    X = torch.stack([2.0 * y, -1.0 * y], dim=1).double()
    call = f"train_test_split(X, y, test_size={test_size}, seed={seed})"
    inputs = {"X": X, "y": y, "test_size": test_size, "seed": seed}
    reused, run, again_value = yield (
        _reused(student, "train_test_split", list(inputs.values()), [[0, 1, 2, 3]] * 2),
        _watch(student, "train_test_split", X, y, test_size=test_size, seed=seed),
        student.training.train_test_split(X, y, test_size=test_size, seed=seed),
    )
    want = reference.training.train_test_split(X, y, test_size=test_size, seed=seed)
    again = f"{call} again on the same X and y (the first call must leave them alone)"
    check_reused(check, reused, inputs, [want, want], [call, again], names=SPLIT)
    check_untouched(check, run, call)
    got = run["value"]
    check.that(
        isinstance(got, (tuple, list))
        and len(got) == 4
        and all(isinstance(t, torch.Tensor) for t in got),
        f"expected a tuple {SPLIT} of tensors",
        call=call,
    )
    check.close(
        again_value,
        got,
        call=f"{call} run twice (draw with the seeded generator)",
        names=SPLIT,
        tolerances=EXACT,
    )
    X_tr, X_te, y_tr, y_te = got
    n_test = int(round(rows * test_size))
    check.that(
        X_tr.shape == (rows - n_test, 2)
        and X_te.shape == (n_test, 2)
        and len(y_tr) == rows - n_test
        and len(y_te) == n_test,
        f"expected {rows - n_test} train and {n_test} test rows (n_test = "
        f"round(n · test_size)), received X_train of shape {tuple(X_tr.shape)} and "
        f"X_test of shape {tuple(X_te.shape)}",
        call=call,
    )
    check.that(
        sorted(torch.cat([y_tr, y_te]).tolist()) == list(range(rows)),
        "every row must land in exactly one of the two sets",
        call=call,
    )
    check.close(
        torch.cat([X_tr, X_te])[:, 0],
        2.0 * torch.cat([y_tr, y_te]).double(),
        call=f"{call}: rows of X must move together with their y",
        tolerances=EXACT,
    )


def _scale_inputs(case: str, reference: Any) -> tuple[torch.Tensor, torch.Tensor]:
    if case == "constant-column":
        X_tr, X_te = randn(6, 3, seed=6), randn(4, 3, seed=7)
        X_tr[:, 1] = 2.5
        return X_tr, X_te
    if case == "narrow-columns":  # every column spans less than 1
        return randn(8, 3, seed=8, scale=0.05), randn(3, 3, seed=9, scale=0.05)
    if case == "one-column-one-test-row":
        return randn(5, 1, seed=8, dtype=torch.float32), randn(1, 1, seed=9, dtype=torch.float32)
    X_tr, X_te, _, _ = reference.training.train_test_split(*load_iris(), seed=0)
    return X_tr.to(getattr(torch, case)), X_te.to(getattr(torch, case))


@_task("min_max_scale")
@cases(case=["float32", "float64", "constant-column", "narrow-columns", "one-column-one-test-row"])
def test_scale_matches_reference(student, reference, check, device, case):
    X_tr, X_te = (t.to(device) for t in _scale_inputs(case, reference))
    note = " (where max = min, divide by 1)" if case == "constant-column" else f", {case}"
    check.close(
        (yield student.training.min_max_scale(X_tr, X_te)),
        reference.training.min_max_scale(X_tr, X_te),
        call=f"min_max_scale(X_train, X_test){note}",
        inputs={"X_train": X_tr, "X_test": X_te},
        names=("X_train_s", "X_test_s"),
    )


@_task("min_max_scale")
@batched
def test_scale_uses_train_statistics_only(student, reference, check):
    X_tr = randn(12, 3, seed=4)
    X_te = torch.stack([X_tr.max(dim=0).values + 1.0, X_tr.min(dim=0).values - 1.0])
    call = "min_max_scale(X_train, X_test) with test rows outside the train range"
    run, moved = yield (
        _watch(student, "min_max_scale", X_tr, X_te),
        student.training.min_max_scale(X_tr, 10.0 * X_te),
    )
    check_untouched(check, run, call)
    got = run["value"]
    check.that(
        isinstance(got, (tuple, list))
        and len(got) == 2
        and all(
            isinstance(t, torch.Tensor) and t.shape == x.shape
            for t, x in zip(got, (X_tr, X_te), strict=True)
        ),
        "expected a tuple (X_train_s, X_test_s) of the inputs' shapes",
        call=call,
    )
    check.that(
        bool((got[1][0] > 1).all() and (got[1][1] < 0).all()),
        "a test row above the "
        "train max (below the train min) must scale above 1 (below 0): take min and "
        "max from X_train only",
        call=call,
        inputs={"X_train": X_tr},
    )
    check.close(
        got,
        reference.training.min_max_scale(X_tr, X_te),
        call=call,
        inputs={"X_train": X_tr, "X_test": X_te},
        names=("X_train_s", "X_test_s"),
    )
    check.that(
        isinstance(moved, (tuple, list)) and len(moved) == 2,
        "expected a tuple (X_train_s, X_test_s)",
        call=f"{call}: after changing only X_test",
    )
    check.close(
        moved[0],
        got[0],
        call=f"{call}: X_train_s after changing only X_test (no leakage)",
    )


@_task("min_max_scale")
def test_scale_leaves_its_inputs_alone_and_returns_new_tensors(student, reference, check):
    X_tr, X_te, Z = randn(10, 3, seed=11), randn(4, 3, seed=12), randn(6, 3, seed=13, scale=3.0)
    inputs = {"X_train": X_tr, "X_test": X_te, "Z": Z}
    run = _reused(student, "min_max_scale", list(inputs.values()), [[0, 1], [0, 2], [2, 1]])
    scale = reference.training.min_max_scale
    want = [scale(X_tr, X_te), scale(X_tr, Z), scale(Z, X_te)]
    first = "the call before must leave its inputs alone"
    described = [
        "min_max_scale(X_train, X_test)",
        f"then min_max_scale(X_train, Z) with the same X_train ({first})",
        f"then min_max_scale(Z, X_test) with the same Z and X_test ({first})",
    ]
    check_reused(check, run, inputs, want, described, names=("X_train_s", "X_test_s"))


def _build(student: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
    return student.harness("training.build_mlp", *args, task="training.MLP", **kwargs)


@_task("MLP")
@cases(
    {"args": (), "kwargs": {}, "sizes": (4, 10, 3)},
    {"args": (5, 7, 2), "kwargs": {}, "sizes": (5, 7, 2)},
    {
        "args": (),
        "kwargs": {"in_features": 3, "hidden": 16, "out_features": 4},
        "sizes": (3, 16, 4),
    },
)
def test_mlp_parameter_shapes(student, check, args, kwargs, sizes):
    call = f"MLP({', '.join([*map(str, args), *(f'{k}={v}' for k, v in kwargs.items())])})"
    info = yield _build(student, list(args), kwargs)
    check.that(info["is_module"], "MLP must subclass torch.nn.Module", call=call)
    i, h, o = sizes
    want = {"fc1.weight": (h, i), "fc1.bias": (h,), "fc2.weight": (o, h), "fc2.bias": (o,)}
    # the contract names the layers; the same layer also held elsewhere (an nn.Sequential
    # around fc1 and fc2) is one parameter under two names, and counts
    unnamed = [names[0] for names in info["distinct"] if not set(names) & set(want)]
    check.that(
        set(want) <= set(info["params"]) and not unnamed,
        f"expected the parameters {sorted(want)} (layers self.fc1, self.fc2), received "
        f"{sorted(names[0] for names in info['distinct'])}",
        call=call,
    )
    for key, shape in want.items():
        check.that(
            info["params"][key] == shape,
            f"{key} has the shape {info['params'][key]}, expected {shape}",
            call=call,
        )


FORWARD_CASES = [
    {"i": i, "h": h, "o": o, "dtype": d}
    for i, h, o, d in [
        (5, 7, 2, torch.float32),
        (5, 7, 2, torch.float64),
        (4, 10, 3, torch.float32),
    ]
]


@_task("MLP")
@cases(*FORWARD_CASES)
def test_mlp_forward_on_fixed_weights(student, check, device, i, h, o, dtype):
    shapes = {"fc1.weight": (h, i), "fc1.bias": (h,), "fc2.weight": (o, h), "fc2.bias": (o,)}
    state = {
        k: randn(*shape, seed=20 + n, dtype=dtype, device=device, scale=0.5)
        for n, (k, shape) in enumerate(shapes.items())
    }
    x = randn(6, i, seed=10, dtype=dtype, device=device, scale=2.0)
    info = yield _build(student, [i, h, o], {}, state=state, x=x)
    call = f"MLP({i}, {h}, {o})(x) with given weights, {str(dtype).removeprefix('torch.')}"
    if "load_error" in info or not info["is_module"]:
        check.fail(
            "cannot load weights named fc1.weight, fc1.bias, fc2.weight, fc2.bias: "
            f"{info.get('load_error', 'not an nn.Module')}",
            call=call,
        )
    check.close(
        info["out"], forward(state, x), call=f"{call} vs fc2(relu(fc1(x)))", inputs={"x": x}
    )


@_task("MLP")
def test_own_mlp_trained_by_the_reference_loop_classifies_held_out_iris(student, reference, check):
    X_tr, X_te, y_tr, y_te = iris(reference)
    call = "MLP(4, 10, 3) trained by the reference loop (200 epochs, SGD, lr=0.5) on iris"
    run = student.harness("training.train_own_mlp", X_tr, y_tr, 200, 0.5, task="training.MLP")
    check.that(run["is_module"], "MLP must subclass torch.nn.Module", call=call)
    check_losses(check, run["losses"], None, f"{call} → losses")
    accuracy = held_out_accuracy(run["state"], X_te, y_te)
    check.that(
        accuracy >= 0.9,
        f"held-out accuracy is {accuracy:.3f}, below 0.9: check the layers, the ReLU "
        "between them and that forward returns the raw scores (no softmax)",
        call=call,
    )
