"""GitHub Actions output: golden files for the job summary and the workflow commands,
and one real grading with --format github."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from autograder.reporters import github
from autograder.results import GradeReport, TaskResult
from tests.helpers import ROOT, make_submission

GOLDEN = Path(__file__).parent / "golden"
REPORT = GradeReport(
    tasks=(
        TaskResult("losses.mse_loss", 1.0, 1.0, "passed"),
        TaskResult(
            "losses.bce_loss",
            0.0,
            1.0,
            "failed",
            "bce_loss(p, y) for p = shape (3,): wrong value at [0]: expected 0.1, "
            "received 0.2 | off by 100%, (rtol=1e-05, atol=1e-06)",
            "losses.py, line 40, in bce_loss: return -y * log(p)",
        ),
        TaskResult("losses.hinge_loss", 0.0, 1.0, "timeout", "used more than 10 s of CPU"),
        TaskResult("backprop.linear_forward", 2.0, 2.0, "passed"),
        TaskResult("backprop.train_manual", 0.0, 4.0, "not run"),
    ),
    partial=True,
)
PLACES = {"losses.bce_loss": ("assignments/losses.py", 37)}


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(text)
    assert text == path.read_text(), f"{name} changed; UPDATE_GOLDEN=1 rewrites it"


def test_job_summary_matches_the_golden_file():
    _golden("github_summary.md", github.summary(REPORT, "strict"))


def test_annotations_and_classroom_notices_match_the_golden_file():
    lines = github.annotations(REPORT, PLACES) + github.classroom_notices(REPORT)
    _golden("github_commands.txt", "\n".join(lines) + "\n")


def test_workflow_command_text_is_escaped():
    one = TaskResult("a.b", 0.0, 1.0, "failed", "50% off\nsecond line")
    (line,) = github.annotations(GradeReport((one,)), {"a.b": ("x,y:z.py", 3)})
    assert (
        line == "::error file=x%2Cy%3Az.py,line=3,title=a.b (0/1 points)::50%25 off%0Asecond line"
    )


def test_grade_format_github_annotates_the_failing_function(tmp_path):
    wrong = "def mse_loss(y_pred, y):\n    return (y_pred - y).abs().mean()\n"
    sub = make_submission(tmp_path / "sub", {"losses.mse_loss": wrong})
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    env = {**os.environ, "GITHUB_STEP_SUMMARY": str(summary)}
    proc = subprocess.run(
        [sys.executable, "-m", "autograder.cli", "grade", str(sub), "--unit", "losses",
         "--format", "github", "--config", str(ROOT / "grading.yml")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    line = (sub / "losses.py").read_text().splitlines().index("def mse_loss(y_pred, y):") + 1
    errors = [x for x in proc.stdout.splitlines() if x.startswith("::error ")]
    assert len(errors) == 1
    assert errors[0].startswith(f"::error file=sub/losses.py,line={line},title=losses.mse_loss")
    assert "::notice file=.github,line=1,title=Autograding complete::Points 19/20" in proc.stdout
    text = summary.read_text()
    assert text.startswith("earlier step\n## Autograder: 19 / 20 points")
    assert "| `mse_loss` | 0/1 | ❌ |" in text


def test_junit_xml_has_one_testcase_per_task_with_its_points():
    import xml.etree.ElementTree as ET

    from autograder.reporters import junit

    root = ET.fromstring(junit.to_xml(REPORT))
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert set(cases) == {"mse_loss", "bce_loss", "hinge_loss", "linear_forward", "train_manual"}
    props = {p.get("name"): p.get("value") for p in cases["bce_loss"].iter("property")}
    assert props == {"score": "0", "max_score": "1", "status": "failed"}
    assert cases["bce_loss"].find("failure").get("message").startswith("bce_loss(p, y)")
    assert cases["mse_loss"].find("failure") is None
    assert cases["train_manual"].find("skipped") is not None
    losses = next(s for s in root.iter("testsuite") if s.get("name") == "losses")
    assert (losses.get("tests"), losses.get("failures"), losses.get("errors")) == ("3", "2", "0")
