"""A job as it travels to a warm grader (JSON, files in base64), and the record that
comes back (what the store keeps). Shared by the local runner and the Dask one."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from autograder.batch.intake import Job

NO_REPORT = "grading stopped before it wrote a report"


@dataclass(frozen=True)
class Request:
    """What every job of a batch shares."""

    config: str  # grading.yml, an absolute path that exists where the job runs
    isolation: str
    timeout_s: float  # the whole submission, beyond its own limits
    extra: tuple[str, ...] = ()  # more pytest arguments (e.g. -m for some units)


def message(job: Job, request: Request) -> dict[str, Any]:
    files = {name: base64.b64encode(data).decode() for name, data in job.files.items()}
    return {
        "files": files,
        "config": request.config,
        "isolation": request.isolation,
        "extra": list(request.extra),
    }


def record(
    job: Job,
    key: str,
    reply: dict[str, Any] | None,
    why: str = "",
    isolation: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The stored result of `job`: graded when the grader wrote a report. One that failed
    for another reason than its files (a grader lost, an error while grading) keeps no
    key, so a rerun grades it again; `isolation` is the batch's decision (level, what
    was asked, what auto passed over and why, whether students shared a uid)."""
    report = (reply or {}).get("report")
    problem = job.problem or why
    if report is None and not problem:
        tail = " ".join(str((reply or {}).get("output", "")).split()[-40:])
        problem = f"{NO_REPORT} (exit {(reply or {}).get('code')}): {tail}"
    return {
        "student": job.student,
        "source": job.source,
        "key": key if report is not None or job.problem else "",
        "status": "graded" if report is not None else "failed",
        "problem": problem if report is None else "",
        "notes": list(job.notes),
        "seconds": round(float((reply or {}).get("seconds", 0.0)), 3),
        "isolation": dict(isolation or {}),
        "report": report,
    }


def failed(result: dict[str, Any], why: str) -> dict[str, Any]:
    """`result` as a failure because `why` (after any earlier reason); no points, no
    key (a rerun grades it again)."""
    earlier = result.get("problem", "") if result.get("status") == "failed" else ""
    problem = "; ".join(filter(None, [earlier, why]))
    return {**result, "status": "failed", "problem": problem, "key": "", "report": None}
