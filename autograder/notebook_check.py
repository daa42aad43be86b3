"""The quick check inside a student's notebook: grade the unit's code as executed in
this kernel with the real grader (a separate process, student code in its sandboxed
worker), and print the task's line of the points table.

Runs in the student's own kernel, so it is feedback, not a trustworthy grade: a
notebook can replace this function. `autograder nbgrader-autograde` grades without
running the notebook at all.
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path
from typing import Any

from autograder.cells import module_from_cells
from autograder.grade_process import grade_folder

_graded: dict[tuple[str, str], dict[str, Any]] = {}  # (task, source hash) → its result


def _config() -> Path:
    for folder in (Path.cwd(), *Path.cwd().parents):
        if (folder / "grading.yml").is_file():
            return folder / "grading.yml"
    raise FileNotFoundError("grading.yml: not found here or above; keep it beside the notebooks")


def _grade(task: str, source: str) -> dict[str, Any]:
    """`task`'s result for `source` as its unit's file (the task's tests only)."""
    unit = task.split(".", 1)[0]
    key = (task, hashlib.sha256(source.encode()).hexdigest())
    if key not in _graded:
        with tempfile.TemporaryDirectory(prefix="autograder-notebook-") as tmp:
            (Path(tmp) / f"{unit}.py").write_text(source, encoding="utf-8")
            tasks = grade_folder(Path(tmp), _config(), "--task", task)
        _graded[key] = next(t for t in tasks if t["id"] == task)
    return _graded[key]


def check(task: str, namespace: dict[str, Any], strict: bool = False) -> bool:
    """Print `task`'s result for the code this kernel executed; with `strict`, raise
    AssertionError when it lost points. True when it got full points."""
    cells = [str(c) for c in namespace.get("In", []) if c]
    result = _grade(task, module_from_cells(cells))
    full = result["score"] >= result["max_score"]
    mark = "ok" if full else result["status"].upper()
    print(f"{task}: {result['score']:g} / {result['max_score']:g}  {mark}")
    if result["message"]:
        print(f"    {result['message']}")
    if strict and not full:
        raise AssertionError(f"{task}: {result['message'] or result['status']}")
    return full
