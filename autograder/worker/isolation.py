"""Isolation levels for workers, and how a freshly forked worker enters its level.

- strict: new mount, PID, network, IPC and UTS namespaces (and a user namespace when the
  grader is not root). The worker sees a fresh root holding only read-only system and
  Python folders, its submission's private copy (read-only, at /sandbox/submission), a tmpfs
  working folder (/work) and /tmp, its own /proc; no network; it runs as an unprivileged
  uid with no capabilities, no_new_privs, and a seccomp filter. Every process it starts
  dies with it (it is PID 1 of its namespace).
- basic: a separate unprivileged uid, no_new_privs, seccomp and the resource limits;
  the worker still sees the machine's files and processes (read-only to it where the
  permissions say so). Needs a grader running as root.
- none: resource limits only (a grader that is neither root nor allowed namespaces).

The level is chosen by the grader (see `choose`); the child is told which to enter.
"""

from __future__ import annotations

import functools
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from autograder.worker import namespaces as ns
from autograder.worker import seccomp

LEVELS = ("strict", "basic", "none")
CHOICES = ("auto", *LEVELS)  # what --isolation accepts
SANDBOX_UID = 65534  # nobody
SANDBOX = "/sandbox"  # the worker's own folders; no bound folder may lie inside
SUBMISSION = SANDBOX + "/submission"
WORK = SANDBOX + "/work"
FRESH = (SANDBOX, "/dev", "/proc")  # made anew; /tmp too, but folders bound into it stay
TMPFS_SIZE = "size=64m"  # each of /sandbox/work, /tmp, /dev/shm: memory, so kept small
SYSTEM_FOLDERS = ("/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/etc")
DEVICES = ("null", "zero", "full", "random", "urandom")
KEEP_ENV = ("LANG", "LC_ALL", "LC_CTYPE", "TZ", "LD_LIBRARY_PATH", "CUDA_VISIBLE_DEVICES")
KEEP_ENV_PREFIXES = ("OMP_", "MKL_", "OPENBLAS_", "NVIDIA_")
STRICT_FLAGS = ns.CLONE_NEWNS | ns.CLONE_NEWPID | ns.CLONE_NEWNET | ns.CLONE_NEWIPC
STRICT_FLAGS |= ns.CLONE_NEWUTS


@dataclass(frozen=True)
class Place:
    """Where the worker's submission copy and working folder are, as the worker sees them."""

    submission: str
    workdir: str


def worker_environment(pythonpath: str) -> dict[str, str]:
    """The environment every worker inherits (the zygote starts with it): what Python,
    torch and the C libraries need, and nothing else: no tokens, no course secret.
    numpy's OpenBLAS runs on the calling thread, so the zygote has no other thread and
    can clone strict workers (see namespaces.fork_into). So does torch: the graded inputs
    are small, and an intra-op pool only spins beside other graders (with two threads a
    worker burned 2-4x the CPU on a busy machine, measured in a warm grading)."""
    env = {k: v for k, v in os.environ.items() if k in KEEP_ENV or k.startswith(KEEP_ENV_PREFIXES)}
    env.update(
        PATH="/usr/local/bin:/usr/bin:/bin",
        HOME="/nonexistent",
        PYTHONPATH=pythonpath,
        PYTHONDONTWRITEBYTECODE="1",
        MPLBACKEND="Agg",
        OPENBLAS_NUM_THREADS="1",  # no thread pool: the zygote stays single-threaded
        OMP_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
    )
    return env


def fork(level: str) -> int:
    """Fork a worker for `level` (0 in the child, as `os.fork`): a strict worker is born
    in its own namespaces, as the first process of its PID namespace, so every process
    it starts dies with it."""
    if level != "strict":
        return os.fork()
    global _outside
    _outside = (os.getuid(), os.getgid())  # unmapped in a new user namespace until set
    return ns.fork_into(STRICT_FLAGS | (0 if _outside[0] == 0 else ns.CLONE_NEWUSER))


_outside = (-1, -1)  # uid and gid of the process that forked this strict worker


def enter(level: str, submission: str, workdir: str) -> Place:
    """Put this freshly forked worker (from `fork(level)`, already its own process
    group) into `level`."""
    if level == "strict":
        return _enter_strict(submission, workdir)
    if level == "basic":
        if os.getuid() != 0:
            raise PermissionError("basic isolation runs workers as uid 65534: needs root")
        _drop_to_sandbox_uid(workdir)
        _lock_down()
    elif level != "none":
        raise ValueError(f"unknown isolation level {level!r}; the levels are {LEVELS}")
    return Place(submission, workdir)


def _enter_strict(submission: str, workdir: str) -> Place:
    if os.getpid() != 1:
        raise ns.NamespaceError(0, "a strict worker must be forked by isolation.fork")
    uid, gid = _outside
    if uid != 0:
        ns.write_id_maps(uid, gid, inside=0)
    _build_root(submission, workdir)
    ns.sethostname("sandbox")
    if uid == 0:
        _drop_to_sandbox_uid(None)
    ns.drop_capabilities()
    _lock_down()
    return Place(SUBMISSION, WORK)


def _build_root(submission: str, workdir: str) -> None:
    """A tmpfs root in `workdir` (a mount point nobody else sees), filled, then pivoted to."""
    ns.mount("none", "/", None, ns.MS_REC | ns.MS_PRIVATE)
    root = workdir
    ns.mount("sandbox", root, "tmpfs", ns.MS_NOSUID | ns.MS_NODEV, "mode=755,size=16m")
    for target in (WORK, "/tmp", "/dev/shm"):  # first: a bound folder may lie in /tmp
        _mkdir(root, target)
        options = f"mode=1777,{TMPFS_SIZE}"
        ns.mount("sandbox", root + target, "tmpfs", ns.MS_NOSUID | ns.MS_NODEV, options)
    _devices(root)
    _mkdir(root, "/proc")
    ns.mount("proc", root + "/proc", "proc", ns.MS_NOSUID | ns.MS_NODEV | ns.MS_NOEXEC)
    _bind_system(root)
    _mkdir(root, SUBMISSION)
    ns.bind_read_only(submission, root + SUBMISSION)
    _mkdir(root, "/.old")
    ns.pivot_root(root, root + "/.old")
    os.chdir("/")
    ns.umount("/.old")
    os.rmdir("/.old")


def _bind_system(root: str) -> None:
    """System folders and the interpreter's and packages' folders, read-only. The
    project's folder (the grader, solutions, tests) is never among them: where a bound
    folder holds it, an empty tmpfs covers it (a virtual environment inside it is
    bound again on top)."""
    project = str(Path(__file__).resolve().parents[2])
    folders = _read_only_folders()
    outside = [f for f in folders if not _inside(f, project)]
    for folder in outside:
        _bind_into(root, folder)
    if any(_inside(project, f) for f in outside):
        ns.mount("hidden", root + project, "tmpfs", ns.MS_RDONLY, "size=4k")
    for folder in folders:
        if _inside(folder, project):
            _bind_into(root, folder)


@functools.cache
def _read_only_folders() -> list[str]:
    """Found once, in the zygote (see `prepare`), not again in every worker."""
    found = set(SYSTEM_FOLDERS)
    found.update({sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix})
    found.update(e for e in sys.path if e and os.path.isdir(e) and "-packages" in e)
    if any(name.startswith("nvidia") for name in os.listdir("/dev")):
        found.add("/sys")  # the GPU driver reads the PCI tree
    kept = sorted(
        f if os.path.islink(f) else os.path.realpath(f) for f in found if os.path.lexists(f)
    )
    clash = [f for f in kept for fresh in FRESH if _inside(f, fresh) or _inside(fresh, f)]
    if clash:
        raise ns.NamespaceError(0, f"{clash[0]} overlaps the sandbox's own folders {FRESH}")
    return [f for i, f in enumerate(kept) if not any(_inside(f, k) for k in kept[:i])]


def prepare() -> None:
    """Work out once, before any fork, what every strict worker binds."""
    try:
        _read_only_folders()
    except ns.NamespaceError:
        pass  # said again by each strict worker, and by the level probe


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _bind_into(root: str, folder: str) -> None:
    if os.path.islink(folder):  # e.g. /lib -> usr/lib on a merged-/usr system
        _mkdir(root, os.path.dirname(folder))
        os.symlink(os.readlink(folder), root + folder)
        return
    _mkdir(root, folder)
    ns.bind_read_only(folder, root + folder)


def _devices(root: str) -> None:
    _mkdir(root, "/dev")
    for name in DEVICES:
        _bind_file(f"/dev/{name}", root)
    for name in sorted(os.listdir("/dev")):
        if name.startswith("nvidia"):  # a GPU, when the machine has one
            _bind_file(f"/dev/{name}", root)
    os.symlink("/proc/self/fd", root + "/dev/fd")


def _bind_file(path: str, root: str) -> None:
    if not os.path.exists(path) or os.path.isdir(path):
        return
    open(root + path, "w").close()  # noqa: SIM115 - an empty mount point
    ns.mount(path, root + path, None, ns.MS_BIND)


def _mkdir(root: str, path: str) -> None:
    os.makedirs(root + path, mode=0o755, exist_ok=True)


def _drop_to_sandbox_uid(workdir: str | None) -> None:
    """Become `nobody` (only root can): the grader's files are then not writable."""
    if os.getuid() != 0:
        return
    if workdir is not None:
        os.chown(workdir, SANDBOX_UID, SANDBOX_UID)
    os.setgroups([])
    os.setresgid(SANDBOX_UID, SANDBOX_UID, SANDBOX_UID)
    os.setresuid(SANDBOX_UID, SANDBOX_UID, SANDBOX_UID)


def _lock_down() -> None:
    ns.no_new_privileges()
    seccomp.install()


class IsolationError(RuntimeError):
    """The isolation level asked for cannot be had on this machine."""


def choose(requested: str, why_not: dict[str, str]) -> str:
    """The level to grade at: `requested`, or with "auto" the strongest one available.
    `why_not` maps each level to "" (available) or the reason it is not."""
    if requested == "auto":
        return next(level for level in LEVELS if not why_not.get(level))
    if requested not in LEVELS:
        raise IsolationError(f"--isolation {requested}: choose auto, {', '.join(LEVELS)}")
    reason = why_not.get(requested, "unknown level")
    if reason:
        raise IsolationError(
            f"--isolation {requested} is not available here: {reason}. {HOW_TO[requested]}"
        )
    return requested


HOW_TO = {
    "strict": "It needs root, or unprivileged user namespaces (on Ubuntu 24.04: "
    "sysctl kernel.apparmor_restrict_unprivileged_userns=0); see the README's threat model",
    "basic": "It needs a grader running as root, with Python readable by uid 65534",
    "none": "",
}


def describe(level: str) -> str:
    """One line for the report: what the level guarantees."""
    return {
        "strict": "strict (own namespaces: no network, no view of the grader's files or "
        "processes; no privileges; seccomp)",
        "basic": "basic (uid 65534, seccomp, limits; the machine's files stay visible)",
        "none": "none (limits only: the student's code runs as the grader's user; "
        "fine for checking your own work, not for grading others)",
    }[level]
