"""The worker's side: import student modules on demand and serve calls.

Runs only in a forked child. Everything it returns goes through the wire codec;
exceptions become plain dicts naming the kind of failure and the student's frames.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import os
import re
import sys
import traceback
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from types import ModuleType
from typing import Any

from autograder.worker import isolation, remote, sandbox, wire
from autograder.worker.intercept import Watch, watching
from autograder.worker.substitute import substitution

TRACEBACK_FRAMES = 4
OPS = ("call", "harness", "import", "ping")
MANY = ("call", "harness")  # what op "calls" may hold
WATCH_BROKEN = (
    "a call before this one in the batch switched off the grader's watch for the built-ins "
    "this task may not call; leave torch's function modes and autograd engine alone"
)
HARNESS_NAME = re.compile(r"[a-z_]+\.[a-z][a-z0-9_]*")


class _Failure(Exception):
    def __init__(self, kind: str, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.kind, self.message, self.detail = kind, message, detail


class Server:
    def __init__(self, submission: str, memory_mb: int) -> None:
        self.submission = os.path.realpath(submission)
        self.memory_mb = memory_mb
        self.modules: dict[str, ModuleType | _Failure] = {}

    def module(self, unit: str) -> ModuleType:
        if unit not in self.modules:
            self.modules[unit] = self._import(unit)
        found = self.modules[unit]
        if isinstance(found, _Failure):
            raise found
        return found

    def _import(self, unit: str) -> ModuleType | _Failure:
        path = os.path.join(self.submission, f"{unit}.py")
        if not os.path.isfile(path):
            return _Failure("import", f"{unit}.py is missing from the submission")
        try:
            return importlib.import_module(unit)
        except BaseException as exc:  # noqa: BLE001 - student import may raise anything
            return _Failure(
                "import", f"{unit}.py could not be imported: {_describe(exc)}", self._frames(exc)
            )

    def function(self, unit: str, name: str) -> Any:
        module = self.module(unit)
        func = getattr(module, name, None)
        if not callable(func):
            raise _Failure("missing", f"{unit}.py has no function '{name}'")
        return func

    def target(self, req: dict[str, Any]) -> Callable[..., Any]:
        """The student's function, or a grader harness that drives the student's modules."""
        if req["op"] == "call":
            return self.function(req["unit"], req["func"])
        name = str(req.get("name", ""))
        if not HARNESS_NAME.fullmatch(name):
            raise _Failure("protocol", f"bad harness name {name!r}")
        module, func = name.split(".")
        harness = importlib.import_module(f"autograder.harness.{module}")
        self.module(module)  # the unit it drives, imported before any substitution
        return functools.partial(getattr(harness, func), self.module)

    def call(self, req: dict[str, Any]) -> dict[str, Any]:
        func = self.target(req)
        with self._scope(req) as (swapped, watch):
            return self._invoke(func, req, swapped, watch)

    @contextlib.contextmanager
    def _scope(self, req: dict[str, Any]) -> Iterator[tuple[set[str], Watch | None]]:
        """What calls run inside: reference versions of earlier units in place of the
        student's (`substitute`; the grader computes them, `references` names their
        functions), and the watch for the built-ins they may not call (`forbid`). Calls
        of a batch that agree on these share one."""
        units = [str(u) for u in req.get("substitute") or []]
        given = req.get("references") if isinstance(req.get("references"), dict) else {}
        references = {
            u: [str(n) for n in given[u]] for u in units if isinstance(given.get(u), list)
        }
        forbid = [str(name) for name in req.get("forbid") or []]
        with (
            self._forgetting_new_imports(bool(references)),
            substitution(self.loaded(), references) as swapped,
            watching(forbid, self.submission) if forbid else contextlib.nullcontext() as watch,
        ):
            yield swapped, watch

    def _invoke(
        self, func: Callable[..., Any], req: dict[str, Any], swapped: set[str], watch: Watch | None
    ) -> dict[str, Any]:
        args, kwargs = req.get("args", []), req.get("kwargs", {})
        _torch_defaults()  # what an earlier call changed must not cost this task
        if watch is not None:
            watch.uses.clear()
        try:
            value = func(*args, **kwargs)
        except NotImplementedError as exc:
            raise _Failure("not_implemented", str(exc) or "NotImplementedError") from exc
        except _Failure:
            raise
        except BaseException as exc:  # noqa: BLE001 - SystemExit and friends included
            if _out_of_memory(exc):
                raise _Failure("memory", self._memory_message(), self._frames(exc)) from exc
            raise _Failure("exception", _describe(exc), self._frames(exc)) from exc
        if watch is not None and watch.uses:
            used = "; ".join(dict.fromkeys(watch.uses))
            raise _Failure(
                "forbidden",
                f"calls {used} while it runs; the task is to write this yourself "
                f"(not allowed here: {', '.join(str(n) for n in req.get('forbid') or [])})",
            )
        reply: dict[str, Any] = {"ok": True, "value": value, "swapped": sorted(swapped)}
        if req.get("return_args"):
            reply["args_after"] = args
        return reply

    @contextlib.contextmanager
    def _forgetting_new_imports(self, active: bool) -> Iterator[None]:
        """Student modules first imported under substitution hold the stand-ins: drop them
        afterwards, so the next call imports them afresh with the student's own units."""
        if not active:
            yield
            return
        before = set(sys.modules)
        try:
            yield
        finally:
            for name in set(sys.modules) - before:
                if self._is_student(sys.modules[name]):
                    del sys.modules[name]
                    self.modules.pop(name, None)

    def _is_student(self, module: ModuleType) -> bool:
        path = getattr(module, "__file__", None) or ""
        return os.path.realpath(path).startswith(self.submission + os.sep)

    def loaded(self) -> list[ModuleType]:
        return [m for m in self.modules.values() if isinstance(m, ModuleType)]

    def _memory_message(self) -> str:
        return (
            f"ran out of memory: a call may allocate {self.memory_mb} MB beyond torch itself "
            "(limits.memory_mb). Does a list or tensor grow without bound, or get far "
            "larger than the input?"
        )

    def _frames(self, exc: BaseException) -> str:
        frames = [
            f
            for f in traceback.extract_tb(exc.__traceback__)
            if os.path.realpath(f.filename).startswith(self.submission + os.sep)
        ]
        lines = [
            f"{os.path.basename(f.filename)}, line {f.lineno}, in {f.name}: "
            f"{(f.line or '').strip()}"
            for f in frames[-TRACEBACK_FRAMES:]
        ]
        return "\n".join(lines)

    def handle_many(self, req: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """op "calls": run each call of req["calls"] in order, one reply each, as each
        finishes (the grader times every call on its own). A run of calls with the same
        substitution and the same forbidden names shares one scope (see `_scope`)."""
        calls = req.get("calls")
        if not isinstance(calls, list):
            yield {"ok": False, "kind": "protocol", "message": "malformed batch"}
            return
        start = 0
        while start < len(calls):
            end = start + 1
            while end < len(calls) and _same_scope(calls[start], calls[end]):
                end += 1
            yield from self._run_scoped(calls[start:end])
            start = end

    def _run_scoped(self, calls: list[Any]) -> Iterator[dict[str, Any]]:
        targets: list[Any] = []
        for call in calls:
            try:
                if not isinstance(call, dict) or call.get("op") not in MANY:
                    raise _Failure("protocol", "unknown request")
                targets.append(self.target(call))  # imported before the scope, as in `call`
            except _Failure as failure:
                targets.append(failure)
        with self._scope(calls[0]) as (swapped, watch):
            for call, target in zip(calls, targets, strict=True):
                if watch is not None and not watch.intact():
                    yield _failed(_Failure("forbidden", WATCH_BROKEN))
                    continue
                try:
                    if isinstance(target, _Failure):
                        raise target
                    yield self._invoke(target, call, swapped, watch)
                except _Failure as failure:
                    yield _failed(failure)

    def handle(self, req: Any) -> dict[str, Any]:
        if not isinstance(req, dict) or req.get("op") not in OPS:
            return {"ok": False, "kind": "protocol", "message": "unknown request"}
        if req["op"] == "ping":
            return {"ok": True, "value": os.getpid()}
        try:
            if req["op"] == "import":
                self.module(str(req.get("unit")))
                return {"ok": True, "value": None}
            return self.call(req)
        except _Failure as failure:
            return _failed(failure)


def _failed(failure: _Failure) -> dict[str, Any]:
    return {"ok": False, "kind": failure.kind, "message": failure.message, "detail": failure.detail}


def _same_scope(a: Any, b: Any) -> bool:
    """Whether two calls of a batch can share a scope (see Server._scope)."""
    if not (isinstance(a, dict) and isinstance(b, dict)):
        return False
    return all(a.get(key) == b.get(key) for key in ("substitute", "forbid", "references"))


def _torch_defaults() -> None:
    """Default dtype, default device and grad mode as a fresh interpreter has them (each
    set only where a call changed it: setting them costs more than reading them)."""
    import torch

    if torch.get_default_dtype() is not torch.float32:
        torch.set_default_dtype(torch.float32)
    default_device = getattr(torch, "get_default_device", None)  # torch >= 2.3
    if default_device is None or default_device().type != "cpu":
        torch.set_default_device(None)
    if not torch.is_grad_enabled():
        torch.set_grad_enabled(True)


def _out_of_memory(exc: BaseException) -> bool:
    """Python's MemoryError, or torch's CPU allocator refusing a tensor."""
    return isinstance(exc, MemoryError) or (
        isinstance(exc, RuntimeError) and "can't allocate memory" in str(exc)
    )


def _describe(exc: BaseException) -> str:
    if isinstance(exc, SystemExit):
        return f"called sys.exit({exc.code!r})"
    if isinstance(exc, SyntaxError):
        return f"SyntaxError at line {exc.lineno}: {exc.msg}"
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:300]}" if text else type(exc).__name__


def _send(conn: Connection, reply: dict[str, Any]) -> None:
    import torch

    try:
        with torch._C.DisableTorchFunction():  # a batch may still be inside the watch's mode
            blob = wire.encode(reply)
    except Exception as exc:  # noqa: BLE001 - e.g. a value nested too deep
        blob = wire.encode(
            {
                "ok": False,
                "kind": "exception",
                "message": f"the returned value cannot be sent back: {exc}",
            }
        )
    conn.send_bytes(blob)


def _only_submission_on_path(submission: str) -> None:
    """Put the submission first; drop folders that would make solutions/ importable."""
    keep = []
    for entry in sys.path:
        path = os.path.realpath(entry or ".")
        if path != submission and not os.path.isdir(os.path.join(path, "solutions")):
            keep.append(entry)
    sys.path[:] = [submission, *keep]


def serve(conn: Connection, submission: str, memory_mb: int, workdir: str, level: str) -> None:
    """Entry point of a worker child: sandbox, then answer requests until EOF."""
    sandbox.apply_limits(memory_mb, sandboxed=level != "none")
    place = isolation.enter(level, submission, workdir)
    sandbox.close_other_files(conn.fileno())
    sandbox.isolate_io(place.workdir)
    _only_submission_on_path(os.path.realpath(place.submission))
    sys.dont_write_bytecode = True
    remote.connect(conn)  # reference units swapped in ask the grader on this connection
    server = Server(place.submission, memory_mb)
    while True:
        try:
            request = wire.decode(conn.recv_bytes())
        except EOFError:
            return
        if isinstance(request, dict) and request.get("op") == "calls":
            for reply in server.handle_many(request):
                _send(conn, reply)
        else:
            _send(conn, server.handle(request))
