"""Gradescope: results.json valid against a schema written from Gradescope's published
specification, and the autograder zip, unpacked into a folder shaped like /autograder,
grading a submission through its own run_autograder."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest

from autograder import gradescope_bundle
from tests.helpers import ROOT, make_submission

SCHEMA = json.loads(
    (Path(__file__).parent / "schemas" / "gradescope_results.schema.json").read_text()
)
WRONG_FORWARD = """
def forward(x, w, b=0.0):
    import numpy as np

    return np.asarray(x, dtype=float) * w  # forgets b
"""


def test_the_schema_rejects_what_gradescope_would_reject():
    good = {"score": 1.0, "tests": [{"name": "a", "score": 1, "max_score": 1, "status": "passed"}]}
    jsonschema.validate(good, SCHEMA)
    for bad in (
        {"tests": [{"name": "a", "status": "ok"}]},
        {"score": "full"},
        {"score": 1, "visibility": "sometimes"},
        {"score": 1, "tests": [{"name": "a", "score": 1, "points": 1}]},
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, SCHEMA)


def test_the_bundle_holds_the_scripts_and_the_course_and_is_reproducible(tmp_path):
    first, second = tmp_path / "a.zip", tmp_path / "b.zip"
    gradescope_bundle.build(ROOT, first)
    gradescope_bundle.build(ROOT, second)
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as bundle:
        names = set(bundle.namelist())
        modes = {i.filename: i.external_attr >> 16 for i in bundle.infolist()}
    assert {"setup.sh", "run_autograder", "grading.yml", "pyproject.toml"} <= names
    assert "autograder/graded/test_losses.py" in names and "solutions/losses.py" in names
    assert not any("__pycache__" in n or n.startswith(("tests/", "assignments/")) for n in names)
    assert modes["run_autograder"] & stat.S_IXUSR and modes["setup.sh"] & stat.S_IXUSR


def test_run_autograder_in_a_fake_autograder_tree_writes_valid_results(tmp_path):
    tree = tmp_path / "autograder"
    (tree / "source").mkdir(parents=True)
    bundle = tmp_path / "bundle.zip"
    gradescope_bundle.build(ROOT, bundle)
    with zipfile.ZipFile(bundle) as z:
        z.extractall(tree / "source")
    (tree / "run_autograder").write_bytes((tree / "source" / "run_autograder").read_bytes())
    upload = tree / "submission" / "my-homework"  # students often upload a folder
    make_submission(upload, {"linear_model.forward": WRONG_FORWARD})
    env = {
        **os.environ,
        "AUTOGRADER_ROOT": str(tree),
        "AUTOGRADER_BIN": str(Path(sys.executable).parent / "autograder"),
    }
    proc = subprocess.run(
        ["bash", str(tree / "run_autograder")], env=env, capture_output=True, text=True,
        timeout=900,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    results = json.loads((tree / "results" / "results.json").read_text())
    jsonschema.validate(results, SCHEMA)
    ours = json.loads((tree / "results" / "autograder.json").read_text())
    tests = {t["name"]: t for t in results["tests"]}
    assert results["score"] == ours["score"] == 100 - tests["linear_model.forward"]["max_score"]
    assert tests["linear_model.forward"]["status"] == "failed"
    assert tests["linear_model.forward"]["score"] == 0
    assert "forward" in tests["linear_model.forward"]["output"]
    assert sum(t["max_score"] for t in results["tests"]) == 100
    assert len({t["number"] for t in results["tests"]}) == len(results["tests"])
    assert all(t["status"] == "passed" for n, t in tests.items() if n != "linear_model.forward")
    assert results["execution_time"] >= 1
    assert f"isolation: {ours['isolation']}" in results["output"]
