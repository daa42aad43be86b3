"""A seccomp filter for workers: the calls that reach other processes' memory, change
mounts or namespaces, or load kernel code fail with EPERM.

Written as a small classic-BPF program (no libseccomp needed). Only x86_64 and aarch64
are known; elsewhere `install` says so and the sandbox reports it.
"""

from __future__ import annotations

import ctypes
import errno
import platform

from autograder.worker.namespaces import NamespaceError

PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
RET_ALLOW = 0x7FFF0000
RET_KILL_PROCESS = 0x80000000
RET_ERRNO = 0x00050000
X32_SYSCALL_BIT = 0x40000000

LD_W_ABS = 0x20
JEQ_K = 0x15
JGE_K = 0x35
JSET_K = 0x45
RET_K = 0x06

NEW_NAMESPACE_FLAGS = (
    0x7E020000  # CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET
)

DENIED = (
    "ptrace process_vm_readv process_vm_writev mount umount2 pivot_root chroot unshare setns "
    "kexec_load kexec_file_load init_module finit_module delete_module bpf perf_event_open "
    "keyctl add_key request_key userfaultfd open_by_handle_at reboot swapon swapoff "
    "io_uring_setup io_uring_enter io_uring_register open_tree move_mount fsopen fsconfig "
    "fsmount fspick mount_setattr"
).split()

ARCHES: dict[str, tuple[int, dict[str, int]]] = {
    "x86_64": (
        0xC000003E,
        dict(
            ptrace=101,
            process_vm_readv=310,
            process_vm_writev=311,
            mount=165,
            umount2=166,
            pivot_root=155,
            chroot=161,
            unshare=272,
            setns=308,
            kexec_load=246,
            kexec_file_load=320,
            init_module=175,
            finit_module=313,
            delete_module=176,
            bpf=321,
            perf_event_open=298,
            keyctl=250,
            add_key=248,
            request_key=249,
            userfaultfd=323,
            open_by_handle_at=304,
            reboot=169,
            swapon=167,
            swapoff=168,
            io_uring_setup=425,
            io_uring_enter=426,
            io_uring_register=427,
            open_tree=428,
            move_mount=429,
            fsopen=430,
            fsconfig=431,
            fsmount=432,
            fspick=433,
            mount_setattr=442,
            clone=56,
            clone3=435,
        ),
    ),  # fmt: skip
    "aarch64": (
        0xC00000B7,
        dict(
            ptrace=117,
            process_vm_readv=270,
            process_vm_writev=271,
            mount=40,
            umount2=39,
            pivot_root=41,
            chroot=51,
            unshare=97,
            setns=268,
            kexec_load=104,
            kexec_file_load=294,
            init_module=105,
            finit_module=273,
            delete_module=106,
            bpf=280,
            perf_event_open=241,
            keyctl=219,
            add_key=217,
            request_key=218,
            userfaultfd=282,
            open_by_handle_at=265,
            reboot=142,
            swapon=224,
            swapoff=225,
            io_uring_setup=425,
            io_uring_enter=426,
            io_uring_register=427,
            open_tree=428,
            move_mount=429,
            fsopen=430,
            fsconfig=431,
            fsmount=432,
            fspick=433,
            mount_setattr=442,
            clone=220,
            clone3=435,
        ),
    ),  # fmt: skip
}


class _Filter(ctypes.Structure):
    _fields_ = [
        ("code", ctypes.c_uint16),
        ("jt", ctypes.c_uint8),
        ("jf", ctypes.c_uint8),
        ("k", ctypes.c_uint32),
    ]


class _Program(ctypes.Structure):
    _fields_ = [("len", ctypes.c_uint16), ("filter", ctypes.POINTER(_Filter))]


def program(machine: str) -> list[tuple[int, int, int, int]]:
    """The filter as (code, jt, jf, k) rows; jumps count rows to skip."""
    audit_arch, numbers = ARCHES[machine]
    deny = RET_ERRNO | errno.EPERM
    rows: list[tuple[int, int, int, int]] = [
        (LD_W_ABS, 0, 0, 4),  # seccomp_data.arch
        (JEQ_K, 1, 0, audit_arch),
        (RET_K, 0, 0, RET_KILL_PROCESS),
        (LD_W_ABS, 0, 0, 0),  # seccomp_data.nr
    ]
    if machine == "x86_64":
        rows += [(JGE_K, 0, 1, X32_SYSCALL_BIT), (RET_K, 0, 0, deny)]
    # clone3 passes its flags in memory a filter cannot read: ENOSYS makes libc use clone
    rows += [(JEQ_K, 0, 1, numbers["clone3"]), (RET_K, 0, 0, RET_ERRNO | errno.ENOSYS)]
    rows += [
        (JEQ_K, 0, 3, numbers["clone"]),
        (LD_W_ABS, 0, 0, 16),  # low half of args[0]: the clone flags
        (JSET_K, 0, 1, NEW_NAMESPACE_FLAGS),
        (RET_K, 0, 0, deny),
    ]
    rows += [(LD_W_ABS, 0, 0, 0)]  # nr again (the clone branch replaced it)
    for name in DENIED:
        rows += [(JEQ_K, 0, 1, numbers[name]), (RET_K, 0, 0, deny)]
    rows.append((RET_K, 0, 0, RET_ALLOW))
    return rows


def install() -> None:
    """Load the filter into this process (needs no_new_privs or CAP_SYS_ADMIN)."""
    machine = platform.machine()
    if machine not in ARCHES:
        raise NamespaceError(0, f"seccomp: no syscall table for {machine}")
    rows = program(machine)
    table = (_Filter * len(rows))(*(_Filter(*row) for row in rows))
    prog = _Program(len(rows), ctypes.cast(table, ctypes.POINTER(_Filter)))
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) != 0:
        code = ctypes.get_errno()
        raise NamespaceError(code, f"seccomp: {errno.errorcode.get(code, code)}")
