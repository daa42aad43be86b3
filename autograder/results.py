"""The one result model every reporter adapts: test outcomes in, task results out."""

from __future__ import annotations

from dataclasses import dataclass

STATUSES = ("passed", "failed", "error", "timeout", "skipped")


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

    @property
    def unit(self) -> str:
        return self.id.split(".", 1)[0]


@dataclass(frozen=True)
class GradeReport:
    tasks: tuple[TaskResult, ...]

    @property
    def score(self) -> float:
        return sum(t.score for t in self.tasks)

    @property
    def max_score(self) -> float:
        return sum(t.max_score for t in self.tasks)

    def units(self) -> dict[str, tuple[TaskResult, ...]]:
        grouped: dict[str, list[TaskResult]] = {}
        for task in self.tasks:
            grouped.setdefault(task.unit, []).append(task)
        return {unit: tuple(tasks) for unit, tasks in grouped.items()}
