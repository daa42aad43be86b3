"""Graded: unit 7, part 2: the training loop and evaluation.

Models live in the worker (autograder/harness/training.py); the grader gets plain data
back (losses, state dicts, the mode of every forward pass, global settings before and
after) and judges it against reference runs from the same weights and the same seed.
"""

from __future__ import annotations

import functools
from typing import Any

import pytest

from autograder.graded.iris_runs import (
    EXACT,
    LOSS_TOL,
    WEIGHT_TOL,
    State,
    check_losses,
    check_untouched,
    held_out_accuracy,
    init_state,
    iris,
    ref_model,
    ref_net,
    seeded,
    state_of,
)

pytestmark = pytest.mark.uses("losses", "activations")


def _task(name: str) -> pytest.MarkDecorator:
    return pytest.mark.task(f"training.{name}")


def _train(student: Any, *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
    return student.harness("training.run_train", *args, task="training.train", **kwargs)


def _check_train_run(
    check: Any, run: dict[str, Any], want: list[float], model: Any, rng: Any, call: str
) -> None:
    """Losses, final weights, train mode in every forward pass, global settings."""
    check_losses(check, run["value"], want, f"{call} → losses")
    check.close(
        run["state"], state_of(model), call=f"{call} → final weights", tolerances=WEIGHT_TOL
    )
    check.that(
        run["training"] and all(p[1] for p in run["passes"]),
        "put the model in train mode (model.train()) before the first batch",
        call=call,
    )
    check_untouched(check, run, call, rng)


TRAIN_CASES = [
    ("sgd", 0.5, None, 10),
    ("sgd", 0.1, 16, 5),
    ("adam", 0.01, 32, 5),
    ("sgd", 0.05, 1, 2),
    ("adam", 0.01, None, 0),
]


@_task("train")
@pytest.mark.parametrize(
    ("optimizer", "lr", "batch_size", "epochs"),
    TRAIN_CASES,
    ids=[f"{o}-batch{b}-epochs{e}" for o, _, b, e in TRAIN_CASES],
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
    _check_train_run(check, first, want, model, None, call)
    check.close(
        second["value"],
        first["value"],
        call=f"{call} run twice from the same weights (no unseeded randomness)",
        tolerances=EXACT,
    )


DROPOUT_CASES = [("sgd", 0.5, 32, 3), ("adam", 0.01, None, 4)]


@_task("train")
@pytest.mark.parametrize(
    ("optimizer", "lr", "batch_size", "epochs"),
    DROPOUT_CASES,
    ids=[f"{o}-batch{b}" for o, _, b, _ in DROPOUT_CASES],
)
def test_train_a_dropout_model_in_train_mode(
    student, reference, check, optimizer, lr, batch_size, epochs
):
    X, _, y, _ = iris(reference)
    init, seed = init_state(4), 16_180
    call = (
        f"train(model with Dropout(0.5), X, y, {epochs}, lr={lr}, optimizer={optimizer!r}, "
        f"batch_size={batch_size}) after torch.manual_seed({seed})"
    )
    options = {"optimizer": optimizer, "batch_size": batch_size, "dropout": 0.5, "seed": seed}
    (run,) = _train(student, init, X, y, epochs, lr, **options)
    model = ref_net(init, dropout=0.5)
    train = reference.training.train
    want, rng = seeded(seed, train, model, X, y, epochs, lr, optimizer, batch_size)
    _check_train_run(check, run, want, model, rng, call)


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
        check.that(not any(p[k + 1] for p in passes), f"the forward pass {problem}", call=call)
    check.that(not info["training"], "leave the model in eval mode", call=call)
    check.that(
        not info["grads"],
        f"evaluate() left gradients in {info['grads']}: it must not call backward()",
        call=call,
    )
    want = reference.training.evaluate(ref_model(reference, state, device), X, y)
    check.close(info["value"], want, call=call, names=("loss", "accuracy"), tolerances=LOSS_TOL)
    check_untouched(check, info, call)
