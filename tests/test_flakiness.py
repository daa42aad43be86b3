"""The model answers pass every graded test under random seeds (no flakes): even runs
grade in the `grading` profile under a random course secret (every seeded input and
generated example draws from it, see autograder.seeds), odd runs in the `student`
profile with a random example seed.

The default run tries 2 seeds; the full sweep is an explicit command:
    python -m pytest tests/test_flakiness.py --seeds 20
"""

from __future__ import annotations

import os
import random
import subprocess
import sys

import pytest

from tests.helpers import ROOT, SOLUTIONS


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "run" in metafunc.fixturenames:
        metafunc.parametrize("run", range(metafunc.config.getoption("seeds")))


def test_solutions_pass_with_random_seeds(run):
    seed = random.SystemRandom().randrange(2**32)
    if run % 2 == 0:
        how = ["--grading-profile=grading"]
        env = {**os.environ, "AUTOGRADER_SECRET": f"secret-{seed}"}
        told = f"AUTOGRADER_SECRET=secret-{seed} --grading-profile=grading"
    else:
        how = ["--grading-profile=student", f"--hypothesis-seed={seed}"]
        env = {k: v for k, v in os.environ.items() if k != "AUTOGRADER_SECRET"}
        told = " ".join(how)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(ROOT / "autograder" / "graded"),
            f"--submission={SOLUTIONS}",
            *how,
            "-q",
            "-p",
            "no:cacheprovider",
            "-x",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, f"run {run} failed with {told}:\n" + proc.stdout[-4000:]
