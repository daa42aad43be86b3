"""Hidden (instructor-only) tasks: graded from the course's hidden/ folder by staff,
left out of a student's run, never released, and withheld from student feedback."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from autograder import student_release
from tests.helpers import ROOT, SOLUTIONS, by_id, make_submission

HIDDEN_TEST = """
import pytest
import torch

from autograder.strategies import randn


@pytest.mark.task("activations.sigmoid_unseen")
def test_sigmoid_on_inputs_no_student_has_seen(student, reference, check):
    x = randn(6, 3, seed=4242, dtype=torch.float64, scale=4.0)
    got = student.activations.sigmoid(x)
    check.close(got, reference.activations.sigmoid(x), call="sigmoid(x)", inputs={"x": x})
"""
WRONG_SIGMOID = "def sigmoid(x):\n    return x.clamp(0, 1)\n"


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("course")
    config = yaml.safe_load((ROOT / "grading.yml").read_text())
    config["tasks"]["activations.sigmoid_unseen"] = {"points": 2, "hidden": True}
    (root / "grading.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    (root / "hidden").mkdir()
    (root / "hidden" / "test_sigmoid_unseen.py").write_text(HIDDEN_TEST)
    shutil.copytree(SOLUTIONS, root / "solutions")
    return root


def _grade(course: Path, sub: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "autograder.cli", "grade", str(sub), "--unit", "activations",
         "--config", str(course / "grading.yml"), "--json", str(out), *extra],
        cwd=course, capture_output=True, text=True, timeout=900,
    )  # fmt: skip


def test_staff_grading_runs_the_hidden_tests_and_marks_them(course, tmp_path):
    sub = make_submission(tmp_path / "sub", {"activations.sigmoid": WRONG_SIGMOID})
    gradescope = tmp_path / "results.json"
    proc = _grade(course, sub, tmp_path / "out.json", "--gradescope", str(gradescope))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    tasks = by_id(json.loads((tmp_path / "out.json").read_text()))
    assert tasks["activations.sigmoid_unseen"]["hidden"] is True
    assert tasks["activations.sigmoid_unseen"]["score"] == 0
    assert tasks["activations.sigmoid"]["score"] == 0  # the public tests caught it too
    entries = {t["name"]: t for t in json.loads(gradescope.read_text())["tests"]}
    assert entries["activations.sigmoid_unseen"]["visibility"] == "after_published"
    assert entries["activations.sigmoid"]["visibility"] == "visible"


def test_github_feedback_withholds_what_the_hidden_tests_found(course, tmp_path):
    sub = make_submission(tmp_path / "sub", {"activations.sigmoid": WRONG_SIGMOID})
    proc = _grade(course, sub, tmp_path / "out.json", "--format", "github")
    errors = [x for x in proc.stdout.splitlines() if x.startswith("::error")]
    hidden = [x for x in errors if "sigmoid_unseen" in x]
    assert len(hidden) == 1 and "hidden test" in hidden[0]
    assert "seed" not in hidden[0] and "file=" not in hidden[0]


def test_solutions_pass_the_hidden_tasks_and_a_public_run_leaves_them_out(course, tmp_path):
    proc = _grade(course, SOLUTIONS, tmp_path / "out.json")
    assert proc.returncode == 0, proc.stdout[-3000:]
    result = json.loads((tmp_path / "out.json").read_text())
    assert result["score"] == result["max_score"] == 16  # 14 public + 2 hidden
    public = subprocess.run(
        [sys.executable, "-m", "pytest", str(ROOT / "autograder" / "graded"), "-q",
         f"--grading-config={course / 'grading.yml'}", f"--rootdir={course}",
         f"--submission={SOLUTIONS}", "-m", "activations", "-p", "no:cacheprovider"],
        cwd=course, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert re.search(r"TOTAL +14 / 14\n", public.stdout), public.stdout[-2000:]
    assert "hidden tasks left out: 1 (2 points)" in public.stdout


def test_the_release_has_neither_hidden_tests_nor_hidden_tasks(course, tmp_path):
    out = tmp_path / "release"
    student_release.build(course, out, "dl-autograder==0.1.0")
    assert not (out / "hidden").exists()
    config = yaml.safe_load((out / "grading.yml").read_text())
    assert "activations.sigmoid_unseen" not in config["tasks"]
    assert "activations.sigmoid" in config["tasks"]
    assert not any("sigmoid_unseen" in p.read_text() for p in out.rglob("*") if p.is_file())
