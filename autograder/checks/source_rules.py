"""The static rules of one submission, judged per task: what the grader refuses in the
code a task can run (language.py) and the built-ins it may not call (forbidden.py).

The submission's files are parsed once; each task's verdict is a list of findings, and a
finding costs only the tasks whose reach holds it.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping

from autograder.checks.forbidden import Checker
from autograder.checks.language import Finding, Rules
from autograder.checks.program import Program


class SourceRules:
    """Every declared file of one submission (file name → text), read before any of its
    code ran, and the modules each may import."""

    def __init__(self, files: Mapping[str, str], allowed: Mapping[str, frozenset[str]]) -> None:
        self.program = Program(files)
        self.rules = Rules(self.program, dict(allowed))
        self.checker = Checker(self.program)

    def broken(self, unit: str) -> str | None:
        """Why `unit`'s file cannot be read, if it cannot."""
        exc = self.program.broken.get(unit)
        if exc is None:
            return None
        if isinstance(exc, SyntaxError):
            return f"{unit}.py does not parse (line {exc.lineno}: {exc.msg})"
        return f"{unit}.py cannot be read ({exc})"

    def refused(self, unit: str, function: str) -> list[Finding]:
        """What the language rules refuse in the reach of `unit.function`."""
        return self.rules.in_reach(unit, function)

    def forbidden(self, unit: str, function: str, names: Collection[str]) -> list[Finding]:
        """Uses of the built-ins `names` stands for, in the reach of `unit.function`."""
        return self.checker.uses(unit, function, names) if names else []

    def defines(self, unit: str, function: str) -> bool:
        module = self.program.modules.get(unit)
        return module is not None and function in module.bindings


@functools.lru_cache(maxsize=8)
def source_rules(
    files: tuple[tuple[str, str], ...], allowed: tuple[tuple[str, frozenset[str]], ...]
) -> SourceRules:
    """The rules of one submission, built once however many tasks ask (a warm grader keeps
    the last few)."""
    return SourceRules(dict(files), dict(allowed))
