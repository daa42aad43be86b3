"""Grade mutants: each in its own copy of solutions/ with one file mutated, its own unit only.

Each mutant is graded as a TA would grade it:

    autograder grade DIR --unit U --json OUT --config grading.yml --pytest-arg=-x

(-x: stop at the first failing test, so a killed mutant is cheap), against a snapshot of
the grader, solutions/ and grading.yml taken when the campaign starts. By default the
same grading runs in warm graders (autograder.batch.warm, one per parallel job, started
in the snapshot), as `autograder batch` grades a class: no torch import or zygote start
per mutant. `warm=False` runs that command in a child forked from this process after
torch and pytest are imported; `fresh=True` starts a new interpreter for each one.
Killed = the unit scores below its maximum; a timeout or a run that writes no scores
counts as killed too (and is reported as such).
"""

from __future__ import annotations

import base64
import importlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.mutation.mutator import Mutant

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions"
SNAPSHOT = ("autograder", "solutions", "grading.yml", "pyproject.toml")
POLL_S = 0.05
# not the graded suite itself: pytest must import it (assertion rewriting, hypothesis setup)
PRELOAD = ("torch", "numpy", "hypothesis", "pytest", "matplotlib", "autograder.cli")


@dataclass(frozen=True)
class Outcome:
    id: str
    unit: str
    killed: bool
    how: str  # "lost <task>: …", "full marks", "timeout in <task>: …", "no scores (exit N)"
    seconds: float

    @property
    def suspicious(self) -> bool:
        """Killed without a task failing: a timeout or a grader that wrote no scores."""
        return self.killed and not self.how.startswith("lost ")


@dataclass(frozen=True)
class Job:
    """What to grade: `unit` of `source` (None: solutions/ unchanged) under `id`."""

    id: str
    unit: str
    source: str | None

    @classmethod
    def of(cls, mutant: Mutant) -> Job:
        return cls(mutant.id, mutant.unit, mutant.source)


def grade_argv(submission: Path, unit: str, out: Path, tree: Path) -> list[str]:
    return [
        "grade",
        str(submission),
        "--unit",
        unit,
        "--json",
        str(out),
        "--config",
        str(tree / "grading.yml"),
        "--pytest-arg=-x",
    ]


def snapshot(dest: Path) -> Path:
    """Copy the grader, solutions/ and grading.yml to `dest`: a campaign grades against one
    state of the tree even while people edit it."""
    dest.mkdir()
    for name in SNAPSHOT:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, dest / name)
    return dest


def write_submission(folder: Path, job: Job, solutions: Path) -> None:
    """solutions/*.py copied into `folder` (which must not exist yet), one file mutated."""
    folder.mkdir()
    for path in sorted(solutions.glob("*.py")):
        if path.name != "__init__.py":
            shutil.copy(path, folder / path.name)
    if job.source is not None:
        (folder / f"{job.unit}.py").write_text(job.source)


def verdict(out: Path, code: int | None, timeout_s: float) -> tuple[bool, str]:
    """(killed, how) from the scores file `out` and the grader's exit code."""
    if code is None:
        return True, f"timeout after {timeout_s:g} s"
    if not out.is_file():
        log = out.with_name("log.txt")
        tail = log.read_text(errors="replace").strip().splitlines()[-3:] if log.is_file() else []
        return True, f"no scores (autograder exit {code}): {' | '.join(tail)[-300:]}"
    return verdict_of(json.loads(out.read_text()), code)


def preload(tree: Path) -> None:
    """Import what every grading run imports, from the snapshot `tree`, before any fork."""
    sys.dont_write_bytecode = True
    if "torch" in sys.modules:
        raise RuntimeError("torch is already imported: grade with fresh=True instead")
    # the command read plain data (the units) from the checkout's grader, imported
    # nothing heavy: forget those modules, so the forks run the snapshot's grader
    for name in [m for m in sys.modules if m == "autograder" or m.startswith("autograder.")]:
        del sys.modules[name]
    sys.path.insert(0, str(tree))
    for name in PRELOAD:
        importlib.import_module(name)
    where = Path(sys.modules["autograder"].__file__ or "").resolve()
    if not where.is_relative_to(tree.resolve()):
        raise RuntimeError(f"autograder was imported from {where}, not from the snapshot {tree}")


class _Running:
    """One grading run in its own session (so a timeout kills its whole process group)."""

    def __init__(self, job: Job, folder: Path, tree: Path, fresh: bool) -> None:
        self.job, self.out, self.started = job, folder / "scores.json", time.monotonic()
        submission = folder / "submission"
        write_submission(submission, job, tree / "solutions")
        argv = grade_argv(submission, job.unit, self.out, tree)
        with open(folder / "log.txt", "wb") as log:
            if fresh:
                env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
                cmd = [sys.executable, "-m", "autograder.cli", *argv]
                self.pid = subprocess.Popen(
                    cmd, cwd=tree, env=env, stdout=log, stderr=log, start_new_session=True
                ).pid
            else:
                self.pid = _fork_grade(argv, log.fileno(), tree)

    def poll(self) -> int | None:
        pid, status = os.waitpid(self.pid, os.WNOHANG)
        return None if pid == 0 else os.waitstatus_to_exitcode(status)

    def kill(self) -> None:
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(self.pid, 0)


def _fork_grade(argv: list[str], log_fd: int, tree: Path) -> int:
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        return pid
    code = 3
    try:  # the child: its own session, output to the log, then `autograder grade`
        os.setsid()
        os.chdir(tree)
        os.dup2(log_fd, 1)
        os.dup2(log_fd, 2)
        from autograder import cli

        code = cli.main(argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 3
    except BaseException:  # noqa: BLE001 - report anything as a failed run, never hang
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def verdict_of(report: dict | None, code: int | None) -> tuple[bool, str]:
    """(killed, how) from a warm grader's reply, as `verdict` reads a scores file."""
    if report is None:
        return True, f"no scores (grading exit {code})"
    lost = [t for t in report["tasks"] if t["score"] < t["max_score"]]
    failed = [t for t in lost if t["status"] != "error"] or lost
    if not failed:
        return False, "full marks"
    message = " ".join(str(failed[0].get("message", "")).split())[:160]
    word = "timeout in" if failed[0]["status"] == "timeout" else "lost"
    return True, f"{word} {failed[0]['id']}: {message}"


class _WarmPool:
    """Warm graders started in the snapshot, lent to one job at a time."""

    def __init__(self, folder: Path, tree: Path) -> None:
        self.folder, self.tree, self.count = folder, tree, 0
        self.idle: list[Any] = []
        self.lock = threading.Lock()

    def grade(self, job: Job, folder: Path, timeout_s: float) -> Outcome:
        from autograder.batch.warm import WarmGraderDied

        submission = folder / "submission"
        write_submission(submission, job, self.tree / "solutions")
        files = {p.name: base64.b64encode(p.read_bytes()).decode() for p in submission.glob("*.py")}
        request = {
            "files": files,
            "config": str(self.tree / "grading.yml"),
            "extra": ["-m", job.unit, "-x"],
        }
        grader, started = self._take(), time.monotonic()
        try:
            reply = grader.grade(request, timeout_s)
        except WarmGraderDied as exc:
            grader.close()
            killed, how = True, f"the grading did not finish: {exc}"
        else:
            self._give_back(grader)
            killed, how = verdict_of(reply.get("report"), reply.get("code"))
        return Outcome(job.id, job.unit, killed, how, time.monotonic() - started)

    def _take(self) -> Any:
        from autograder.batch.warm import WarmGrader

        with self.lock:
            if self.idle:
                return self.idle.pop()
            self.count += 1
            log = self.folder / f"warm-{self.count}.log"
        return WarmGrader(log, cwd=self.tree)

    def _give_back(self, grader: Any) -> None:
        with self.lock:
            self.idle.append(grader)

    def close(self) -> None:
        for grader in self.idle:
            grader.close()
        self.idle.clear()


class Campaign:
    """A temp folder (removed on exit) holding a snapshot of the tree and one folder per
    graded job; `grade` runs jobs against that snapshot."""

    def __init__(self, fresh: bool = False, timeout_s: float = 600.0, warm: bool = True) -> None:
        self.fresh, self.timeout_s, self.count = fresh, timeout_s, 0
        self.warm = warm and not fresh

    def __enter__(self) -> Campaign:
        self._sigterm = signal.signal(signal.SIGTERM, _interrupt)  # clean up on `kill`
        self._temp = tempfile.TemporaryDirectory(prefix="dl-autograder-mutation-")
        self.folder = Path(self._temp.name)
        self.tree = snapshot(self.folder / "tree")
        self.pool = _WarmPool(self.folder, self.tree) if self.warm else None
        if not self.fresh and not self.warm:
            preload(self.tree)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.close()
        self._temp.cleanup()
        signal.signal(signal.SIGTERM, self._sigterm)

    def grade(
        self,
        jobs: Iterable[Job],
        parallel: int = 1,
        progress: Callable[[Outcome], None] | None = None,
    ) -> list[Outcome]:
        """Grade every job, at most `parallel` at a time."""
        if self.pool is not None:
            return self._grade_warm(list(jobs), parallel, progress)
        pending, running, done = list(jobs), [], []
        try:
            while pending or running:
                while pending and len(running) < parallel:
                    self.count += 1
                    folder = self.folder / f"m{self.count:05d}"
                    folder.mkdir()
                    running.append(_Running(pending.pop(0), folder, self.tree, self.fresh))
                time.sleep(POLL_S)
                for run in list(running):
                    outcome = self._finished(run)
                    if outcome is not None:
                        running.remove(run)
                        done.append(outcome)
                        if progress:
                            progress(outcome)
        finally:
            for run in running:
                run.kill()
        return done

    def _grade_warm(
        self, jobs: list[Job], parallel: int, progress: Callable[[Outcome], None] | None
    ) -> list[Outcome]:
        assert self.pool is not None
        pool, folders = self.pool, []
        for _ in jobs:
            self.count += 1
            folders.append(self.folder / f"m{self.count:05d}")

        def one(job: Job, folder: Path) -> Outcome:
            folder.mkdir()
            try:
                return pool.grade(job, folder, self.timeout_s)
            finally:
                shutil.rmtree(folder, ignore_errors=True)

        done = []
        with ThreadPoolExecutor(max(1, parallel)) as threads:
            futures = [threads.submit(one, job, f) for job, f in zip(jobs, folders, strict=True)]
            for future in as_completed(futures):
                outcome = future.result()
                done.append(outcome)
                if progress:
                    progress(outcome)
        order = {job.id: k for k, job in enumerate(jobs)}
        return sorted(done, key=lambda o: order.get(o.id, 0))

    def _finished(self, run: _Running) -> Outcome | None:
        seconds = time.monotonic() - run.started
        code = run.poll()
        if code is None and seconds < self.timeout_s:
            return None
        if code is None:
            run.kill()
        killed, how = verdict(run.out, code, self.timeout_s)
        shutil.rmtree(run.out.parent)  # the job's own folder, inside the campaign folder
        return Outcome(run.job.id, run.job.unit, killed, how, seconds)
