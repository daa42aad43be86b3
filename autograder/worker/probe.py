"""Find out, inside the zygote, which isolation levels a worker can really enter here,
and decide the level a run grades at.

Each level is tried the way a worker would enter it, in a throwaway child, which then
reads a file of its (probe) submission and a file of the standard library and of torch.
A level asked for that is not available is an error (never a quiet fallback); `auto`
takes the strongest available one, and the `Decision` says which levels it passed over
and why, for the start of the run and for every report.
"""

from __future__ import annotations

import os
import select
import shutil
import tempfile
import traceback
from dataclasses import dataclass
from typing import Any

from autograder.worker import isolation

PROBE_S = 60.0


def why_not(level: str, ended: dict[int, int]) -> str:
    """ "" when a worker can enter `level` on this machine, else the reason."""
    made = [tempfile.mkdtemp(prefix="autograder-probe-") for _ in range(2)]
    submission, workdir = made
    try:
        os.chmod(submission, 0o755)
        with open(os.path.join(submission, "probe.py"), "w", encoding="utf-8") as f:
            f.write("ok = True\n")
        return _fork_probe(level, submission, workdir, ended)
    finally:
        for folder in made:
            shutil.rmtree(folder, ignore_errors=True)


def _fork_probe(level: str, submission: str, workdir: str, ended: dict[int, int]) -> str:
    read_end, write_end = os.pipe()
    try:
        pid = isolation.fork(level)
    except OSError as exc:
        os.close(read_end)
        os.close(write_end)
        return str(exc)
    if pid == 0:
        os.close(read_end)
        _child(level, submission, workdir, write_end)
    os.close(write_end)
    try:
        answer = _read_all(read_end).decode("utf-8", "replace").strip()
    finally:
        os.close(read_end)
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass  # the zygote's SIGCHLD handler reaped it first
        ended.pop(pid, None)
    if answer == "ok":
        return ""
    return answer or "the probe ended without saying why"


def _child(level: str, submission: str, workdir: str, out: int) -> None:
    code = 1
    try:
        os.setsid()
        place = isolation.enter(level, submission, workdir)
        import torch

        for path in (os.path.join(place.submission, "probe.py"), os.__file__, torch.__file__):
            with open(path, "rb") as f:
                f.read(1)
        os.write(out, b"ok")
        code = 0
    except BaseException as exc:  # noqa: BLE001 - report anything, never return
        lines = traceback.format_exception_only(type(exc), exc)
        os.write(out, lines[-1].strip().encode()[:400])
    os._exit(code)


def _read_all(fd: int) -> bytes:
    data = b""
    while select.select([fd], [], [], PROBE_S)[0]:
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        data += chunk
    return data


@dataclass(frozen=True)
class Decision:
    """The level a run grades at, and for `auto` why the stronger levels were passed over."""

    requested: str
    level: str
    unavailable: dict[str, str]  # each stronger level auto passed over → why

    def summary(self) -> str:
        """One line for the start of a run and for reports."""
        if self.requested != "auto":
            return f"{self.level} (as asked)"
        if not self.unavailable:
            return f"{self.level} (auto: the strongest level)"
        why = "; ".join(f"{lvl} is not available here: {r}" for lvl, r in self.unavailable.items())
        return f"{self.level} (auto fell back: {why})"

    def facts(self) -> dict[str, Any]:
        """What a JSON report records (beside the level under "isolation")."""
        return {"isolation_requested": self.requested, "isolation_unavailable": self.unavailable}


def decide(requested: str, why_not: dict[str, str]) -> Decision:
    """The level to grade at (isolation.choose), with the levels `auto` passed over;
    raises isolation.IsolationError when `requested` is not available here."""
    level = isolation.choose(requested, why_not)
    stronger = isolation.LEVELS[: isolation.LEVELS.index(level)]
    unavailable = {lvl: why_not[lvl] for lvl in stronger if why_not.get(lvl)}
    return Decision(requested, level, unavailable if requested == "auto" else {})
