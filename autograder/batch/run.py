"""One batch, start to end: intake, check the course, skip what is already graded, grade
the rest, write each result as it arrives, rebuild the gradebook, feedback, plots and
index.html.

Nothing is graded before the course is checked (batch.preflight): a mistake is a usage
error (exit 2) that leaves every earlier result as it was. From then on no submission is
lost: an exception while grading or recording one is that submission's failure, with its
reason in its gradebook row, and one the runner never reported is listed as failed too.

Interrupted (Ctrl-C, SIGTERM), it stops its graders, rebuilds the outputs from what was
finished and says how to resume; killed outright, it loses at most the submissions in
flight, since every finished one is already on disk.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograder import safe_text, seeds
from autograder.batch import intake, outputs, preflight
from autograder.batch.gradebook import Summary
from autograder.batch.intake import Job
from autograder.batch.jobs import Request, failed, record
from autograder.batch.local import Done
from autograder.batch.progress import Progress
from autograder.batch.store import Settings, Store, file_name, grader_fingerprint
from autograder.batch.warm import WarmGrader
from autograder.config import load_config
from autograder.errors import UsageError

REASON_LIMIT = 500  # characters of an exception's text in a row


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
    allow_shared_uid: bool = False  # grade at basic or none, where students share a uid


@dataclass(frozen=True)
class Outcome:
    summary: Summary
    graded_now: int
    resumed: int
    skipped: list[str]
    interrupted: bool
    isolation: dict[str, Any] = field(default_factory=dict)  # what every record holds


def _say(line: str) -> None:
    print(safe_text.line(line, 1000), file=sys.stderr, flush=True)  # may name a student


def run(options: Options, say: Callable[[str], None] = _say) -> Outcome:
    """Grade the batch; raise UsageError (before any grading or writing of results)
    when the course, the options or the isolation level are wrong, KeyboardInterrupt
    when interrupted (Ctrl-C, SIGTERM) before grading began."""
    grading = load_config(options.config)  # a bad grading.yml stops here, naming the key
    for unit in options.units:
        if unit not in grading.units:
            raise UsageError(
                f"--unit {unit}: no such unit; the units are {', '.join(grading.units)}"
            )
    found = intake.collect(options.submissions, grading.units, options.assignment, grading.helpers)
    secret = seeds.read_secret()
    asked = _request(options, grading.limits.submission_s, options.isolation)
    with _sigterm_as_interrupt():  # SIGTERM stops the checking grader too
        grader, isolation = preflight.check(options.out / "logs", asked, options.allow_shared_uid)
    ready = [grader]  # kept for the first job
    try:
        say(f"isolation: {isolation['summary']}")
        request = _request(options, grading.limits.submission_s, isolation["level"])
        max_points = {
            spec.id: spec.points
            for spec in grading.tasks
            if not options.units or spec.unit in options.units
        }
        return _run(options, found, secret, request, isolation, ready, max_points)
    finally:
        for grader in ready:  # the checking grader, when no runner took it
            grader.close()


def _request(options: Options, submission_s: float, level: str) -> Request:
    extra = ("-m", " or ".join(options.units)) if options.units else ()
    return Request(str(options.config), level, 1.5 * submission_s + 300, extra)


def _run(
    options: Options,
    found: intake.Intake,
    secret: bytes | None,
    request: Request,
    isolation: dict[str, Any],
    ready: list[WarmGrader],
    max_points: dict[str, float],
) -> Outcome:
    config, fingerprint = options.config.read_bytes(), grader_fingerprint()
    settings = Settings(config, fingerprint, request.isolation, secret, options.units)
    store = Store(options.out)
    keys = {job.student: settings.key(job.files) for job in found.jobs}
    todo = [job for job in found.jobs if not store.done(job.student, keys[job.student])]
    progress = Progress(len(todo))
    recorder = _Recorder(options.out, store, progress, keys, isolation)
    for job in todo:
        if job.problem:  # unreadable or empty: a failure from the start
            recorder.done(job, None, "")
    gradable = [job for job in todo if not job.problem]
    interrupted, stopped = False, ""
    try:
        with _sigterm_as_interrupt():
            stopped = _grade(gradable, options, request, recorder.done, ready)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        progress.close()
    if not interrupted:  # every submission is graded or listed as failed, never lost
        for job in gradable:
            if job.student not in recorder.recorded:
                recorder.done(job, None, f"the batch ended without a result for it{stopped}")
    students = {job.student for job in found.jobs}
    summary = outputs.rebuild(options.out, store, students, max_points, _notes(found))
    resumed = len(found.jobs) - len(todo)
    return Outcome(summary, progress.count, resumed, _notes(found), interrupted, isolation)


def _grade(
    jobs: list[Job], options: Options, request: Request, done: Done, ready: list[WarmGrader]
) -> str:
    """Grade `jobs`; "" when the runner saw them through, else why it stopped."""
    if not jobs:
        return ""
    logs = options.out / "logs"
    try:
        if options.dask:
            from autograder.batch import on_dask

            while ready:  # the Dask workers keep warm graders of their own
                ready.pop().close()
            with on_dask.cluster(options.dask, options.jobs) as client:
                on_dask.run(client, jobs, request, done, logs)
            return ""
        from autograder.batch.local import LocalRunner

        LocalRunner(options.jobs, logs, ready).run(jobs, request, done)
    except Exception as exc:  # noqa: BLE001 - its unfinished jobs become failures, not losses
        return f" (the runner stopped: {reason(exc)})"
    return ""


def reason(exc: BaseException) -> str:
    """An exception as one safe line for a row and a feedback page."""
    return safe_text.line(f"{type(exc).__name__}: {exc}", REASON_LIMIT)


class _Recorder:
    """Writes each result as it arrives (store, then feedback page). Any exception while
    recording one is that submission's failure, with the reason in its row; never the
    batch's."""

    def __init__(
        self,
        out: Path,
        store: Store,
        progress: Progress,
        keys: dict[str, str],
        isolation: dict[str, Any],
    ) -> None:
        self.out, self.store, self.progress, self.keys = out, store, progress, keys
        self.isolation = {k: v for k, v in isolation.items() if k != "summary"}
        self.recorded: set[str] = set()

    def done(self, job: Job, reply: dict[str, Any] | None, why: str) -> None:
        """Record `job`'s reply (None: not graded, because `why`); never raises."""
        try:
            result = record(job, self.keys[job.student], reply, why, self.isolation)
        except Exception as exc:  # noqa: BLE001 - a reply we cannot read
            result = record(job, "", None, f"its reply could not be read ({reason(exc)})")
        result = self._keep(result)
        self.recorded.add(job.student)
        with contextlib.suppress(Exception):  # a progress line is no reason to stop
            self.progress.advance(f"{result['student']}: {_how(result)}")

    def _keep(self, result: dict[str, Any]) -> dict[str, Any]:
        """Store `result`, then write its page; return it as it was recorded."""
        result = self._save(result)
        try:
            outputs.write_feedback(self.out, result)
        except Exception as exc:  # noqa: BLE001 - e.g. text no writer can encode
            why = f"its feedback page could not be written ({reason(exc)})"
            result = self._save(failed(result, why))
            self._failure_page(result)
        return result

    def _save(self, result: dict[str, Any]) -> dict[str, Any]:
        """`result` as stored: on disk, or failing that as a failure kept in memory
        (the gradebook lists it, with why)."""
        try:
            self.store.write(result)
            return result
        except Exception as exc:  # noqa: BLE001
            result = failed(result, f"its result could not be saved ({reason(exc)})")
            self.store.keep(result)
            return result

    def _failure_page(self, result: dict[str, Any]) -> None:
        """A page that says why; failing that, no page (never an earlier run's)."""
        try:
            outputs.write_feedback(self.out, result)
        except Exception:  # noqa: BLE001
            for suffix in (".md", ".html"):
                page = self.out / outputs.FEEDBACK / f"{file_name(result['student'])}{suffix}"
                with contextlib.suppress(OSError):
                    page.unlink(missing_ok=True)


def _how(result: dict[str, Any]) -> str:
    report = result.get("report")
    if report:
        return f"{report['score']:g} / {report['max_score']:g} in {result['seconds']:.1f} s"
    return f"not graded: {safe_text.line(str(result['problem']), 80)}"


def _notes(found: intake.Intake) -> list[str]:
    return [*found.skipped, *(f"{job.student}: {note}" for job in found.jobs for note in job.notes)]


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
