"""`autograder grade` in a fresh process, for callers that must not grade in their own
(a student's notebook kernel; the nbgrader command grading one student after another)."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from autograder.errors import UsageError


def grade_folder(folder: Path, config: Path, *args: str) -> list[dict[str, Any]]:
    """The task entries of the JSON report of grading `folder` with `config`."""
    with tempfile.TemporaryDirectory(prefix="autograder-report-") as tmp:
        report = Path(tmp) / "report.json"
        command = [sys.executable, "-m", "autograder.cli", "grade", str(folder)]
        command += ["--config", str(config), "--json", str(report), *args]
        proc = subprocess.run(command, capture_output=True, text=True, cwd=tmp)
        if not report.is_file():
            output = proc.stdout[-2000:] + proc.stderr[-2000:]
            raise UsageError(f"{folder}: grading failed (exit {proc.returncode}):\n{output}")
        return list(json.loads(report.read_text(encoding="utf-8"))["tasks"])
