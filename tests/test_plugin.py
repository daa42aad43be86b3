"""What a student sees when running `pytest`: one line per failing task and a points table."""

from __future__ import annotations

import pytest

from tests.helpers import ASSIGNMENTS, ROOT, SOLUTIONS, make_submission

pytest_plugins = ["pytester"]
GRADED = ROOT / "autograder" / "graded"


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess(
        str(GRADED), f"--rootdir={ROOT}", "-c", str(ROOT / "pyproject.toml"), *args
    )


def test_stubs_show_one_short_line_per_task_and_a_points_table(pytester):
    result = run(pytester, f"--submission={ASSIGNMENTS}", "-m", "activations")
    out = result.stdout.str()
    assert result.ret == 1
    assert "autograder: points" in out and "TOTAL" in out and "0 / 14" in out
    assert out.count("not implemented yet") == 12
    assert "Traceback" not in out and "plugin.py" not in out and "_pytest" not in out
    assert "linear_model" not in out and "losses" not in out  # -m selects one unit


def test_solutions_pass_one_unit(pytester):
    result = run(pytester, f"--submission={SOLUTIONS}", "-m", "activations")
    assert result.ret == 0
    result.stdout.fnmatch_lines(["TOTAL*14 / 14"])


def test_a_wrong_function_says_what_where_expected_received_and_tolerance(pytester, tmp_path):
    sub = make_submission(
        tmp_path / "sub",
        {
            "activations.sigmoid_grad": "def sigmoid_grad(x):\n    import torch\n"
            "    s = torch.sigmoid(x)\n    return s * (1 + s)\n"
        },
    )
    result = run(pytester, f"--submission={sub}", "-m", "activations")
    out = result.stdout.str()
    assert result.ret == 1
    result.stdout.fnmatch_lines(
        [
            "*sigmoid_grad*0 / 1*FAIL*",
            "*sigmoid_grad(x) for x = *: wrong value at [[]*] (there x[[]*] = *): expected *, "
            "received *; * of * elements off (rtol=*, atol=*)*",
            "TOTAL*13 / 14",
        ]
    )
    assert "Traceback" not in out


def test_student_tracebacks_show_their_own_lines_only(pytester, tmp_path):
    sub = make_submission(
        tmp_path / "sub",
        {"activations.relu": "def relu(x):\n    return x.clamp(min=undefined_name)\n"},
    )
    result = run(pytester, f"--submission={sub}", "-m", "activations")
    result.stdout.fnmatch_lines(
        [
            "*activations.relu: NameError: name 'undefined_name' is not defined*",
            "*| activations.py, line *, in relu: return x.clamp(min=undefined_name)*",
        ]
    )


def test_cuda_is_skipped_with_a_reason_when_absent(pytester):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA; the cuda tests run instead of being skipped")
    result = run(pytester, f"--submission={SOLUTIONS}", "-m", "activations", "-rs")
    result.stdout.fnmatch_lines(["*cuda: CUDA is not available on this machine*"])


def test_a_missing_submission_folder_is_a_usage_error(pytester):
    result = run(pytester, "--submission=/no/such/dir")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--submission /no/such/dir: no such folder*"])


def test_a_bad_grading_yml_is_a_usage_error_naming_the_key(pytester, tmp_path):
    bad = tmp_path / "grading.yml"
    bad.write_text("tasks:\n  activations.sigmoid: {points: 1, rtol: 3}\n")
    result = run(pytester, f"--grading-config={bad}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*unknown key 'tasks.activations.sigmoid.rtol'*"])


def test_ungraded_test_runs_are_left_alone(pytester):
    pytester.makepyfile(test_plain="def test_plain():\n    assert 1 + 1 == 2\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    assert result.ret == 0
    assert "autograder: points" not in result.stdout.str()


def test_students_run_the_graded_suite_and_ci_runs_the_graders_own():
    import tomllib

    ini = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert ini["testpaths"] == ["autograder/graded"]
    assert "pytest tests" in (ROOT / ".ci" / "run").read_text()


def test_a_k_selection_reports_only_the_tasks_that_ran(pytester):
    result = run(
        pytester, f"--submission={SOLUTIONS}", "-k", "relu_grad and not leaky and not cuda"
    )
    result.stdout.fnmatch_lines(
        [
            "activations*1 / 1",
            "  sigmoid *- / 1  not run",
            "  relu_grad *1 / 1  ok",
            "TOTAL*1 / 1",
            "partial run: 1 of 12 tasks ran; the total counts only those*",
        ]
    )
    assert "grader bug" not in result.stdout.str()


def test_stopping_at_the_first_failure_marks_the_rest_not_run(pytester):
    result = run(pytester, f"--submission={ASSIGNMENTS}", "-x", "-m", "linear_model")
    out = result.stdout.str()
    assert result.ret == 1
    assert out.count("not implemented yet") == 1 and out.count("not run") == 3
    result.stdout.fnmatch_lines(["TOTAL*0 / 2", "partial run: 1 of 4 tasks ran*"])


def test_last_failed_reruns_only_the_failing_tests(pytester, tmp_path):
    cache = f"cache_dir={tmp_path / 'cache'}"
    run(pytester, f"--submission={ASSIGNMENTS}", "-x", "-m", "linear_model", "-o", cache)
    result = run(pytester, f"--submission={SOLUTIONS}", "--lf", "-m", "linear_model", "-o", cache)
    assert result.ret == 0
    result.stdout.fnmatch_lines(["TOTAL*2 / 2", "partial run: 1 of 4 tasks ran*"])


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        (
            ("  activations.tanh_grad:", "  activations.tanh_grads:"),
            "the graded suite grades 'activations.tanh_grad', which is not under 'tasks'; "
            "add it with its points; did you mean 'activations.tanh_grads'?",
        ),
        (
            ("\ntasks:\n", "\ntasks:\n  activations.swish: 1\n"),
            "tasks.activations.swish is not graded by any test of the graded suite; "
            "remove it or fix the id",
        ),
    ],
    ids=["graded-task-missing", "unknown-task"],
)
def test_grading_yml_must_match_the_graded_suite(pytester, tmp_path, edit, words):
    config = tmp_path / "grading.yml"
    original = (ROOT / "grading.yml").read_text()
    assert edit[0] in original
    config.write_text(original.replace(*edit))
    report = tmp_path / "scores.json"
    result = run(
        pytester, f"--grading-config={config}", f"--autograder-json={report}", "-m", "losses"
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert words in result.stderr.str().replace("\n", " ")
    assert not report.exists()


def test_submission_with_a_space_works_from_the_course_repository(tmp_path):
    import subprocess
    import sys

    sub = make_submission(tmp_path / "student one")
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "--submission", str(sub), "-m", "linear_model", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "TOTAL" in proc.stdout and "8 / 8" in proc.stdout


def test_grading_runs_torch_on_one_thread_and_puts_the_count_back():
    import torch

    from autograder.grade_argv import grade_argv

    seen: list[int] = []

    class Spy:
        def pytest_runtest_call(self, item: pytest.Item) -> None:
            seen.append(torch.get_num_threads())

    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        argv = grade_argv(SOLUTIONS, ROOT / "grading.yml") + ["-k", "sigmoid_hand_checked"]
        assert pytest.main(argv, plugins=[Spy()]) == 0
        assert seen == [1]  # the cpu test ran on one thread (the cuda one is skipped)
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


def test_a_spaced_submission_is_graded_in_a_rerun_that_joins_it():
    from autograder.plugin import _spaced_submission

    assert _spaced_submission(["--submission", "d", "-m", "x"]) == ["--submission=d", "-m", "x"]
    assert _spaced_submission(["--submission=d", "-m", "x"]) is None
    assert _spaced_submission(["-q", "--submission"]) is None  # pytest says what is missing


def test_collecting_only_grades_nothing_and_writes_no_score(pytester, tmp_path):
    report = tmp_path / "scores.json"
    result = run(pytester, f"--submission={SOLUTIONS}", f"--autograder-json={report}", "--co")
    assert result.ret == 0
    assert "autograder: points" not in result.stdout.str() and not report.exists()
