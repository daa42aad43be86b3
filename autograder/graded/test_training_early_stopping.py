"""Graded: unit 7, part 3: early stopping, on several shapes of the validation curve.

Each scenario is a reference run the grader repeats itself from the same weights and the
same torch seed: a smooth curve that turns up, a run cut by max_epochs, no epochs at all,
plateaus of exactly equal validation losses (a model whose eval-mode logits are rounded),
patience 1, a best epoch 0, and a Dropout model whose noisy curve recovers after bad
epochs. The mode and grad rules are judged from the values: the grader's Net rounds its
eval-mode logits (grid: no gradient flows in eval mode), drops units in train mode
(Dropout), and shifts the logits of every pass without grad (so a validation loss with
grad enabled differs); a wrong history that equals the grader's own run with a known slip
is named as such.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import pytest

from autograder.batching import cases
from autograder.graded.iris_runs import (
    LOSS_TOL,
    TELL,
    WEIGHT_TOL,
    check_losses,
    check_untouched,
    init_state,
    iris,
    matches,
    ref_net,
    seeded,
    slipped,
    state_of,
)
from autograder.seeds import mixed

pytestmark = pytest.mark.uses("losses", "activations")
KEYS = ("train_loss", "val_loss", "best_epoch", "stopped_epoch")


def _task(name: str) -> pytest.MarkDecorator:
    return pytest.mark.task(f"training.{name}")


class Scenario(NamedTuple):
    init: int  # seed of the initial weights (fixed: the scenario depends on them)
    val_rows: int  # first rows of the iris test split used for validation
    flipped: int  # how many of them get a wrong label (the val loss turns up)
    lr: float
    patience: int
    max_epochs: int
    dropout: float = 0.0
    grid: float = 0.0  # eval-mode logits rounded to multiples of this
    note: str = ""


SCENARIOS = {
    "smooth-stops-early": Scenario(0, 30, 10, 0.5, 5, 200),
    "hits-max-epochs": Scenario(0, 30, 10, 0.5, 5, 12),
    "no-epochs": Scenario(0, 30, 10, 0.5, 3, 0),
    "plateaus-and-recovery": Scenario(
        1, 6, 2, 0.1, 6, 60, grid=0.25, note="equal validation losses repeat"
    ),
    "patience-1-plateau": Scenario(
        1, 6, 0, 0.2, 1, 60, grid=0.5, note="equal validation losses repeat"
    ),
    "best-at-epoch-0": Scenario(3, 30, 30, 2.0, 3, 60, note="the first epoch is the best"),
    "dropout-noisy": Scenario(0, 30, 10, 1.0, 3, 60, dropout=0.5, note="Dropout(0.5)"),
}


def _data(reference: Any, s: Scenario) -> list[Any]:
    X_tr, X_val, y_tr, y_val = iris(reference)
    X_val, y_val = X_val[: s.val_rows], y_val[: s.val_rows].clone()
    y_val[: s.flipped] = (y_val[: s.flipped] + 1) % 3
    return [X_tr, y_tr, X_val, y_val]


# the slip → how the grader's own run reproduces it, and what to tell the student
SLIPS = {
    "eval": "the validation loss was computed in train mode: call model.eval() before it",
    "train-after-first": "after the first epoch the training steps ran in eval mode: call "
    "model.train() at the start of every epoch",
    "grad": "the validation loss was computed with gradients enabled: wrap it in torch.no_grad()",
}


def _explain(check: Any, got: dict[str, Any], run: Any, call: str) -> None:
    """Fail with the slip whose history (`run(slip)`, the grader's own run) `got` has."""
    __tracebackhide__ = True
    for slip, problem in SLIPS.items():
        other = run(slip)
        if all(matches(got[k], other[k], LOSS_TOL) for k in KEYS[:2]):
            check.fail(problem, call=call)


def _check_epochs(
    check: Any, got: dict[str, Any], want: dict[str, Any], patience: int, epochs: int, call: str
) -> None:
    """The stopping rule, then best_epoch and stopped_epoch against the reference."""
    best, stop, val = got["best_epoch"], got["stopped_epoch"], want["val_loss"]
    check.that(
        stop == epochs - 1 or stop - best == patience,
        f"stopped at epoch {stop} with the best epoch {best}: stop once {patience} "
        "epochs in a row brought no strict improvement (or after max_epochs)",
        call=call,
    )
    ref = want["best_epoch"]
    if 0 <= ref < best < len(val) and val[best] == val[ref]:
        check.fail(
            f"epoch {best} only equals the best validation loss of epoch {ref} "
            f"({val[ref]:.6g}): an improvement must be strictly lower (<, not <=)",
            call=call,
        )
    check.close({k: got[k] for k in KEYS[2:]}, {k: want[k] for k in KEYS[2:]}, call=call)


@_task("fit_early_stopping")
@cases(name=list(SCENARIOS))
def test_early_stopping_matches_reference(student, reference, check, name):
    s = SCENARIOS[name]
    data, init, seed = _data(reference, s), init_state(s.init, salted=False), mixed(31_415)
    on = f" ({s.note})" if s.note else ""
    on += f" after torch.manual_seed({seed})" if s.dropout else ""
    call = (
        f"fit_early_stopping(model, ..., patience={s.patience}, max_epochs={s.max_epochs}, "
        f"lr={s.lr}){on}"
    )
    run = yield student.harness(
        "training.run_early_stopping",
        init,
        data,
        s.patience,
        s.max_epochs,
        s.lr,
        dropout=s.dropout,
        grid=s.grid,
        tell=TELL,
        seed=seed,
        task="training.fit_early_stopping",
    )
    got = run["value"]
    check.that(
        isinstance(got, dict)
        and all(k in got for k in KEYS)
        and all(type(got[k]) is int for k in KEYS[2:]),
        f"expected a dict with the keys {list(KEYS)} (the epochs as ints)",
        call=call,
    )
    fit = reference.training.fit_early_stopping

    def reference_run(slip: str = "") -> tuple[Any, Any, Any]:
        net = ref_net(init, s.dropout, s.grid, 0.0 if slip == "grad" else TELL)
        net = slipped(net, slip) if slip in ("eval", "train-after-first") else net
        return (*seeded(seed, fit, net, *data, s.patience, s.max_epochs, s.lr), net)

    want, rng, model = reference_run()
    if not all(matches(got[k], want[k], LOSS_TOL) for k in KEYS[:2]):
        _explain(check, got, lambda slip: reference_run(slip)[0], call)
    for key in KEYS[:2]:  # the epochs both ran first: a wrong value beats a wrong length
        n = min(len(got[key]), len(want[key])) if isinstance(got[key], list) else 0
        check_losses(check, got[key][:n], want[key][:n], f"{call} → {key}")
    _check_epochs(check, got, want, s.patience, s.max_epochs, call)
    for key in KEYS[:2]:
        check_losses(check, got[key], want[key], f"{call} → {key}")
    check.close(
        run["state"],
        state_of(model),
        call=f"{call} → final weights (load the best epoch's state_dict back at the end)",
        tolerances=WEIGHT_TOL,
    )
    check_untouched(check, run, call, rng, seed)
