"""Correct code never pays: correct alternatives in varied styles keep full marks.

tests/correct/ holds the corpus as data: loops, NumPy- and operator-heavy code, the
student's own layer objects (`.forward()`/`.backward()`, `.grad` fields, `self.softmax`),
helpers and dispatch tables, other valid formulas, `__main__` self-tests that use what the
rules refuse elsewhere, and everyday idioms. Each submission (a copy of solutions/ with a
group of variants applied) is graded by the real CLI, on the units it rewrites, and every
graded task must get full points. A variant that loses points today is graded alone and
marked xfail (strict) with what the grader does wrong, so the gap stays visible and the
mark must go once the grader is fixed.
"""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

import pytest

from autograder.config import load_config
from tests.correct.corpus import UNITS, Submission, build
from tests.correct.registry import submissions
from tests.helpers import ROOT, grade

SUBMISSIONS = submissions()


class KnownGap(AssertionError):
    """A submission lost points exactly as its known gap says (and for nothing else)."""


def _param(submission: Submission) -> object:
    marks = []
    if submission.xfail is not None:
        marks.append(pytest.mark.xfail(strict=True, raises=KnownGap, reason=submission.xfail))
    return pytest.param(submission, id=submission.name, marks=marks)


def _expected_tasks(submission: Submission) -> list[str]:
    if submission.tasks:
        return list(submission.tasks)
    units = set(submission.graded_units())
    return [spec.id for spec in load_config(ROOT / "grading.yml").tasks if spec.unit in units]


def _losses(submission: Submission, result: dict) -> list[str]:
    """One line per expected task short of full points: the task, its score, the variants
    that may be behind it, and the grader's message."""
    by_id = {task["id"]: task for task in result["tasks"]}
    lines = []
    for task_id in _expected_tasks(submission):
        task = by_id.get(task_id)
        if task is None:
            lines.append(f"{task_id}: missing from the report")
        elif task["status"] == "not run" or task["score"] < task["max_score"]:
            lines.append(
                f"{task_id} {task['score']:g}/{task['max_score']:g} "
                f"[{submission.owners(task_id)}]: {task['message']}"
            )
    return lines


@pytest.mark.parametrize("submission", [_param(s) for s in SUBMISSIONS])
def test_correct_alternatives_keep_full_marks(tmp_path: Path, submission: Submission) -> None:
    folder = build(submission, tmp_path / "submission")
    result = grade(folder, tmp_path / "out.json", *submission.grade_args())
    lost = _losses(submission, result)
    message = f"{submission.name} lost points:\n" + "\n".join(lost)
    if lost and submission.xfail and all(submission.expect in line for line in lost):
        raise KnownGap(message)
    assert not lost, message


def test_every_unit_has_alternatives_in_several_styles() -> None:
    styles: dict[str, set[str]] = {unit: set() for unit in UNITS}
    for submission in SUBMISSIONS:
        for variant in submission.variants:
            styles[variant.unit].add(variant.style)
    thin = {unit: sorted(found) for unit, found in styles.items() if len(found) < 2}
    assert not thin, f"units with alternatives in fewer than two styles: {thin}"


def test_variants_are_named_once_and_change_their_unit(tmp_path: Path) -> None:
    names = Counter(v.name for s in SUBMISSIONS for v in s.variants)
    assert [n for n, count in names.items() if count > 1] == []
    for submission in SUBMISSIONS:
        folder = build(submission, tmp_path / submission.name.replace("/", "_"))
        for unit in submission.graded_units():
            text = (folder / f"{unit}.py").read_text()
            assert text != (ROOT / "solutions" / f"{unit}.py").read_text(), (submission.name, unit)
            defined = Counter(
                node.name
                for node in ast.parse(text).body
                if isinstance(node, (ast.FunctionDef, ast.ClassDef))
            )
            twice = [name for name, count in defined.items() if count > 1]
            assert twice == [], f"{submission.name}: {unit}.py defines {twice} twice"
