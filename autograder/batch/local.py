"""Grading jobs on this machine: one warm grader per job slot, each fed the next job.

A warm grader that dies (or runs past the job's time) is replaced, and its job tried once
more in the new one; a second loss marks only that submission as failed to grade.
"""

from __future__ import annotations

import queue
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
    def __init__(self, slots: int, logs: Path) -> None:
        self.slots, self.logs = max(1, slots), logs
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
        while not self._stopping.is_set():
            try:
                job = todo.get_nowait()
            except queue.Empty:
                break
            reply, why = None, ""
            for _attempt in range(ATTEMPTS):
                grader = grader or self._start(k)
                try:
                    reply = grader.grade(message(job, request), request.timeout_s)
                    break
                except WarmGraderDied as exc:
                    why = f"the grader process was lost twice grading it ({exc})"
                    grader.close()
                    grader = None
                    if self._stopping.is_set():
                        return
            if self._stopping.is_set():
                return
            with self._lock:
                done(job, reply, "" if reply is not None else why)
        if grader is not None:
            grader.close()

    def _start(self, k: int) -> WarmGrader:
        grader = WarmGrader(self.logs / f"grader-{k}.log")
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
