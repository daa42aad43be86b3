"""The `mutation` marker: the whole mutation campaign, kept out of the default run.

Run it with `python -m pytest tests/mutation -m mutation` (or `python -m tests.mutation`).
"""

from __future__ import annotations

import pytest

MARKER = "mutation"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{MARKER}: the mutation campaign over solutions/ (slow; select with -m)"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if MARKER in (config.getoption("markexpr", "") or ""):
        return
    slow = [item for item in items if item.get_closest_marker(MARKER)]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if not item.get_closest_marker(MARKER)]
