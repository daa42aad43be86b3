"""What a class handed in becomes one job per student, whatever the layout."""

from __future__ import annotations

import json
import os

import pytest

from autograder.batch.intake import collect, student_ids
from tests.classes import zip_folder
from tests.helpers import make_submission

UNITS = ("linear_model", "losses")


def test_folders_zips_and_repositories_with_assignments_inside(tmp_path):
    top = tmp_path / "class"
    make_submission(top / "hw1-alice")
    repo = make_submission(tmp_path / "bob-repo" / "assignments")
    (tmp_path / "bob-repo" / "README.py").write_text("x = 1\n")  # not a unit file
    zip_folder(repo, top / "hw1-bob.zip", inside="hw1-bob-main/assignments/")
    found = collect(top, UNITS)
    assert [j.student for j in found.jobs] == ["alice", "bob"]
    alice, bob = found.jobs
    assert sorted(alice.files) == sorted(bob.files) == ["linear_model.py", "losses.py"]
    assert bob.files["losses.py"] == (repo / "losses.py").read_bytes()
    assert not alice.problem and not bob.problem and found.skipped == []


def test_empty_unreadable_duplicate_and_stray_entries_are_reported_not_fatal(tmp_path):
    top = tmp_path / "class"
    make_submission(top / "carol")
    (top / "dave").mkdir()
    (top / "erin.zip").write_bytes(b"garbage")
    zip_folder(top / "carol", top / "carol.zip")
    os.utime(top / "carol.zip", (1, 1))  # older than the folder
    (top / "notes.txt").write_text("not a submission")
    found = collect(top, UNITS)
    jobs = {j.student: j for j in found.jobs}
    assert sorted(jobs) == ["carol", "dave", "erin"]
    assert jobs["carol"].source == "carol" and not jobs["carol"].problem
    assert "no unit files" in jobs["dave"].problem
    assert "not a readable zip file" in jobs["erin"].problem
    assert any("carol.zip: a second entry for carol; graded carol" in s for s in found.skipped)
    assert any(s.startswith("notes.txt") for s in found.skipped)


@pytest.mark.filterwarnings("error:Cell is missing an id field")  # a hand-edited notebook
def test_an_nbgrader_submitted_tree_is_read_from_the_notebooks(tmp_path):
    submitted = tmp_path / "submitted"
    folder = submitted / "frank" / "homework"
    folder.mkdir(parents=True)
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": "# losses"},
        {
            "cell_type": "code",
            "metadata": {},
            "execution_count": None,
            "outputs": [],
            "source": "import torch\ndef mse_loss(pred, target):\n    return 1\nmse_loss(1, 2)\n",
        },
    ]
    notebook = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (folder / "losses.ipynb").write_text(json.dumps(notebook))
    (folder / "linear_model.ipynb").write_text("{not json")
    (submitted / "frank" / "other").mkdir()
    found = collect(submitted, UNITS, assignment="homework")
    (job,) = found.jobs
    code = job.files["losses.py"].decode()
    assert "def mse_loss" in code and "mse_loss(1, 2)" not in code
    assert job.files["linear_model.py"].startswith(b"raise ImportError(")
    assert any("linear_model.ipynb could not be read" in n for n in job.notes)


def test_a_shared_prefix_up_to_a_dash_is_not_part_of_the_id():
    assert student_ids(["hw1-alice", "hw1-bob"]) == ["alice", "bob"]
    assert student_ids(["alice", "albert"]) == ["alice", "albert"]
    assert student_ids(["hw1-alice"]) == ["hw1-alice"]
    assert student_ids(["hw-1", "hw-"]) == ["hw-1", "hw-"]


def test_links_inside_an_entry_and_entries_that_are_links_are_skipped_and_named(tmp_path):
    top = tmp_path / "class"
    answers = make_submission(tmp_path / "instructor")  # what the links point at
    make_submission(top / "hw1-alice")
    mallory = top / "hw1-mallory"
    make_submission(mallory)
    (mallory / "losses.py").unlink()
    (mallory / "losses.py").symlink_to(answers / "losses.py")  # a file outside
    (mallory / "repo").mkdir()
    (mallory / "repo" / "lib").symlink_to(answers, target_is_directory=True)  # a folder
    (top / "hw1-oscar").symlink_to(answers, target_is_directory=True)  # the entry itself
    zip_folder(answers, tmp_path / "answers.zip")
    (top / "hw1-trent.zip").symlink_to(tmp_path / "answers.zip")  # a zip that is a link
    found = collect(top, UNITS)
    jobs = {j.student: j for j in found.jobs}
    assert sorted(jobs) == ["alice", "mallory", "oscar", "trent"]
    assert not jobs["alice"].problem and not jobs["alice"].notes
    assert sorted(jobs["alice"].files) == ["linear_model.py", "losses.py"]
    assert not jobs["mallory"].problem and list(jobs["mallory"].files) == ["linear_model.py"]
    assert jobs["mallory"].notes == (
        "hw1-mallory/losses.py, hw1-mallory/repo/lib are symbolic links; "
        "links are not graded: hand in the files themselves",
    )
    assert jobs["oscar"].files == {} and jobs["oscar"].problem == (
        "hw1-oscar is a symbolic link; links are not graded: hand in the file itself"
    )
    assert jobs["trent"].files == {} and jobs["trent"].problem.startswith(
        "hw1-trent.zip is a symbolic link"
    )


def test_a_linked_notebook_in_an_nbgrader_tree_is_not_read(tmp_path):
    source = tmp_path / "source" / "homework"
    source.mkdir(parents=True)
    cell = {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": []}
    notebook = {"metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (source / "losses.ipynb").write_text(
        json.dumps({**notebook, "cells": [{**cell, "source": "def mse_loss(a, b):\n    pass\n"}]})
    )
    submitted = tmp_path / "submitted"
    (submitted / "mallory" / "homework").mkdir(parents=True)
    (submitted / "mallory" / "homework" / "losses.ipynb").symlink_to(source / "losses.ipynb")
    (submitted / "alice" / "homework").mkdir(parents=True)
    (submitted / "alice" / "homework" / "losses.ipynb").write_text(
        (source / "losses.ipynb").read_text()
    )
    jobs = {j.student: j for j in collect(submitted, UNITS, assignment="homework").jobs}
    assert b"def mse_loss" in jobs["alice"].files["losses.py"]
    assert (
        jobs["mallory"].files == {} and "no unit files under homework/" in jobs["mallory"].problem
    )
    assert jobs["mallory"].notes == (
        "mallory/homework/losses.ipynb is a symbolic link; links are not graded: "
        "hand in the file itself",
    )


def test_a_zip_with_corrupt_compressed_data_is_that_students_problem_only(tmp_path):
    import zipfile

    top = tmp_path / "class"
    make_submission(top / "gina")
    archive = top / "hank.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("linear_model.py", "x = 1\n" * 2000)
    data = bytearray(archive.read_bytes())
    start = data.index(b"linear_model.py") + len("linear_model.py")  # the local header's name
    data[start + 10 : start + 40] = bytes(30)  # inside the deflate stream
    archive.write_bytes(bytes(data))
    found = collect(top, UNITS)
    jobs = {j.student: j for j in found.jobs}
    assert not jobs["gina"].problem and jobs["gina"].files
    assert "hank.zip" in jobs["hank"].problem


def test_the_courses_helper_files_come_along_and_nothing_else(tmp_path):
    top = tmp_path / "class"
    make_submission(top / "kim", files={"utils.py": "X = 1\n", "answers.py": "A = 1\n"})
    (job,) = collect(top, UNITS, helpers=("utils.py",)).jobs
    assert sorted(job.files) == ["linear_model.py", "losses.py", "utils.py"]
