"""Within one test, a function whose call failed in the worker fails the same way at once
when called again (a test made of calls one by one would otherwise replay a crash); the next test
calls it afresh."""

from __future__ import annotations

import pytest

from autograder.config import parse_config
from autograder.submission import Submission
from autograder.worker.client import StudentFailure

UNIT = """
import os

CALLS = []

def counts(x):
    CALLS.append(x)
    raise ValueError(f"call number {len(CALLS)} in process {os.getpid()}")

def doubles(x):
    return 2 * x
"""


@pytest.fixture
def submission(tmp_path):
    (tmp_path / "unit.py").write_text(UNIT)
    tasks = {"unit.counts": 1, "unit.doubles": 1}
    config = parse_config({"tasks": tasks, "imports": {"all": ["os"]}})  # for os.getpid
    graded = Submission(tmp_path, config)
    yield graded
    graded.close()


def _message(submission: Submission, func: str, x: int) -> str:
    with pytest.raises(StudentFailure) as info:
        submission.call("unit", func, x)
    return info.value.message


def test_a_failed_call_fails_again_at_once_until_the_next_test(submission):
    submission.new_test()
    assert "call number 1" in _message(submission, "counts", 1)
    assert "call number 1" in _message(submission, "counts", 2)  # not sent to the worker
    assert submission.call("unit", "doubles", 3).value == 6  # other functions still run
    submission.new_test()
    assert "call number 2" in _message(submission, "counts", 4)


def test_a_retry_with_reference_units_calls_the_function_afresh(submission):
    submission.new_test()
    first = _message(submission, "counts", 1)
    submission.substitute = ("activations",)  # such a call goes to a worker of its own
    again = _message(submission, "counts", 1)
    assert "call number 1" in first and "call number 1" in again and again != first
