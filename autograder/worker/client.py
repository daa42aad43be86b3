"""The grader's side of a worker: send inputs, wait with a deadline, decode plain data.

A timeout or a dead worker turns into a `StudentFailure`; the next call starts
a fresh worker from the zygote, so one bad function never stops grading.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import tempfile
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from autograder.errors import AutograderError, WireError
from autograder.worker import wire, zygote

STATUS_BY_KIND = {
    "not_implemented": "failed",
    "missing": "failed",
    "import": "error",
    "exception": "error",
    "crash": "error",
    "timeout": "timeout",
    "protocol": "error",
}


class StudentFailure(AutograderError):
    """The student's code failed to produce a value (raised, crashed, hung, missing)."""

    def __init__(self, kind: str, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.kind, self.message, self.detail = kind, message, detail

    @property
    def status(self) -> str:
        return STATUS_BY_KIND.get(self.kind, "error")


@dataclass
class Reply:
    value: Any
    args_after: list[Any] = field(default_factory=list)
    swapped: list[str] = field(default_factory=list)


class Worker:
    """One sandboxed child serving one submission folder."""

    def __init__(self, submission: Path, memory_mb: int) -> None:
        self.submission, self.memory_mb = submission, memory_mb
        self.pid: int | None = None
        self.conn: Connection | None = None
        self.workdir: str | None = None
        self.generation = 0  # counts the children started, so callers see a fresh one

    def _start(self) -> Connection:
        self.generation += 1
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self.workdir = tempfile.mkdtemp(prefix="autograder-worker-")
        self.pid = zygote.shared().fork(
            theirs.fileno(), str(self.submission), self.memory_mb, self.workdir
        )
        theirs.close()
        self.conn = Connection(ours.detach())
        return self.conn

    def call(self, request: dict[str, Any], timeout: float) -> Reply:
        conn = self.conn or self._start()
        try:
            conn.send_bytes(wire.encode(request))
        except OSError:
            raise StudentFailure("crash", self._death()) from None
        if not conn.poll(timeout):
            self.stop()
            raise StudentFailure(
                "timeout", f"did not return within {timeout:g} s (an endless loop, or far too slow)"
            )
        try:
            reply = wire.decode(conn.recv_bytes(wire.MAX_MESSAGE_BYTES))
        except (EOFError, OSError):
            raise StudentFailure("crash", self._death()) from None
        except WireError as exc:
            self.stop()
            raise StudentFailure("protocol", f"the worker sent a malformed reply ({exc})") from None
        return self._unpack(reply)

    def _unpack(self, reply: Any) -> Reply:
        if not isinstance(reply, dict) or "ok" not in reply:
            raise StudentFailure("protocol", "the worker sent a malformed reply")
        if reply["ok"]:
            return Reply(
                reply.get("value"),
                list(reply.get("args_after") or []),
                [str(name) for name in reply.get("swapped") or []],
            )
        raise StudentFailure(
            str(reply.get("kind")), str(reply.get("message")), str(reply.get("detail") or "")
        )

    def _death(self) -> str:
        code = self._exit_code()
        self.stop()
        if code is not None and code < 0:
            name = signal.Signals(-code).name if -code in signal.valid_signals() else str(-code)
            if name == "SIGKILL":
                return "the worker was killed (SIGKILL), e.g. for using too much memory"
            return f"the worker crashed with signal {name}"
        return f"the process exited (exit code {code})"

    def _exit_code(self) -> int | None:
        if self.pid is None:
            return None
        for _ in range(50):
            code = zygote.shared().status(self.pid)
            if code is not None:
                return code
            time.sleep(0.02)
        return None

    def stop(self) -> None:
        """Kill the worker and everything it started; the next call forks a new one."""
        pid, self.pid = self.pid, None
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        if pid is not None:
            for kill in (os.killpg, os.kill):
                try:
                    kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None
