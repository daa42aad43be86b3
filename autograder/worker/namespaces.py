"""The Linux calls a strict sandbox is built from, through libc (Python 3.11 has no
`os.unshare`): a clone into new namespaces, mounts, `pivot_root`, and dropping every
capability."""

from __future__ import annotations

import ctypes
import os
import platform
import signal

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000

MS_RDONLY = 0x1
MS_NOSUID = 0x2
MS_NODEV = 0x4
MS_NOEXEC = 0x8
MS_REMOUNT = 0x20
MS_BIND = 0x1000
MS_REC = 0x4000
MS_PRIVATE = 0x40000
MNT_DETACH = 0x2

PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38
LAST_CAP = 63

SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}
SYS_CLONE = {"x86_64": 56, "aarch64": 220}
SYS_CAPSET = {"x86_64": 126, "aarch64": 91}

_libc = ctypes.CDLL(None, use_errno=True)
_libc_holding_the_gil = ctypes.PyDLL(None, use_errno=True)  # as os.fork calls fork()


class NamespaceError(OSError):
    """A sandbox call the kernel refused; the message names the call."""


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise NamespaceError(errno, f"{what}: {os.strerror(errno)}")


def fork_into(flags: int) -> int:
    """`os.fork`, with the child born in the new namespaces `flags` (clone(2)): a new
    PID namespace's first process is then the child itself, with no second fork. Python's
    own fork hooks run around it, as for `os.fork`. Returns 0 in the child.

    A bare clone skips the fork handlers of C libraries (pthread_atfork: glibc's locks,
    OpenBLAS stopping its threads), which is safe only where no other thread exists: a
    single-threaded process, as the zygote is (see isolation.worker_environment)."""
    number = SYS_CLONE.get(platform.machine())
    if number is None:
        raise NamespaceError(0, f"clone: unknown on {platform.machine()}")
    threads = len(os.listdir("/proc/self/task"))
    if threads != 1:
        raise NamespaceError(0, f"clone into new namespaces: {threads} threads, not one")
    api = ctypes.pythonapi
    api.PyOS_BeforeFork()
    no = ctypes.c_void_p(0)
    clone = _libc_holding_the_gil.syscall
    pid = clone(ctypes.c_long(number), ctypes.c_ulong(flags | signal.SIGCHLD), no, no, no, no)
    if pid == 0:
        api.PyOS_AfterFork_Child()
        return 0
    errno = ctypes.get_errno()
    api.PyOS_AfterFork_Parent()
    if pid < 0:
        raise NamespaceError(errno, f"clone into new namespaces: {os.strerror(errno)}")
    return int(pid)


def mount(source: str, target: str, fstype: str | None, flags: int, data: str = "") -> None:
    _check(
        _libc.mount(
            source.encode(),
            target.encode(),
            fstype.encode() if fstype else None,
            ctypes.c_ulong(flags),
            data.encode() if data else None,
        ),
        f"mount {source} on {target}",
    )


def bind_read_only(source: str, target: str) -> None:
    """Bind `source` at `target`, then make that view read-only, nosuid and nodev."""
    mount(source, target, None, MS_BIND | MS_REC)
    mount("none", target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)


def umount(target: str) -> None:
    _check(_libc.umount2(target.encode(), ctypes.c_int(MNT_DETACH)), f"umount {target}")


def pivot_root(new_root: str, put_old: str) -> None:
    number = SYS_PIVOT_ROOT.get(platform.machine())
    if number is None:
        raise NamespaceError(0, f"pivot_root: unknown on {platform.machine()}")
    _check(_libc.syscall(number, new_root.encode(), put_old.encode()), "pivot_root")


def sethostname(name: str) -> None:
    data = name.encode()
    _check(_libc.sethostname(data, ctypes.c_size_t(len(data))), "sethostname")


def write_id_maps(uid: int, gid: int, inside: int) -> None:
    """Map `inside` in a fresh user namespace to the caller's own uid and gid."""
    with open("/proc/self/setgroups", "w", encoding="ascii") as f:
        f.write("deny")
    with open("/proc/self/uid_map", "w", encoding="ascii") as f:
        f.write(f"{inside} {uid} 1")
    with open("/proc/self/gid_map", "w", encoding="ascii") as f:
        f.write(f"{inside} {gid} 1")


def no_new_privileges() -> None:
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(NO_NEW_PRIVS)")


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


def drop_capabilities() -> None:
    """Empty the bounding set, then the effective, permitted and inheritable sets."""
    for cap in range(LAST_CAP + 1):
        _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)  # EINVAL past the kernel's last cap
    number = SYS_CAPSET.get(platform.machine())
    if number is None:
        raise NamespaceError(0, f"capset: unknown on {platform.machine()}")
    header = _CapHeader(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3
    data = (_CapData * 2)()
    _check(_libc.syscall(number, ctypes.byref(header), ctypes.byref(data)), "capset")
