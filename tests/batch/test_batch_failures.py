"""`autograder batch` never loses a submission, and never grades with a configuration it
has not checked.

One small batch (one unit) holds two honest students and one student per stage at which
grading can go wrong: intake (a corrupt zip), grading (the runner's call to its warm
grader raises), recording (the result file cannot be written) and the feedback page
(text the page writer cannot encode, as a lone surrogate once did). The failures are
injected into the grader's own code in this process, as its bugs would strike. Each
failing student is listed with the reason, the others are graded, and the exit code
says that some submission failed. Then a broken grading.yml stops a rerun before it
grades anything: exit 2, every earlier result byte for byte as it was.
"""

from __future__ import annotations

import base64
import csv
import shutil
from pathlib import Path

import pytest

from autograder import cli
from autograder.batch import outputs
from autograder.batch.store import Store
from autograder.batch.warm import WarmGrader
from tests.batch.test_batch import course  # noqa: F401 - the fixture
from tests.helpers import make_submission

UNIT = ["--unit", "linear_model"]
MARK = b"# the grader fails on this one\n"
STAGES = {  # student → (stage, what its row says)
    "intake": ("intake", "not a readable zip file"),
    "grading": ("grading", "grading it failed twice (RuntimeError: injected"),
    "recording": ("recording", "its result could not be saved (OSError: [Errno 28] injected"),
    "page": ("feedback", "its feedback page could not be written (UnicodeEncodeError"),
}
HONEST = ("ada", "bo")


def _class(top: Path) -> Path:
    for student in (*HONEST, "grading", "recording", "page"):
        make_submission(top / f"hw-{student}")
    unit = top / "hw-grading" / "linear_model.py"
    unit.write_bytes(MARK + unit.read_bytes())
    (top / "hw-intake.zip").write_bytes(b"PK\x03\x04 not a zip")
    return top


def _inject(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each stage fails for its own student only."""
    grade, write, feedback = WarmGrader.grade, Store.write, outputs.write_feedback

    def failing_grade(self, request, timeout_s):
        files = request.get("files", {})
        if MARK in base64.b64decode(files.get("linear_model.py", "")):
            raise RuntimeError("injected: the runner's call failed")
        return grade(self, request, timeout_s)

    def failing_write(self, record):
        if record["student"] == "recording":
            raise OSError(28, "injected: no space left on device")
        return write(self, record)

    def failing_feedback(out, record):
        if record["student"] == "page":
            raise UnicodeEncodeError("utf-8", "\udce9", 0, 1, "injected: surrogates not allowed")
        return feedback(out, record)

    monkeypatch.setattr(WarmGrader, "grade", failing_grade)
    monkeypatch.setattr(Store, "write", failing_write)
    monkeypatch.setattr(outputs, "write_feedback", failing_feedback)


def _batch(submissions: Path, out: Path, config: Path, *extra: str) -> int:
    argv = ["batch", str(submissions), "--out", str(out), "--config", str(config)]
    return cli.main([*argv, "--jobs", "2", *UNIT, "--allow-shared-uid", *extra])


def _rows(out: Path) -> dict[str, dict[str, str]]:
    with (out / "gradebook.csv").open() as f:
        return {row["student"]: row for row in csv.DictReader(f)}


@pytest.fixture(scope="module")
def failed_batch(tmp_path_factory, course):  # noqa: F811
    top = tmp_path_factory.mktemp("failures")
    submissions, out = _class(top / "class"), top / "out"
    with pytest.MonkeyPatch.context() as monkeypatch:
        _inject(monkeypatch)
        code = _batch(submissions, out, course)
    return submissions, out, code


def test_the_others_are_graded_and_the_batch_exits_1(failed_batch, capsys):
    _, out, code = failed_batch
    rows = _rows(out)
    assert code == 1
    assert sorted(rows) == sorted([*HONEST, *STAGES])
    for student in HONEST:
        assert (rows[student]["status"], rows[student]["total"]) == ("graded", "8")
    assert "graded 2, failed to grade 4" in (out / "index.html").read_text()


@pytest.mark.parametrize("who", sorted(STAGES), ids=[STAGES[s][0] for s in sorted(STAGES)])
def test_a_failure_at_each_stage_is_listed_with_its_reason(failed_batch, who):
    _, out, _ = failed_batch
    row = _rows(out)[who]
    assert row["status"].startswith("not graded: ") and row["total"] == ""
    assert STAGES[who][1] in row["status"], row["status"]


def test_a_failed_feedback_page_leaves_no_grade_behind(failed_batch):
    """The page that could not be written is not replaced by an earlier run's."""
    _, out, _ = failed_batch
    assert not (out / "feedback" / "page.html").exists()
    assert (
        "Not graded: its result could not be saved"
        in (out / "feedback" / "recording.md").read_text()
    )


def test_a_rerun_grades_again_what_failed_for_another_reason_than_its_files(
    failed_batch,
    course,  # noqa: F811
    tmp_path,
):
    submissions, out, _ = failed_batch
    again = tmp_path / "out"
    shutil.copytree(out, again)
    assert _batch(submissions, again, course) == 1  # the corrupt zip is still corrupt
    rows = _rows(again)
    assert {s for s, row in rows.items() if row["status"] == "graded"} == {
        *HONEST,
        "grading",
        "recording",
        "page",
    }
    assert "not a readable zip file" in rows["intake"]["status"]


def test_a_broken_grading_yml_stops_the_batch_before_it_changes_any_result(
    failed_batch,
    course,  # noqa: F811
    tmp_path,
    capsys,
):
    submissions, out, _ = failed_batch
    before = _files(out)
    broken = tmp_path / "grading.yml"
    unknown = "\ntasks:\n  activations.swish: 1\n"
    broken.write_text(course.read_text().replace("\ntasks:\n", unknown))
    shutil.copytree(course.parent / "solutions", tmp_path / "solutions")
    capsys.readouterr()
    assert _batch(submissions, out, broken) == 2
    err = capsys.readouterr().err
    assert "tasks.activations.swish is not graded by any test of the graded suite" in err
    assert _files(out) == before


def test_a_grading_yml_that_does_not_load_stops_the_batch_too(
    failed_batch,
    course,  # noqa: F811
    tmp_path,
    capsys,
):
    submissions, out, _ = failed_batch
    before = _files(out)
    broken = tmp_path / "grading.yml"
    text = course.read_text()
    assert "linear_model.forward: 2\n" in text
    broken.write_text(text.replace("linear_model.forward: 2\n", "linear_model.forward: -1\n"))
    capsys.readouterr()
    assert _batch(submissions, out, broken) == 2
    assert "tasks.linear_model.forward" in capsys.readouterr().err
    assert _files(out) == before


def _files(out: Path) -> dict[str, bytes]:
    """Every file of a batch's output but its graders' logs."""
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and "logs" not in p.relative_to(out).parts
    }
