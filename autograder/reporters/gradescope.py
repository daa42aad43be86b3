"""Gradescope's results.json: the submission's score and one test entry per task.

Field names and values follow Gradescope's published autograder specification
(https://gradescope-autograders.readthedocs.io/en/latest/specs/): `score`,
`execution_time`, `output`, and `tests` with `name`, `number`, `score`, `max_score`,
`status` ("passed" or "failed"), `output` and `visibility`. Hidden tasks are
`after_published`: students see them once the instructor publishes grades.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from autograder import safe_text
from autograder.reporters import atomic
from autograder.results import GradeReport, TaskResult

HIDDEN = "after_published"
VISIBLE = "visible"


def _test(task: TaskResult, number: str) -> dict[str, Any]:
    passed = task.status == "passed" and task.score >= task.max_score
    output = safe_text.block("\n".join(filter(None, [task.message, task.detail])))
    return {
        "name": task.id,
        "number": number,
        "score": task.score,
        "max_score": task.max_score,
        "status": "passed" if passed else "failed",
        "output": "not run" if task.status == "not run" else output or "all checks passed",
        "visibility": HIDDEN if task.hidden else VISIBLE,
    }


def to_results(
    report: GradeReport,
    execution_time: float,
    run: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The results.json object; hidden tasks are shown once grades are published."""
    tests = []
    for u, tasks in enumerate(report.units().values(), start=1):
        for t, task in enumerate(tasks, start=1):
            tests.append(_test(task, f"{u}.{t}"))
    lines = [f"{report.score:g} / {report.max_score:g} points"]
    if report.partial:
        lines.append("partial run: only the tasks that ran are counted")
    if run and run.get("isolation"):
        lines.append(f"isolation: {run['isolation']}")
    return {
        "score": report.score,
        "execution_time": max(0, round(execution_time)),
        "output": "\n".join(lines),
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def write(
    report: GradeReport,
    path: Path,
    execution_time: float,
    run: dict[str, Any] | None = None,
) -> None:
    atomic.write_text(path, json.dumps(to_results(report, execution_time, run), indent=2) + "\n")
