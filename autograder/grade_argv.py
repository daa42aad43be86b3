"""The pytest command line of one grading run: `autograder grade` and each submission a
warm grader of `autograder batch` grades use the same one."""

from __future__ import annotations

from pathlib import Path

from autograder.suite import GRADED, HIDDEN

PYTEST_OK = (0, 1)  # all passed / some tests failed: grading itself succeeded


def grade_argv(
    submission: Path, config: Path, *, profile: str = "grading", isolation: str = "auto"
) -> list[str]:
    """Grade `submission` with `config` (its folder is the course: `hidden/`,
    `pyproject.toml`, `solutions/`); options such as reports are appended by callers."""
    root = config.parent
    hidden = [str(root / HIDDEN)] if (root / HIDDEN).is_dir() else []
    argv = [
        str(GRADED),
        *hidden,
        f"--rootdir={root}",
        f"--submission={submission.resolve()}",
        f"--grading-config={config}",
        f"--grading-profile={profile}",
        f"--isolation={isolation}",
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:unraisableexception",  # its gc passes at exit cost half a second
        "-p",
        "no:logging",  # log capture around each of ~750 tests costs a second; none logs
        "-W",
        "ignore::pytest.PytestAssertRewriteWarning",
    ]
    if (root / "pyproject.toml").is_file():
        argv += ["-c", str(root / "pyproject.toml")]
    return argv
