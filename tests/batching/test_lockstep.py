"""Batched graded tests: many bodies' calls go to the worker a round at a time, failures
come back to the body that made the call, and a failing example is shrunk and named."""

from __future__ import annotations

import hypothesis
import pytest
import torch
from hypothesis import assume
from hypothesis import strategies as st

from autograder.batching import NotShrunk, cases, example, given
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

def not_written(x):
    raise NotImplementedError("write not_written")
"""


@pytest.fixture
def student(tmp_path):
    (tmp_path / "unit.py").write_text(UNIT)
    tasks = {
        "unit.doubles": 1,
        "unit.raises_on_negative": 1,
        "unit.wrong_above_ten": 1,
        "unit.not_written": 1,
    }
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


def _check():
    from autograder.checks.checker import Checker

    return Checker("unit.wrong_above_ten", parse_config({"tasks": {"unit.wrong_above_ten": 1}}))


def test_a_failing_property_is_shrunk_by_hypothesis_and_its_example_named(student):
    check = _check()

    @given(st.integers(0, 1000))
    def prop(student, x):
        got = yield student.unit.wrong_above_ten(torch.tensor(float(x)))
        check.close(got, torch.tensor(float(x)), call="wrong_above_ten(x)")

    assert prop.is_hypothesis_test  # pytest's hypothesis plugin sees it as one of its own
    with pytest.raises(CheckFailure) as info:
        prop(student=student)
    ours = [n for n in info.value.__notes__ if n.startswith("Failing example:")]
    assert ours == ["Failing example:\n    x=11,"]  # the one smallest failing x, by itself


def test_the_examples_of_a_batch_go_to_the_worker_together(student):
    sizes: list[int] = []

    @hypothesis.settings(max_examples=6, derandomize=True, database=None)
    @given(st.integers(-5, 5))
    def prop(student, x):
        got = yield student.unit.doubles(x)
        assert got == 2 * x

    run = student.run

    def noted(deferreds):
        sizes.append(len(deferreds))
        return run(deferreds)

    student.run = noted
    prop(student=student)
    assert len(sizes) == 6 and max(sizes) > 1  # one round trip per batch of examples


def test_about_max_examples_examples_are_drawn_a_test(student):
    seen: list[int] = []

    before = hypothesis.settings.get_current_profile_name()
    hypothesis.settings.register_profile(
        "thirty", hypothesis.settings.default, max_examples=30, derandomize=True, database=None
    )
    hypothesis.settings.load_profile("thirty")  # a grading.yml profile, as the plugin loads it
    try:

        @given(st.integers(0, 10**6))
        def prop(student, x):
            seen.append(x)
            yield student.unit.doubles(x)

    finally:
        hypothesis.settings.load_profile(before)

    prop(student=student)
    assert 15 <= len(seen) <= 60


def test_a_failure_not_worth_shrinking_leaves_hypothesis_at_once(student):
    @given(st.integers(0, 1000))
    def prop(student, x):
        yield student.unit.not_written(x)

    with pytest.raises(NotShrunk) as info:
        prop(student=student)
    assert isinstance(info.value.error, StudentFailure)
    assert info.value.error.kind == "not_implemented"
    assert len(student.batches) == 1  # no shrinking: the first batch failed, and that was all


def test_assume_discards_one_example_not_its_batch(student):
    kept: list[int] = []

    @hypothesis.settings(max_examples=10, derandomize=True, database=None)
    @given(st.integers(0, 100))
    def prop(student, x):
        assume(x % 2 == 0)
        got = yield student.unit.doubles(x)
        kept.append(got // 2)

    prop(student=student)
    assert kept and all(x % 2 == 0 for x in kept)


def test_an_explicit_example_names_the_tests_own_arguments(student):
    seen: list[int] = []

    @example(x=777)
    @hypothesis.settings(max_examples=1, derandomize=True, database=None)
    @given(st.integers(0, 10))
    def prop(student, x):
        seen.append(x)
        yield student.unit.doubles(x)

    prop(student=student)
    assert seen[0] == 777


def test_cases_run_together_and_a_failure_names_its_case(student):
    @cases(x=[1, 5, 20], sign=[1, -1])
    def each(student, x, sign):
        got = yield student.unit.raises_on_negative(sign * x)
        assert got == x

    with pytest.raises(StudentFailure) as info:
        each(student=student)
    assert "Failing case:\n    x=1,\n    sign=-1," in "\n".join(info.value.__notes__)
    assert student.batches == [6]


def test_a_warm_grader_replays_a_passing_runs_draws_and_leaves_a_failure_to_hypothesis(
    student, tmp_path, monkeypatch
):
    from autograder.batching import decorators

    right_folder = tmp_path / "right"
    right_folder.mkdir()
    (right_folder / "unit.py").write_text("def wrong_above_ten(x):\n    return x\n")
    right = Submission(right_folder, parse_config({"tasks": {"unit.wrong_above_ten": 1}}))
    check, seen = _check(), []
    replays: list[bool] = []
    replayed = decorators._replayed
    monkeypatch.setattr(
        decorators, "_replayed", lambda *a: replays.append(replayed(*a)) or replays[-1]
    )

    @hypothesis.settings(max_examples=4, derandomize=True, database=None)
    @given(st.integers(0, 1000))
    def prop(student, x):
        seen.append(x)
        got = yield student.unit.wrong_above_ten(torch.tensor(float(x)))
        check.close(got, torch.tensor(float(x)), call="wrong_above_ten(x)")

    try:
        prop(student=right)
        first, seen[:] = list(seen), []
        prop(student=right)  # the next submission: the same draws, without the engine
        assert seen == first and replays == [True]
    finally:
        right.close()
    with pytest.raises(CheckFailure) as info:  # a wrong one: hypothesis runs and shrinks
        prop(student=student)
    assert replays == [True, False]
    assert "Failing example:\n    x=11," in info.value.__notes__
