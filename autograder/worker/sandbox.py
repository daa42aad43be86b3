"""Limits applied inside a freshly forked worker, before any student code runs."""

from __future__ import annotations

import os
import resource
import signal
import sys

OUTPUT_LIMIT_BYTES = 16 * 1024 * 1024
PROCESS_LIMIT = 1024  # per uid: counts threads, and every worker of a batch shares it


def _cap(kind: int, value: int) -> None:
    soft, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    try:
        resource.setrlimit(kind, (value, hard))
    except (ValueError, OSError):
        pass  # an unprivileged process may not lower some limits; the others still hold


def apply_limits(memory_mb: int, sandboxed: bool) -> None:
    """Own process group (so a timeout kills grandchildren too), memory, core, file size;
    a sandboxed worker (its own uid) also a number of processes."""
    os.setsid()
    _cap(resource.RLIMIT_DATA, _current_data_bytes() + memory_mb * 1024 * 1024)
    _cap(resource.RLIMIT_CORE, 0)
    _cap(resource.RLIMIT_FSIZE, OUTPUT_LIMIT_BYTES)
    if sandboxed:
        _cap(resource.RLIMIT_NPROC, PROCESS_LIMIT)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def close_other_files(keep: int) -> None:
    """Close every descriptor inherited from the zygote but stdio and `keep`."""
    os.closerange(3, keep)
    os.closerange(keep + 1, min(os.sysconf("SC_OPEN_MAX"), 65536))


def _current_data_bytes() -> int:
    """Bytes of writable private memory already mapped (torch's own share)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmData:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def isolate_io(workdir: str) -> None:
    """Work in the empty folder the grader made; stdin is empty; prints go to a capped file."""
    os.chdir(workdir)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    log = os.open(os.path.join(workdir, ".output"), os.O_WRONLY | os.O_CREAT, 0o600)
    os.dup2(log, 1)
    os.dup2(log, 2)
    sys.stdin = open(0, closefd=False)  # noqa: SIM115 - the process owns fd 0 for life
