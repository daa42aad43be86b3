"""Before a batch grades anything: check the course as `autograder grade` would, and
decide the isolation level.

A warm grader loads grading.yml and collects the graded suite for it (its task ids
against the suite's, the hidden tests, the isolation level probed and decided), running
no test: the very checks a grading makes, made once. A mistake is a UsageError (exit 2)
raised before any result is touched. At `basic` and `none` every student's workers run
as one uid, so one student's process could signal or kill another's: such a level (also
the one `auto` falls back to) needs an explicit `--allow-shared-uid`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from autograder.batch.jobs import Request
from autograder.batch.warm import WarmGrader, WarmGraderDied
from autograder.errors import UsageError
from autograder.worker.isolation import HOW_TO, SANDBOX_UID

CHECK_S = 900.0  # a warm grader starts (torch, its zygote) and collects the graded suite
SHARED_UID = ("basic", "none")  # levels at which every student's workers share one uid
ALLOW_SHARED_UID = "--allow-shared-uid"


def check(logs: Path, asked: Request, allow_shared_uid: bool) -> tuple[WarmGrader, dict]:
    """A warm grader that has checked the course for the batch's `asked` request, and
    the isolation it decided (level, what was asked, what auto passed over and why,
    allow_shared_uid, a summary line); UsageError when the check failed or the level
    lets students reach each other unasked. The grader can take the first job."""
    grader = WarmGrader(logs / "grader-0.log")
    try:
        message = {"check": True, "config": asked.config, "isolation": asked.isolation}
        reply = grader.grade({**message, "extra": list(asked.extra)}, CHECK_S)
        isolation = _decided(reply)
        _shared_uid_allowed(isolation, allow_shared_uid)
    except WarmGraderDied as exc:
        grader.close()
        raise UsageError(f"the course could not be checked: {exc}") from None
    except BaseException:
        grader.close()
        raise
    shared = isolation["level"] in SHARED_UID
    summary = _summary(isolation)
    if shared:
        summary += f"; {ALLOW_SHARED_UID}: every student's workers share one uid"
    return grader, {**isolation, "summary": summary, "allow_shared_uid": shared}


def _decided(reply: dict[str, Any]) -> dict[str, Any]:
    """The isolation a check decided, or UsageError with what went wrong."""
    isolation = reply.get("isolation")
    if reply.get("error"):
        raise UsageError(str(reply["error"]))
    if reply.get("code") != 0 or not isinstance(isolation, dict):
        tail = str(reply.get("output", ""))[-2000:]
        raise UsageError(
            f"the course could not be checked (pytest exit {reply.get('code')}); "
            f"its output ends:\n{tail}"
        )
    return isolation


def _summary(isolation: dict[str, Any]) -> str:
    from autograder.worker.probe import Decision

    keys = ("isolation_requested", "level", "isolation_unavailable")
    return Decision(*(isolation[key] for key in keys)).summary()


def _shared_uid_allowed(isolation: dict[str, Any], allowed: bool) -> None:
    """At basic or none every student's workers run as one uid: one student's process
    could signal or kill another's. Only an explicit flag accepts that."""
    level, asked = isolation["level"], isolation["isolation_requested"]
    if level not in SHARED_UID or allowed:
        return
    who = f"uid {SANDBOX_UID}" if level == "basic" else "the grader's own user"
    risk = (
        f"at isolation {level} every student's workers run as {who}, so one student's "
        "process can signal or kill another student's workers"
    )
    if asked == "auto":
        raise UsageError(
            f"--isolation auto would grade at {level} here ({_summary(isolation)}); {risk}. "
            f"Make strict available ({HOW_TO['strict']}), or pass {ALLOW_SHARED_UID} to "
            "grade at it anyway (every result records it)"
        )
    raise UsageError(
        f"--isolation {level}: {risk}. Grade at strict, or pass {ALLOW_SHARED_UID} to "
        "accept that (every result records it)"
    )
