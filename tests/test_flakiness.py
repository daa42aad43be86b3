"""The model answers pass every graded test under random hypothesis seeds (no flakes).

The default run tries 2 seeds; the full sweep is an explicit command:
    python -m pytest tests/test_flakiness.py --seeds 20
"""

from __future__ import annotations

import random
import subprocess
import sys

import pytest

from tests.helpers import ROOT, SOLUTIONS


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "run" in metafunc.fixturenames:
        metafunc.parametrize("run", range(metafunc.config.getoption("seeds")))


def test_solutions_pass_with_a_random_hypothesis_seed(run):
    seed = random.SystemRandom().randrange(2**32)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(ROOT / "autograder" / "graded"),
            f"--submission={SOLUTIONS}",
            "--grading-profile=student",
            f"--hypothesis-seed={seed}",
            "-q",
            "-p",
            "no:cacheprovider",
            "-x",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, (
        f"run {run} failed with --hypothesis-seed={seed}:\n" + proc.stdout[-4000:]
    )
