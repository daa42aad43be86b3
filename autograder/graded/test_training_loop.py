"""Graded: unit 7, part 2: evaluation, early stopping and the loss-curve plot.

Models and figures live in the worker (autograder/harness/training.py); the grader gets
plain data back (losses, state dicts, PNG bytes) and judges it here.
"""

from __future__ import annotations

import functools
import io
from typing import Any

import numpy as np
import pytest

from autograder.graded.iris_runs import (
    LOSS_TOL,
    WEIGHT_TOL,
    State,
    check_losses,
    init_state,
    iris,
    ref_model,
    state_of,
)

pytestmark = pytest.mark.uses("losses", "activations")


def _task(name: str) -> pytest.MarkDecorator:
    return pytest.mark.task(f"training.{name}")


@functools.cache
def _evaluation_state(reference: Any) -> State:
    """Weights after 8 reference epochs: accuracy well between 0 and 1."""
    X, _, y, _ = iris(reference)
    model = ref_model(reference, init_state(0))
    reference.training.train(model, X, y, 8, 0.5)
    return state_of(model)


@_task("evaluate")
@pytest.mark.parametrize("rows", ["test", "train"])
def test_evaluate_in_eval_mode_without_grad(student, reference, check, device, rows):
    state = {k: v.to(device) for k, v in _evaluation_state(reference).items()}
    X_tr, X_te, y_tr, y_te = iris(reference, device)
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
    want = reference.training.evaluate(ref_model(reference, state, device), X, y)
    check.close(info["value"], want, call=call, names=("loss", "accuracy"), tolerances=LOSS_TOL)


@_task("fit_early_stopping")
@pytest.mark.parametrize(
    ("patience", "max_epochs"),
    [(5, 200), (5, 12), (3, 0)],
    ids=["stops-early", "hits-max-epochs", "no-epochs"],
)
def test_early_stopping_matches_reference(student, reference, check, patience, max_epochs):
    X_tr, X_val, y_tr, y_val = iris(reference)
    y_val = y_val.clone()
    y_val[:10] = (y_val[:10] + 1) % 3  # mislabelled rows: the val loss rises after ~20 epochs
    init, lr = init_state(0), 0.5
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
    model = ref_model(reference, init)
    want = reference.training.fit_early_stopping(
        model, X_tr, y_tr, X_val, y_val, patience, max_epochs, lr
    )
    for key in keys[:2]:
        check_losses(check, got[key], want[key], f"{call} → {key}")
    check.close({k: got[k] for k in keys[2:]}, {k: want[k] for k in keys[2:]}, call=call)
    check.close(
        run["state"],
        state_of(model),
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
