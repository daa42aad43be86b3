"""Graded: the course's rules about what a task's code may use, read from the files.

The grader reads every file the worker can import as it was submitted (never importing
it; autograder/checks/). For each task, in the code the task can run (its definitions,
the helpers they use in any of the submission's files, and what those files run when
imported):

- the language rules: only the course's imports, no code or names computed at run time,
  no interpreter internals (checks/language.py);
- the built-ins the task may not call (`forbidden:` in grading.yml), matched by what the
  code refers to, not by its spelling (checks/forbidden.py). The worker also watches the
  calls the task makes while it runs (autograder/worker/intercept.py).

A finding costs only the tasks whose code holds it. (This module's name sorts after
every unit's tests: a refused task is never run, so its tests fail with the same line
whatever their order; where the grader's own tests do run refused code, the units'
checks speak first.)
"""

from __future__ import annotations

import pytest

SHOWN = 2  # findings named in a task's message; the rest are counted


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    from autograder.plugin import STATE

    grading = metafunc.config.stash[STATE].grading_config()
    metafunc.parametrize(
        "task, names",
        [
            pytest.param(spec.id, spec.forbidden, marks=pytest.mark.task(spec.id), id=spec.id)
            for spec in grading.tasks
        ],
    )


def _listed(findings: list) -> str:
    shown = "; ".join(f.describe() for f in findings[:SHOWN])
    more = len(findings) - SHOWN
    return shown + (f" (and {more} more)" if more > 0 else "")


def test_uses_only_what_the_course_allows(student, check, task, names):
    unit, function = task.split(".", 1)
    if student.source(unit) is None:
        check.fail(f"{unit}.py is missing from the submission", call=task)
    rules = student.rules()
    broken = rules.broken(unit)
    if broken is not None:
        check.fail(broken, call=task)
    refused = rules.refused(unit, function)
    if refused:
        check.fail(f"the grader refuses {_listed(refused)}", call=task)
    uses = rules.forbidden(unit, function, names)
    if uses:
        check.fail(
            f"uses {_listed(uses)}; the task is to write this yourself "
            f"(not allowed here: {', '.join(names)})",
            call=task,
        )
