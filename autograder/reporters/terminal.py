"""The points table a student or TA reads at the end of a run.

Messages are shown indented under their task, their lines as `safe_text` makes them, so
no text of a student's can start a console line of its own (a fake row, a workflow
command)."""

from __future__ import annotations

from autograder import safe_text
from autograder.results import GradeReport, TaskResult

MARKS = {
    "passed": "ok",
    "failed": "FAIL",
    "error": "ERROR",
    "timeout": "TIMEOUT",
    "skipped": "skip",
    "not run": "not run",
}
MESSAGE_WIDTH = 400


def _points(score: float, max_score: float) -> str:
    return f"{score:g} / {max_score:g}"


def _task_lines(task: TaskResult, width: int) -> list[str]:
    name = task.id.split(".", 1)[1]
    points = (
        f"- / {task.max_score:g}"
        if task.status == "not run"
        else _points(task.score, task.max_score)
    )
    lines = [f"  {name:<{width}} {points:>9}  {MARKS.get(task.status, task.status)}"]
    if task.message and task.status != "not run":
        message = safe_text.block(task.message, MESSAGE_WIDTH)
        lines.extend(f"      {line}" for line in message.split("\n"))
        lines.extend(f"      | {line}" for line in safe_text.block(task.detail).splitlines())
    return lines


def render(report: GradeReport) -> list[str]:
    """One row per task (with its message when it lost points), a row per unit, the total."""
    width = max((len(t.id.split(".", 1)[1]) for t in report.tasks), default=10) + 2
    lines: list[str] = []
    for unit, tasks in report.units().items():
        ran = [t for t in tasks if t.status != "not run"]
        got = sum(t.score for t in ran)
        most = sum(t.max_score for t in ran)
        lines.append(f"{unit:<{width + 2}} {_points(got, most):>9}")
        for task in tasks:
            lines.extend(_task_lines(task, width))
    lines.append(f"{'TOTAL':<{width + 2}} {_points(report.score, report.max_score):>9}")
    if report.partial:
        lines.append(
            f"partial run: {len(report.ran)} of {len(report.tasks)} tasks ran; the total "
            "counts only those (run without -k/-x/--lf/-m for the full grade)"
        )
    return lines
