"""Run many bodies of one graded test in lockstep, their student calls batched per round.

A batched test body is a generator: it yields the student calls it needs
(`got = yield student.losses.mse_loss(p, t)`, or a tuple of calls to make together) and
gets back their values, or has the call's failure thrown in where it yielded (so a body
may catch it). Every body (one per generated example, or per case) runs up to its first
yield; the calls of all of them go to the worker as one batch; each body then runs on to
its next yield; and so on until all have finished. N examples of a test cost a few round
trips instead of N times as many.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from typing import Any

from hypothesis.errors import UnsatisfiedAssumption

from autograder.submission import Deferred
from autograder.worker.client import StudentFailure

Body = Generator[Any, Any, None]


@dataclass
class Outcome:
    """How one body ended: passed, rejected (assume was false) or failed with `error`."""

    error: Exception | None = None
    rejected: bool = False

    @property
    def passed(self) -> bool:
        return self.error is None and not self.rejected


class BatchedTestError(TypeError):
    """A batched test body yielded something other than student calls (a grader bug)."""


def _leaves(yielded: Any) -> list[Deferred]:
    if isinstance(yielded, Deferred):
        return [yielded]
    if isinstance(yielded, (tuple, list)) and all(isinstance(d, Deferred) for d in yielded):
        return list(yielded)
    raise BatchedTestError(
        f"a batched test yielded {type(yielded).__name__}; yield a student call, or a tuple "
        "of them (tell your instructor)"
    )


def _rebuild(yielded: Any, values: list[Any]) -> Any:
    if isinstance(yielded, Deferred):
        return values[0]
    return tuple(values) if isinstance(yielded, tuple) else list(values)


class _Run:
    def __init__(self, student: Any, starts: Sequence[Callable[[], Body]]) -> None:
        self.student, self.starts = student, starts
        self.outcomes = [Outcome() for _ in starts]
        self.bodies: dict[int, Body] = {}
        self.waiting: dict[int, Any] = {}

    def advance(self, i: int, step: Callable[[], Any]) -> None:
        try:
            with self.student.deferred():
                yielded = step()
            self.waiting[i] = (yielded, _leaves(yielded))
        except StopIteration:
            pass
        except UnsatisfiedAssumption:
            self.outcomes[i].rejected = True
        except Exception as exc:  # noqa: BLE001 - a failing check, a student failure, a bug
            self.outcomes[i].error = exc
            body = self.bodies.get(i)
            if body is not None and isinstance(exc, BatchedTestError):
                body.close()

    def start(self, i: int) -> Any:
        self.bodies[i] = self.starts[i]()
        return next(self.bodies[i])

    def round(self) -> None:
        order = sorted(self.waiting)
        current = [self.waiting.pop(i) for i in order]
        results = self.student.run([d for _, leaves in current for d in leaves])
        position = 0
        for i, (yielded, leaves) in zip(order, current, strict=True):
            values = results[position : position + len(leaves)]
            position += len(leaves)
            body = self.bodies[i]
            failure = next((v for v in values if isinstance(v, StudentFailure)), None)
            if failure is not None:
                self.advance(i, lambda body=body, failure=failure: body.throw(failure))
            else:
                sent = _rebuild(yielded, values)
                self.advance(i, lambda body=body, sent=sent: body.send(sent))


def run_lockstep(student: Any, starts: Sequence[Callable[[], Body]]) -> list[Outcome]:
    """Run the bodies `starts` make (each called once, inside the lockstep) to their ends;
    how each one ended, in order."""
    run = _Run(student, starts)
    for i in range(len(starts)):
        run.advance(i, lambda i=i: run.start(i))
    while run.waiting:
        run.round()
    return run.outcomes
