"""Scoring is pure: all-or-nothing per task, from outcomes and config only."""

from __future__ import annotations

from autograder.config import parse_config
from autograder.results import TestOutcome
from autograder.scoring import NO_TEST, NOT_RUN, grade

CONFIG = parse_config({"tasks": {"u.a": 2, "u.b": 3, "v.c": 5}})


def outcome(task, result, status=None, message=""):
    return TestOutcome(task, f"test_{task}", result, status or result, message)


def test_full_points_only_when_every_test_of_the_task_passed():
    report = grade(
        [
            outcome("u.a", "passed"),
            outcome("u.a", "passed"),
            outcome("u.b", "passed"),
            outcome("u.b", "failed", "failed", "wrong"),
            outcome("v.c", "passed"),
        ],
        CONFIG,
    )
    scores = {t.id: t.score for t in report.tasks}
    assert scores == {"u.a": 2, "u.b": 0, "v.c": 5}
    assert report.score == 7 and report.max_score == 10


def test_the_most_severe_failure_sets_status_and_message():
    report = grade(
        [
            outcome("u.a", "failed", "failed", "off by one"),
            outcome("u.a", "failed", "timeout", "too slow"),
        ],
        CONFIG,
        {"u"},
    )
    task = report.tasks[0]
    assert (task.status, task.message) == ("timeout", "too slow")


def test_skipped_only_tasks_score_zero_and_say_why():
    report = grade([outcome("u.a", "skipped", message="no cuda")], CONFIG, {"u"})
    assert report.tasks[0].status == "skipped" and report.tasks[0].message == "no cuda"


def test_a_task_without_tests_is_a_grader_error_not_a_silent_pass():
    report = grade([], CONFIG, {"v"})
    assert [(t.id, t.status, t.message) for t in report.tasks] == [("v.c", "error", NO_TEST)]


def test_only_selected_units_are_reported():
    report = grade([outcome("v.c", "passed")], CONFIG, {"v"})
    assert [t.id for t in report.tasks] == ["v.c"] and report.max_score == 5


def test_grading_is_deterministic_and_does_not_mutate_outcomes():
    outcomes = [outcome("u.a", "passed"), outcome("u.b", "failed")]
    snapshot = list(outcomes)
    assert grade(outcomes, CONFIG) == grade(outcomes, CONFIG)
    assert outcomes == snapshot


def test_a_partial_run_marks_tasks_without_results_not_run_and_leaves_them_out():
    report = grade(
        [outcome("u.a", "passed"), outcome("u.b", "skipped", message="no cuda")],
        CONFIG,
        {"u", "v"},
        partial=True,
    )
    status = {t.id: (t.status, t.message) for t in report.tasks}
    assert status == {
        "u.a": ("passed", ""),
        "u.b": ("not run", NOT_RUN),
        "v.c": ("not run", NOT_RUN),
    }
    assert (report.score, report.max_score, report.partial) == (2, 2, True)


def test_a_full_run_counts_every_task_of_the_selected_units():
    report = grade([outcome("u.a", "passed")], CONFIG, {"u"})
    assert (report.score, report.max_score, report.partial) == (2, 5, False)
