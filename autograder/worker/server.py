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

from autograder.worker import isolation, sandbox, wire
from autograder.worker.intercept import watching
from autograder.worker.substitute import substitution

TRACEBACK_FRAMES = 4
OPS = ("call", "harness", "import", "ping")
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
        args, kwargs = req.get("args", []), req.get("kwargs", {})
        _torch_defaults()  # what an earlier call changed must not cost this task
        units = req.get("substitute") or []
        _install_oracles(req.get("oracles") or {})
        forbid = [str(name) for name in req.get("forbid") or []]
        with (
            self._forgetting_new_imports(bool(units)),
            substitution(self.loaded(), units) as swapped,
            watching(forbid, self.submission) if forbid else contextlib.nullcontext() as watch,
        ):
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
                f"(not allowed here: {', '.join(forbid)})",
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
            return {
                "ok": False,
                "kind": failure.kind,
                "message": failure.message,
                "detail": failure.detail,
            }


def _install_oracles(sources: dict[str, Any]) -> None:
    """Make `autograder.oracle.<unit>` importable from the sources the grader sent (the
    worker cannot read the grader's files, and the zygote does not hold the answers)."""
    package = sys.modules.get("autograder.oracle")
    if package is None:
        package = sys.modules["autograder.oracle"] = ModuleType("autograder.oracle")
        package.__path__ = []
    for unit, source in sources.items():
        name = f"autograder.oracle.{unit}"
        if name in sys.modules or not str(unit).isidentifier():
            continue
        module = ModuleType(name)
        module.__file__ = f"autograder/oracle/{unit}.py"
        sys.modules[name] = module
        exec(compile(str(source), module.__file__, "exec"), module.__dict__)  # noqa: S102
        setattr(package, unit, module)


def _torch_defaults() -> None:
    """Default dtype, default device and grad mode as a fresh interpreter has them."""
    import torch

    torch.set_default_dtype(torch.float32)
    torch.set_default_device(None)
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
    try:
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
    server = Server(place.submission, memory_mb)
    while True:
        try:
            request = wire.decode(conn.recv_bytes())
        except EOFError:
            return
        _send(conn, server.handle(request))
