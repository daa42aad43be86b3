"""Graded: unit 7, part 1: data split, min-max scaling, the MLP and the training loop.

Models live in the worker (autograder/harness/training.py); the grader gets plain data
back (losses, state dicts) and judges it against reference runs from the same weights.
"""

from __future__ import annotations

from typing import Any

import pytest
import torch

from autograder.data import load_iris
from autograder.graded.iris_runs import (
    EXACT,
    WEIGHT_TOL,
    check_losses,
    forward,
    init_state,
    iris,
    ref_model,
    state_of,
)
from autograder.strategies import DTYPE_IDS, DTYPES, randn

pytestmark = pytest.mark.uses("losses", "activations")

SPLIT = ("X_train", "X_test", "y_train", "y_test")


def _task(name: str) -> pytest.MarkDecorator:
    return pytest.mark.task(f"training.{name}")


@_task("train_test_split")
@pytest.mark.parametrize(
    ("rows", "test_size", "seed"), [(150, 0.2, 0), (150, 0.2, 1), (10, 0.3, 5)]
)
def test_split_matches_reference(student, reference, check, device, rows, test_size, seed):
    X, y = (t[:rows].to(device) for t in load_iris())
    check.close(
        student.training.train_test_split(X, y, test_size=test_size, seed=seed),
        reference.training.train_test_split(X, y, test_size=test_size, seed=seed),
        call=f"train_test_split(X, y, test_size={test_size}, seed={seed})",
        inputs={"X": X, "y": y},
        names=SPLIT,
    )


@_task("train_test_split")
@pytest.mark.parametrize(("rows", "test_size"), [(150, 0.2), (11, 0.5), (20, 0.25)])
def test_split_is_a_seeded_partition_and_leaves_inputs_alone(student, check, rows, test_size):
    y = torch.arange(rows)
    X = torch.stack([2.0 * y, -1.0 * y], dim=1).double()
    call = f"train_test_split(X, y, test_size={test_size}, seed=3)"
    reply = student.call(
        "training", "train_test_split", X, y, test_size=test_size, seed=3, return_args=True
    )
    check.close(reply.args_after, [X, y], call=f"{call}: X and y afterwards (leave them alone)")
    got = reply.value
    check.that(
        isinstance(got, (tuple, list))
        and len(got) == 4
        and all(isinstance(t, torch.Tensor) for t in got),
        f"expected a tuple {SPLIT} of tensors",
        call=call,
    )
    check.close(
        student.training.train_test_split(X, y, test_size=test_size, seed=3),
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
    X_tr, X_te, _, _ = reference.training.train_test_split(*load_iris(), seed=0)
    return X_tr.to(getattr(torch, case)), X_te.to(getattr(torch, case))


@_task("min_max_scale")
@pytest.mark.parametrize("case", ["float32", "float64", "constant-column"])
def test_scale_matches_reference(student, reference, check, device, case):
    X_tr, X_te = (t.to(device) for t in _scale_inputs(case, reference))
    note = " (where max = min, divide by 1)" if case == "constant-column" else f", {case}"
    check.close(
        student.training.min_max_scale(X_tr, X_te),
        reference.training.min_max_scale(X_tr, X_te),
        call=f"min_max_scale(X_train, X_test){note}",
        inputs={"X_train": X_tr, "X_test": X_te},
        names=("X_train_s", "X_test_s"),
    )


@_task("min_max_scale")
def test_scale_uses_train_statistics_only(student, reference, check):
    X_tr = randn(12, 3, seed=4)
    X_te = torch.stack([X_tr.max(dim=0).values + 1.0, X_tr.min(dim=0).values - 1.0])
    call = "min_max_scale(X_train, X_test) with test rows outside the train range"
    reply = student.call("training", "min_max_scale", X_tr, X_te, return_args=True)
    check.close(reply.args_after, [X_tr, X_te], call=f"{call}: the inputs afterwards")
    got = reply.value
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
    check.close(
        student.training.min_max_scale(X_tr, 10.0 * X_te)[0],
        got[0],
        call=f"{call}: X_train_s after changing only X_test (no leakage)",
    )


def _build(student: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
    return student.harness("training.build_mlp", *args, task="training.MLP", **kwargs)


@_task("MLP")
@pytest.mark.parametrize(
    ("args", "kwargs", "sizes"),
    [
        ((), {}, (4, 10, 3)),
        ((5, 7, 2), {}, (5, 7, 2)),
        ((), {"in_features": 3, "hidden": 16, "out_features": 4}, (3, 16, 4)),
    ],
)
def test_mlp_parameter_shapes(student, check, args, kwargs, sizes):
    call = f"MLP({', '.join([*map(str, args), *(f'{k}={v}' for k, v in kwargs.items())])})"
    info = _build(student, list(args), kwargs)
    check.that(info["is_module"], "MLP must subclass torch.nn.Module", call=call)
    i, h, o = sizes
    want = {"fc1.weight": (h, i), "fc1.bias": (h,), "fc2.weight": (o, h), "fc2.bias": (o,)}
    check.that(
        set(info["params"]) == set(want),
        f"expected the parameters {sorted(want)} "
        f"(layers self.fc1, self.fc2), received {sorted(info['params'])}",
        call=call,
    )
    for key, shape in want.items():
        check.that(
            info["params"][key] == shape,
            f"{key} has the shape {info['params'][key]}, expected {shape}",
            call=call,
        )


@_task("MLP")
@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_mlp_forward_on_fixed_weights(student, check, device, dtype):
    shapes = {"fc1.weight": (7, 5), "fc1.bias": (7,), "fc2.weight": (2, 7), "fc2.bias": (2,)}
    state = {
        k: randn(*shape, seed=20 + i, dtype=dtype, device=device, scale=0.5)
        for i, (k, shape) in enumerate(shapes.items())
    }
    x = randn(6, 5, seed=10, dtype=dtype, device=device, scale=2.0)
    info = _build(student, [5, 7, 2], {}, state=state, x=x)
    call = "MLP(5, 7, 2)(x) with given weights"
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
    accuracy = _accuracy(run["state"], X_te, y_te)
    check.that(
        accuracy >= 0.9,
        f"held-out accuracy is {accuracy:.3f}, below 0.9: check the layers, the ReLU "
        "between them and that forward returns the raw scores (no softmax)",
        call=call,
    )


def _accuracy(state: dict[str, torch.Tensor], X: torch.Tensor, y: torch.Tensor) -> float:
    """Held-out accuracy the grader computes itself from the returned weights."""
    return (forward(state, X).argmax(dim=1) == y).double().mean().item()


def _train(student: Any, *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
    return student.harness("training.run_train", *args, task="training.train", **kwargs)


TRAIN_CASES = [("sgd", 0.5, None, 10), ("sgd", 0.1, 16, 5), ("adam", 0.01, 32, 5)]


@_task("train")
@pytest.mark.parametrize(
    ("optimizer", "lr", "batch_size", "epochs"),
    TRAIN_CASES,
    ids=[f"{o}-batch{b}" for o, _, b, _ in TRAIN_CASES],
)
def test_train_follows_the_reference_loop(
    student, reference, check, device, optimizer, lr, batch_size, epochs
):
    X, _, y, _ = iris(reference, device)
    init = init_state(3, device=device)
    call = (
        f"train(model, X, y, {epochs}, lr={lr}, optimizer={optimizer!r}, batch_size={batch_size})"
    )
    first, second = _train(
        student, init, X, y, epochs, lr, optimizer=optimizer, batch_size=batch_size, runs=2
    )
    model = ref_model(reference, init, device)
    want = reference.training.train(model, X, y, epochs, lr, optimizer, batch_size)
    check_losses(check, first["losses"], want, f"{call} → losses")
    check.close(
        first["state"], state_of(model), call=f"{call} → final weights", tolerances=WEIGHT_TOL
    )
    check.that(first["training"], "put the model in train mode (model.train())", call=call)
    check.close(
        second["losses"],
        first["losses"],
        call=f"{call} run twice from the same weights (no unseeded randomness)",
        tolerances=EXACT,
    )


@_task("train")
def test_trained_mlp_classifies_held_out_iris(student, reference, check):
    X_tr, X_te, y_tr, y_te = iris(reference)
    call = "train(model, X_train, y_train, 200, lr=0.5) on iris"
    (run,) = _train(student, init_state(0), X_tr, y_tr, 200, 0.5)
    check_losses(check, run["losses"], None, f"{call} → losses")
    state = run["state"]
    check.that(
        all(bool(torch.isfinite(v).all()) for v in state.values()),
        "the trained weights hold NaN or inf",
        call=call,
    )
    accuracy = _accuracy(state, X_te, y_te)
    check.that(
        accuracy >= 0.9,
        f"held-out accuracy of the trained model is {accuracy:.3f}, below 0.9",
        call=call,
    )


@_task("train")
def test_train_rejects_an_unknown_optimizer(student, reference, check):
    X, _, y, _ = iris(reference)
    raised = student.harness(
        "training.train_bad_optimizer", init_state(1), X, y, "rmsprop", task="training.train"
    )
    check.that(
        raised == "ValueError",
        f"expected ValueError, raised {raised}",
        call="train(model, X, y, 1, 0.1, optimizer='rmsprop')",
    )
