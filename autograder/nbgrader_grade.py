"""`autograder nbgrader-autograde`: grade an nbgrader course's submissions without
running any notebook, and record the result in nbgrader's own gradebook.

Each student's answer cells become the unit's `.py` (autograder.cells), graded by
`autograder grade` (student code only in the sandboxed worker). Scores go into the
gradebook's grades for the test cells, the one-line messages into the comments of the
answer cells, and `autograded/` gets the submitted notebooks with each test cell's
hidden part removed and our line as its output, so `nbgrader export`, formgrader and
`nbgrader generate_feedback` work as usual and show no hidden test code.

A submission is read once, through autograder.nofollow: a symbolic link (to the
instructor's source notebook, say) is never read nor copied. It is named in a note on
stderr; a linked notebook scores 0 saying why, and its released blank stands in for it
in `autograded/` so the student's feedback says so too.
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

from autograder.cells import module_from_notebook, unreadable_module
from autograder.errors import UsageError
from autograder.grade_process import grade_folder
from autograder.nofollow import Refused, Tree, links_note, walk
from autograder.notebooks import grade_id

HIDDEN = re.compile(r"\n?### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS", re.S)
Note = Callable[[str], None]


def _stderr(note: str) -> None:
    print(f"note: {note}", file=sys.stderr)


def students(
    course: Path, assignment: str, only: list[str] | None, note: Note = _stderr
) -> list[str]:
    """The students with a submission folder for `assignment` (a folder, never a link:
    a link is named in a note and not graded)."""
    submitted = course / "submitted"
    found, linked = [], []
    for path in sorted(submitted.glob("*")):
        folder = path / assignment
        if path.is_symlink() or folder.is_symlink():
            linked.append(path.name)
            if not only or path.name in only:
                note(links_note([f"{path.name}/{assignment}"]))
        elif folder.is_dir():
            found.append(path.name)
    for student in only or ():
        if student in linked:
            raise UsageError(f"{submitted / student / assignment}: a symbolic link, not graded")
        if student not in found:
            raise UsageError(f"{submitted / student / assignment}: no such submission")
    return list(only) if only else found


def autograde(
    course: Path,
    assignment: str,
    only: list[str] | None = None,
    isolation: str = "auto",
    note: Note = _stderr,
) -> dict[str, float]:
    """Grade every (or each named) student's submission; student → score. Each link in a
    submission is skipped, never read or copied, and named through `note`."""
    from nbgrader.api import Gradebook

    course = course.resolve()
    source = course / "source" / assignment
    if not (source / "grading.yml").is_file():
        raise UsageError(f"{source}/grading.yml: missing; run `autograder notebooks` first")
    units = sorted(p.stem for p in source.glob("*.ipynb"))
    warnings.filterwarnings("ignore", module="nbgrader.api")  # its own SQLAlchemy warnings
    scores = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student in students(course, assignment, only, note):
            handed_in, problem = _handed_in(course / "submitted", student, assignment, note)
            tasks = _grade(handed_in, problem, units, source / "grading.yml", isolation)
            _record(gradebook, assignment, student, handed_in, tasks)
            out = course / "autograded" / student / assignment
            _write_autograded(out, handed_in, tasks, course / "release" / assignment)
            scores[student] = sum(t["score"] for t in tasks.values())
    return scores


def _handed_in(submitted: Path, student: str, assignment: str, note: Note) -> tuple[Tree, str]:
    """(the submission's regular files, read once, no link followed, ""), each link named
    in a note; or (nothing, why) when it cannot be read (too many or too big files, no
    permission: every unit then scores 0, saying so; the other students are graded)."""
    try:
        tree = walk(submitted, PurePosixPath(student, assignment))
    except (Refused, OSError) as exc:
        why = (
            str(exc)
            if isinstance(exc, Refused)
            else f"{student}/{assignment}: {exc.strerror or type(exc).__name__}"
        )
        note(why)
        return Tree(), why
    if tree.links:
        note(links_note([f"{student}/{assignment}/{p}" for p in tree.links]))
    return tree, ""


def _grade(handed_in: Tree, problem: str, units: list[str], config: Path, isolation: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="autograder-nbgrader-") as tmp:
        code = Path(tmp) / "submission"
        code.mkdir()
        for unit in units:
            name = f"{unit}.ipynb"
            module = unreadable_module(problem) if problem else _module(handed_in, name)
            (code / f"{unit}.py").write_text(module, "utf-8")
        units_args = [arg for unit in units for arg in ("--unit", unit)]
        tasks = grade_folder(code, config, f"--isolation={isolation}", *units_args)
        return {t["id"]: t for t in tasks}


def _module(handed_in: Tree, name: str) -> str:
    """The unit's module from its notebook; a missing, linked or unreadable one becomes a
    module whose import fails saying why, so its unit scores 0."""
    if PurePosixPath(name) in handed_in.links:
        return unreadable_module(links_note([name]))
    data = handed_in.files.get(PurePosixPath(name))
    if data is None:
        return unreadable_module(f"{name} could not be read (FileNotFoundError: not handed in)")
    return module_from_notebook(data, name)[0]


def _record(gradebook: Any, assignment: str, student: str, handed_in: Tree, tasks: dict) -> None:
    from nbgrader.api import MissingEntry

    gradebook.update_or_create_student(student)
    try:
        gradebook.remove_submission(assignment, student)
    except MissingEntry:
        pass
    stamp = handed_in.files.get(PurePosixPath("timestamp.txt"))  # a link is no timestamp
    extra = {"timestamp": stamp.decode("utf-8", "replace").strip()} if stamp else {}
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


def _write_autograded(out: Path, handed_in: Tree, tasks: dict, release: Path) -> None:
    """`out`: the regular files handed in (links are not copied; a linked notebook is
    replaced by the released one, so the feedback still shows why it scored 0), each test
    cell's hidden part removed and our line as its output."""
    import nbformat

    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for relative, data in handed_in.files.items():
        (out / relative).parent.mkdir(parents=True, exist_ok=True)
        (out / relative).write_bytes(data)
    for relative in handed_in.links:
        blank = release / relative.name
        if len(relative.parts) == 1 and relative.suffix == ".ipynb" and blank.is_file():
            shutil.copyfile(blank, out / relative.name)
    for path in out.glob("*.ipynb"):
        try:
            notebook = nbformat.read(path, 4)
        except Exception:  # noqa: BLE001 - left as submitted; its unit scored 0 already
            continue
        _fill_test_cells(notebook, tasks)
        nbformat.write(notebook, path)


def _fill_test_cells(notebook: Any, tasks: dict) -> None:
    import nbformat

    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        task = next((t for t in tasks if grade_id(t) == meta.get("grade_id")), None)
        if cell.cell_type != "code" or not meta.get("grade") or task is None:
            continue
        cell.source = HIDDEN.sub("", cell.source)
        cell.outputs = [
            nbformat.v4.new_output("stream", name="stdout", text=_line(tasks[task]) + "\n")
        ]
