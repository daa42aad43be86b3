"""Graded: unit 7, part 2: the training loop and evaluation.

Models live in the worker (autograder/harness/training.py); the grader gets plain data
back (losses, state dicts, values made right after the call) and judges it against
reference runs from the same weights and the same seed. The mode and grad rules are
judged from those values too: the grader's Net rounds its logits in eval mode (no
gradient flows, nothing is learned), drops units in train mode with Dropout, and shifts
the logits of a pass without grad; a wrong value that equals the grader's own run with a
known slip (model.train() or model.eval() forgotten, no torch.no_grad()) is named as such.
"""

from __future__ import annotations

import functools
from typing import Any

import pytest
import torch

from autograder.batching import cases
from autograder.graded.iris_runs import (
    EXACT,
    GRID,
    LOSS_TOL,
    TELL,
    WEIGHT_TOL,
    State,
    check_losses,
    check_untouched,
    held_out_accuracy,
    init_state,
    iris,
    matches,
    ref_model,
    ref_net,
    seeded,
    slipped,
    state_of,
)
from autograder.harness.training import SEED
from autograder.seeds import mixed

pytestmark = pytest.mark.uses("losses", "activations")


def _task(name: str) -> pytest.MarkDecorator:
    return pytest.mark.task(f"training.{name}")


def _train(student: Any, *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
    return student.harness("training.run_train", *args, task="training.train", **kwargs)


def _check_train_run(
    check: Any, run: dict[str, Any], reference: Any, setup: dict[str, Any], call: str
) -> None:
    """Losses, final weights and global settings against the reference's run of the same
    Net (`setup`: init, dropout, grid, seed, and train's arguments)."""
    init, dropout, grid, seed = (setup[k] for k in ("init", "dropout", "grid", "seed"))
    args = setup["args"]
    model = ref_net(init, dropout, grid)
    train = reference.training.train
    want, rng = seeded(seed, train, model, *args)
    got = run["value"]
    if not matches(got, want, LOSS_TOL):
        stuck = slipped(ref_net(init, dropout, grid).eval(), "train")
        if matches(got, seeded(seed, train, stuck, *args)[0], LOSS_TOL):
            check.fail(
                "the batches ran in eval mode, the mode the model came in: call "
                "model.train() before the first batch",
                call=call,
            )
    check_losses(check, got, want, f"{call} → losses")
    check.close(
        run["state"], state_of(model), call=f"{call} → final weights", tolerances=WEIGHT_TOL
    )
    check_untouched(check, run, call, rng if dropout else None, seed)


TRAIN_CASES = [
    {"optimizer": o, "lr": lr, "batch_size": b, "epochs": e}
    for o, lr, b, e in [
        ("sgd", 0.5, None, 10),
        ("sgd", 0.1, 16, 5),
        ("adam", 0.01, 32, 5),
        ("sgd", 0.05, 1, 2),
        ("adam", 0.01, None, 0),
    ]
]


@_task("train")
@cases(*TRAIN_CASES)
def test_train_follows_the_reference_loop(
    student, reference, check, device, optimizer, lr, batch_size, epochs
):
    X, _, y, _ = iris(reference, device)
    init = init_state(3, device=device)
    call = (
        f"train(model, X, y, {epochs}, lr={lr}, optimizer={optimizer!r}, batch_size={batch_size})"
    )
    options = {"optimizer": optimizer, "batch_size": batch_size, "grid": GRID}
    first, second = yield _train(student, init, X, y, epochs, lr, runs=2, **options)
    args = (X, y, epochs, lr, optimizer, batch_size)
    setup = {"init": init, "dropout": 0.0, "grid": GRID, "seed": SEED, "args": args}
    _check_train_run(check, first, reference, setup, call)
    check.close(
        second["value"],
        first["value"],
        call=f"{call} run twice from the same weights (no unseeded randomness)",
        tolerances=EXACT,
    )


DROPOUT_CASES = [
    {"optimizer": "sgd", "lr": 0.5, "batch_size": 32, "epochs": 3},
    {"optimizer": "adam", "lr": 0.01, "batch_size": None, "epochs": 4},
]


@_task("train")
@cases(*DROPOUT_CASES)
def test_train_a_dropout_model_in_train_mode(
    student, reference, check, optimizer, lr, batch_size, epochs
):
    X, _, y, _ = iris(reference)
    init, seed = init_state(4), mixed(16_180)
    call = (
        f"train(model with Dropout(0.5), X, y, {epochs}, lr={lr}, optimizer={optimizer!r}, "
        f"batch_size={batch_size}) after torch.manual_seed({seed})"
    )
    options = {"optimizer": optimizer, "batch_size": batch_size, "dropout": 0.5, "seed": seed}
    (run,) = yield _train(student, init, X, y, epochs, lr, **options)
    args = (X, y, epochs, lr, optimizer, batch_size)
    setup = {"init": init, "dropout": 0.5, "grid": 0.0, "seed": seed, "args": args}
    _check_train_run(check, run, reference, setup, call)


@_task("train")
def test_trained_mlp_classifies_held_out_iris(student, reference, check):
    X_tr, X_te, y_tr, y_te = iris(reference)
    call = "train(model, X_train, y_train, 200, lr=0.5) on iris"
    (run,) = _train(student, init_state(0), X_tr, y_tr, 200, 0.5)
    check_losses(check, run["value"], None, f"{call} → losses")
    state = run["state"]
    check.that(
        all(bool(v.isfinite().all()) for v in state.values()),
        "the trained weights hold NaN or inf",
        call=call,
    )
    accuracy = held_out_accuracy(state, X_te, y_te)
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


@functools.cache
def _evaluation_state(reference: Any) -> State:
    """Weights after 8 reference epochs: accuracy well between 0 and 1."""
    X, _, y, _ = iris(reference)
    model = ref_model(reference, init_state(0))
    reference.training.train(model, X, y, 8, 0.5)
    return state_of(model)


@_task("evaluate")
@cases(rows=["test", "train"])
def test_evaluate_in_eval_mode_without_grad(student, reference, check, device, rows):
    state = {k: v.to(device) for k, v in _evaluation_state(reference).items()}
    X_tr, X_te, y_tr, y_te = iris(reference, device)
    X, y = (X_te, y_te) if rows == "test" else (X_tr, y_tr)
    call = f"evaluate(model with Dropout(0.5), in train mode, X, y) on the iris {rows} rows"
    info = yield student.harness(
        "training.run_evaluate", state, X, y, 0.5, TELL, task="training.evaluate"
    )
    model = ref_net(state, 0.5, tell=TELL)
    evaluate = reference.training.evaluate
    want = evaluate(model, X, y)
    got = info["value"]
    if not matches(got, want, LOSS_TOL):
        _explain_evaluate(check, got, state, X, y, evaluate, call)
    check.close(got, want, call=call, names=("loss", "accuracy"), tolerances=LOSS_TOL)
    with torch.no_grad():
        logits = model(X)
    check.close(
        info["logits"],
        logits,
        call=f"{call}, then model(X) (leave the model in eval mode)",
        tolerances=WEIGHT_TOL,
    )
    grads = info["grads"]
    left = sorted(n for n, g in grads.items() if g is not None) if isinstance(grads, dict) else []
    check.that(
        isinstance(grads, dict) and not left,
        f"evaluate() left gradients in {', '.join(left)}: it must not call backward()",
        call=call,
    )
    check_untouched(check, info, call)


def _explain_evaluate(
    check: Any, got: Any, state: State, X: Any, y: Any, evaluate: Any, call: str
) -> None:
    """Fail with the slip whose value (computed here) `got` equals, if any."""
    __tracebackhide__ = True
    slips = {
        "the loss is the one the model gives with gradients enabled: wrap the forward "
        "pass in torch.no_grad()": lambda: evaluate(ref_net(state, 0.5), X, y),
        "the loss is the one the model gives in train mode (Dropout active): call "
        "model.eval() first": lambda: seeded(
            SEED, evaluate, slipped(ref_net(state, 0.5, tell=TELL), "eval"), X, y
        )[0],
    }
    for problem, value in slips.items():
        if matches(got, value(), LOSS_TOL):
            check.fail(problem, call=call)
