"""Each realistic wrong implementation loses exactly its own task's points.

Tasks are graded independently of each other, so one `autograder grade` run checks one
mutant per task at once (a round); every task keeps full marks except the mutated ones.
A mutant that also cost another task, of its unit or any other, fails its round.
"""

from __future__ import annotations

import importlib
from itertools import zip_longest
from pathlib import Path

import pytest

from autograder.plugin import UNITS
from tests.helpers import grade, lost, make_submission


def _mutants() -> list[list[tuple[str, str, str]]]:
    """Rounds of (task, why, source), at most one mutant per task in each round."""
    per_task = []
    for unit in UNITS:
        module = importlib.import_module(f"tests.mutants.{unit}")
        per_task.extend(
            [(task, why, src) for why, src in items] for task, items in module.MUTANTS.items()
        )
    return [[m for m in group if m] for group in zip_longest(*per_task)]


ROUNDS = _mutants()


def test_every_task_has_a_wrong_implementation():
    from autograder.config import load_config
    from tests.helpers import ROOT

    covered = {task for group in ROUNDS for task, _, _ in group}
    tasks = {spec.id for spec in load_config(ROOT / "grading.yml").tasks if spec.unit in UNITS}
    assert tasks - covered == set()


@pytest.mark.parametrize("group", ROUNDS, ids=[f"round{i}" for i in range(len(ROUNDS))])
def test_wrong_implementation_loses_exactly_its_task(tmp_path: Path, group):
    submission = make_submission(tmp_path / "sub", {task: src for task, _, src in group})
    units = sorted({task.split(".")[0] for task, _, _ in group})
    result = grade(submission, tmp_path / "out.json", *[a for u in units for a in ("--unit", u)])
    expected = {task for task, _, _ in group}
    why = {task: reason for task, reason, _ in group}
    assert lost(result) == expected, (
        f"expected to lose exactly {sorted(expected)} ({why}); lost {sorted(lost(result))}\n"
        + result["stdout"][-4000:]
    )
