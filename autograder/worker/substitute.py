"""Dependency-aware partial credit: swap reference versions of earlier units into later ones.

When a student's backprop.py calls their own activations.sigmoid, a bug there would
zero every backprop task. While grading with substitution, the names a student module
took from an earlier unit (a function `from activations import sigmoid`, or the module
`import activations`) point at the built-in oracle instead, for one call only.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterator, Sequence
from types import ModuleType
from typing import Any


def _oracle(unit: str) -> ModuleType | None:
    try:
        return importlib.import_module(f"autograder.oracle.{unit}")
    except ImportError:
        return None


def _replacement(value: Any, units: Sequence[str]) -> tuple[str, Any] | None:
    """(task id, oracle object) when `value` came from one of `units`, else None."""
    if isinstance(value, ModuleType) and value.__name__ in units:
        oracle = _oracle(value.__name__)
        return (f"{value.__name__}.*", oracle) if oracle is not None else None
    module = getattr(value, "__module__", None)
    name = getattr(value, "__name__", None)
    if callable(value) and module in units and isinstance(name, str):
        oracle = _oracle(module)
        if oracle is not None and callable(getattr(oracle, name, None)):
            return f"{module}.{name}", getattr(oracle, name)
    return None


@contextlib.contextmanager
def substitution(modules: Sequence[ModuleType], units: Sequence[str]) -> Iterator[set[str]]:
    """Within the block, names in `modules` that came from `units` point at the oracle."""
    swapped: set[str] = set()
    saved: list[tuple[dict[str, Any], str, Any]] = []
    if units:
        for module in modules:
            if module.__name__ in units:
                continue
            namespace = vars(module)
            for key, value in list(namespace.items()):
                found = _replacement(value, units)
                if found is not None:
                    saved.append((namespace, key, value))
                    namespace[key] = found[1]
                    swapped.add(found[0])
    try:
        yield swapped
    finally:
        for namespace, key, value in saved:
            namespace[key] = value
