"""Isolation levels as the CLI meets them: a level that is not available here is a usage
error before any grading (exit 2, no score file), `auto` says at the start of the run
and in every report which level it fell back to and why, and `autograder batch` grades
at a level where students share a uid (basic, none) only when told so explicitly.

A level is made unavailable the way a machine makes it so, as the probe sees it: a
`sitecustomize` on PYTHONPATH (which the grader, its warm graders and their zygotes all
start with) makes the probe report the level unavailable, with a reason.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.batch.test_batch import course  # noqa: F401 - the fixture
from tests.helpers import ROOT, make_submission

WHY = "made unavailable by the test"
FAKE = """
from autograder.worker import probe

_real = probe.why_not


def why_not(level, ended):
    return {why!r} if level in {gone!r} else _real(level, ended)


probe.why_not = why_not
"""


def _without(tmp_path: Path, *gone: str) -> dict[str, str]:
    """An environment in which the probe finds the levels `gone` unavailable."""
    folder = tmp_path / f"without-{'-'.join(gone)}"
    folder.mkdir()
    (folder / "sitecustomize.py").write_text(FAKE.format(why=WHY, gone=gone))
    path = os.pathsep.join(filter(None, [str(folder), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("AUTOGRADER_SECRET", None)
    return env


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "autograder.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def _grade(env: dict[str, str], sub: Path, report: Path, *extra: str):
    config = str(ROOT / "grading.yml")
    args = ["grade", str(sub), "--json", str(report), "--config", config, *extra]
    return _cli(env, *args, "--unit", "linear_model")


def test_grade_at_a_level_not_available_here_is_a_usage_error_with_no_score(tmp_path):
    sub, report = make_submission(tmp_path / "sub"), tmp_path / "scores.json"
    proc = _grade(_without(tmp_path, "basic"), sub, report, "--isolation", "basic")
    assert proc.returncode == 2, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert f"--isolation basic is not available here: {WHY}" in proc.stderr
    assert not report.exists()
    assert "passed" not in proc.stdout and "TOTAL" not in proc.stdout  # nothing graded


def test_auto_says_at_the_start_and_in_the_report_which_level_it_fell_back_to(tmp_path):
    sub, report = make_submission(tmp_path / "sub"), tmp_path / "scores.json"
    proc = _grade(_without(tmp_path, "strict", "basic"), sub, report)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    first = proc.stdout.splitlines()[0]
    assert first.startswith("isolation: none (auto fell back: strict is not available here")
    assert WHY in first and "basic is not available here" in first
    result = json.loads(report.read_text())
    assert result["isolation"] == "none" and result["isolation_requested"] == "auto"
    assert result["isolation_unavailable"] == {"strict": WHY, "basic": WHY}
    assert result["score"] == 8


def _batch(env: dict[str, str], tmp_path: Path, config: Path, *extra: str):
    top = tmp_path / "class"
    if not top.exists():
        make_submission(top / "hw-ada")
    out = tmp_path / "out"
    args = ["batch", str(top), "--out", str(out), "--config", str(config), "--jobs", "1"]
    return _cli(env, *args, "--unit", "linear_model", *extra), out


def test_batch_at_a_level_not_available_here_is_a_usage_error_with_no_results(
    tmp_path,
    course,  # noqa: F811
):
    env = _without(tmp_path, "basic")
    proc, out = _batch(env, tmp_path, course, "--isolation", "basic", "--allow-shared-uid")
    assert proc.returncode == 2, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert f"--isolation basic is not available here: {WHY}" in proc.stderr
    assert not (out / "results").exists() and not (out / "gradebook.csv").exists()


@pytest.mark.parametrize("asked", ["none", "auto"])
def test_batch_refuses_a_shared_uid_unless_told_so(
    tmp_path,
    course,  # noqa: F811
    asked,
):
    """At none (or basic) one student's process could kill another student's workers."""
    env = _without(tmp_path, "strict")  # auto falls back to basic, or none where basic is out
    proc, out = _batch(env, tmp_path, course, "--isolation", asked)
    assert proc.returncode == 2, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "--allow-shared-uid" in proc.stderr and "kill another student's workers" in proc.stderr
    if asked == "auto":
        assert "--isolation auto would grade at" in proc.stderr and WHY in proc.stderr
    assert not (out / "results").exists()


def test_batch_told_to_share_a_uid_records_it_and_the_fallback_in_every_result(
    tmp_path,
    course,  # noqa: F811
):
    env = _without(tmp_path, "strict", "basic")
    proc, out = _batch(env, tmp_path, course, "--allow-shared-uid")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "isolation: none (auto fell back: strict is not available here" in proc.stderr
    record = json.loads((out / "results" / "hw-ada.json").read_text())
    assert record["isolation"] == {
        "level": "none",
        "isolation_requested": "auto",
        "isolation_unavailable": {"strict": WHY, "basic": WHY},
        "allow_shared_uid": True,
    }
    assert record["report"]["isolation"] == "none"
    with (out / "gradebook.csv").open() as f:
        assert [row["total"] for row in csv.DictReader(f)] == ["8"]


def test_the_decision_names_what_auto_passed_over_and_why():
    from autograder.worker import probe
    from autograder.worker.isolation import IsolationError

    levels = {"strict": "no user namespaces", "basic": "", "none": ""}
    auto = probe.decide("auto", levels)
    assert (auto.level, auto.unavailable) == ("basic", {"strict": "no user namespaces"})
    fell_back = "basic (auto fell back: strict is not available here: no user namespaces)"
    assert auto.summary() == fell_back
    assert probe.decide("none", levels).facts() == {
        "isolation_requested": "none",
        "isolation_unavailable": {},
    }
    with pytest.raises(IsolationError, match="--isolation strict is not available here"):
        probe.decide("strict", levels)
