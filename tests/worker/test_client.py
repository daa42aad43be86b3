"""Student code runs only in the sandboxed worker; failures become clear messages."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
import torch

from autograder.worker import client
from autograder.worker.client import Budget, StudentFailure, WallClockTimeout, Worker

MODULE = """
import os, sys, time
import torch

def double(x):
    return x * 2

def threads(x):
    return torch.get_num_threads()

def loop(x):
    while True:
        pass

def exits(x):
    sys.exit(3)

def hard_exit(x):
    os._exit(4)

def kill_self(x):
    os.kill(os.getpid(), 9)

def hog(x):
    return torch.ones(10**11)

def hoard(x):
    kept = []
    while True:
        kept.append(bytearray(64 << 20))

def raises(x):
    return {}["missing"]

def stub(x):
    raise NotImplementedError("unit.stub: write this part")

def pid(x):
    return os.getpid()

def cwd(x):
    return os.getcwd()

def state(x):
    global COUNT
    COUNT = globals().get("COUNT", 0) + 1
    return COUNT

def big(x):
    return torch.ones(x, dtype=torch.uint8)

def mutate(x):
    x.add_(1)
    return None

def prints(x):
    print("hello from the student")
    return input() if x else None

def sleeps(x):
    time.sleep(x)
    return x

def burns(x):
    start = time.process_time()
    while time.process_time() - start < x:
        pass
    return x

def _socket_fd():
    import stat
    return next(fd for fd in range(3, 256) if _is_socket(fd, stat))

def _is_socket(fd, stat):
    try:
        return stat.S_ISSOCK(os.fstat(fd).st_mode)
    except OSError:
        return False

def stalls(x):
    os.write(_socket_fd(), b"\\x00\\x00\\x10\\x00")
    time.sleep(60)

def forges(x):
    import struct
    from autograder.worker import wire
    reply = {"ok": False, "kind": "exception", "message": "m" * 9000, "detail": "d" * 9000}
    blob = wire.encode(reply)
    os.write(_socket_fd(), struct.pack("!i", len(blob)) + blob)
    time.sleep(60)

def forges_text(x):
    import struct
    from autograder.worker import wire
    text = "\\x1b[2J\\ud800\\r\\n::notice::forged\\nTOTAL 100 / 100"
    frames = "\\n".join(["unit.py, line 1, in f: " + text] * 20)
    reply = {"ok": False, "kind": "exception", "message": text, "detail": frames}
    blob = wire.encode(reply)
    os.write(_socket_fd(), struct.pack("!i", len(blob)) + blob)
    time.sleep(60)

def hostile(x):
    raise type("\\n::notice::forged\\n", (Exception,), {})("\\x1b[31m\\ud800 red")

def hostile_value(x):
    return {"\\x1b[2J\\ud800": ["\\r\\n::notice::x"]}

def many(x):
    return list(range(x))

def child_burns(x):
    pid = os.fork()
    if pid == 0:
        while True:
            pass
    os.waitpid(pid, 0)
"""


@pytest.fixture()
def worker(tmp_path: Path):
    (tmp_path / "unit.py").write_text(MODULE)
    (tmp_path / "broken.py").write_text("def f(:\n    pass\n")
    (tmp_path / "exits_on_import.py").write_text("import sys\nsys.exit(1)\n")
    w = Worker(tmp_path, memory_mb=1024)
    yield w
    w.stop()


def call(worker: Worker, func: str, *args, unit: str = "unit", timeout: float = 10.0, **kw):
    return worker.call(
        {
            "op": "call",
            "unit": unit,
            "func": func,
            "args": list(args),
            "kwargs": kw,
            **({"return_args": True} if func == "mutate" else {}),
        },
        Budget(timeout, max(30.0, 3 * timeout)),  # a busy machine stretches wall time
    )


def fails(worker: Worker, func: str, *args, unit: str = "unit", timeout: float = 10.0):
    with pytest.raises(StudentFailure) as info:
        call(worker, func, *args, unit=unit, timeout=timeout)
    return info.value


def test_a_call_returns_plain_data(worker):
    assert torch.equal(call(worker, "double", torch.arange(3)).value, torch.tensor([0, 2, 4]))


def test_student_code_runs_in_another_process_in_an_empty_folder(worker, tmp_path):
    assert call(worker, "pid", 0).value != os.getpid()
    assert Path(call(worker, "cwd", 0).value).resolve() != tmp_path.resolve()


def test_an_endless_loop_times_out_and_the_next_call_gets_a_fresh_worker(worker):
    start = time.monotonic()
    failure = fails(worker, "loop", 0, timeout=1.0)
    assert failure.status == "timeout" and "more than 1 s of CPU time" in failure.message
    assert time.monotonic() - start < 30
    assert call(worker, "double", 2).value == 4


@pytest.mark.parametrize(
    ("func", "words"),
    [
        ("exits", "sys.exit(3)"),
        ("hard_exit", "exit code 4"),
        ("kill_self", "SIGKILL"),
        ("raises", "KeyError"),
    ],
)
def test_crashes_and_exits_fail_the_call_but_not_the_grader(worker, func, words):
    failure = fails(worker, func, 0)
    assert failure.status == "error" and words in failure.message
    assert call(worker, "double", 1).value == 2


def test_student_code_runs_torch_on_one_thread(worker):
    assert call(worker, "threads", 0).value == 1  # a pool of spinning threads costs CPU


def test_a_traceback_shows_only_student_frames(worker):
    failure = fails(worker, "raises", 0)
    assert "unit.py, line" in failure.detail and "autograder" not in failure.detail


@pytest.mark.parametrize("func", ["hog", "hoard"])  # one tensor too large; a growing list
def test_memory_hogs_are_stopped_and_told_so(worker, func):
    failure = fails(worker, func, 0)
    assert (failure.kind, failure.status) == ("memory", "error"), failure.message
    assert "ran out of memory" in failure.message and "1024 MB" in failure.message
    assert "limits.memory_mb" in failure.message
    assert call(worker, "double", 1).value == 2  # the worker still serves


def test_not_implemented_and_missing_functions_are_failures(worker):
    assert fails(worker, "stub", 0).kind == "not_implemented"
    missing = fails(worker, "nope", 0)
    assert missing.kind == "missing" and "no function 'nope'" in missing.message


def test_import_problems_name_the_file(worker):
    broken = fails(worker, "f", unit="broken")
    assert broken.kind == "import" and "broken.py" in broken.message and "line 1" in broken.message
    absent = fails(worker, "f", unit="absent")
    assert "absent.py is missing" in absent.message
    exits = fails(worker, "f", unit="exits_on_import")
    assert "sys.exit(1)" in exits.message
    assert call(worker, "double", 3).value == 6


def test_module_state_lives_in_the_worker_only(worker):
    assert call(worker, "state", 0).value == 1
    assert call(worker, "state", 0).value == 2
    worker.stop()
    assert call(worker, "state", 0).value == 1


def test_mutation_of_inputs_is_visible_in_args_after(worker):
    x = torch.zeros(2)
    reply = call(worker, "mutate", x)
    assert torch.equal(reply.args_after[0], torch.ones(2))
    assert torch.equal(x, torch.zeros(2))


def test_prints_and_input_do_not_reach_the_grader(worker, capfd):
    assert call(worker, "prints", 0).value is None
    failure = fails(worker, "prints", 1)
    assert "EOFError" in failure.message
    assert "hello from the student" not in capfd.readouterr().out


def test_each_restart_forks_a_new_process(worker):
    pids = set()
    for _ in range(3):
        pids.add(call(worker, "pid", 0).value)
        worker.stop()
    assert len(pids) == 3


def test_the_worker_folder_is_removed_when_it_stops(worker):
    folder = Path(call(worker, "cwd", 0).value)
    assert folder.is_dir()
    fails(worker, "hard_exit", 0)
    assert not folder.exists()


def test_cpu_time_of_the_whole_process_group_counts(worker):
    request = {"op": "call", "unit": "unit", "func": "child_burns", "args": [0]}
    with pytest.raises(StudentFailure) as info:
        worker.call(request, Budget(1.0, 120.0))
    assert info.value.status == "timeout" and "more than 1 s of CPU time" in info.value.message


def test_a_waiting_call_is_stopped_by_the_wall_clock_backstop(worker):
    with pytest.raises(WallClockTimeout) as info:
        worker.call(
            {"op": "call", "unit": "unit", "func": "sleeps", "args": [30]}, Budget(5.0, 0.5)
        )
    assert "within 0.5 s of wall time, using 0" in info.value.message
    assert call(worker, "double", 1).value == 2


def test_past_the_floor_the_calibrated_limit_applies(worker):
    asked = []

    def calibrate() -> float:
        asked.append(True)
        return 20.0

    request = {"op": "call", "unit": "unit", "func": "burns", "args": [1.0]}
    reply = worker.call(request, Budget(0.3, 60.0, calibrate))
    assert reply.value == 1.0 and asked == [True]
    assert 0.9 < reply.cpu_s < 5


def test_a_reply_that_stalls_midway_is_a_protocol_failure(worker, monkeypatch):
    monkeypatch.setattr(client, "TRANSFER_S", 1.0)
    start = time.monotonic()
    failure = fails(worker, "stalls", 0)
    assert failure.kind == "protocol" and "stalled" in failure.message
    assert time.monotonic() - start < 8
    assert call(worker, "double", 1).value == 2


def test_forged_failure_messages_are_capped(worker):
    failure = fails(worker, "forges", 0)
    assert failure.kind == "exception"
    assert len(failure.message) <= client.MESSAGE_LIMIT
    assert len(failure.detail) <= client.DETAIL_LIMIT


def _assert_safe(text: str, newlines: bool) -> None:
    text.encode("utf-8")  # strict: a lone surrogate raises
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff]", text), text
    assert newlines or "\n" not in text
    assert not any(line.lstrip().startswith("::") for line in text.split("\n")), text


def test_a_forged_failure_is_decoded_into_safe_capped_text(worker):
    failure = fails(worker, "forges_text", 0)
    _assert_safe(failure.message, newlines=False)
    assert failure.message.startswith("\\x1b[2J\\ud800\\r\\n\\x3a:notice")
    _assert_safe(failure.detail, newlines=True)
    assert len(failure.detail.split("\n")) == client.DETAIL_LINES + 1  # and "..."


def test_a_students_exception_text_is_decoded_safe(worker):
    failure = fails(worker, "hostile", 0)
    _assert_safe(failure.message, newlines=False)
    assert "\\x1b[31m\\ud800 red" in failure.message
    _assert_safe(failure.detail, newlines=True)


def test_every_string_of_a_returned_value_is_decoded_safe(worker):
    value = call(worker, "hostile_value", 0).value
    ((key, items),) = value.items()
    assert key == "\\x1b[2J\\ud800" and items == ["\\r\n\\x3a:notice::x"]


def test_a_reply_with_too_many_values_is_refused_with_bounded_memory(worker):
    import tracemalloc

    assert len(call(worker, "many", 1000).value) == 1000
    tracemalloc.start()
    try:
        failure = fails(worker, "many", 120_000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert failure.kind == "protocol" and "more than 100000 values" in failure.message
    assert peak < 40 * 1024 * 1024


def test_a_reply_over_the_header_limit_is_refused(worker):
    failure = fails(worker, "many", 3_000_000)
    assert failure.kind == "protocol" and "over the limit" in failure.message


def test_a_killed_grader_leaves_no_worker_or_worker_folder_behind(tmp_path):
    import signal
    import subprocess
    import sys

    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "unit.py").write_text("def loop(x):\n    while True:\n        pass\n")
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    script = (
        "from pathlib import Path\n"
        "from autograder.worker.client import Budget, Worker\n"
        f"w = Worker(Path({str(tmp_path / 'sub')!r}), 1024)\n"
        "w.call({'op': 'call', 'unit': 'unit', 'func': 'loop', 'args': [0]}, Budget(600, 600))\n"
    )
    grader = subprocess.Popen(
        [sys.executable, "-c", script], env={**os.environ, "TMPDIR": str(private_tmp)}
    )
    deadline = time.monotonic() + 120
    while not _running_in(private_tmp) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _running_in(private_tmp), "the worker never started"
    grader.send_signal(signal.SIGKILL)
    grader.wait()

    def leftovers() -> bool:
        return bool(list(private_tmp.glob("autograder-worker-*"))) or _running_in(private_tmp)

    while leftovers() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert list(private_tmp.glob("autograder-worker-*")) == []
    assert not _running_in(private_tmp)


def _running_in(folder: Path) -> bool:
    """Whether some process works in a folder under `folder` (a started worker)."""
    for proc in Path("/proc").iterdir():
        try:
            if Path(os.readlink(proc / "cwd")).parent == folder:
                return True
        except OSError:
            continue
    return False


# ---- a batch of calls (op "calls"): one request, one reply per call ----


def _batch(*calls: tuple[str, object]) -> dict:
    return {
        "op": "calls",
        "calls": [
            {"op": "call", "unit": "unit", "func": f, "args": [a], "kwargs": {}} for f, a in calls
        ],
    }


def _outcomes(worker: Worker, *calls: tuple[str, object], cpu_s: float = 10.0) -> list:
    budgets = [Budget(cpu_s, max(30.0, 3 * cpu_s))] * len(calls)
    return list(worker.calls(_batch(*calls), budgets))


def test_a_batch_answers_each_call_in_order_and_failures_stay_with_their_call(worker):
    out = _outcomes(worker, ("double", 2), ("raises", 0), ("stub", 0), ("double", 5))
    assert [o.value if isinstance(o, client.Reply) else o.kind for o in out] == [
        4,
        "exception",
        "not_implemented",
        10,
    ]
    assert call(worker, "double", 1).value == 2  # the same worker serves the next request


def test_each_call_of_a_batch_has_its_own_cpu_budget(worker):
    # four calls of 0.3 s each: together over the 0.5 s budget, each one well under it
    out = _outcomes(worker, *[("burns", 0.3)] * 4, cpu_s=0.5)
    assert [o.value for o in out] == [0.3] * 4


def test_an_endless_loop_in_a_batch_fails_its_own_call_and_ends_the_batch(worker):
    out = _outcomes(worker, ("double", 1), ("loop", 0), ("double", 2), cpu_s=0.5)
    assert len(out) == 2 and out[0].value == 2
    assert isinstance(out[1], StudentFailure) and out[1].kind == "timeout"
    assert worker.sock is None  # stopped: the next request gets a fresh worker
    assert call(worker, "double", 3).value == 6


def test_a_crash_in_a_batch_fails_its_own_call_and_ends_the_batch(worker):
    out = _outcomes(worker, ("double", 1), ("hard_exit", 0), ("double", 2))
    assert out[0].value == 2 and len(out) == 2
    assert out[1].kind == "crash" and "exit code 4" in out[1].message


def test_a_batch_left_unread_stops_its_worker(worker):
    replies = worker.calls(_batch(("double", 1), ("double", 2)), [Budget(10, 30)] * 2)
    assert next(replies).value == 2
    replies.close()  # the second reply was never read: it must not answer a later request
    assert worker.sock is None
    assert call(worker, "double", 5).value == 10


def test_a_malformed_batch_is_refused(worker):
    out = list(worker.calls({"op": "calls", "calls": "nope"}, [Budget(10, 30)]))
    assert out[0].kind == "protocol"


def test_the_replies_to_one_request_are_bounded_together(worker):
    """Each reply is under the per-message cap, but a batch is held at once in the grader:
    past wire.MAX_REQUEST_BYTES in all, the call that goes over fails, and the worker
    is stopped before it can send more."""
    from autograder.worker import wire

    each = 12 * 2**20
    count = wire.MAX_REQUEST_BYTES // each + 3
    out = _outcomes(worker, *[("big", each)] * count)
    fits = wire.MAX_REQUEST_BYTES // (each + 4096)
    assert all(isinstance(o, client.Reply) for o in out[:fits])
    assert isinstance(out[-1], StudentFailure) and out[-1].kind == "memory"
    assert "too large" in out[-1].message and len(out) < count
    assert call(worker, "big", each).value.numel() == each  # a new request: a new allowance


def test_a_worker_killed_from_outside_is_told_apart(worker):
    """SIGKILL comes from outside a worker (the rules keep os and signal out of student
    code): the failure says so, and the grader retries such a call once."""
    failure = fails(worker, "kill_self", 0)
    assert isinstance(failure, client.KilledFromOutside)
    assert "memory" not in failure.message.split(";")[0]


def test_the_zygote_signals_only_its_own_live_workers(worker):
    """The grader signals workers only through the zygote, which knows whether a pid is
    still its worker's: a pid that is not (here another process, as a reused pid would
    be) is never signalled, while a live worker is stopped."""
    import subprocess

    from autograder.worker import zygote

    other = subprocess.Popen(["sleep", "30"])
    try:
        zygote.shared().kill(other.pid)
        time.sleep(0.2)
        assert other.poll() is None  # still running: not the zygote's worker
    finally:
        other.kill()
        other.wait()
    call(worker, "double", 1)
    pid = worker.pid
    zygote.shared().kill(pid)
    ended = None
    for _ in range(100):
        ended = zygote.shared().status(pid)
        if ended is not None:
            break
        time.sleep(0.02)
    assert ended == -9  # its own live worker: stopped with SIGKILL
