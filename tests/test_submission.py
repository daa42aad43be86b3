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


PROBE = '''
import sys

import activations


def probe(x):
    """What a worker holding reference units could see of them."""
    loaded = sorted(name for name in sys.modules if "oracle" in name or "solutions" in name)
    try:
        import autograder.oracle.activations as leaked

        found = leaked.__file__
    except ImportError as exc:
        found = type(exc).__name__
    return {"loaded": loaded, "import": found, "value": activations.sigmoid(x)}
'''


def test_a_worker_given_reference_units_holds_none_of_their_code(tmp_path):
    """Partial credit swaps reference versions of earlier units in; their values come
    from the grader by message, so the worker holds no reference module to read."""
    import torch

    from autograder.worker import zygote

    why_not = zygote.shared().levels()["strict"]
    if why_not:  # at basic and none, the grader's own files are readable (README)
        pytest.skip(f"isolation strict is not available here: {why_not}")
    (tmp_path / "activations.py").write_text("def sigmoid(x):\n    return x * 0\n")
    (tmp_path / "backprop.py").write_text(PROBE)
    tasks = {"activations.sigmoid": 1, "backprop.probe": 1}
    config = parse_config({"tasks": tasks, "imports": {"all": ["torch", "sys"]}})
    graded = Submission(tmp_path, config, isolation="strict")
    graded._refusals["backprop.probe"] = None  # the probe imports what the rules refuse
    try:
        graded.substitute = ("activations",)
        got = graded.call("backprop", "probe", torch.tensor([0.0, 2.0])).value
    finally:
        graded.close()
    assert got["loaded"] == [] and got["import"] == "ModuleNotFoundError"
    assert torch.allclose(got["value"], torch.sigmoid(torch.tensor([0.0, 2.0])))
    assert graded.swapped == {"activations.sigmoid"}
