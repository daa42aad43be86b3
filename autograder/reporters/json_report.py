"""The grader's own JSON format: score, max_score and one entry per task (its message
as safe text, see `safe_text`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from autograder import safe_text
from autograder.reporters import atomic
from autograder.results import GradeReport


def to_dict(report: GradeReport, run: dict[str, Any] | None = None) -> dict[str, Any]:
    """The report; `run` adds facts about how it was graded (e.g. the isolation level)."""
    return {
        **(run or {}),
        "score": report.score,
        "max_score": report.max_score,
        "partial": report.partial,
        "tasks": [
            {
                "id": t.id,
                "score": t.score,
                "max_score": t.max_score,
                "status": t.status,
                "message": safe_text.block("\n".join(filter(None, [t.message, t.detail]))),
                "hidden": t.hidden,
            }
            for t in report.tasks
        ],
    }


def write(report: GradeReport, path: Path, run: dict[str, Any] | None = None) -> None:
    atomic.write_text(path, json.dumps(to_dict(report, run), indent=2) + "\n")
