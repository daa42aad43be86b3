"""What a worker costs, read by the grader from /proc: CPU time of its process tree,
and how busy the rest of the machine was meanwhile.

CPU time, unlike wall time, does not grow when other programs compete for the cores,
so a correct submission on a loaded machine stays inside its budget. Where /proc is
missing (not Linux), CPU time is unknown and the wall clock is all there is.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
PROC = "/proc"


def _fields(pid: str) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name (state first), or None."""
    try:
        with open(f"{PROC}/{pid}/stat", "rb") as stat:
            text = stat.read()
    except OSError:
        return None
    return text[text.rfind(b")") + 2 :].decode("ascii", "replace").split()


def _ticks(fields: list[str]) -> int:
    """utime + stime + cutime + cstime: the process's threads and its reaped children."""
    return sum(int(v) for v in fields[11:15])


def _children(pid: str) -> list[str]:
    """The live children of `pid`, from each of its threads' `children` file."""
    found: list[str] = []
    try:
        for tid in os.listdir(f"{PROC}/{pid}/task"):
            with open(f"{PROC}/{pid}/task/{tid}/children", "rb") as children:
                found.extend(children.read().decode("ascii").split())
    except OSError:
        pass
    return found


def tree_cpu_s(pid: int) -> float | None:
    """CPU seconds used so far by `pid` and every live process below it (a sandboxed
    worker is the child of the process the grader knows), and the children they
    reaped; None where /proc cannot be read. A few small reads, not a scan of /proc."""
    total, seen, todo = 0, set(), [str(pid)]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        fields = _fields(current)
        if fields is None or len(fields) <= 14:
            if current == str(pid):
                return None
            continue
        total += _ticks(fields)
        todo.extend(_children(current))
    return total / TICKS


def _system_ticks() -> tuple[int, int] | None:
    """(busy, all) CPU ticks of the whole machine since boot, summed over cores."""
    try:
        with open(f"{PROC}/stat", encoding="ascii") as stat:
            values = [int(v) for v in stat.readline().split()[1:9]]
    except (OSError, ValueError):
        return None
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


@dataclass
class Meter:
    """Measures one call: CPU seconds of the worker's process tree and wall seconds since
    start. Reading /proc costs a dozen small reads, so it starts only when the call turns
    out slow (`measure`, from the first wait that found no reply): before that, the call
    is counted at one core for its wall time, which is all a fast call can be worth."""

    pid: int  # the process the zygote forked (a strict worker runs as its child)
    wall_start: float
    cpu_start: float | None = None
    system_start: tuple[int, int] | None = None
    head_s: float = 0.0  # wall seconds before measuring began
    measuring: bool = False
    paused_s: float = 0.0

    @classmethod
    def start(cls, pid: int) -> Meter:
        return cls(pid, time.monotonic())

    def measure(self) -> None:
        """Start reading CPU time (once; later calls do nothing)."""
        if not self.measuring:
            self.measuring = True
            self.head_s = self.wall_s()
            self.cpu_start, self.system_start = tree_cpu_s(self.pid), _system_ticks()

    def wall_s(self) -> float:
        return time.monotonic() - self.wall_start - self.paused_s

    def cpu_s(self) -> float:
        """CPU seconds of the call so far; the wall time where CPU time is unknown (not
        measured yet, or no /proc)."""
        now = tree_cpu_s(self.pid) if self.cpu_start is not None else None
        if now is None or self.cpu_start is None:
            return self.wall_s()
        return self.head_s + max(0.0, now - self.cpu_start)

    def others_busy(self) -> float:
        """Share of the machine's CPU capacity (0..1) that other programs used while the
        call was measured."""
        end = _system_ticks()
        if end is None or self.system_start is None:
            return 0.0
        busy = end[0] - self.system_start[0]
        capacity = end[1] - self.system_start[1]
        if capacity <= 0:
            return 0.0
        own = (self.cpu_s() - self.head_s) * TICKS
        return max(0.0, min(1.0, (busy - own) / capacity))
