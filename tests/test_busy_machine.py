"""A busy machine never costs a correct submission a point: limits are CPU time, and a
call stopped by the wall-clock backstop while other programs hog the cores runs again."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from autograder.config import parse_config
from autograder.submission import Submission
from autograder.worker.client import StudentFailure
from tests.helpers import SOLUTIONS, grade

HOG = "import time\nend = time.monotonic() + 600\nwhile time.monotonic() < end:\n    pass\n"


@pytest.fixture
def hogs() -> Iterator[None]:
    """One busy process per core (each stops by itself after 10 minutes at most)."""
    procs = [
        subprocess.Popen([sys.executable, "-c", HOG], stdin=subprocess.DEVNULL)
        for _ in range(os.cpu_count() or 2)
    ]
    time.sleep(1.0)
    try:
        yield
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()


def test_solutions_get_full_marks_while_other_programs_hog_every_core(tmp_path, hogs):
    result = grade(SOLUTIONS, tmp_path / "out.json")
    assert result["score"] == result["max_score"] == 100, [
        (t["id"], t["message"]) for t in result["tasks"] if t["status"] != "passed"
    ]


def test_a_call_stopped_by_the_backstop_on_a_busy_machine_runs_once_more(tmp_path, hogs):
    (tmp_path / "unit.py").write_text("import time\n\ndef waits(x):\n    time.sleep(60)\n")
    config = parse_config(
        {
            "tasks": {"unit.waits": {"points": 1, "cpu_s": 0.5}},  # a 1 s backstop for the call
            "limits": {"cpu_s": 10, "wall_factor": 2},  # importing may take its time
            "imports": {"all": ["time"]},  # this test's unit sleeps
        }
    )
    submission = Submission(tmp_path, config)
    start = time.monotonic()
    try:
        with pytest.raises(StudentFailure) as info:
            submission.call("unit", "waits", 0)
    finally:
        submission.close()
    assert info.value.status == "timeout" and "wall time" in info.value.message
    assert submission.retried == ["unit.waits"]
    assert 2.0 <= time.monotonic() - start < 60
