"""What a worker can see and do at each isolation level, asked from inside a real worker."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from autograder.worker import isolation, zygote
from autograder.worker.client import Budget, Worker

PROJECT = Path(__file__).resolve().parents[2]

LOOK = f"""
import ctypes, os, socket

PROJECT = {str(PROJECT)!r}

def look():
    seen = {{"uid": os.getuid(), "pid": os.getpid(), "env": sorted(os.environ)}}
    seen["processes"] = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
    seen["project"] = os.path.exists(os.path.join(PROJECT, "autograder", "scoring.py"))
    try:
        socket.create_connection(("127.0.0.1", 9), timeout=1).close()
        seen["network"] = "connected"
    except OSError as exc:
        seen["network"] = exc.__class__.__name__
    libc = ctypes.CDLL(None, use_errno=True)
    seen["ptrace"] = libc.ptrace(0, 0, 0, 0) == 0  # PTRACE_TRACEME
    try:
        with open(__file__, "a") as f:
            f.write("#" + "tampered")
        seen["own_file_writable"] = True
    except OSError:
        seen["own_file_writable"] = False
    with open("scratch.txt", "w") as f:
        f.write("a worker may write in its working folder")
    try:
        with open("/proc/self/environ", "rb") as f:
            seen["environ"] = f.read().decode(errors="replace")
    except OSError:
        seen["environ"] = ""  # not even its own: the process is not dumpable
    return seen


def daemon(tag):
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            os.execv("/bin/sleep", ["sleep", tag])
        os._exit(0)
    return "started"
"""


def _why_not(level: str) -> str:
    return zygote.shared().levels()[level]


def _needs(level: str) -> pytest.MarkDecorator:
    return pytest.mark.skipif(
        bool(_why_not(level)), reason=f"isolation {level} unavailable here: {_why_not(level)}"
    )


@pytest.fixture
def submission(tmp_path: Path) -> Path:
    folder = tmp_path / "sub"
    folder.mkdir()
    (folder / "probe.py").write_text(LOOK)
    folder.chmod(0o755)
    tmp_path.chmod(0o755)
    return folder


def _look(submission: Path, level: str) -> dict:
    worker = Worker(submission, 1024, level)
    try:
        request = {"op": "call", "unit": "probe", "func": "look", "args": [], "kwargs": {}}
        return worker.call(request, Budget(10, 60)).value
    finally:
        worker.stop()


@_needs("strict")
def test_strict_worker_sees_only_itself_and_its_submission(submission, monkeypatch):
    seen = _look(submission, "strict")
    assert seen["pid"] == 1 and seen["processes"] == [1]  # no view of the grader
    assert seen["project"] is False  # no grader files, solutions or tests
    assert seen["network"] in ("OSError", "ConnectionRefusedError")  # lo is down
    assert seen["network"] != "connected"
    assert seen["ptrace"] is False  # seccomp
    assert seen["own_file_writable"] is False  # a read-only copy
    if os.getuid() == 0:
        assert seen["uid"] == isolation.SANDBOX_UID
    assert "#tampered" not in (submission / "probe.py").read_text()


@pytest.mark.parametrize("level", ["strict", "none"])
def test_worker_environment_holds_no_secrets(submission, level):
    if _why_not(level):
        pytest.skip(f"isolation {level} unavailable here: {_why_not(level)}")
    allowed = set(isolation.worker_environment("x")) | {"TORCHINDUCTOR_CACHE_DIR"}
    allowed |= {k for k in os.environ if k in isolation.KEEP_ENV}
    allowed |= {k for k in os.environ if k.startswith(isolation.KEEP_ENV_PREFIXES)}
    seen = _look(submission, level)
    assert set(seen["env"]) <= allowed
    for name in ("GITHUB_TOKEN", "AUTOGRADER_SECRET", "AWS_SECRET_ACCESS_KEY"):
        assert name not in seen["env"] and f"{name}=" not in seen["environ"]


def test_the_environment_handed_to_workers_drops_tokens(monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_secret")
    monkeypatch.setenv("AUTOGRADER_SECRET", "course secret")
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    env = isolation.worker_environment("/course")
    assert "GITHUB_TOKEN" not in env and "AUTOGRADER_SECRET" not in env
    assert env["OMP_NUM_THREADS"] == "1" and env["PYTHONPATH"] == "/course"


def _running(tag: str) -> bool:
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if tag.encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
                return True
        except OSError:
            continue
    return False


@_needs("strict")
def test_strict_worker_takes_its_detached_daemons_with_it(submission):
    tag = f"{time.time() % 1000:.6f}"
    worker = Worker(submission, 1024, "strict")
    request = {"op": "call", "unit": "probe", "func": "daemon", "args": [tag], "kwargs": {}}
    assert worker.call(request, Budget(10, 60)).value == "started"
    deadline = time.monotonic() + 10
    while not _running(tag) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _running(tag), "the daemon never started"
    worker.stop()
    deadline = time.monotonic() + 10
    while _running(tag) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _running(tag)


@_needs("basic")
def test_basic_worker_runs_as_another_user(submission):
    seen = _look(submission, "basic")
    assert seen["uid"] == isolation.SANDBOX_UID
    assert seen["ptrace"] is False
    assert seen["own_file_writable"] is False


def test_auto_takes_the_strongest_level_available():
    assert isolation.choose("auto", {"strict": "", "basic": "", "none": ""}) == "strict"
    assert isolation.choose("auto", {"strict": "no userns", "basic": "", "none": ""}) == "basic"
    assert isolation.choose("auto", {"strict": "x", "basic": "y", "none": ""}) == "none"


def test_a_level_asked_for_but_unavailable_says_why_and_how():
    with pytest.raises(isolation.IsolationError, match="unshare: Operation not permitted"):
        isolation.choose("strict", {"strict": "unshare: Operation not permitted"})
    with pytest.raises(isolation.IsolationError, match="apparmor_restrict_unprivileged_userns"):
        isolation.choose("strict", {"strict": "unshare: Operation not permitted"})
    with pytest.raises(isolation.IsolationError, match="choose auto, strict, basic, none"):
        isolation.choose("paranoid", {})


def test_this_machine_offers_at_least_level_none():
    assert _why_not("none") == ""
    if os.environ.get("CI") == "true" and os.getuid() == 0:
        assert _why_not("strict") == "", "CI runs as root: strict must work there"


BURN = """
def burn(seconds):
    import time
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass
    return seconds
"""


@pytest.mark.parametrize("level", ["strict", "none"])
def test_each_call_is_charged_only_its_own_cpu_time(tmp_path, level):
    if _why_not(level):
        pytest.skip(f"isolation {level} unavailable here: {_why_not(level)}")
    (tmp_path / "burner.py").write_text(BURN)
    tmp_path.chmod(0o755)
    worker = Worker(tmp_path, 1024, level)
    try:
        request = {"op": "call", "unit": "burner", "func": "burn", "kwargs": {}}
        heavy = worker.call({**request, "args": [1.0]}, Budget(30, 120))
        light = worker.call({**request, "args": [0.0]}, Budget(30, 120))
    finally:
        worker.stop()
    assert heavy.cpu_s >= 0.9
    assert light.cpu_s < 0.5  # not the worker's total since it started


NOT_ROOT = """
import os, sys
sys.path.insert(0, sys.argv[1])
from autograder.worker import isolation
pid = isolation.fork("strict")
if pid == 0:
    os.setsid()
    place = isolation.enter("strict", sys.argv[2], sys.argv[3])
    hidden = not os.path.exists(sys.argv[1])
    processes = [p for p in os.listdir("/proc") if p.isdigit()]
    print(os.getpid(), os.listdir(place.submission), processes, hidden, flush=True)
    os._exit(0)
print("exit", os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
"""


@pytest.mark.skipif(os.getuid() != 0, reason="needs root to become another, unprivileged user")
def test_strict_works_for_a_grader_that_is_not_root():
    """A grader that is not root (a GitHub runner) gets strict from a user namespace."""
    import shutil
    import subprocess
    import tempfile

    python, setpriv = Path("/usr/bin/python3"), shutil.which("setpriv")
    if not python.exists() or setpriv is None:
        pytest.skip("needs the system's /usr/bin/python3 and setpriv (util-linux)")
    top = Path(tempfile.mkdtemp(prefix="autograder-test-"))  # pytest's own is root-only
    try:
        copy, sub, work = top / "grader", top / "sub", top / "work"
        shutil.copytree(PROJECT / "autograder" / "worker", copy / "autograder" / "worker")
        (copy / "autograder" / "__init__.py").write_text("")
        sub.mkdir()
        (sub / "unit.py").write_text("x = 1\n")
        work.mkdir()
        os.chown(work, isolation.SANDBOX_UID, isolation.SANDBOX_UID)
        for path in (top, copy, sub, *copy.rglob("*"), *sub.rglob("*")):
            path.chmod(0o755)
        proc = subprocess.run(
            [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", str(python), "-c"]
            + [NOT_ROOT, str(copy), str(sub), str(work)],
            cwd=top,
            env={"PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        shutil.rmtree(top)
    if "Operation not permitted" in proc.stderr and "clone" in proc.stderr:
        pytest.skip(f"unprivileged user namespaces are off here: {proc.stderr[-300:]}")
    assert proc.stdout.split("\n")[:2] == ["1 ['unit.py'] ['1'] True", "exit 0"], proc.stderr
