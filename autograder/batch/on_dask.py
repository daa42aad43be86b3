"""Grading jobs on a dask.distributed cluster: each job is one Dask task.

Every Dask worker process keeps one warm grader of its own, started by its first task
and reused by the next ones. The task carries the submission's files and returns the
grader's reply, so the client writes every result (resume and atomic writes work as on
one machine) and workers need only the grader installed and the course (grading.yml,
solutions/) at the same path. When a worker dies mid-task, Dask runs the task again on
another worker; the client keeps the first reply that arrives for each student, so
nothing is lost or counted twice. A task that fails in any other way is that
submission's failure; a callback that raises stops nothing.
"""

from __future__ import annotations

import atexit
import sys
import threading
from pathlib import Path
from typing import Any

from autograder.batch.intake import Job
from autograder.batch.jobs import Request, message
from autograder.batch.local import Done
from autograder.batch.warm import WarmGrader, WarmGraderDied

_grader: list[WarmGrader] = []  # this Dask worker's warm grader, once started
_lock = threading.Lock()


def grade_task(payload: dict[str, Any], timeout_s: float, logs: str) -> dict[str, Any]:
    """Runs on a Dask worker: grade one job in this worker's warm grader."""
    from distributed import get_worker

    with _lock:
        if not _grader or _grader[0].process.poll() is not None:
            name = str(get_worker().name).replace("/", "_")
            _grader[:] = [WarmGrader(Path(logs) / f"dask-worker-{name}.log")]
            atexit.register(_grader[0].close)
        grader = _grader[0]
        try:
            return grader.grade(payload, timeout_s)
        except WarmGraderDied as exc:
            _grader.clear()
            return {"code": None, "report": None, "output": "", "lost": str(exc)}


def cluster(address: str, workers: int) -> Any:
    """A Client for `address`, or a LocalCluster of `workers` single-threaded processes
    for "local"."""
    from distributed import Client

    if address == "local":  # the Client starts the LocalCluster and closes it with itself
        return Client(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
    return Client(address)


def run(client: Any, jobs: list[Job], request: Request, done: Done, logs: Path) -> None:
    """Submit every job; call `done` once per student as replies arrive."""
    from distributed import as_completed

    futures = {}
    for job in jobs:
        future = client.submit(
            grade_task, message(job, request), request.timeout_s, str(logs), pure=False, retries=1
        )
        futures[future] = job
    reported: set[str] = set()
    for future in as_completed(futures):
        job = futures[future]
        if job.student in reported:
            continue
        reported.add(job.student)
        reply, why = _outcome(future)
        try:
            done(job, reply, why)
        except Exception as exc:  # noqa: BLE001 - one result, not the batch
            print(f"autograder: recording {job.student} failed: {exc!r}", file=sys.stderr)


def _outcome(future: Any) -> tuple[dict[str, Any] | None, str]:
    """(the grader's reply, "") or (None, why there is none) for a finished task."""
    try:
        reply = dict(future.result())
    except Exception as exc:  # noqa: BLE001 - KilledWorker and friends
        return None, f"the Dask task failed ({type(exc).__name__}: {exc})"
    lost = reply.pop("lost", "")
    return (None, f"the grader process was lost ({lost})") if lost else (reply, "")
