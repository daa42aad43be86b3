"""The grader's own JSON format: score, max_score and one entry per task."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from autograder.results import GradeReport


def to_dict(report: GradeReport) -> dict[str, Any]:
    return {
        "score": report.score,
        "max_score": report.max_score,
        "partial": report.partial,
        "tasks": [
            {
                "id": t.id,
                "score": t.score,
                "max_score": t.max_score,
                "status": t.status,
                "message": "\n".join(filter(None, [t.message, t.detail])),
            }
            for t in report.tasks
        ],
    }


def write(report: GradeReport, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(to_dict(report), indent=2) + "\n", encoding="utf-8")
