"""Dependency-aware partial credit: swap reference versions of earlier units into later ones.

When a student's backprop.py calls their own activations.sigmoid, a bug there would
zero every backprop task. While grading with substitution, for one call only, the names
a student module took from an earlier unit (a function `from activations import sigmoid`,
or the module `import activations`) point at the built-in oracle instead, and so does an
`import activations` or `from activations import sigmoid` run inside the call. The names
actually called are recorded, so the feedback can say which ones were replaced.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import inspect
import sys
from collections.abc import Iterator, Sequence
from types import ModuleType
from typing import Any


class StandIn(ModuleType):
    """Takes the place of an earlier unit: hands out the oracle's names and notes which."""

    def __init__(self, unit: str, oracle: ModuleType, swapped: set[str]) -> None:
        super().__init__(unit, oracle.__doc__)
        self._oracle = oracle
        self._swapped = swapped

    def provides(self, name: str) -> bool:
        """Whether the oracle has a callable `name` to stand in for the student's."""
        return callable(getattr(self._oracle, name, None))

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._oracle, name)
        if not callable(value) or name.startswith("_"):
            return value
        return recorded(value, f"{self.__name__}.{name}", self._swapped)


def recorded(value: Any, task: str, swapped: set[str]) -> Any:
    """`value`, noting `task` in `swapped` when it is called (classes: when handed out)."""
    if not inspect.isroutine(value):
        swapped.add(task)
        return value

    @functools.wraps(value)
    def call(*args: Any, **kwargs: Any) -> Any:
        swapped.add(task)
        return value(*args, **kwargs)

    return call


def _oracle(unit: str) -> ModuleType | None:
    try:
        return importlib.import_module(f"autograder.oracle.{unit}")
    except ImportError:
        return None


def _replacement(value: Any, stand_ins: dict[str, StandIn]) -> Any | None:
    """What stands in for `value` when it came from a substituted unit, else None."""
    if isinstance(value, ModuleType) and value.__name__ in stand_ins:
        return None if isinstance(value, StandIn) else stand_ins[value.__name__]
    module = getattr(value, "__module__", None)
    name = getattr(value, "__name__", None)
    if callable(value) and module in stand_ins and isinstance(name, str):
        if stand_ins[module].provides(name):
            return getattr(stand_ins[module], name)
    return None


@contextlib.contextmanager
def _in_sys_modules(stand_ins: dict[str, StandIn]) -> Iterator[None]:
    """Within the block, importing a substituted unit gives its stand-in."""
    saved = {unit: sys.modules.get(unit) for unit in stand_ins}
    sys.modules.update(stand_ins)
    try:
        yield
    finally:
        for unit, module in saved.items():
            if module is None:
                sys.modules.pop(unit, None)
            else:
                sys.modules[unit] = module


@contextlib.contextmanager
def substitution(modules: Sequence[ModuleType], units: Sequence[str]) -> Iterator[set[str]]:
    """Within the block, names in `modules` that came from `units` point at the oracle."""
    swapped: set[str] = set()
    stand_ins = {}
    for unit in units:
        oracle = _oracle(unit)
        if oracle is not None:
            stand_ins[unit] = StandIn(unit, oracle, swapped)
    saved: list[tuple[dict[str, Any], str, Any]] = []
    for module in modules if stand_ins else ():
        if module.__name__ in stand_ins:
            continue
        namespace = vars(module)
        for key, value in list(namespace.items()):
            found = _replacement(value, stand_ins)
            if found is not None:
                saved.append((namespace, key, value))
                namespace[key] = found
    try:
        with _in_sys_modules(stand_ins):
            yield swapped
    finally:
        for namespace, key, value in saved:
            namespace[key] = value
