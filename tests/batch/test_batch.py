"""`autograder batch` end to end: a real class, real warm graders, real files.

The class holds one submission of each kind (correct, partly wrong, stubs, crashing at
import, an endless loop, a memory bomb, a fork bomb, a zip, a corrupt zip, an empty
folder); it is graded on two units with a short CPU limit to keep the test quick. Each
row must equal what `autograder grade` gives the same code alone; a rerun resumes;
a batch killed mid-run loses at most what was in flight and resumes to the same rows.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from autograder.batch.store import Settings
from tests.classes import write_student, zip_folder
from tests.helpers import ROOT, grade, make_submission, replace_function

UNITS = ("linear_model", "activations")
UNIT_ARGS = [a for u in UNITS for a in ("--unit", u)]
WRONG_RELU = "def relu(x):\n    return x.clamp(min=0.1)\n"
MEMORY_BOMB = (
    "def forward(x, w, b=0.0):\n    hoard = []\n    while True:\n"
    "        hoard.append(bytes(64 << 20))  # calloc: untouched pages, little CPU\n"
)
FORK_BOMB = (
    "def forward(x, w, b=0.0):\n    import os, signal\n    while True:\n"
    "        if os.fork() == 0:\n            signal.pause()\n"
)


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """grading.yml with a 2 s CPU limit per call, beside a copy of solutions/."""
    top = tmp_path_factory.mktemp("course")
    config = yaml.safe_load((ROOT / "grading.yml").read_text())
    config["limits"].update({"cpu_s": 2, "wall_factor": 3})
    (top / "grading.yml").write_text(yaml.safe_dump(config))
    make_submission(top / "solutions")
    return top / "grading.yml"


def _edit(folder: Path, unit: str, name: str, source: str) -> None:
    path = folder / f"{unit}.py"
    path.write_text(replace_function(path.read_text(), name, source))


def _class(top: Path) -> dict[str, float | None]:
    """The class; student → expected points of the two units (None: only 'not graded')."""
    import random

    rng = random.Random(0)
    top.mkdir()
    write_student(top / "hw-ada", "ada", "correct", rng)
    write_student(top / "hw-bo", "bo", "stub", rng)
    write_student(top / "hw-cy", "cy", "hanging", rng)  # an endless loop in tanh
    make_submission(top / "hw-di", {"activations.relu": WRONG_RELU})
    make_submission(top / "hw-ed")
    (top / "hw-ed" / "activations.py").write_text("import os\nos._exit(3)\n")
    make_submission(top / "hw-fay", {"linear_model.forward": MEMORY_BOMB})
    make_submission(top / "hw-gus", {"linear_model.forward": FORK_BOMB})
    zip_folder(make_submission(top / "zipped"), top / "hw-hal.zip", inside="repo/assignments/")
    (top / "hw-ivy.zip").write_bytes(b"PK\x03\x04 broken")
    (top / "hw-jo").mkdir()
    for path in (top / "zipped").iterdir():
        path.unlink()
    (top / "zipped").rmdir()
    return {
        "ada": 22, "bo": 0, "cy": 21, "di": 21, "ed": 8, "fay": 20, "gus": 20, "hal": 22,
        "ivy": None, "jo": None,
    }  # fmt: skip


def _batch(submissions: Path, out: Path, config: Path, *extra: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "autograder.cli", "batch", str(submissions)]
    command += ["--out", str(out), "--config", str(config), "--jobs", "2", *UNIT_ARGS, *extra]
    command.append("--allow-shared-uid")  # where strict is unavailable (it is used where it is)
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("AUTOGRADER_SECRET", None)
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def _finish(proc: subprocess.Popen, timeout: float = 900, code: int = 0) -> str:
    """The batch's output, once it ended with `code` (1: some entries failed to grade)."""
    out, _ = proc.communicate(timeout=timeout)
    assert proc.returncode == code, out[-4000:]
    return out


def _report(out: Path, student: str) -> dict:
    return json.loads((out / "results" / f"{student}.json").read_text())["report"]


def _rows(out: Path) -> dict[str, dict[str, str]]:
    with (out / "gradebook.csv").open() as f:
        return {row["student"]: row for row in csv.DictReader(f)}


@pytest.fixture(scope="module")
def graded(tmp_path_factory, course) -> tuple[Path, Path, str, dict[str, float | None]]:
    top = tmp_path_factory.mktemp("batch")
    expected = _class(top / "class")
    out = top / "out"
    text = _finish(_batch(top / "class", out, course), code=1)  # ivy and jo: not graded
    return top / "class", out, text, expected


def test_every_student_gets_a_row_and_the_bad_ones_say_why(graded):
    _, out, text, expected = graded
    rows = _rows(out)
    assert sorted(rows) == sorted(expected)
    for student, points in expected.items():
        row = rows[student]
        if points is None:
            assert row["status"].startswith("not graded: ") and row["total"] == ""
        else:
            assert (row["status"], float(row["total"])) == ("graded", points), (student, row)
    assert "hw-ivy.zip: not a readable zip file" in rows["ivy"]["status"]
    why = {
        student: {t["id"]: t["message"] for t in _report(out, student)["tasks"]}
        for student in ("cy", "fay")
    }
    hang = why["cy"]["activations.tanh"]  # the CPU limit, or on a busy machine the wall one
    assert "without returning (an endless loop" in hang or "did not return within" in hang
    assert "ran out of memory" in why["fay"]["linear_model.forward"]
    assert "no unit files" in rows["jo"]["status"]
    assert "graded 8, failed to grade 2" in text and "[10/10]" in text


def test_each_row_equals_autograder_grade_on_the_same_code_alone(graded, course, tmp_path):
    submissions, out, _, _ = graded
    for student in ("di", "cy", "ed", "gus"):
        alone = grade(submissions / f"hw-{student}", tmp_path / f"{student}.json",
                      "--config", str(course), *UNIT_ARGS)  # fmt: skip
        batch = _report(out, student)
        assert [(t["id"], t["score"]) for t in batch["tasks"]] == [
            (t["id"], t["score"]) for t in alone["tasks"]
        ], student
        if student == "di":  # graded after passing runs: the same shrunk example alone
            assert [t["message"] for t in batch["tasks"]] == [t["message"] for t in alone["tasks"]]


def test_per_class_seeds_a_batch_equals_each_submission_graded_alone(course, tmp_path):
    """`seeds: per-class` under a course secret: one set of inputs for the class (a warm
    grader replays the draws of passing runs), and still each row is the grade alone."""
    config = yaml.safe_load(course.read_text())
    config["seeds"] = "per-class"
    per_class = tmp_path / "grading.yml"
    per_class.write_text(yaml.safe_dump(config))
    import random

    top = tmp_path / "class"
    top.mkdir()
    write_student(top / "hw-ada", "ada", "correct", random.Random(0))
    make_submission(top / "hw-di", {"activations.relu": WRONG_RELU})
    make_submission(top / "hw-ed")
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "AUTOGRADER_SECRET": "per-class"}
    command = [sys.executable, "-m", "autograder.cli", "batch", str(top), "--out"]
    command += [str(tmp_path / "out"), "--config", str(per_class), "--jobs", "1", *UNIT_ARGS]
    command.append("--allow-shared-uid")
    proc = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    for student in ("ada", "di", "ed"):
        secret = {"AUTOGRADER_SECRET": "per-class"}
        how = ("--config", str(per_class), *UNIT_ARGS)
        alone = grade(top / f"hw-{student}", tmp_path / f"{student}.json", *how, env=secret)
        batch = _report(tmp_path / "out", student)
        assert [(t["id"], t["score"], t["message"]) for t in batch["tasks"]] == [
            (t["id"], t["score"], t["message"]) for t in alone["tasks"]
        ], student
    assert _report(tmp_path / "out", "ada")["score"] == 22


def test_feedback_pages_plots_and_index_are_written(graded):
    _, out, _, _ = graded
    md = (out / "feedback" / "di.md").read_text()
    assert "activations.relu" in md and "## What to fix" in md and "Total: 21 / 22" in md
    assert "relu" in (out / "feedback" / "di.html").read_text()
    for name in ("grades.png", "tasks.png", "units.png"):
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    index = (out / "index.html").read_text()
    assert "feedback/di.html" in index and "tasks.png" in index and "gradebook.csv" in index


def test_a_rerun_resumes_and_regrades_only_what_changed(graded, course):
    submissions, out, _, _ = graded
    text = _finish(_batch(submissions, out, course), code=1)
    assert "(0 graded now, 10 already done)" in text
    _edit(submissions / "hw-di", "activations", "relu", "def relu(x):\n    return x.clamp(min=0)\n")
    text = _finish(_batch(submissions, out, course), code=1)
    assert "(1 graded now, 9 already done)" in text and "[1/1] di: 22 / 22" in text
    assert float(_rows(out)["di"]["total"]) == 22


def test_the_key_changes_with_the_files_the_config_the_grader_and_the_secret():
    base = Settings(b"config", "grader", "auto", None)
    files = {"losses.py": b"x = 1\n"}
    keys = {
        base.key(files),
        base.key({"losses.py": b"x = 2\n"}),
        Settings(b"config2", "grader", "auto", None).key(files),
        Settings(b"config", "grader2", "auto", None).key(files),
        Settings(b"config", "grader", "strict", None).key(files),
        Settings(b"config", "grader", "auto", b"secret").key(files),
        Settings(b"config", "grader", "auto", None, ("losses",)).key(files),
    }
    assert len(keys) == 7 and base.key(files) == base.key(dict(files))


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_a_killed_batch_loses_only_what_was_in_flight_and_resumes(tmp_path, course, how):
    import random

    top, rng = tmp_path / "class", random.Random(1)
    top.mkdir()
    for k in range(8):
        write_student(top / f"s{k}", f"s{k}", "correct", rng)
    out = tmp_path / "out"
    before = _our_temp_folders()
    proc = _batch(top, out, course)
    deadline = time.monotonic() + 600
    while len(list((out / "results").glob("*.json"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    proc.send_signal(how)
    text, _ = proc.communicate(timeout=120)
    finished = {p.stem for p in (out / "results").glob("*.json")}
    assert 2 <= len(finished) < 8, text[-2000:]
    if how == signal.SIGTERM:
        assert proc.returncode == 130 and "rerun the same command" in text
        assert set(_rows(out)) == finished
    text = _finish(_batch(top, out, course))
    assert f"({8 - len(finished)} graded now, {len(finished)} already done)" in text
    rows = _rows(out)
    assert sorted(rows) == [f"s{k}" for k in range(8)]
    assert {float(r["total"]) for r in rows.values()} == {22.0}
    _no_grader_left(out)
    deadline = time.monotonic() + 30  # the zygotes remove their workers' folders last
    while _our_temp_folders() - before and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _our_temp_folders() - before, "the interrupted batch left folders behind"


def _our_temp_folders() -> set[str]:
    """The grader's own temporary folders (private copies, workers' and jobs' folders)."""
    import tempfile

    return {p.name for p in Path(tempfile.gettempdir()).glob("autograder-*")}


def _no_grader_left(out: Path) -> None:
    """No warm grader of this batch is still running."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        alive = [
            pid
            for pid in filter(str.isdigit, os.listdir("/proc"))
            if str(out) in _cmdline(pid) and "autograder.batch.warm" in _cmdline(pid)
        ]
        if not alive:
            return
        time.sleep(0.5)
    raise AssertionError(f"warm graders still running: {alive}")


def _cmdline(pid: str) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def test_zips_that_reach_out_of_their_folder_change_nothing(tmp_path, course):
    """Attack: zips with ../ paths, absolute paths and links to the answer key. Each is
    refused whole (its row says why), nothing is written outside, the others grade."""
    import stat
    import zipfile

    top = tmp_path / "class"
    make_submission(top / "hw-clean")
    evil = {
        "hw-dots": [("../../../planted.py", "raise SystemExit")],
        "hw-abs": [(str(tmp_path / "planted.py"), "raise SystemExit")],
        "hw-link": [("activations.py", str(ROOT / "solutions" / "activations.py"))],
    }
    for name, members in evil.items():
        with zipfile.ZipFile(top / f"{name}.zip", "w") as zf:
            for member, text in members:
                info = zipfile.ZipInfo(member)
                if name == "hw-link":
                    info.external_attr = (stat.S_IFLNK | 0o777) << 16
                zf.writestr(info, text)
    before = set(tmp_path.rglob("*"))
    out = tmp_path / "out"
    _finish(_batch(top, out, course), code=1)  # the three zips are not graded
    rows = _rows(out)
    assert float(rows["clean"]["total"]) == 22
    assert "outside the archive" in rows["dots"]["status"]
    assert "outside the archive" in rows["abs"]["status"]
    assert "symbolic link" in rows["link"]["status"]
    assert list(tmp_path.rglob("planted.py")) == [] and not Path("/planted.py").exists()
    created = set(tmp_path.rglob("*")) - before
    assert {p for p in created if p != out and out not in p.parents} == set()
