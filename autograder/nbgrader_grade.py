"""`autograder nbgrader-autograde`: grade an nbgrader course's submissions without
running any notebook, and record the result in nbgrader's own gradebook.

Each student's answer cells become the unit's `.py` (autograder.cells), graded by
`autograder grade` (student code only in the sandboxed worker). Scores go into the
gradebook's grades for the test cells, the one-line messages into the comments of the
answer cells, and `autograded/` gets the submitted notebooks with each test cell's
hidden part removed and our line as its output, so `nbgrader export`, formgrader and
`nbgrader generate_feedback` work as usual and show no hidden test code.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Any

from autograder.cells import module_from_notebook
from autograder.errors import UsageError
from autograder.grade_process import grade_folder
from autograder.notebooks import grade_id

HIDDEN = re.compile(r"\n?### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS", re.S)


def students(course: Path, assignment: str, only: list[str] | None) -> list[str]:
    submitted = course / "submitted"
    found = sorted(p.name for p in submitted.glob("*") if (p / assignment).is_dir())
    missing = sorted(set(only or ()) - set(found))
    if missing:
        raise UsageError(f"{submitted / missing[0] / assignment}: no such submission")
    return list(only) if only else found


def autograde(
    course: Path, assignment: str, only: list[str] | None = None, isolation: str = "auto"
) -> dict[str, float]:
    """Grade every (or each named) student's submission; student → score."""
    from nbgrader.api import Gradebook

    course = course.resolve()
    source = course / "source" / assignment
    if not (source / "grading.yml").is_file():
        raise UsageError(f"{source}/grading.yml: missing; run `autograder notebooks` first")
    units = sorted(p.stem for p in source.glob("*.ipynb"))
    warnings.filterwarnings("ignore", module="nbgrader.api")  # its own SQLAlchemy warnings
    scores = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student in students(course, assignment, only):
            folder = course / "submitted" / student / assignment
            tasks = _grade(folder, units, source / "grading.yml", isolation)
            _record(gradebook, assignment, student, folder, tasks)
            _write_autograded(course / "autograded" / student / assignment, folder, tasks)
            scores[student] = sum(t["score"] for t in tasks.values())
    return scores


def _grade(folder: Path, units: list[str], config: Path, isolation: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="autograder-nbgrader-") as tmp:
        code = Path(tmp) / "submission"
        code.mkdir()
        for unit in units:
            notebook = folder / f"{unit}.ipynb"  # unreadable: its unit scores 0, saying why
            (code / f"{unit}.py").write_text(module_from_notebook(notebook, notebook.name)[0])
        units_args = [arg for unit in units for arg in ("--unit", unit)]
        tasks = grade_folder(code, config, f"--isolation={isolation}", *units_args)
        return {t["id"]: t for t in tasks}


def _record(gradebook: Any, assignment: str, student: str, folder: Path, tasks: dict) -> None:
    from nbgrader.api import MissingEntry

    gradebook.update_or_create_student(student)
    try:
        gradebook.remove_submission(assignment, student)
    except MissingEntry:
        pass
    stamp = folder / "timestamp.txt"
    extra = {"timestamp": stamp.read_text().strip()} if stamp.is_file() else {}
    gradebook.add_submission(assignment, student, **extra)
    for task, result in tasks.items():
        unit = task.split(".", 1)[0]
        try:
            grade = gradebook.find_grade(grade_id(task), unit, assignment, student)
        except MissingEntry:
            continue  # a task with no test cell in this assignment's notebooks
        grade.auto_score = result["score"]
        try:
            comment = gradebook.find_comment(grade_id(task, "answer"), unit, assignment, student)
            comment.auto_comment = _line(result)
        except MissingEntry:
            pass
    gradebook.db.commit()


def _line(result: dict[str, Any]) -> str:
    head = f"{result['id']}: {result['score']:g} / {result['max_score']:g}"
    return f"{head}\n{result['message']}" if result["message"] else f"{head} (all checks passed)"


def _write_autograded(out: Path, folder: Path, tasks: dict) -> None:
    import nbformat

    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(folder, out)
    for path in out.glob("*.ipynb"):
        try:
            notebook = nbformat.read(path, 4)
        except Exception:  # noqa: BLE001 - left as submitted; its unit scored 0 already
            continue
        for cell in notebook.cells:
            meta = cell.metadata.get("nbgrader", {})
            task = next((t for t in tasks if grade_id(t) == meta.get("grade_id")), None)
            if cell.cell_type != "code" or not meta.get("grade") or task is None:
                continue
            cell.source = HIDDEN.sub("", cell.source)
            cell.outputs = [
                nbformat.v4.new_output("stream", name="stdout", text=_line(tasks[task]) + "\n")
            ]
        nbformat.write(notebook, path)
