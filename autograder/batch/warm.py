"""A warm grader: one long-lived process that grades submission after submission.

It imports torch, pytest, the grader and (with its first submission) the graded suite
once, keeps its zygote, and runs the same pytest session `autograder grade` runs for each
job, so a class never pays a torch import per student. Student code runs only in the
sandboxed workers it forks, as always. The batch side talks to it over two pipes of its
own (one JSON line each way); pytest's output goes to a log file, never to the pipes.

    request: {"files": {"activations.py": "<base64>"}, "config": PATH, "isolation": L,
              "extra": [...]}
    reply:   {"code": EXIT, "report": {...} | null, "output": "<tail of the log>",
              "seconds": S}

Before a batch grades anything it sends one check (`"check": true`, no files): the same
session collects the graded suite on an empty submission, without running a test, so
grading.yml, its agreement with the graded suite and the isolation level are checked
exactly as `autograder grade` checks them. The reply adds "error" (the usage error, ""
when none) and "isolation" (the level decided: requested, level, unavailable).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

OUTPUT_TAIL = 4000
GRACE_S = 5.0  # a warm grader asked to stop has this long to clean up, then is killed


class WarmGraderDied(RuntimeError):
    """The warm grader process ended, or did not answer in time."""


class WarmGrader:
    """Batch-side handle on one warm grader process."""

    def __init__(self, log: Path, cwd: Path | None = None) -> None:
        """`cwd`: where it runs, first on its import path (a snapshot of the grader);
        default: the grader installed or checked out here."""
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()
        self.log = log
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "autograder.batch.warm",
                    str(to_child_r),
                    str(from_child_w),
                    str(log),
                ],
                pass_fds=(to_child_r, from_child_w),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its zygote and workers go with it
                cwd=cwd,
                env=None if cwd is None else _on_path(cwd),
            )
        os.close(to_child_r)
        os.close(from_child_w)
        self._reader = os.fdopen(self._from_child, "r", encoding="utf-8")

    def grade(self, request: Mapping[str, Any], timeout_s: float) -> dict[str, Any]:
        """Send one job, wait for its reply (at most `timeout_s`)."""
        line = (json.dumps(request) + "\n").encode()
        try:
            self._write_all(line)
        except OSError:
            raise WarmGraderDied(self._why()) from None
        import select

        ready = select.select([self._reader], [], [], timeout_s)[0]
        if not ready:
            self.close()
            raise WarmGraderDied(f"no answer within {timeout_s:.0f} s")
        answer = self._reader.readline()
        if not answer:
            raise WarmGraderDied(self._why())
        return dict(json.loads(answer))

    def _write_all(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self._to_child, view) :]

    def _why(self) -> str:
        code = self.process.poll()
        return f"the warm grader exited (code {code}); see {self.log}"

    def close(self) -> None:
        """Stop it and everything it started (its own session): asked first (SIGTERM
        ends the grading in hand, and it and its zygote remove their folders), killed
        when it lingers."""
        with contextlib.suppress(OSError):
            os.close(self._to_child)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(self.process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(GRACE_S)
        _wait_for_group(self.process.pid, time.monotonic() + GRACE_S)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(10)
        self._reader.close()


def _on_path(folder: Path) -> dict[str, str]:
    """The environment with `folder` first on PYTHONPATH."""
    path = os.pathsep.join(filter(None, [str(folder), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path, "PYTHONDONTWRITEBYTECODE": "1"}


def _wait_for_group(pgid: int, deadline: float) -> None:
    """Until no process of group `pgid` is left (its zygote cleaning up), or `deadline`."""
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return
        time.sleep(0.05)


# ---- inside the warm grader process ----------------------------------------------------


@contextlib.contextmanager
def _submission(files: Mapping[str, str]) -> Iterator[Path]:
    """The job's unit files in a fresh folder of our own, removed afterwards."""
    top = Path(tempfile.mkdtemp(prefix="autograder-batch-"))
    try:
        folder = top / "submission"
        folder.mkdir()
        for name, data in files.items():
            if "/" in name or name.startswith(".") or not name.endswith(".py"):
                continue
            (folder / name).write_bytes(base64.b64decode(data))
        yield folder
    finally:
        shutil.rmtree(top, ignore_errors=True)


def _grade_one(request: Mapping[str, Any], log: Path) -> dict[str, Any]:
    import pytest

    started = time.monotonic()
    log_start = _log_size(log)
    with _submission(request["files"]) as folder, tempfile.TemporaryDirectory() as tmp:
        report_path = Path(tmp) / "report.json"
        argv = [*_argv(request, folder), f"--autograder-json={report_path}"]
        code = int(pytest.main(argv))
        report = json.loads(report_path.read_text()) if report_path.is_file() else None
    output = _log_tail(log, log_start)
    return {"code": code, "report": report, "output": output, "seconds": time.monotonic() - started}


def _argv(request: Mapping[str, Any], folder: Path) -> list[str]:
    from autograder.grade_argv import grade_argv

    isolation = str(request.get("isolation", "auto"))
    argv = grade_argv(folder, Path(request["config"]), isolation=isolation)
    return [*argv, *map(str, request.get("extra", []))]


def _usage_error() -> Any:
    """A plugin beside ours in a check: it keeps the usage error collection raised."""
    import pytest

    class UsageError:
        text = ""

        @pytest.hookimpl(wrapper=True)
        def pytest_collection_modifyitems(self) -> Any:
            try:
                return (yield)
            except Exception as exc:  # pytest.UsageError: grading.yml against the suite
                self.text = str(exc)
                raise

    return UsageError()


def _check(request: Mapping[str, Any], log: Path) -> dict[str, Any]:
    """Collect the graded suite for an empty submission, as a grading would, running no
    test, then decide the isolation level as a grading would: what `autograder grade`
    checks before grading, checked once for the batch."""
    import pytest

    from autograder.worker import probe, zygote
    from autograder.worker.isolation import IsolationError

    log_start = _log_size(log)
    error = _usage_error()
    with _submission({}) as folder:
        argv = [*_argv(request, folder), "--collect-only", "-q"]  # -qq: no list of tests
        code = int(pytest.main(argv, plugins=[error]))
    reply = {"code": code, "report": None, "error": error.text, "isolation": None}
    if code == 0:
        try:
            decision = probe.decide(str(request["isolation"]), zygote.shared().levels())
            reply["isolation"] = {"level": decision.level, **decision.facts()}
        except IsolationError as exc:
            reply["error"] = str(exc)
    return {**reply, "output": _log_tail(log, log_start)}


def _log_size(log: Path) -> int:
    sys.stdout.flush()
    sys.stderr.flush()
    return log.stat().st_size


def _log_tail(log: Path, start: int) -> str:
    """What this job wrote to the log (its last OUTPUT_TAIL bytes)."""
    sys.stdout.flush()
    sys.stderr.flush()
    with log.open("rb") as f:
        f.seek(max(start, log.stat().st_size - OUTPUT_TAIL))
        return f.read().decode("utf-8", "replace")


def main() -> None:
    """Read jobs from the pipe named by argv[1], answer on argv[2], until it closes;
    argv[3] is the log file our output goes to."""
    requests = os.fdopen(int(sys.argv[1]), "r", encoding="utf-8")
    replies = os.fdopen(int(sys.argv[2]), "w", encoding="utf-8")
    import torch  # noqa: F401 - once, before any job

    import autograder.plugin  # noqa: F401
    from autograder.worker import zygote

    zygote.shared()
    signal.signal(signal.SIGTERM, _interrupted)  # pytest then tears down and cleans up
    log = Path(sys.argv[3])
    try:
        for line in requests:
            try:
                request = json.loads(line)
                job = _check if request.get("check") else _grade_one
                reply = job(request, log)
            except Exception as exc:  # noqa: BLE001 - one bad job must not end the grader
                reply = {"code": 3, "report": None, "output": f"{type(exc).__name__}: {exc}"}
            replies.write(json.dumps(reply) + "\n")
            replies.flush()
    except (KeyboardInterrupt, BrokenPipeError):
        return  # the batch asked us to stop, or is gone


def _interrupted(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    main()
