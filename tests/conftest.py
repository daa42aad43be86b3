"""Options of the grader's own test suite (not of the graded suite students run)."""

from __future__ import annotations

import faulthandler
import os
from collections.abc import Iterator

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


# A test that hangs ends the run with every thread's stack on stderr instead of using up
# CI's 90 minutes in silence. The slowest test takes about 3 minutes on a busy 2-core
# machine; AUTOGRADER_TEST_LIMIT (seconds) changes the limit, 0 turns it off.
_LIMIT = float(os.environ.get("AUTOGRADER_TEST_LIMIT", "900"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Iterator[None]:
    if _LIMIT > 0:
        faulthandler.dump_traceback_later(_LIMIT, exit=True)
    try:
        yield
    finally:
        if _LIMIT > 0:
            faulthandler.cancel_dump_traceback_later()
