"""The grader's handle on one submission: `student.activations.sigmoid(x)` runs remotely.

Calls go to a sandboxed worker; what comes back is plain data. A function that
timed out once fails at once afterwards, so retries and shrinking cost nothing. Within one
test made of calls one by one, a function whose call failed in the worker (it raised,
crashed, sent back what cannot be sent) fails the same way at once when called again.
Each call has a budget of CPU time (a floor from grading.yml, raised to a multiple of
the reference's own cost of the same call when that is higher) and a wall-clock
backstop; a call stopped by the backstop while the machine was busy is tried once more.

While `deferring` (autograder.batching runs a graded test's bodies so), a call is not made
at once: it comes back as a `Deferred`, and `run` makes a whole round of them in one
batch per worker, each call still timed on its own.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import inspect
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import torch

from autograder.calibration import Calibrator
from autograder.checks.source_rules import SourceRules, source_rules
from autograder.config import GradingConfig
from autograder.errors import SubmissionError
from autograder.worker import wire
from autograder.worker.client import (
    Budget,
    KilledFromOutside,
    Reply,
    StudentFailure,
    WallClockTimeout,
    Worker,
)
from autograder.worker.private_copy import copy_of, left_out, private_copy, remove

# For the grader's own attack corpus only: run code the static rules refuse (it still
# loses its points), so that the sandbox behind the rules is tested too. It can only let
# more code run, never raise a score; never set it for grading.
RUN_REFUSED_ENV = "AUTOGRADER_RUN_REFUSED_CODE"
IMPORT_CPU_S = 10.0  # CPU seconds an import of a unit may take at least (pandas, scipy, …)
INTEGRITY_ITEMS = 20  # findings of each kind listed in a report


@dataclass
class Deferred:
    """A call into the submission not made yet: what a batched graded test yields.
    `task` keys its limits and its forbidden calls ("unit.func" for a function); the
    result is the call's value, or its whole Reply when `whole`."""

    task: str
    request: dict[str, Any]
    oracle: tuple[str, ...] = ()
    whole: bool = False


class Submission:
    def __init__(
        self,
        folder: Path,
        config: GradingConfig,
        calibrator: Calibrator | None = None,
        isolation: str = "none",
    ) -> None:
        if not folder.is_dir():
            raise SubmissionError(
                f"{folder}: no such folder; pass --submission DIR with the "
                "files of assignments/ (e.g. activations.py)"
            )
        self.folder, self.config = folder.resolve(), config
        # The built-in reference of each unit, imported now (before any worker starts):
        # a later unit graded with reference versions of earlier ones asks for their
        # values by message, and they are computed here; no reference code ever enters
        # a worker (autograder.worker.remote). Imported before the copy is made, so an
        # interruption here leaves no folder behind.
        self.references = _references(config.units)
        _load_allowed_modules(config)
        # Only the declared files (the units' and the course's helpers) are copied: what
        # the worker can import is exactly what the static checks read.
        self.copy = private_copy(self.folder, config.files)
        try:
            self.left_out = left_out(self.folder, config.files)
            self.files = _read_files(self.copy, config.files)
        except BaseException:
            remove(self.copy)
            raise
        self.sources = {f.removesuffix(".py"): t for f, t in self.files.items()}
        self.copies: list[Path] = []  # one per worker, made from `copy`
        self._refusals: dict[str, StudentFailure | None] = {}  # task → why it is not run
        self.reply_budget = wire.MAX_REQUEST_BYTES  # bytes this test's replies may still take
        self.specs = {spec.id: spec for spec in config.tasks}  # looked up on every call
        self.isolation = isolation
        # One worker per unit and set of reference units it may ask for.
        self.workers: dict[tuple[str, tuple[str, ...]], Worker] = {}
        self.calibrator = calibrator
        self.retried: list[str] = []  # tasks whose call was retried on a busy machine
        self.timed_out: dict[str, StudentFailure] = {}
        # (task, function or harness, substitute) → its failure in the current test
        self.failed: dict[tuple[str, str, tuple[str, ...]], StudentFailure] = {}
        self.substitute: tuple[str, ...] = ()  # set by the plugin when it retries a test
        self.swapped: set[str] = set()
        self.unimportable: dict[str, StudentFailure] = {}
        self.spent_s = 0.0  # wall seconds of all calls so far, against limits.submission_s
        self.deferring = False  # calls come back as Deferred (see the module docstring)
        self._imported: dict[int, tuple[int, set[str]]] = {}  # id(worker) → generation, units

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
        if self.deferring:
            return Deferred(f"{unit}.{func}", request, whole=True)  # type: ignore[return-value]
        return self._send(f"{unit}.{func}", request)

    def value(self, unit: str, func: str, *args: Any, **kwargs: Any) -> Any:
        """The value `unit.func(*args, **kwargs)` returned (a Deferred while deferring)."""
        __tracebackhide__ = True
        reply = self.call(unit, func, *args, **kwargs)
        if isinstance(reply, Deferred):
            reply.whole = False
            return reply
        return reply.value

    def harness(
        self, name: str, *args: Any, task: str, oracle: tuple[str, ...] = (), **kwargs: Any
    ) -> Any:
        """Run grader harness `name` (autograder.harness.<module>.<func>) beside the student's
        code, for `task`; it drives objects that cannot cross the process boundary. A
        harness that needs the built-in reference of some units names them in `oracle`."""
        __tracebackhide__ = True
        request = {"op": "harness", "name": name, "args": list(args), "kwargs": kwargs}
        if self.deferring:
            return Deferred(task, request, oracle)
        return self._send(task, request, oracle).value

    @contextlib.contextmanager
    def deferred(self) -> Iterator[None]:
        """Within the block, calls come back as `Deferred` instead of being made."""
        before, self.deferring = self.deferring, True
        try:
            yield
        finally:
            self.deferring = before

    def run(self, deferreds: list[Deferred]) -> list[Any]:
        """Make the deferred calls, one batch per worker, in order; for each, its value (its
        Reply when `whole`) or the StudentFailure it came to (a call after one that ended
        its worker, by a crash or a timeout, comes to that same failure)."""
        __tracebackhide__ = True
        groups: dict[tuple[str, tuple[str, ...]], list[int]] = {}
        for k, deferred in enumerate(deferreds):
            given = tuple(sorted(set(self.substitute) | set(deferred.oracle)))
            groups.setdefault((deferred.task.split(".")[0], given), []).append(k)
        results: list[Any] = [None] * len(deferreds)
        for (unit, given), indices in groups.items():
            outcomes = self._run_batch(unit, given, [deferreds[k] for k in indices])
            for k, outcome in zip(indices, outcomes, strict=True):
                results[k] = outcome
        return results

    def _run_batch(self, unit: str, given: tuple[str, ...], items: list[Deferred]) -> list[Any]:
        outcomes: list[Any] = [self.timed_out.get(d.task) or self.refusal(d.task) for d in items]
        todo = [k for k, outcome in enumerate(outcomes) if outcome is None]
        if not todo:
            return outcomes
        try:
            self._within_the_submission_limit(items[todo[0]].task)
        except StudentFailure as failure:
            return [failure if k in todo else outcome for k, outcome in enumerate(outcomes)]
        worker = self._worker(unit, given)
        started = time.monotonic()
        try:
            replies = self._batch_once_more_if_busy(unit, given, [items[k] for k in todo], worker)
        except StudentFailure as failure:
            replies = [failure] * len(todo)
        finally:
            self.spent_s += time.monotonic() - started
        for k, reply in zip(todo, replies, strict=True):
            outcomes[k] = self._outcome(items[k], reply)
        return outcomes

    def _outcome(self, deferred: Deferred, reply: Reply | StudentFailure) -> Any:
        if isinstance(reply, StudentFailure):
            named = _named(deferred.task, reply)
            if reply.kind == "timeout":
                self.timed_out.setdefault(deferred.task, named)
            return named
        self.swapped.update(reply.swapped)
        return reply if deferred.whole else reply.value

    def _batch_once_more_if_busy(
        self, unit: str, given: tuple[str, ...], items: list[Deferred], worker: Worker
    ) -> list[Reply | StudentFailure]:
        """The replies to `items`, made in one batch; the calls from one that the
        wall-clock backstop stopped while the machine was busy on are made again, once, in
        a fresh worker. A call after one that ended the worker comes to its failure."""
        replies: list[Reply | StudentFailure] = []
        retried = False
        while len(replies) < len(items):
            self._import(unit, worker)
            rest = items[len(replies) :]
            calls = [self._prepared(d) for d in rest]
            names = {u: sorted(self.references[u][1]) for u in given if u in self.references}
            calls = [{**call, "references": names} for call in calls]
            batch = {"op": "calls", "calls": calls}
            # calibrated on the same call, watched, as the student's
            budgets = [self._budget(d.task, call) for d, call in zip(rest, calls, strict=True)]
            worker.reply_allowance = self.reply_budget  # a test holds all its replies
            for reply in worker.calls(batch, budgets):
                if _deserves_a_retry(reply) and not retried:
                    retried = True
                    self.retried.append(items[len(replies)].task)
                    break
                replies.append(reply)
            else:
                if len(replies) < len(items):  # the worker ended at the last reply
                    replies += [replies[-1]] * (len(items) - len(replies))
            self.reply_budget = min(self.reply_budget, worker.replies_left)
        return replies

    def _prepared(self, deferred: Deferred) -> dict[str, Any]:
        spec = self.specs.get(deferred.task)
        return {
            **deferred.request,
            "substitute": list(self.substitute),
            "forbid": list(spec.forbidden) if spec is not None else [],
        }

    def new_test(self) -> None:
        """Forget the failures of the previous test (see the module docstring); its
        replies, which the test held, are let go."""
        self.failed.clear()
        self.reply_budget = wire.MAX_REQUEST_BYTES

    def _send(self, task: str, request: dict[str, Any], oracle: tuple[str, ...] = ()) -> Reply:
        """One call made at once: a batch of one, with the memo of this test's failures."""
        __tracebackhide__ = True
        key = (task, str(request.get("name") or request.get("func")), tuple(self.substitute))
        if key in self.failed:
            raise self.failed[key]
        given = tuple(sorted(set(self.substitute) | set(oracle)))
        deferred = Deferred(task, request, oracle, whole=True)
        (outcome,) = self._run_batch(task.split(".")[0], given, [deferred])
        if isinstance(outcome, StudentFailure):
            self.failed[key] = outcome
            raise outcome
        return outcome

    def _within_the_submission_limit(self, task: str) -> None:
        limit = self.config.limits.submission_s
        if self.spent_s >= limit:
            raise StudentFailure(
                "timeout",
                f"{task}: not run: the submission used up its time ({self.spent_s:.0f} s of "
                f"wall time in all its calls; limits.submission_s = {limit:g}). Is some "
                "function sleeping or waiting?",
            )

    def _worker(self, unit: str, given: tuple[str, ...]) -> Worker:
        key = (unit, given)
        if key not in self.workers:
            own = copy_of(self.copy)  # no two workers share a folder
            self.copies.append(own)  # (close removes it, however the grading ends)
            answer = functools.partial(self._reference, frozenset(given))
            self.workers[key] = Worker(own, self.config.limits.memory_mb, self.isolation, answer)
        return self.workers[key]

    def _reference(
        self, given: frozenset[str], unit: str, func: str, args: list[Any], kwargs: dict[str, Any]
    ) -> dict[str, Any]:
        """A worker's request for a reference unit's value, made in mid-call: computed
        here, only for the units that worker was given and their public functions."""
        found = self.references.get(unit) if unit in given else None
        if found is None or func not in found[1]:
            return {"ok": False, "message": f"no reference {unit}.{func} is given here"}
        try:
            with torch.no_grad():
                return {"ok": True, "value": getattr(found[0], func)(*args, **kwargs)}
        except Exception as exc:  # noqa: BLE001 - the worker's arguments may be anything
            return {"ok": False, "message": f"{type(exc).__name__}: {str(exc)[:200]}"}

    def _import_once_more_if_busy(self, unit: str, worker: Worker) -> None:
        try:
            worker.call({"op": "import", "unit": unit}, self._budget(unit))
        except StudentFailure as failure:
            if not _deserves_a_retry(failure):
                raise
            self.retried.append(unit)
            worker.call({"op": "import", "unit": unit}, self._budget(unit))

    def _budget(self, task: str, request: dict[str, Any] | None = None) -> Budget:
        """The CPU floor for `task`; past it, the limit calibrated from the reference."""
        limits = self.config.limits
        if task in self.specs:
            floor = self.config.cpu_limit(task)
        else:  # importing a unit: the libraries it imports may take their time
            floor = max(limits.cpu_s, IMPORT_CPU_S)
        calibrate = (
            functools.partial(self._calibrated, task.split(".")[0], request)
            if self.calibrator is not None and request is not None
            else None
        )
        return Budget(floor, floor * limits.wall_factor, calibrate)

    def _calibrated(self, unit: str, request: dict[str, Any]) -> float:
        """A multiple of what the reference's own run of `request` costs on this machine."""
        assert self.calibrator is not None
        return self.config.limits.cpu_factor * self.calibrator.cpu_s(unit, request)

    def _import(self, unit: str, worker: Worker) -> None:
        """Import `unit` on its own first, so that a module which crashes, exits or hangs
        while being imported costs its unit once, not every test of it a new worker."""
        __tracebackhide__ = True
        if unit in self.unimportable:
            raise self.unimportable[unit]
        generation, done = self._imported.get(id(worker), (-1, set()))
        if generation == worker.generation and unit in done:
            return
        try:
            self._import_once_more_if_busy(unit, worker)
        except StudentFailure as failure:
            self.unimportable[unit] = _unimportable(unit, failure)
            raise self.unimportable[unit] from None
        if worker.generation != generation:
            done = set()
            self._imported[id(worker)] = (worker.generation, done)
        done.add(unit)

    def source(self, unit: str) -> str | None:
        """The text of the student's `<unit>.py` as it was before any of its code ran
        (read, never imported), or None if absent."""
        return self.sources.get(unit)

    def refusal(self, task: str) -> StudentFailure | None:
        """Why `task` is never run, if the static rules refuse its code: what they refuse
        never runs in the worker, so it can gain nothing and reach nobody. (Refused code
        outside a task's reach is not run for it either: reach covers what it can run.)"""
        if task not in self._refusals:
            self._refusals[task] = self._judged(task)
        return self._refusals[task]

    def _judged(self, task: str) -> StudentFailure | None:
        spec = self.specs.get(task)
        if spec is None or os.environ.get(RUN_REFUSED_ENV) == "1":
            return None
        rules = self.rules()
        refused = rules.refused(spec.unit, spec.function)
        if refused:
            why = f"the grader refuses {refused[0].describe()}"
        else:
            uses = rules.forbidden(spec.unit, spec.function, spec.forbidden)
            if not uses:
                return None
            why = (
                f"it uses {uses[0].describe()} (not allowed here: "
                f"{', '.join(spec.forbidden)}; the task is to write this yourself)"
            )
        return StudentFailure("forbidden", f"{task}: not run: {why}")

    def integrity(self) -> dict[str, list[str]]:
        """What staff should see at a glance: the imports and interpreter internals the
        rules refused, the forbidden built-ins used, and the files left out (each at most
        once, with its file and line; the tasks it cost are in their own messages)."""
        rules = self.rules()
        refused: dict[str, None] = {}
        forbidden: dict[str, None] = {}
        for spec in self.config.tasks:
            for finding in rules.refused(spec.unit, spec.function):
                refused[finding.describe()] = None
            for finding in rules.forbidden(spec.unit, spec.function, spec.forbidden):
                forbidden[f"{spec.id}: {finding.describe()}"] = None
        return {
            "refused": list(refused)[:INTEGRITY_ITEMS],
            "forbidden": list(forbidden)[:INTEGRITY_ITEMS],
            "left_out": self.left_out[:INTEGRITY_ITEMS],
        }

    def rules(self) -> SourceRules:
        """The static rules over every declared file, parsed once per submission."""
        allowed = tuple((name, self.config.allowed_imports(name)) for name in self.files)
        return source_rules(tuple(self.files.items()), allowed)

    def __getattr__(self, unit: str) -> _Unit:
        if unit.startswith("_"):
            raise AttributeError(unit)
        return _Unit(self, unit)

    def close(self) -> None:
        for worker in self.workers.values():
            worker.stop()
        for copy in (*self.copies, self.copy):
            remove(copy)


def _load_allowed_modules(config: GradingConfig) -> None:
    """Import the modules submissions may import, now, before any worker starts (trust
    rule 1): the static rules resolve names against them, never importing anything later."""
    for name in sorted({m for f in config.files for m in config.allowed_imports(f)}):
        if name != "__future__":
            with contextlib.suppress(ImportError):
                importlib.import_module(name)


def _references(units: tuple[str, ...]) -> dict[str, tuple[ModuleType, frozenset[str]]]:
    """Per unit, the built-in reference module and the names of its public functions."""
    found = {}
    for unit in units:
        try:
            module = importlib.import_module(f"autograder.oracle.{unit}")
        except ImportError:
            continue
        names = frozenset(
            n for n, v in vars(module).items() if not n.startswith("_") and inspect.isfunction(v)
        )
        found[unit] = (module, names)
    return found


def _read_files(folder: Path, files: tuple[str, ...]) -> dict[str, str]:
    """The declared files' texts, read once before any worker starts (code may rewrite
    its file)."""
    texts = {}
    for name in files:
        try:
            texts[name] = (folder / name).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
    return texts


def _deserves_a_retry(reply: Reply | StudentFailure) -> bool:
    """A call stopped by what its code did not cause: the wall-clock backstop while the
    machine was busy, or a SIGKILL from outside the worker."""
    if isinstance(reply, WallClockTimeout):
        return reply.loaded
    return isinstance(reply, KilledFromOutside)


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
            return self._submission.value(self._unit, func, *args, **kwargs)

        remote.__name__ = func
        return remote
