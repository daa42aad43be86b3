"""Options of the grader's own test suite (not of the graded suite students run)."""

from __future__ import annotations

import pytest

# before any in-process pytester run: pytester forgets the modules a run imported, and
# torch cannot be imported a second time in one process
import torch  # noqa: F401


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("autograder-dev", "the grader's own tests")
    group.addoption(
        "--seeds",
        type=int,
        default=2,
        metavar="N",
        help="random seeds the model answers are graded under in "
        "tests/test_flakiness.py (default 2; the full sweep is --seeds 20)",
    )
