"""The grader's handle on one submission: `student.activations.sigmoid(x)` runs remotely.

Calls go to a sandboxed worker; what comes back is plain data. A function that
timed out once fails at once afterwards, so hypothesis' retries cost nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from autograder.config import GradingConfig
from autograder.errors import SubmissionError
from autograder.worker.client import Reply, StudentFailure, Worker


class Submission:
    def __init__(self, folder: Path, config: GradingConfig) -> None:
        if not folder.is_dir():
            raise SubmissionError(
                f"{folder}: no such folder; pass --submission DIR with the "
                "files of assignments/ (e.g. activations.py)"
            )
        self.folder, self.config = folder.resolve(), config
        self.worker = Worker(self.folder, config.limits.memory_mb)
        self.timed_out: dict[str, StudentFailure] = {}
        self.substitute: tuple[str, ...] = ()  # set by the plugin when it retries a test
        self.swapped: set[str] = set()
        self.unimportable: dict[str, StudentFailure] = {}
        self._imported: tuple[int, set[str]] = (-1, set())

    def call(
        self, unit: str, func: str, *args: Any, return_args: bool = False, **kwargs: Any
    ) -> Reply:
        """Run `unit.func(*args, **kwargs)` in the worker and return its plain-data reply."""
        __tracebackhide__ = True
        request = {
            "op": "call",
            "unit": unit,
            "func": func,
            "args": list(args),
            "kwargs": kwargs,
            "return_args": return_args,
        }
        return self._send(f"{unit}.{func}", request)

    def harness(self, name: str, *args: Any, task: str, **kwargs: Any) -> Any:
        """Run grader harness `name` (autograder.harness.<module>.<func>) beside the student's
        code, for `task`; it drives objects that cannot cross the process boundary."""
        __tracebackhide__ = True
        request = {"op": "harness", "name": name, "args": list(args), "kwargs": kwargs}
        return self._send(task, request).value

    def _send(self, task: str, request: dict[str, Any]) -> Reply:
        __tracebackhide__ = True
        if task in self.timed_out:
            raise self.timed_out[task]
        self._import(task.split(".")[0])
        request["substitute"] = list(self.substitute)
        try:
            reply = self.worker.call(request, self._timeout(task))
        except StudentFailure as failure:
            named = _named(task, failure)
            if failure.kind == "timeout":
                self.timed_out[task] = named
            raise named from None
        self.swapped.update(reply.swapped)
        return reply

    def _import(self, unit: str) -> None:
        """Import `unit` on its own first, so that a module which crashes, exits or hangs
        while being imported costs its unit once, not every test of it a new worker."""
        __tracebackhide__ = True
        if unit in self.unimportable:
            raise self.unimportable[unit]
        generation, done = self._imported
        if generation == self.worker.generation and unit in done:
            return
        try:
            self.worker.call({"op": "import", "unit": unit}, self.config.limits.call_timeout_s)
        except StudentFailure as failure:
            self.unimportable[unit] = _unimportable(unit, failure)
            raise self.unimportable[unit] from None
        if self.worker.generation != generation:
            self._imported = (self.worker.generation, set())
        self._imported[1].add(unit)

    def _timeout(self, task: str) -> float:
        known = {spec.id for spec in self.config.tasks}
        return self.config.timeout(task) if task in known else self.config.limits.call_timeout_s

    def source(self, unit: str) -> str | None:
        """The text of the student's `<unit>.py` (read, never imported), or None if absent."""
        path = self.folder / f"{unit}.py"
        try:
            return path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None

    def __getattr__(self, unit: str) -> _Unit:
        if unit.startswith("_"):
            raise AttributeError(unit)
        return _Unit(self, unit)

    def close(self) -> None:
        self.worker.stop()


def _named(task: str, failure: StudentFailure) -> StudentFailure:
    if failure.kind == "not_implemented":
        message = f"{task}: not implemented yet (it raises NotImplementedError)"
    elif failure.kind == "import":
        message = failure.message
    elif failure.kind == "crash":
        message = f"{task}: {failure.message} while running this function"
    else:
        message = f"{task}: {failure.message}"
    return StudentFailure(failure.kind, message, failure.detail)


def _unimportable(unit: str, failure: StudentFailure) -> StudentFailure:
    """The failure of importing `unit`, told as such (kind "import": the unit is lost)."""
    if failure.kind == "import":
        return failure
    if failure.kind == "timeout":
        how = "did not finish importing within the time limit (a loop at module level?)"
    else:
        how = f"while it was being imported, {failure.message}"
    hint = "; keep module level to imports and definitions (no exit() or long work there)"
    return StudentFailure("import", f"{unit}.py: {how}{hint}", failure.detail)


class _Unit:
    def __init__(self, submission: Submission, unit: str) -> None:
        self._submission, self._unit = submission, unit

    def __getattr__(self, func: str) -> Any:
        if func.startswith("_"):
            raise AttributeError(func)

        def remote(*args: Any, **kwargs: Any) -> Any:
            __tracebackhide__ = True
            return self._submission.call(self._unit, func, *args, **kwargs).value

        remote.__name__ = func
        return remote
