"""Graded: unit 7, an iris classifier with torch.nn (split, scaling, MLP, loop, plot).

Models and figures live in the worker (autograder/harness/training.py); the grader gets
plain data back and judges it against reference runs from the same initial weights.
"""

from __future__ import annotations

import functools
import io
import math
from typing import Any

import numpy as np
import pytest
import torch

from autograder.config import Tolerance
from autograder.data import load_iris
from autograder.strategies import DTYPE_IDS, DTYPES, randn

pytestmark = pytest.mark.uses("losses", "activations")

LOSS_TOL = {"float64": Tolerance(rtol=1e-5, atol=1e-6)}
WEIGHT_TOL = {"float32": Tolerance(rtol=1e-4, atol=1e-5), "float64": Tolerance(1e-4, 1e-5)}
EXACT = {"float32": Tolerance(0.0, 0.0), "float64": Tolerance(0.0, 0.0)}
SPLIT = ("X_train", "X_test", "y_train", "y_test")
State = dict[str, torch.Tensor]


def _task(name: str) -> pytest.MarkDecorator:
    return pytest.mark.task(f"training.{name}")


@functools.cache
def _iris(reference: Any, device: str = "cpu") -> tuple[torch.Tensor, ...]:
    """(X_train, X_test, y_train, y_test): the reference split (0.2, seed 0), scaled."""
    X, y = load_iris()
    X_tr, X_te, y_tr, y_te = reference.training.train_test_split(X, y, test_size=0.2, seed=0)
    X_tr, X_te = reference.training.min_max_scale(X_tr, X_te)
    return tuple(t.to(device) for t in (X_tr, X_te, y_tr, y_te))


def _init_state(seed: int, device: str = "cpu") -> State:
    """Weights of a 4-10-3 MLP drawn like nn.Linear's default init, from a private generator."""
    gen, state = torch.Generator().manual_seed(seed), {}
    for name, (fan_in, fan_out) in (("fc1", (4, 10)), ("fc2", (10, 3))):
        for key, shape in (("weight", (fan_out, fan_in)), ("bias", (fan_out,))):
            u = torch.rand(*shape, generator=gen) * 2 - 1
            state[f"{name}.{key}"] = (u / math.sqrt(fan_in)).to(device)
    return state


def _ref_model(reference: Any, state: State, device: str = "cpu") -> torch.nn.Module:
    hidden, in_features = state["fc1.weight"].shape
    with torch.random.fork_rng(devices=[]):
        model = reference.training.MLP(in_features, hidden, state["fc2.weight"].shape[0])
    model.load_state_dict(state)
    return model.to(device)


def _state(model: torch.nn.Module) -> State:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def _forward(state: State, x: torch.Tensor) -> torch.Tensor:
    """The grader's own relu(x W1ᵀ + b1) W2ᵀ + b2."""
    hidden = torch.relu(x @ state["fc1.weight"].T + state["fc1.bias"])
    return hidden @ state["fc2.weight"].T + state["fc2.bias"]


def _check_losses(check: Any, got: Any, want: list[float] | None, call: str) -> None:
    """Name the first epoch whose loss is NaN/inf (a diverged run), then compare."""
    for k, value in enumerate(got if isinstance(got, list) else []):
        if isinstance(value, float) and not math.isfinite(value):
            there = f" (expected {want[k]:.6g} there)" if want and k < len(want) else ""
            check.fail(
                f"the loss became {value} at epoch {k}{there}: the training diverged; "
                "look for a missing zero_grad, a summed instead of averaged loss, "
                "log(0) in a hand-written loss, or a wrong learning rate",
                call=call,
            )
    if want is not None:
        check.close(got, want, call=call, tolerances=LOSS_TOL)


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
        info["out"], _forward(state, x), call=f"{call} vs fc2(relu(fc1(x)))", inputs={"x": x}
    )


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
    X, _, y, _ = _iris(reference, device)
    init = _init_state(3, device=device)
    call = (
        f"train(model, X, y, {epochs}, lr={lr}, optimizer={optimizer!r}, batch_size={batch_size})"
    )
    first, second = _train(
        student, init, X, y, epochs, lr, optimizer=optimizer, batch_size=batch_size, runs=2
    )
    model = _ref_model(reference, init, device)
    want = reference.training.train(model, X, y, epochs, lr, optimizer, batch_size)
    _check_losses(check, first["losses"], want, f"{call} → losses")
    check.close(
        first["state"], _state(model), call=f"{call} → final weights", tolerances=WEIGHT_TOL
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
    X_tr, X_te, y_tr, y_te = _iris(reference)
    call = "train(model, X_train, y_train, 200, lr=0.5) on iris"
    (run,) = _train(student, _init_state(0), X_tr, y_tr, 200, 0.5)
    _check_losses(check, run["losses"], None, f"{call} → losses")
    state = run["state"]
    check.that(
        all(bool(torch.isfinite(v).all()) for v in state.values()),
        "the trained weights hold NaN or inf",
        call=call,
    )
    accuracy = (_forward(state, X_te).argmax(dim=1) == y_te).double().mean().item()
    check.that(
        accuracy >= 0.9,
        f"held-out accuracy of the trained model is {accuracy:.3f}, below 0.9",
        call=call,
    )


@_task("train")
def test_train_rejects_an_unknown_optimizer(student, reference, check):
    X, _, y, _ = _iris(reference)
    raised = student.harness(
        "training.train_bad_optimizer", _init_state(1), X, y, "rmsprop", task="training.train"
    )
    check.that(
        raised == "ValueError",
        f"expected ValueError, raised {raised}",
        call="train(model, X, y, 1, 0.1, optimizer='rmsprop')",
    )


@functools.cache
def _evaluation_state(reference: Any) -> State:
    """Weights after 8 reference epochs: accuracy well between 0 and 1."""
    X, _, y, _ = _iris(reference)
    model = _ref_model(reference, _init_state(0))
    reference.training.train(model, X, y, 8, 0.5)
    return _state(model)


@_task("evaluate")
@pytest.mark.parametrize("rows", ["test", "train"])
def test_evaluate_in_eval_mode_without_grad(student, reference, check, device, rows):
    state = {k: v.to(device) for k, v in _evaluation_state(reference).items()}
    X_tr, X_te, y_tr, y_te = _iris(reference, device)
    X, y = (X_te, y_te) if rows == "test" else (X_tr, y_tr)
    call = f"evaluate(model, X, y) on the iris {rows} rows"
    info = student.harness("training.run_evaluate", state, X, y, 0.5, task="training.evaluate")
    passes = info["passes"]
    check.that(bool(passes), "evaluate() never ran the model", call=call)
    for k, problem in enumerate(
        (
            "was in train mode (Dropout active): call model.eval() first",
            "ran with gradients enabled: wrap it in torch.no_grad()",
        )
    ):
        check.that(not any(p[k] for p in passes), f"the forward pass {problem}", call=call)
    check.that(not info["training"], "leave the model in eval mode", call=call)
    check.that(
        not info["grads"],
        f"evaluate() left gradients in {info['grads']}: it must not call backward()",
        call=call,
    )
    want = reference.training.evaluate(_ref_model(reference, state, device), X, y)
    check.close(info["value"], want, call=call, names=("loss", "accuracy"), tolerances=LOSS_TOL)


@_task("fit_early_stopping")
@pytest.mark.parametrize(
    ("patience", "max_epochs"),
    [(5, 200), (5, 12), (3, 0)],
    ids=["stops-early", "hits-max-epochs", "no-epochs"],
)
def test_early_stopping_matches_reference(student, reference, check, patience, max_epochs):
    X_tr, X_val, y_tr, y_val = _iris(reference)
    y_val = y_val.clone()
    y_val[:10] = (y_val[:10] + 1) % 3  # mislabelled rows: the val loss rises after ~20 epochs
    init, lr = _init_state(0), 0.5
    call = f"fit_early_stopping(model, ..., patience={patience}, max_epochs={max_epochs}, lr=0.5)"
    run = student.harness(
        "training.run_early_stopping",
        init,
        X_tr,
        y_tr,
        X_val,
        y_val,
        patience,
        max_epochs,
        lr,
        task="training.fit_early_stopping",
    )
    got, keys = run["history"], ("train_loss", "val_loss", "best_epoch", "stopped_epoch")
    check.that(
        isinstance(got, dict)
        and all(k in got for k in keys)
        and all(type(got[k]) is int for k in keys[2:]),
        f"expected a dict with the keys {list(keys)} (the epochs as ints)",
        call=call,
    )
    best, stop = got["best_epoch"], got["stopped_epoch"]
    check.that(
        stop == max_epochs - 1 or stop - best == patience,
        f"stopped at epoch {stop} "
        f"with the best epoch {best}: stop once {patience} epochs in a row brought no "
        "improvement (or after max_epochs)",
        call=call,
    )
    model = _ref_model(reference, init)
    want = reference.training.fit_early_stopping(
        model, X_tr, y_tr, X_val, y_val, patience, max_epochs, lr
    )
    for key in keys[:2]:
        _check_losses(check, got[key], want[key], f"{call} → {key}")
    check.close({k: got[k] for k in keys[2:]}, {k: want[k] for k in keys[2:]}, call=call)
    check.close(
        run["state"],
        _state(model),
        call=f"{call} → final weights (load the best epoch's state_dict back at the end)",
        tolerances=WEIGHT_TOL,
    )


CURVE = [1.2 * 0.9**k + 0.05 for k in range(30)]
HISTORIES = [
    ({"train_loss": CURVE, "val_loss": [v + 0.1 for v in CURVE]}, "history.png", False),
    ({"train_loss": CURVE[:12]}, "curve.png", True),
]


@_task("plot_history")
@pytest.mark.parametrize(("history", "name", "as_path"), HISTORIES, ids=["train+val", "train"])
def test_plot_history_writes_a_labelled_png(student, check, history, name, as_path):
    target = f"Path({name!r})" if as_path else repr(name)
    call = f"plot_history(history with {sorted(history)}, {target})"
    run = student.harness(
        "training.run_plot", history, name, as_path=as_path, task="training.plot_history"
    )
    check.that(run["png"] is not None, f"no file was written at {name!r}", call=call)
    data = bytes(run["png"].tobytes())
    check.that(
        data[:8] == b"\x89PNG\r\n\x1a\n",
        f"the file is not a PNG (it starts with {data[:8]!r}); save with format='png'",
        call=call,
    )
    width, height = (int.from_bytes(data[k : k + 4], "big") for k in (16, 20))
    check.that(
        data[12:16] == b"IHDR" and width > 100 and height > 100,
        f"expected an image over 100×100 pixels, received {width}×{height}",
        call=call,
    )
    check.that(_has_contrast(data), "the PNG cannot be decoded or is blank", call=call)
    check.that(
        bool(run["saved"]), "no matplotlib figure was saved (use fig.savefig(path))", call=call
    )
    axes = run["saved"][-1]["axes"]
    for axis, example in (("x", "epoch"), ("y", "loss")):
        check.that(
            any(a[f"{axis}label"].strip() for a in axes),
            f"the {axis} axis has no label (e.g. ax.set_{axis}label({example!r}))",
            call=call,
        )
    curves = [c for a in axes for c in a["curves"]]
    for key, values in history.items():
        check.that(
            any(len(c) == len(values) and np.allclose(c, values) for c in curves),
            f"no line shows history[{key!r}] against the epochs",
            call=call,
        )
    check.that(
        run["left_open"] == 0,
        f"{run['left_open']} pyplot figure(s) left open: close it with plt.close(fig)",
        call=call,
    )


def _has_contrast(data: bytes) -> bool:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            return len(set(image.convert("L").getextrema())) > 1
    except Exception:  # noqa: BLE001 - any decoding error means a broken file
        return False
