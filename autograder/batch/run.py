"""One batch, start to end: intake, skip what is already graded, grade the rest, write
each result as it arrives, rebuild the gradebook, feedback, plots and index.html.

Interrupted (Ctrl-C, SIGTERM), it stops its graders, rebuilds the outputs from what was
finished and says how to resume; killed outright, it loses at most the submissions in
flight, since every finished one is already on disk.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograder import seeds
from autograder.batch import intake, outputs
from autograder.batch.gradebook import Summary
from autograder.batch.intake import Job
from autograder.batch.jobs import Request, record
from autograder.batch.progress import Progress
from autograder.batch.store import Settings, Store, grader_fingerprint
from autograder.config import load_config
from autograder.errors import UsageError


@dataclass(frozen=True)
class Options:
    submissions: Path
    out: Path
    config: Path
    jobs: int = 2
    isolation: str = "auto"
    dask: str | None = None
    assignment: str | None = None
    units: tuple[str, ...] = ()  # grade only these (default: all)


@dataclass(frozen=True)
class Outcome:
    summary: Summary
    graded_now: int
    resumed: int
    skipped: list[str]
    interrupted: bool


def run(options: Options) -> Outcome:
    grading = load_config(options.config)  # a bad grading.yml stops here, naming the key
    for unit in options.units:
        if unit not in grading.units:
            raise UsageError(
                f"--unit {unit}: no such unit; the units are {', '.join(grading.units)}"
            )
    found = intake.collect(options.submissions, grading.units, options.assignment)
    secret = seeds.read_secret()
    config, fingerprint = options.config.read_bytes(), grader_fingerprint()
    settings = Settings(config, fingerprint, options.isolation, secret, options.units)
    store = Store(options.out)
    keys = {job.student: settings.key(job.files) for job in found.jobs}
    todo = [job for job in found.jobs if not store.done(job.student, keys[job.student])]
    unreadable = [job for job in todo if job.problem]
    gradable = [job for job in todo if not job.problem]
    progress = Progress(len(todo))
    for job in unreadable:
        _keep(options.out, store, record(job, keys[job.student], None), progress)

    def done(job: Job, reply: dict[str, Any] | None, why: str) -> None:
        _keep(options.out, store, record(job, keys[job.student], reply, why), progress)

    interrupted = False
    try:
        with _sigterm_as_interrupt():
            _grade(gradable, options, grading.limits.submission_s, done)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        progress.close()
    max_points = {
        spec.id: spec.points
        for spec in grading.tasks
        if not options.units or spec.unit in options.units
    }
    notes = [*found.skipped, *_notes(found.jobs)]
    summary = outputs.rebuild(
        options.out, store, {j.student for j in found.jobs}, max_points, notes
    )
    return Outcome(summary, progress.count, len(found.jobs) - len(todo), notes, interrupted)


def _grade(jobs: list[Job], options: Options, submission_s: float, done: Any) -> None:
    if not jobs:
        return
    extra = ("-m", " or ".join(options.units)) if options.units else ()
    request = Request(str(options.config), options.isolation, 1.5 * submission_s + 300, extra)
    logs = options.out / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    if options.dask:
        from autograder.batch import on_dask

        with on_dask.cluster(options.dask, options.jobs) as client:
            on_dask.run(client, jobs, request, done, logs)
        return
    from autograder.batch.local import LocalRunner

    LocalRunner(options.jobs, logs).run(jobs, request, done)


def _keep(out: Path, store: Store, result: dict[str, Any], progress: Progress) -> None:
    store.write(result)
    outputs.write_feedback(out, result)
    report = result.get("report")
    how = (
        f"{report['score']:g} / {report['max_score']:g} in {result['seconds']:.1f} s"
        if report
        else f"not graded: {result['problem'][:80]}"
    )
    progress.advance(f"{result['student']}: {how}")


def _notes(jobs: list[Job]) -> list[str]:
    return [f"{job.student}: {note}" for job in jobs for note in job.notes]


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    try:
        old = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 2)
