"""`autograder grade` from the outside: full marks, zero marks, and bad submissions."""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder.config import load_config
from tests.helpers import (
    ASSIGNMENTS,
    ROOT,
    RUN_REFUSED,
    SOLUTIONS,
    by_id,
    grade,
    lost,
    make_submission,
)

CONFIG = load_config(ROOT / "grading.yml")
STATUSES = {"passed", "failed", "error", "timeout", "skipped", "not run"}


def units_of(tasks: set[str]) -> set[str]:
    return {t.split(".")[0] for t in tasks}


def tasks_of(unit: str) -> set[str]:
    return {spec.id for spec in CONFIG.tasks if spec.unit == unit}


def test_solutions_get_full_marks(tmp_path):
    result = grade(SOLUTIONS, tmp_path / "out.json")
    assert result["max_score"] == CONFIG.max_score and result["partial"] is False
    assert result["score"] == result["max_score"], [
        (t["id"], t["message"]) for t in result["tasks"] if t["status"] != "passed"
    ]
    assert {t["id"] for t in result["tasks"]} == {spec.id for spec in CONFIG.tasks}


def test_stubs_get_zero_with_one_not_implemented_line_per_task(tmp_path):
    result = grade(ASSIGNMENTS, tmp_path / "out.json")
    assert result["score"] == 0
    for task in result["tasks"]:
        assert task["status"] == "failed"
        expected = f"{task['id']}: not implemented yet (it raises NotImplementedError)"
        assert task["message"] == expected
    table = result["stdout"]
    for spec in CONFIG.tasks:
        assert table.count(f"{spec.id}: not implemented yet") == 1
    assert "Traceback" not in table


def test_json_report_has_the_documented_shape(tmp_path):
    result = grade(SOLUTIONS, tmp_path / "out.json", "--unit", "linear_model")
    assert {"score", "max_score", "partial", "tasks", "stdout", "isolation"} <= set(result)
    assert result["isolation"] in ("strict", "basic", "none")
    assert result["partial"] is True  # one unit of seven
    assert isinstance(result["score"], float) and isinstance(result["max_score"], float)
    for task in result["tasks"]:
        assert set(task) == {"id", "score", "max_score", "status", "message", "hidden"}
        assert task["status"] in STATUSES - {"not run"}


@pytest.mark.parametrize(
    ("unit", "source", "task", "says"),
    [
        ("losses", "def mse_loss(:\n", "mse_loss", " could not be imported: SyntaxError at line 1"),
        (
            "linear_model",
            "import os\nos._exit(0)\n",
            "forward",
            ": while it was being imported, the process exited",
        ),
        (
            "losses",
            "while True:\n    pass\n",
            "mse_loss",
            ": did not finish importing within the time limit",
        ),
    ],
    ids=["syntax-error", "exits", "hangs"],
)
def test_a_unit_that_fails_to_import_loses_only_that_unit(tmp_path, unit, source, task, says):
    sub = make_submission(tmp_path / "sub", files={f"{unit}.py": source})
    result = grade(
        sub, tmp_path / "out.json", "--unit", unit, "--unit", "activations", env=RUN_REFUSED
    )
    assert lost(result) == tasks_of(unit)
    assert f"{unit}.py{says}" in by_id(result)[f"{unit}.{task}"]["message"]


def test_an_endless_loop_costs_only_its_task(tmp_path):
    sub = make_submission(
        tmp_path / "sub", {"activations.relu": "def relu(x):\n    while True:\n        pass\n"}
    )
    result = grade(sub, tmp_path / "out.json", "--unit", "activations")
    assert lost(result) == {"activations.relu"}
    relu = by_id(result)["activations.relu"]
    assert relu["status"] == "timeout" and "s of CPU time without returning" in relu["message"]


def test_a_crash_costs_only_its_task(tmp_path):
    sub = make_submission(
        tmp_path / "sub",
        {
            "activations.tanh": "def tanh(x):\n    import os\n    os._exit(1)\n",
            "activations.elu": "def elu(x, alpha=1.0):\n    import sys\n    sys.exit('bye')\n",
        },
    )
    result = grade(sub, tmp_path / "out.json", "--unit", "activations", env=RUN_REFUSED)
    assert lost(result) == {"activations.tanh", "activations.elu"}
    assert "exit code 1" in by_id(result)["activations.tanh"]["message"]
    assert "sys.exit('bye')" in by_id(result)["activations.elu"]["message"]


@pytest.mark.parametrize("path", ["/no/such/folder"])
def test_a_missing_submission_folder_is_a_clear_error(path):
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "autograder.cli", "grade", path],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert f"{path}: no such folder" in proc.stderr


def test_a_malformed_grading_yml_is_a_clear_error(tmp_path: Path):
    import subprocess
    import sys

    bad = tmp_path / "grading.yml"
    bad.write_text("tasks:\n  activations.sigmoid: {points: -1}\n")
    proc = subprocess.run(
        [sys.executable, "-m", "autograder.cli", "grade", str(SOLUTIONS), "--config", str(bad)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "tasks.activations.sigmoid.points=-1 must be >= 0" in proc.stdout + proc.stderr


def test_an_unknown_unit_is_a_usage_error_that_lists_the_units(tmp_path):
    import subprocess
    import sys

    report = tmp_path / "scores.json"
    proc = subprocess.run(
        [sys.executable, "-m", "autograder.cli", "grade", str(SOLUTIONS), "--unit", "lossses"]
        + ["--json", str(report)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "--unit lossses: no such unit; the units are linear_model," in proc.stderr
    assert "did you mean 'losses'?" in proc.stderr
    assert not report.exists()
