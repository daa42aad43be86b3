"""The grader's side of a worker: send inputs, wait within a budget, decode plain data.

Every string of a reply is made safe to show where it is decoded, the one boundary for a
student's text (`safe_text`): a failure's message becomes one capped line, its traceback
a few capped lines, and every string in a returned value safe text.

A call may use a budget of CPU time (of the worker's whole process group, read from
/proc), with a wall-clock backstop for code that waits instead of computing. Running
out of either, or a dead worker, turns into a `StudentFailure`; the next call starts a
fresh worker from the zygote, so one bad function never stops grading.
"""

from __future__ import annotations

import os
import select
import shutil
import signal
import socket
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograder import safe_text
from autograder.errors import AutograderError, WireError
from autograder.worker import wire, zygote
from autograder.worker.usage import Meter

FIRST_WAIT_S = 0.05  # most calls answer within this; only slower ones get measured
LONGEST_WAIT_S = 0.25
TRANSFER_S = 10.0  # to send a request, or to receive a reply once it has started
MESSAGE_LIMIT = 500  # characters of a failure message from the worker
DETAIL_LIMIT = 2000  # characters of the student's traceback lines
DETAIL_LINES = 8  # the worker sends at most 4 frames, one line each
NAME_LIMIT = 80  # characters of a swapped-in unit's name

STATUS_BY_KIND = {
    "not_implemented": "failed",
    "missing": "failed",
    "forbidden": "failed",
    "import": "error",
    "exception": "error",
    "crash": "error",
    "memory": "error",
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


class KilledFromOutside(StudentFailure):
    """The worker died of SIGKILL, which nothing inside it sends itself (its memory limit
    raises MemoryError; the static rules keep os and signal out): the machine's
    out-of-memory killer, or an operator. The call deserves one more try."""

    def __init__(self) -> None:
        super().__init__(
            "crash",
            "the worker was killed from outside (SIGKILL) twice; if the machine is short "
            "of memory, tell your instructor",
        )


class WallClockTimeout(StudentFailure):
    """The wall-clock backstop tripped; `loaded` says whether other programs were using
    most of the machine meanwhile (then the call deserves one more try)."""

    def __init__(self, message: str, loaded: bool) -> None:
        super().__init__("timeout", message)
        self.loaded = loaded


@dataclass(frozen=True)
class Budget:
    """What one call may use: `cpu_s` CPU seconds of the worker's process group, and
    `wall_s` seconds of wall time as a backstop. When the CPU budget runs out,
    `calibrate` (if given) is asked once, with the worker paused, for a higher limit
    measured from the reference's own cost of the same call."""

    cpu_s: float
    wall_s: float
    calibrate: Callable[[], float] | None = None


LOADED_SHARE = 0.5  # other programs used over half of the machine: "busy"


@dataclass
class Reply:
    value: Any
    args_after: list[Any] = field(default_factory=list)
    swapped: list[str] = field(default_factory=list)
    cpu_s: float = 0.0


class Worker:
    """One sandboxed child serving one submission folder."""

    def __init__(
        self,
        submission: Path,
        memory_mb: int,
        isolation: str = "none",
        references: References | None = None,
    ) -> None:
        self.submission, self.memory_mb, self.isolation = submission, memory_mb, isolation
        # answers the worker's requests for a reference unit's values in mid-call
        # (autograder.worker.remote); None: such a request is refused
        self.references = references
        # bytes the replies to the next request may take together (the caller may lower
        # it: a test holds every reply it got), and what the last request's left of it
        self.reply_allowance = wire.MAX_REQUEST_BYTES
        self.replies_left = wire.MAX_REQUEST_BYTES
        self.pid: int | None = None
        self.sock: socket.socket | None = None
        self.reader: wire.FrameReader | None = None
        self.workdir: str | None = None
        self.generation = 0  # counts the children started, so callers see a fresh one

    def _start(self) -> socket.socket:
        self.generation += 1
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self.workdir = tempfile.mkdtemp(prefix="autograder-worker-")
        self.pid = zygote.shared().fork(
            theirs.fileno(), str(self.submission), self.memory_mb, self.workdir, self.isolation
        )
        theirs.close()
        self.sock, self.reader = ours, wire.FrameReader(ours)
        return ours

    def call(self, request: dict[str, Any], budget: Budget) -> Reply:
        sock = self._send(request)
        assert self.reader is not None
        self.reader.new_request(self.reply_allowance)
        try:
            return self._receive(sock, budget)
        finally:
            self._count_replies()

    def calls(
        self, batch: dict[str, Any], budgets: list[Budget]
    ) -> Iterator[Reply | StudentFailure]:
        """Send a batch (op "calls", one call per budget) at once; yield each call's
        outcome as its reply arrives: its Reply, or the StudentFailure it came to. Every
        call is timed on its own, from the reply before it. A failure that ends the worker
        (crash, timeout, malformed reply) is yielded for the call it happened in and ends
        the batch: the calls after it were not made."""
        sock, answered = self._send(batch), 0
        assert self.reader is not None
        self.reader.new_request(self.reply_allowance)
        try:
            for budget in budgets:
                try:
                    outcome: Reply | StudentFailure = self._receive(sock, budget)
                except StudentFailure as failure:
                    outcome = failure
                answered += 1
                yield outcome
                if self.sock is None:  # the worker was stopped, or died
                    return
        finally:
            self._count_replies()
            if answered < len(budgets) and self.sock is sock:
                self.stop()  # left unread: its replies must not answer a later request

    def _send(self, request: dict[str, Any]) -> socket.socket:
        sock = self.sock or self._start()
        try:
            wire.send_frame(sock, wire.encode(request), time.monotonic() + TRANSFER_S)
        except TimeoutError:
            self.stop()
            raise StudentFailure("protocol", "the worker stopped reading requests") from None
        except OSError:
            raise self._death() from None
        return sock

    def _receive(self, sock: socket.socket, budget: Budget) -> Reply:
        assert self.pid is not None and self.reader is not None
        meter = Meter.start(self.pid)
        while True:
            reply = self._next_message(sock, meter, budget)
            if not _asks_for_reference(reply):
                return self._unpack(reply, meter.cpu_s())
            self._answer_reference(sock, reply)

    def _count_replies(self) -> None:
        """What the last request's replies left of the allowance (none: its worker was
        stopped after going over)."""
        self.replies_left = self.reader.allowance if self.reader is not None else 0

    def _next_message(self, sock: socket.socket, meter: Meter, budget: Budget) -> Any:
        """The worker's next message, within the call's budget (a reply, or a request for
        a reference's value, which does not count against the replies' allowance)."""
        assert self.reader is not None
        if not self.reader.ready():
            self._wait(sock, meter, budget)
        try:
            frame = self.reader.read(time.monotonic() + TRANSFER_S)
            message = wire.decode(frame, _safe_value)
            if _asks_for_reference(message):
                self.reader.allowance += len(frame)
            return message
        except (EOFError, ConnectionError):
            raise self._death() from None
        except wire.RepliesTooLarge as exc:
            self.stop()
            raise StudentFailure(
                "memory",
                f"what it returned was too large: {exc}; return values the size of the "
                "inputs, not far larger",
            ) from None
        except (WireError, TimeoutError, OSError) as exc:
            self.stop()
            why = "stalled in the middle of its reply" if isinstance(exc, TimeoutError) else exc
            message = safe_text.line(f"the worker sent a malformed reply ({why})", MESSAGE_LIMIT)
            raise StudentFailure("protocol", message) from None

    def _answer_reference(self, sock: socket.socket, request: dict[str, Any]) -> None:
        """Compute what the worker asked of a reference unit, here in the grader."""
        args, kwargs = request.get("args"), request.get("kwargs")
        if self.references is None or not isinstance(args, list) or not isinstance(kwargs, dict):
            reply: dict[str, Any] = {"ok": False, "message": "no reference is given here"}
        else:
            reply = self.references(
                str(request.get("unit")), str(request.get("func")), args, kwargs
            )
        try:
            wire.send_frame(sock, wire.encode(reply), time.monotonic() + TRANSFER_S)
        except (TimeoutError, OSError):
            self.stop()
            raise StudentFailure("protocol", "the worker stopped reading") from None

    def _wait(self, sock: socket.socket, meter: Meter, budget: Budget) -> None:
        """Return once a reply is ready; stop the worker when it runs out of budget."""
        wait = FIRST_WAIT_S
        while not select.select([sock], [], [], wait)[0]:
            meter.measure()
            wait = min(2 * wait, LONGEST_WAIT_S)
            if meter.cpu_s() > budget.cpu_s:
                if budget.calibrate is None:
                    self.stop()
                    raise StudentFailure(
                        "timeout",
                        f"used more than {budget.cpu_s:.3g} s of CPU time without returning "
                        "(an endless loop, or far too slow)",
                    )
                budget = self._recalibrated(meter, budget)
            elif meter.wall_s() > budget.wall_s:
                loaded, used = meter.others_busy() > LOADED_SHARE, meter.cpu_s()
                self.stop()
                raise WallClockTimeout(
                    f"did not return within {budget.wall_s:.3g} s of wall time, using "
                    f"{used:.2g} s of CPU (is it waiting, sleeping or reading input?)",
                    loaded,
                )

    def _recalibrated(self, meter: Meter, budget: Budget) -> Budget:
        """Pause the worker's group, ask for the calibrated limit, resume."""
        assert budget.calibrate is not None and self.pid is not None
        paused = time.monotonic()
        _signal_group(self.pid, signal.SIGSTOP)
        try:
            cpu_s = max(budget.cpu_s, budget.calibrate())
        finally:
            _signal_group(self.pid, signal.SIGCONT)
            meter.paused_s += time.monotonic() - paused
        return Budget(cpu_s, max(budget.wall_s, budget.wall_s * cpu_s / budget.cpu_s))

    def _unpack(self, reply: Any, cpu_s: float) -> Reply:
        if not isinstance(reply, dict) or "ok" not in reply:
            self.stop()
            raise StudentFailure("protocol", "the worker sent a malformed reply")
        if reply["ok"] is True:
            args_after, swapped = reply.get("args_after") or [], reply.get("swapped") or []
            if not isinstance(args_after, list) or not isinstance(swapped, list):
                self.stop()
                raise StudentFailure("protocol", "the worker sent a malformed reply")
            names = [safe_text.line(str(n), NAME_LIMIT) for n in swapped]
            return Reply(reply.get("value"), args_after, names, cpu_s)
        kind = str(reply.get("kind"))
        raise StudentFailure(
            kind if kind in STATUS_BY_KIND else "protocol",
            safe_text.line(str(reply.get("message")), MESSAGE_LIMIT),
            _detail(str(reply.get("detail") or "")),
        )

    def _death(self) -> StudentFailure:
        code = self._exit_code()
        self.stop()
        if code is not None and code < 0:
            name = signal.Signals(-code).name if -code in signal.valid_signals() else str(-code)
            if name == "SIGKILL":
                return KilledFromOutside()
            return StudentFailure("crash", f"the worker crashed with signal {name}")
        return StudentFailure("crash", f"the process exited (exit code {code})")

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
        if self.sock is not None:
            self.sock.close()
            self.sock, self.reader = None, None
        if pid is not None:
            _kill(pid)
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None


References = Callable[[str, str, list[Any], dict[str, Any]], dict[str, Any]]


def _asks_for_reference(message: Any) -> bool:
    return isinstance(message, dict) and message.get("op") == "reference"


def _safe_value(text: str) -> str:
    """Every string of a reply, as it is decoded: safe to show, newlines kept (a returned
    string is data; messages describe values with repr, and a failure's message is made
    one line in `_unpack`)."""
    return safe_text.block(text, wire.MAX_STRING)


def _detail(text: str) -> str:
    """The student's traceback lines: safe, capped in characters and in lines."""
    lines = safe_text.block(text, DETAIL_LIMIT).splitlines()
    return "\n".join(lines[:DETAIL_LINES] + (["..."] if len(lines) > DETAIL_LINES else []))


def _signal_group(pid: int, signum: int) -> None:
    try:
        os.killpg(pid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def _kill(pid: int) -> None:
    """SIGKILL a worker and its group through the zygote, which knows whether the pid is
    still that worker's (a pid signalled from here after the worker ended could by then
    be another student's worker's)."""
    try:
        zygote.shared().kill(pid)
    except (OSError, RuntimeError, ValueError):
        pass  # the zygote is gone, and with it every worker it started
