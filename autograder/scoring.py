"""Scoring: a pure function of test outcomes and the grading config. No I/O, no globals."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace

from autograder.config import GradingConfig, TaskSpec
from autograder.results import GradeReport, TaskResult, TestOutcome

NO_TEST = "no graded test covers this task; tell your instructor (grader bug)"
NOT_RUN = "not run in this partial run (deselected, or the run stopped before it)"
SEVERITY = {"timeout": 3, "error": 2, "failed": 1}


def _task_result(spec: TaskSpec, outcomes: Sequence[TestOutcome], partial: bool) -> TaskResult:
    result = _judged(spec, outcomes, partial)
    return replace(result, hidden=True) if spec.hidden else result


def _judged(spec: TaskSpec, outcomes: Sequence[TestOutcome], partial: bool) -> TaskResult:
    failures = [o for o in outcomes if o.outcome == "failed"]
    if failures:
        worst = max(failures, key=lambda o: SEVERITY.get(o.status, 2))
        return TaskResult(spec.id, 0.0, spec.points, worst.status, worst.message, worst.detail)
    if any(o.outcome == "passed" for o in outcomes):
        notes = "; ".join(
            dict.fromkeys(o.message for o in outcomes if o.outcome == "passed" and o.message)
        )
        return TaskResult(spec.id, spec.points, spec.points, "passed", notes)
    if partial:
        return TaskResult(spec.id, 0.0, spec.points, "not run", NOT_RUN)
    if outcomes:
        return TaskResult(spec.id, 0.0, spec.points, "skipped", outcomes[0].message)
    return TaskResult(spec.id, 0.0, spec.points, "error", NO_TEST)


def grade(
    outcomes: Sequence[TestOutcome],
    config: GradingConfig,
    units: Collection[str] | None = None,
    partial: bool = False,
    hidden: bool = True,
) -> GradeReport:
    """All-or-nothing per task: full points when every non-skipped test of it passed.

    `units` limits the report to the units that were selected (e.g. `pytest -m losses`);
    None means every unit in the config. In a `partial` run (tests deselected, or the run
    stopped early), a task none of whose tests ran is "not run" and left out of the totals.
    `hidden` False leaves the hidden tasks out (their tests were not collected: a student
    release, or pytest run on the public suite only).
    """
    by_task: dict[str, list[TestOutcome]] = {}
    for outcome in outcomes:
        by_task.setdefault(outcome.task, []).append(outcome)
    chosen = [
        s for s in config.tasks if (units is None or s.unit in units) and (hidden or not s.hidden)
    ]
    results = tuple(_task_result(s, by_task.get(s.id, []), partial) for s in chosen)
    return GradeReport(results, partial)
