"""The zygote: a process that has imported torch once and forks every worker.

Isolation then costs a fork (milliseconds), not a fresh interpreter and a
two-second torch import. The grader talks to the zygote over a control socket:
`fork` hands over one end of a socketpair and gets the child's pid back;
`status` asks how a child ended (the zygote reaps its children); `kill` stops one (only
the zygote can tell whether a pid is still its worker's).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

from autograder.worker import isolation, probe

PRELOAD = ("numpy", "torch", "matplotlib.figure", "matplotlib.backends.backend_agg")


class Zygote:
    """Grader-side handle on the zygote process."""

    def __init__(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        root = str(Path(__file__).resolve().parents[2])
        pythonpath = os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))
        env = isolation.worker_environment(pythonpath)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from autograder.worker.zygote import main; main()",
                str(theirs.fileno()),
            ],
            pass_fds=[theirs.fileno()],
            stdin=subprocess.DEVNULL,
            env=env,
        )
        theirs.close()
        self.control = ours
        self.reader = ours.makefile("r", encoding="utf-8")
        self._levels: dict[str, str] | None = None

    def _ask(self, message: dict[str, Any], fds: list[int] | None = None) -> Any:
        data = (json.dumps(message) + "\n").encode()
        socket.send_fds(self.control, [data], fds or [])
        line = self.reader.readline()
        if not line:
            raise RuntimeError("the worker zygote exited; see the output above")
        return json.loads(line)

    def fork(self, fd: int, submission: str, memory_mb: int, workdir: str, level: str) -> int:
        """Fork a worker serving `submission` on socket `fd`, working in `workdir`,
        isolated at `level` (one of isolation.LEVELS)."""
        request = {
            "op": "fork",
            "submission": submission,
            "memory_mb": memory_mb,
            "workdir": workdir,
            "level": level,
        }
        pid = self._ask(request, [fd])
        if not isinstance(pid, int):
            raise RuntimeError(f"the worker zygote {pid}")
        return pid

    def levels(self) -> dict[str, str]:
        """Each isolation level → "" where a worker can enter it here, else why not
        (found once, by forking a probe into each)."""
        if self._levels is None:
            self._levels = {str(k): str(v) for k, v in self._ask({"op": "levels"}).items()}
        return self._levels

    def kill(self, pid: int) -> None:
        """SIGKILL worker `pid` and its process group if it is still running (the zygote,
        its parent, knows whether the pid is still that worker's)."""
        self._ask({"op": "kill", "pid": pid})

    def status(self, pid: int) -> int | None:
        """Exit status as os.waitstatus_to_exitcode gives it, or None while alive."""
        return self._ask({"op": "status", "pid": pid})

    def close(self) -> None:
        self.reader.close()  # its file holds the socket open too
        self.control.close()
        self.process.wait(5)


_zygote: Zygote | None = None


def shared() -> Zygote:
    """The process-wide zygote, started on first use."""
    global _zygote
    if _zygote is None or _zygote.process.poll() is not None:
        _zygote = Zygote()
    return _zygote


# ---- inside the zygote process -------------------------------------------------

_ended: dict[int, int] = {}
_workdirs: dict[int, str] = {}  # live worker pid → the folder the grader made for it


def _reap(signum: int, frame: Any) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        _ended[pid] = os.waitstatus_to_exitcode(status)
        if _workdirs.pop(pid, None) is not None:
            _kill_group(pid)  # what it started dies with it (its number is still held)


def _kill_group(pid: int) -> None:
    """SIGKILL the process group a worker leads. Safe only while its number is still the
    worker's: before it is reaped, or right after while a member of its group lives (the
    kernel keeps the number of a live group)."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _kill(pid: int) -> None:
    """Stop worker `pid` and its group, only if it is still ours: a reaped pid may belong
    to another process by now (another student's worker, on a busy machine with a small
    pid_max), so the grader never signals a pid itself; it asks here. SIGCHLD is held
    back meanwhile, so the worker cannot be reaped between the check and the kill."""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})
    try:
        if pid in _workdirs:
            _kill_group(pid)
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _child(control: socket.socket, fd: int, request: dict[str, Any]) -> None:
    from multiprocessing.connection import Connection

    from autograder.worker.server import serve

    control.close()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    code = 0
    try:
        serve(
            Connection(fd),
            request["submission"],
            int(request["memory_mb"]),
            request["workdir"],
            str(request.get("level", "none")),
        )
    except BaseException:  # noqa: BLE001 - the child must never return into the zygote loop
        code = 70
    os._exit(code)


def _answer(control: socket.socket, request: dict[str, Any], fds: list[int]) -> Any:
    if request.get("op") == "status":
        pid = int(request["pid"])
        return _ended.pop(pid, None) if pid in _ended else None
    if request.get("op") == "kill":
        _kill(int(request["pid"]))
        return None
    if request.get("op") == "levels":
        return {level: probe.why_not(level, _ended) for level in isolation.LEVELS}
    try:
        pid = isolation.fork(str(request.get("level", "none")))
    except OSError as exc:
        os.close(fds[0])
        return f"could not start a worker: {exc}"
    if pid == 0:
        _child(control, fds[0], request)
    os.close(fds[0])
    _workdirs[pid] = str(request["workdir"])
    return pid


def _clean_up_after_the_grader() -> None:
    """The grader is gone (it may have been killed): stop every worker still running
    and remove the folders the grader made for them."""
    import shutil

    for pid, workdir in list(_workdirs.items()):
        _kill(pid)
        if os.path.basename(workdir).startswith("autograder-worker-"):
            shutil.rmtree(workdir, ignore_errors=True)


def _preload() -> None:
    """Import what every worker needs once, before any fork: torch and the grader's
    own worker-side code (the harnesses: the worker cannot read the project's files).
    Never the oracle: what the zygote holds, every worker holds."""
    import importlib
    import pkgutil

    for name in PRELOAD:
        importlib.import_module(name)
    importlib.import_module("autograder.worker.server")
    root = importlib.import_module("autograder.harness")
    for info in pkgutil.iter_modules(root.__path__):
        importlib.import_module(f"autograder.harness.{info.name}")
    warm_up_optimizers()
    warm_up_the_watch()
    isolation.prepare()


def warm_up_the_watch() -> None:
    """Build torch's table of overridable functions once: the run-time watch
    (autograder.worker.intercept) names functions through it, and building it costs a
    worker that watches a task 25 ms."""
    import torch

    torch.overrides.resolve_name(torch.add)


def warm_up_optimizers() -> None:
    """Take one torch.optim step: the first one imports torch._dynamo (over a second),
    which would otherwise be paid again by every worker that trains a model."""
    import torch

    param = torch.zeros(1, requires_grad=True)
    param.grad = torch.zeros(1)
    torch.optim.SGD([param], lr=0.0).step()


def main() -> None:
    """Zygote loop: preload torch, then fork workers on request until the grader leaves."""
    _preload()

    control = socket.socket(fileno=int(sys.argv[1]))
    signal.signal(signal.SIGCHLD, _reap)
    buffer = b""
    while True:
        try:
            data, fds, _flags, _addr = socket.recv_fds(control, 65536, 4)
        except InterruptedError:
            continue
        except OSError:
            data = b""
        if not data:
            _clean_up_after_the_grader()
            return
        buffer += data
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            reply = _answer(control, json.loads(line), fds)
            fds = []
            try:
                control.sendall((json.dumps(reply) + "\n").encode())
            except OSError:  # the grader died while its request was being answered
                _clean_up_after_the_grader()
                return
