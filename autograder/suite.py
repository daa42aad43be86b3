"""What the graded suite covers, and whether grading.yml agrees with it.

A task id in grading.yml that no graded test names would silently cost every student its
points; a graded test whose task is missing from grading.yml would grade for nothing.
Both are configuration errors, raised before any grading, naming the key and the
closest id on the other side. A graded test handed its task id as a parameter (one test
per task grading.yml lists: the rules every task's code must keep) grades whatever id it
is given, so it is no evidence that an id names a task of the suite: only the tests that
name their task themselves count.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection
from pathlib import Path
from typing import Any

from autograder.config import GradingConfig
from autograder.errors import ConfigError

GRADED = Path(__file__).resolve().parent / "graded"
HIDDEN = "hidden"  # the course's instructor-only graded tests, beside grading.yml
TASK_PARAMETER = "task"  # a test given its task id by parametrization (from grading.yml)


def evidence(item: Any) -> bool:
    """Whether the pytest item `item` shows that the suite grades its task: it names the
    task itself rather than being handed it (from grading.yml's own list of tasks)."""
    callspec = getattr(item, "callspec", None)
    return TASK_PARAMETER not in (callspec.params if callspec is not None else {})


def graded_files() -> frozenset[Path]:
    """Every test module of the graded suite."""
    return frozenset(p.resolve() for p in GRADED.glob("test_*.py"))


def _closest(name: str, options: Collection[str]) -> str:
    match = difflib.get_close_matches(name, sorted(options), n=1, cutoff=0.5)
    return f"; did you mean '{match[0]}'?" if match else ""


def check_tasks(
    config: GradingConfig, graded: Collection[str], whole_suite: bool, hidden: bool = True
) -> None:
    """Raise ConfigError unless every graded task is in `config` and, when the whole
    suite was collected, every task in `config` is graded by some test (the hidden
    tasks only when `hidden`, their tests, were collected)."""
    configured = {spec.id for spec in config.tasks if hidden or not spec.hidden}
    for task in sorted(set(graded) - configured):
        raise ConfigError(
            f"{config.source}: the graded suite grades '{task}', which is not under "
            f"'tasks'; add it with its points{_closest(task, configured)}"
        )
    if not whole_suite:
        return
    for task in sorted(configured - set(graded)):
        raise ConfigError(
            f"{config.source}: tasks.{task} is not graded by any test of the graded "
            f"suite; remove it or fix the id{_closest(task, graded)}"
        )
