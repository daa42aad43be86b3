"""Dependency-aware partial credit: swap reference versions of earlier units into later ones.

When a student's backprop.py calls their own activations.sigmoid, a bug there would
zero every backprop task. While grading with substitution, for one call only, the names
a student module took from an earlier unit (a function `from activations import sigmoid`,
or the module `import activations`) point at stand-ins for the grader's reference
instead, and so does an `import activations` or `from activations import sigmoid` run
inside the call. A stand-in asks the grader for each value (autograder.worker.remote):
the reference's code never enters a process that has imported student code. The names
actually called are recorded, so the feedback can say which ones were replaced.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import sys
from collections.abc import Iterator, Mapping, Sequence
from types import ModuleType
from typing import Any

from autograder.worker import remote


class StandIn(ModuleType):
    """Takes the place of an earlier unit: hands out functions that compute the grader's
    reference (autograder.worker.remote: its code stays in the grader) and notes which."""

    def __init__(self, unit: str, names: Sequence[str], swapped: set[str]) -> None:
        super().__init__(unit, f"the grader's reference {unit}")
        self._names = frozenset(names)
        self._swapped = swapped

    def provides(self, name: str) -> bool:
        """Whether the reference has a function `name` to stand in for the student's."""
        return name in self._names

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name not in self._names:
            raise AttributeError(f"the reference {self.__name__} has no function {name!r}")
        value = remote.stand_in(self.__name__, name, self._names)
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
def substitution(
    modules: Sequence[ModuleType], references: Mapping[str, Sequence[str]]
) -> Iterator[set[str]]:
    """Within the block, names in `modules` that came from the units of `references`
    (unit → the reference's function names) compute the grader's reference instead."""
    swapped: set[str] = set()
    stand_ins = {unit: StandIn(unit, names, swapped) for unit, names in references.items()}
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
