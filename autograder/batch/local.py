"""Grading jobs on this machine: one warm grader per job slot, each fed the next job.

A warm grader that dies (or runs past the job's time, or fails in any other way) is
replaced, and its job tried once more in the new one; a second loss marks only that
submission as failed to grade. Nothing one job does stops a slot: an exception while
grading a job, or in the callback that records it, is that job's failure alone.
"""

from __future__ import annotations

import queue
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from autograder.batch.intake import Job
from autograder.batch.jobs import Request, message
from autograder.batch.warm import WarmGrader, WarmGraderDied

Done = Callable[[Job, dict[str, Any] | None, str], None]  # job, reply, why it has none
ATTEMPTS = 2


class LocalRunner:
    def __init__(self, slots: int, logs: Path, ready: list[WarmGrader] | None = None) -> None:
        """`ready`: a warm grader already started with slot 0's log (the one that
        checked the course); slot 0 takes it before starting one of its own."""
        self.slots, self.logs = max(1, slots), logs
        self._ready = ready if ready is not None else []
        self._graders: list[WarmGrader] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()

    def run(self, jobs: list[Job], request: Request, done: Done) -> None:
        """Grade every job, calling `done` (from the runner's threads, one at a time)."""
        todo: queue.Queue[Job] = queue.Queue()
        for job in jobs:
            todo.put(job)
        threads = [
            threading.Thread(target=self._slot, args=(k, todo, request, done), daemon=True)
            for k in range(min(self.slots, len(jobs)))
        ]
        for thread in threads:
            thread.start()
        try:
            for thread in threads:
                while thread.is_alive():
                    thread.join(0.2)  # stay responsive to Ctrl-C
        finally:
            self.stop()

    def _slot(self, k: int, todo: queue.Queue[Job], request: Request, done: Done) -> None:
        grader: WarmGrader | None = None
        try:
            while not self._stopping.is_set():
                try:
                    job = todo.get_nowait()
                except queue.Empty:
                    break
                reply, why, grader = self._grade(k, job, request, grader)
                if self._stopping.is_set():
                    return
                self._report(done, job, reply, why)
        finally:
            if grader is not None:
                grader.close()

    def _grade(
        self, k: int, job: Job, request: Request, grader: WarmGrader | None
    ) -> tuple[dict[str, Any] | None, str, WarmGrader | None]:
        """(reply, why there is none, the grader to keep) for one job."""
        why = ""
        for _attempt in range(ATTEMPTS):
            try:
                grader = grader or self._start(k)
                return grader.grade(message(job, request), request.timeout_s), "", grader
            except WarmGraderDied as exc:
                why = f"the grader process was lost twice grading it ({exc})"
            except Exception as exc:  # noqa: BLE001 - this job's failure, not the slot's
                why = f"grading it failed twice ({type(exc).__name__}: {exc})"
            if grader is not None:
                grader.close()
            grader = None
            if self._stopping.is_set():
                break
        return None, why, grader

    def _report(self, done: Done, job: Job, reply: dict[str, Any] | None, why: str) -> None:
        """Hand the result to `done`; should it raise, the slot goes on (the batch lists
        a job it never heard of as failed)."""
        with self._lock:
            try:
                done(job, reply, "" if reply is not None else why)
            except Exception as exc:  # noqa: BLE001
                print(f"autograder: recording {job.student} failed: {exc!r}", file=sys.stderr)

    def _start(self, k: int) -> WarmGrader:
        """Slot k's next grader: a ready one (slot 0 only: it was started with slot 0's
        log), else a new one."""
        with self._lock:
            grader = self._ready.pop() if self._ready and k == 0 else None
        grader = grader or WarmGrader(self.logs / f"grader-{k}.log")
        with self._lock:
            self._graders.append(grader)
        return grader

    def stop(self) -> None:
        """Stop every warm grader (and so every worker they started)."""
        self._stopping.set()
        with self._lock:
            graders, self._graders = self._graders, []
        for grader in graders:
            grader.close()
