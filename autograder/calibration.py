"""The reference's own cost of a call, measured on the machine doing the grading.

A student's call may use a floor of CPU time; when it needs more, the same request is
run once by the reference (solutions/ or the built-in oracle) in a worker of its own,
and the limit becomes a multiple of what that took here. Nothing is measured for calls
that stay under the floor, so a correct submission pays nothing for this.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from autograder.worker.client import Budget, StudentFailure, Worker

REFERENCE_WALL_S = 600.0  # the reference is trusted; this only guards against a bug


class Calibrator:
    """`cpu_s(unit, request)`: CPU seconds the reference needs for the same request."""

    def __init__(
        self, folder: Callable[[str], Path], memory_mb: int, isolation: str = "none"
    ) -> None:
        self._folder, self._memory_mb, self._isolation = folder, memory_mb, isolation
        self._workers: dict[Path, Worker] = {}

    def cpu_s(self, unit: str, request: dict[str, Any]) -> float:
        """0.0 when the reference itself cannot run it (the floor then stands alone)."""
        folder = self._folder(unit)
        worker = self._workers.get(folder)
        if worker is None:
            worker = self._workers[folder] = Worker(folder, self._memory_mb, self._isolation)
        plain = {k: v for k, v in request.items() if k not in ("substitute", "return_args")}
        try:
            return worker.call(plain, Budget(math.inf, REFERENCE_WALL_S)).cpu_s
        except StudentFailure:
            return 0.0

    def close(self) -> None:
        for worker in self._workers.values():
            worker.stop()
        self._workers.clear()
