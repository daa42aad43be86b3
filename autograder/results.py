"""The one result model every reporter adapts: test outcomes in, task results out."""

from __future__ import annotations

from dataclasses import dataclass

STATUSES = ("passed", "failed", "error", "timeout", "skipped", "not run")


@dataclass(frozen=True)
class TestOutcome:
    """What one graded test said about one task."""

    __test__ = False  # not a pytest test class, despite the name

    task: str
    test: str
    outcome: str  # passed | failed | skipped
    status: str  # one of STATUSES
    message: str = ""
    detail: str = ""


@dataclass(frozen=True)
class TaskResult:
    id: str
    score: float
    max_score: float
    status: str
    message: str = ""
    detail: str = ""
    hidden: bool = False  # an instructor-only task: its messages stay out of student feedback

    @property
    def unit(self) -> str:
        return self.id.split(".", 1)[0]


@dataclass(frozen=True)
class GradeReport:
    """Every selected task's result. In a `partial` run, tasks that did not run are
    listed as "not run" and the totals count only the tasks that ran."""

    tasks: tuple[TaskResult, ...]
    partial: bool = False

    @property
    def ran(self) -> tuple[TaskResult, ...]:
        return tuple(t for t in self.tasks if t.status != "not run")

    @property
    def score(self) -> float:
        return sum(t.score for t in self.ran)

    @property
    def max_score(self) -> float:
        return sum(t.max_score for t in self.ran)

    def units(self) -> dict[str, tuple[TaskResult, ...]]:
        grouped: dict[str, list[TaskResult]] = {}
        for task in self.tasks:
            grouped.setdefault(task.unit, []).append(task)
        return {unit: tuple(tasks) for unit, tasks in grouped.items()}
