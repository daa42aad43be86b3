"""`check`: the fixture a graded test uses to judge the student's values for its task."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from autograder.checks import describe
from autograder.checks.compare import CheckFailure, Context, assert_close
from autograder.config import GradingConfig, Tolerance


class Checker:
    """Bound to one task: knows its tolerances; every failure names call and inputs."""

    def __init__(self, task: str, config: GradingConfig) -> None:
        self.task = task
        self.tolerances: Mapping[str, Tolerance] = {
            dtype: config.tolerance(task, dtype) for dtype in ("float32", "float64")
        }

    def close(
        self,
        got: Any,
        want: Any,
        *,
        call: str,
        inputs: Mapping[str, Any] | None = None,
        seed: int | None = None,
        names: Sequence[str] | None = None,
        tolerances: Mapping[str, Tolerance] | None = None,
    ) -> None:
        """Fail unless `got` equals `want` in type, dtype, shape, device and (close) values."""
        __tracebackhide__ = True
        ctx = Context(call, "", tuple((inputs or {}).items()), seed)
        assert_close(got, want, ctx, {**self.tolerances, **(tolerances or {})}, names)

    def that(
        self,
        condition: bool,
        problem: str,
        *,
        call: str,
        inputs: Mapping[str, Any] | None = None,
        seed: int | None = None,
    ) -> None:
        """Fail with `problem` (a property the result must have) unless `condition` holds."""
        __tracebackhide__ = True
        if not condition:
            raise Context(call, describe.inputs(inputs, seed)).fail("", problem)

    def fail(self, problem: str, *, call: str, inputs: Mapping[str, Any] | None = None) -> None:
        __tracebackhide__ = True
        raise Context(call, describe.inputs(inputs)).fail("", problem)


__all__ = ["Checker", "CheckFailure"]
