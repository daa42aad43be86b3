"""Graded: the course's rule that a task may not call the built-in it asks you to write.

grading.yml lists per task what is forbidden (`forbidden:`). Here the grader reads the
student's file as submitted (never importing it); the worker also watches the calls the
task's function makes at run time (autograder/worker/intercept.py).
"""

from __future__ import annotations

import pytest

from autograder.checks.forbidden import forbidden_uses


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    from autograder.plugin import STATE

    grading = metafunc.config.stash[STATE].grading_config()
    tasks = [spec for spec in grading.tasks if spec.forbidden]
    metafunc.parametrize(
        "task, names",
        [
            pytest.param(spec.id, spec.forbidden, marks=pytest.mark.task(spec.id), id=spec.id)
            for spec in tasks
        ],
    )


def test_does_not_call_the_builtin_it_replaces(student, check, task, names):
    unit, function = task.split(".", 1)
    source = student.source(unit)
    if source is None:
        check.fail(f"{unit}.py is missing from the submission", call=task)
    try:
        uses = forbidden_uses(source, function, names)
    except SyntaxError as exc:
        check.fail(f"{unit}.py does not parse (line {exc.lineno}: {exc.msg})", call=task)
    if uses:
        where = ", ".join(f"line {u.line}: {u.text}" for u in uses[:3])
        check.fail(
            f"uses {where}; the task is to write this yourself "
            f"(not allowed here: {', '.join(names)})",
            call=task,
        )
