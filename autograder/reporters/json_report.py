"""The grader's own JSON format: score, max_score and one entry per task."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

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
                "message": "\n".join(filter(None, [t.message, t.detail])),
            }
            for t in report.tasks
        ],
    }


def write(report: GradeReport, path: Path, run: dict[str, Any] | None = None) -> None:
    """Write atomically: a file or link planted at `path` is replaced, never followed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(json.dumps(to_dict(report, run), indent=2) + "\n")
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
