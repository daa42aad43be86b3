"""Batched graded tests: many bodies' calls go to the worker a round at a time, failures
come back to the body that made the call, and a failing example is shrunk and named."""

from __future__ import annotations

import pytest
import torch

from autograder.batching import cases, given
from autograder.batching import strategies as st
from autograder.batching.lockstep import BatchedTestError, run_lockstep
from autograder.checks.compare import CheckFailure
from autograder.config import parse_config
from autograder.submission import Submission
from autograder.worker.client import StudentFailure

UNIT = """
import torch

def doubles(x):
    return 2 * x

def raises_on_negative(x):
    if x < 0:
        raise ValueError("negative")
    return x

def wrong_above_ten(x):
    return x if x <= 10 else x + 1
"""


@pytest.fixture
def student(tmp_path):
    (tmp_path / "unit.py").write_text(UNIT)
    tasks = {"unit.doubles": 1, "unit.raises_on_negative": 1, "unit.wrong_above_ten": 1}
    graded = Submission(tmp_path, parse_config({"tasks": tasks}))
    batches: list[int] = []
    run = graded.run

    def counted(deferreds):
        batches.append(len(deferreds))
        return run(deferreds)

    graded.run = counted  # type: ignore[method-assign]
    graded.batches = batches  # type: ignore[attr-defined]
    yield graded
    graded.close()


def test_each_round_of_every_body_is_one_batch(student):
    got = {}

    def body(k):
        first = yield student.unit.doubles(k)
        a, b = yield student.unit.doubles(first), student.unit.doubles(-first)
        got[k] = (first, a, b)

    outcomes = run_lockstep(student, [lambda k=k: body(k) for k in range(30)])
    assert all(o.passed for o in outcomes)
    assert got[3] == (6, 12, -12)
    assert student.batches == [30, 60]  # two rounds, however many bodies


def test_a_failed_call_is_thrown_into_its_own_body_only(student):
    caught = []

    def body(k):
        try:
            yield student.unit.raises_on_negative(k)
        except StudentFailure as failure:
            caught.append((k, failure.kind))
            raise

    outcomes = run_lockstep(student, [lambda k=k: body(k) for k in (1, -1, 2)])
    assert [o.passed for o in outcomes] == [True, False, True]
    assert caught == [(-1, "exception")] and "negative" in str(outcomes[1].error)


def test_yielding_something_other_than_calls_is_a_grader_error(student):
    def body():
        yield 42

    (outcome,) = run_lockstep(student, [body])
    assert isinstance(outcome.error, BatchedTestError)


def test_a_failing_property_is_shrunk_and_its_example_named(student, check_factory=None):
    from autograder.checks.checker import Checker

    check = Checker("unit.wrong_above_ten", parse_config({"tasks": {"unit.wrong_above_ten": 1}}))

    @given(st.integers(0, 1000))
    def prop(student, x):
        got = yield student.unit.wrong_above_ten(torch.tensor(float(x)))
        check.close(got, torch.tensor(float(x)), call="wrong_above_ten(x)")

    with pytest.raises(CheckFailure) as info:
        prop(student=student)
    notes = "\n".join(info.value.__notes__)
    assert "Failing example:" in notes and "x=11," in notes  # the smallest failing x
    assert len(student.batches) < 20  # shrinking tried candidates a batch at a time


def test_cases_run_together_and_a_failure_names_its_case(student):
    @cases(x=[1, 5, 20], sign=[1, -1])
    def each(student, x, sign):
        got = yield student.unit.raises_on_negative(sign * x)
        assert got == x

    with pytest.raises(StudentFailure) as info:
        each(student=student)
    assert "Failing case:\n    x=1,\n    sign=-1," in "\n".join(info.value.__notes__)
    assert student.batches == [6]
