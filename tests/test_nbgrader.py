"""Notebooks from the single source, and the real nbgrader flow on them:
generate_assignment, three students in submitted/, autograde, export; each student's
CSV score equals `autograder grade` on the same code."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder import nbgrader_grade
from autograder.cells import module_from_cells
from autograder.config import load_config
from autograder.errors import UsageError
from autograder.notebooks import write_course
from tests.helpers import ROOT

COMMITTED = ROOT / "notebooks"
UNIT = "linear_model"
WRONG_MSE = (
    "def mse(y_pred, y):\n    import numpy as np\n\n"
    "    return float(np.mean(np.abs(np.asarray(y_pred) - np.asarray(y))))\n"
)
NBGRADER = [sys.executable, "-m", "nbgrader"]


def test_notebooks_are_reproducible_and_the_committed_ones_match_solutions(tmp_path):
    config = load_config(ROOT / "grading.yml")
    first = write_course(ROOT, tmp_path / "a", "homework", config)
    write_course(ROOT, tmp_path / "b", "homework", config)
    for path in first:
        twin = tmp_path / "b" / path.relative_to(tmp_path / "a")
        assert path.read_bytes() == twin.read_bytes(), f"{path.name} differs between two runs"
        committed = COMMITTED / path.relative_to(tmp_path / "a")
        assert committed.is_file() and committed.read_bytes() == path.read_bytes(), (
            f"{committed} drifted from solutions/; run `autograder notebooks notebooks`"
        )


def test_each_notebook_is_worth_its_units_points():
    config = load_config(ROOT / "grading.yml")
    for unit in config.units:
        notebook = nbformat.read(COMMITTED / "source" / "homework" / f"{unit}.ipynb", 4)
        points = [
            c.metadata["nbgrader"]["points"]
            for c in notebook.cells
            if c.metadata.get("nbgrader", {}).get("grade")
        ]
        assert sum(points) == sum(t.points for t in config.tasks if t.unit == unit)
        assert len(points) == len([t for t in config.tasks if t.unit == unit])


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, f"{command}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


def _submit(course: Path, student: str, answers: str) -> Path:
    """The released notebook, with the answer cells filled from the source (or not)."""
    name = f"{UNIT}.ipynb"
    notebook = nbformat.read(course / "release" / "homework" / name, 4)
    source = nbformat.read(course / "source" / "homework" / name, 4)
    model = {c.metadata.get("nbgrader", {}).get("grade_id"): c.source for c in source.cells}
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        if answers != "untouched" and meta.get("solution"):
            cell.source = model[meta["grade_id"]]
            if answers == "partly wrong" and meta["grade_id"] == f"{UNIT}-mse-answer":
                cell.source = WRONG_MSE
    folder = course / "submitted" / student / "homework"
    folder.mkdir(parents=True)
    nbformat.write(notebook, folder / name)
    return folder / name


def _autograder_score(course: Path, notebook: Path, tmp: Path) -> float:
    cells = [c.source for c in nbformat.read(notebook, 4).cells if c.cell_type == "code"]
    folder = tmp / notebook.parent.parent.name
    folder.mkdir()
    (folder / f"{UNIT}.py").write_text(module_from_cells(cells))
    out = tmp / f"{folder.name}.json"
    config = course / "source" / "homework" / "grading.yml"
    _run([sys.executable, "-m", "autograder.cli", "grade", str(folder), "--unit", UNIT,
          "--config", str(config), "--json", str(out)], tmp)  # fmt: skip
    return json.loads(out.read_text())["score"]


def test_real_nbgrader_autograde_agrees_with_autograder_grade(tmp_path):
    course = tmp_path / "course"
    _run([sys.executable, "-m", "autograder.cli", "notebooks", str(course), "--unit", UNIT], ROOT)
    _run([*NBGRADER, "generate_assignment", "homework", "--force"], course)
    notebooks = {
        student: _submit(course, student, answers)
        for student, answers in (
            ("alice", "correct"), ("bob", "partly wrong"), ("carol", "untouched"),
        )
    }  # fmt: skip
    _run([*NBGRADER, "autograde", "homework", "--create"], course)
    _run([*NBGRADER, "export"], course)
    with open(course / "grades.csv", newline="") as f:
        csv_scores = {row["student_id"]: float(row["score"]) for row in csv.DictReader(f)}
    ours = {s: _autograder_score(course, nb, tmp_path) for s, nb in notebooks.items()}
    assert csv_scores == ours
    assert ours == {"alice": 8.0, "bob": 6.0, "carol": 0.0}
    assert os.path.isfile(course / "gradebook.db")


CHEAT = """import autograder.notebook_check as _grader

_grader.check = lambda *args, **kwargs: True  # every check cell now passes


def forward(x, w, b=0.0):
    return 0.0
"""
ENDLESS = "def mse(y_pred, y):\n    while True:\n        pass\n"


def test_our_nbgrader_grading_resists_what_plain_nbgrader_does_not(tmp_path):
    course = tmp_path / "course"
    _run([sys.executable, "-m", "autograder.cli", "notebooks", str(course), "--unit", UNIT], ROOT)
    _run([*NBGRADER, "generate_assignment", "homework", "--force"], course)
    cheater = _submit(course, "mallory", "correct")
    notebook = nbformat.read(cheater, 4)
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == f"{UNIT}-forward-answer":
            cell.source = CHEAT
    nbformat.write(notebook, cheater)
    looper = _submit(course, "oscar", "correct")
    notebook = nbformat.read(looper, 4)
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == f"{UNIT}-mse-answer":
            cell.source = ENDLESS
    nbformat.write(notebook, looper)
    _submit(course, "alice", "correct")

    _run([*NBGRADER, "autograde", "homework", "--create", "--student", "mallory"], course)
    _run([*NBGRADER, "export"], course)
    plain = _csv_scores(course)
    assert plain["mallory"] == 8.0  # plain nbgrader: full marks for a wrong forward

    proc = _run([sys.executable, "-m", "autograder.cli", "nbgrader-autograde", str(course),
                 "homework"], ROOT)  # fmt: skip
    assert "mallory: 6" in proc.stdout and "oscar: 6" in proc.stdout and "alice: 8" in proc.stdout
    _run([*NBGRADER, "export"], course)
    assert _csv_scores(course) == {"alice": 8.0, "mallory": 6.0, "oscar": 6.0}
    _run([*NBGRADER, "generate_feedback", "homework"], course)
    feedback = (course / "feedback" / "oscar" / "homework" / f"{UNIT}.html").read_text()
    assert f"{UNIT}.mse: 0 / 2" in feedback and "CPU" in feedback
    assert "HIDDEN TESTS" not in feedback and "strict=True" not in feedback


def _csv_scores(course: Path) -> dict[str, float]:
    with open(course / "grades.csv", newline="") as f:
        return {row["student_id"]: float(row["score"]) for row in csv.DictReader(f)}


def test_submission_folders_that_are_links_are_named_and_not_graded(tmp_path):
    submitted = tmp_path / "course" / "submitted"
    (submitted / "alice" / "homework").mkdir(parents=True)
    (submitted / "bob").mkdir()
    (submitted / "bob" / "homework").symlink_to(submitted / "alice" / "homework")
    (submitted / "mallory").symlink_to(submitted / "alice", target_is_directory=True)
    notes: list[str] = []
    found = nbgrader_grade.students(tmp_path / "course", "homework", None, notes.append)
    assert found == ["alice"]
    assert notes == [
        "bob/homework is a symbolic link; links are not graded: hand in the file itself",
        "mallory/homework is a symbolic link; links are not graded: hand in the file itself",
    ]
    with pytest.raises(UsageError, match="mallory/homework: a symbolic link, not graded"):
        nbgrader_grade.students(tmp_path / "course", "homework", ["mallory"], notes.append)


def test_a_linked_notebook_becomes_a_module_that_says_why_and_nothing_else(tmp_path):
    source = tmp_path / "course" / "source" / "homework" / f"{UNIT}.ipynb"
    source.parent.mkdir(parents=True)
    source.write_text("{}")
    folder = tmp_path / "course" / "submitted" / "mallory" / "homework"
    folder.mkdir(parents=True)
    (folder / f"{UNIT}.ipynb").symlink_to(source)
    (folder / "timestamp.txt").symlink_to(source)
    notes: list[str] = []
    handed_in, problem = nbgrader_grade._handed_in(
        tmp_path / "course" / "submitted", "mallory", "homework", notes.append
    )
    assert problem == "" and handed_in.files == {}
    module = nbgrader_grade._module(handed_in, f"{UNIT}.ipynb")
    assert module == (
        f"raise ImportError('{UNIT}.ipynb is a symbolic link; links are not graded: "
        "hand in the file itself')\n"
    )
    assert notes == [
        f"mallory/homework/{UNIT}.ipynb, mallory/homework/timestamp.txt are symbolic links; "
        "links are not graded: hand in the files themselves"
    ]


def test_a_notebook_linked_to_the_source_scores_0_and_is_not_copied(tmp_path):
    """The attack: mallory's notebook is a link to the instructor's, model answers inside."""
    course = tmp_path / "course"
    _run([sys.executable, "-m", "autograder.cli", "notebooks", str(course), "--unit", UNIT], ROOT)
    _run([*NBGRADER, "generate_assignment", "homework", "--force"], course)
    _submit(course, "alice", "correct")
    folder = course / "submitted" / "mallory" / "homework"
    folder.mkdir(parents=True)
    solution = course / "source" / "homework" / f"{UNIT}.ipynb"
    (folder / f"{UNIT}.ipynb").symlink_to(solution)
    (folder / "notes").symlink_to(solution.parent, target_is_directory=True)

    proc = _run([sys.executable, "-m", "autograder.cli", "nbgrader-autograde", str(course),
                 "homework"], ROOT)  # fmt: skip
    assert "alice: 8" in proc.stdout and "mallory: 0" in proc.stdout
    assert (
        f"note: mallory/homework/{UNIT}.ipynb, mallory/homework/notes are symbolic links; "
        "links are not graded" in proc.stderr
    )
    out = course / "autograded" / "mallory" / "homework"
    assert sorted(p.name for p in out.iterdir()) == [f"{UNIT}.ipynb"]  # the released blank
    copied = out / f"{UNIT}.ipynb"
    assert not copied.is_symlink() and "BEGIN SOLUTION" not in copied.read_text()
    assert "return x * w + b" not in copied.read_text()  # the model answer
    why = f"{UNIT}.ipynb is a symbolic link; links are not graded: hand in the file itself"
    assert why in copied.read_text()  # in each test cell's output, so in the feedback
    _run([*NBGRADER, "export"], course)
    assert _csv_scores(course) == {"alice": 8.0, "mallory": 0.0}
