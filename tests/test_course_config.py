"""The course's configuration is the only one: a submission that carries its own
pyproject.toml (pytest options, a conftest.py to load) and grading.yml (more points for
its tasks) is graded with the course's, however grading is started.

`pytest --submission DIR` with a space is the hard case: pytest picks its configuration
file before any plugin's options are known, so it takes DIR for a test path and reads
the configuration it finds from DIR up. The plugin then grades in a fresh pytest given
`--submission=DIR`, and loads no conftest.py in between.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT, make_submission

STUDENT_PYPROJECT = """\
[tool.pytest.ini_options]
testpaths = ["."]
addopts = "-k forward"
"""
CONFTEST = "from pathlib import Path\nPath(__file__).with_name('ran').write_text('ran')\n"


@pytest.fixture
def sneaky(tmp_path: Path) -> Path:
    """Correct code, 50 points for linear_model.forward in its own grading.yml, and a
    pyproject.toml that selects only that task and loads the submission's conftest.py."""
    sub = make_submission(tmp_path / "student one", files={"conftest.py": CONFTEST})
    course = (ROOT / "grading.yml").read_text()
    assert "  linear_model.forward: 2\n" in course
    (sub / "grading.yml").write_text(course.replace("forward: 2\n", "forward: 50\n"))
    (sub / "pyproject.toml").write_text(STUDENT_PYPROJECT)
    return sub


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=600
    )


@pytest.mark.parametrize("spelling", ["space", "equals"])
def test_pytest_submission_reads_the_course_configuration(sneaky, spelling):
    given = ["--submission", str(sneaky)] if spelling == "space" else [f"--submission={sneaky}"]
    proc = _run("-m", "pytest", *given, "-m", "linear_model", "-p", "no:cacheprovider")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    assert "TOTAL                8 / 8" in proc.stdout, out[-3000:]  # not 56, nor 2 of -k
    assert not (sneaky / "ran").exists(), "the submission's conftest.py ran"


def test_autograder_grade_reads_the_course_configuration(sneaky, tmp_path):
    report = tmp_path / "scores.json"
    proc = _run(
        "-m", "autograder.cli", "grade", str(sneaky), "--json", str(report),
        "--config", str(ROOT / "grading.yml"), "--unit", "linear_model",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert json.loads(report.read_text())["score"] == 8
    assert not (sneaky / "ran").exists()
