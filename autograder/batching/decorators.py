"""`@given` and `@cases`: one graded test, many inputs, run in lockstep (autograder.batching).

`@given(strategies...)` draws `max_examples` examples (the grading.yml profile's count)
from a seed that is fixed per test, or mixed with the course secret in a grading run
(autograder.seeds), or random per run where the profile is not derandomized. All examples
run in lockstep, their student calls batched. The first that fails is shrunk to a simpler
one that still fails, and its failure is raised with a note naming the example's values.
`@cases(**axes)` runs the body once per combination of the given values, also in
lockstep; a failure names its case. A body that is not a generator (it makes its calls
one by one) runs example after example instead.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import itertools
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograder.batching import shrinking
from autograder.batching.choices import Choices, Reject
from autograder.batching.lockstep import Outcome, run_lockstep
from autograder.batching.strategies import Data, Strategy
from autograder.checks.compare import CheckFailure
from autograder.seeds import mixed
from autograder.worker.client import StudentFailure

NOTE_VALUE_LIMIT = 300
TOP_UPS = 3  # extra rounds of examples when assume() discarded some
PLAIN = (str, int, float, bool, tuple, list, dict, type(None))


@dataclass
class Settings:
    max_examples: int = 25
    derandomize: bool = True
    salt: int = 0  # mixed into every test's seed; random per run when not derandomized


SETTINGS = [Settings()]


def configure(max_examples: int, derandomize: bool, salt: int | None = None) -> Settings:
    """The example count and seeding of the run (the grading.yml profile in force); a run
    that is not derandomized draws a random salt unless one is given (a replay)."""
    if salt is None:
        salt = 0 if derandomize else random.SystemRandom().getrandbits(31)
    SETTINGS[0] = Settings(max_examples, derandomize, salt & (2**31 - 1))
    return SETTINGS[0]


def _without(test: Callable[..., Any], names: Sequence[str]) -> inspect.Signature:
    sig = inspect.signature(test)
    return sig.replace(parameters=[p for n, p in sig.parameters.items() if n not in names])


def _seed(test: Callable[..., Any], fixtures: Mapping[str, Any]) -> int:
    """The test's example seed: its name and plain parameters (not the device: cpu and
    cuda see the same examples), mixed with the run's grading seed and salt."""
    params = sorted((k, repr(v)) for k, v in fixtures.items() if isinstance(v, PLAIN))
    key = f"{test.__module__}.{test.__qualname__}:{[p for p in params if p[0] != 'device']}"
    base = int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big") & (2**31 - 1)
    return mixed(base ^ SETTINGS[0].salt)


def show(value: Any) -> str:
    """A short rendering of a drawn value for the failure note."""
    if isinstance(value, Data):
        return ", ".join(f"{label}={show(v)}" for label, v in value.drawn) or "(no draws)"
    if type(value).__module__ == "torch" and type(value).__name__ == "dtype":
        return str(value).removeprefix("torch.")
    with np.printoptions(precision=6, threshold=60, linewidth=10_000):
        text = repr(value)
    text = " ".join(text.split())
    return text if len(text) <= NOTE_VALUE_LIMIT else text[: NOTE_VALUE_LIMIT - 3] + "..."


def _note(error: Exception, header: str, values: Mapping[str, Any]) -> Exception:
    lines = [f"    {name}={show(value)}," for name, value in values.items()]
    error.add_note("\n".join([header, *lines]))
    return error


def _same_failure(error: Exception | None, first: Exception) -> bool:
    if isinstance(first, StudentFailure):
        return isinstance(error, StudentFailure) and error.kind == first.kind
    return isinstance(error, type(first))


def _shrinkable(error: Exception) -> bool:
    return isinstance(error, CheckFailure) or (
        isinstance(error, StudentFailure) and error.kind == "exception"
    )


class _Property:
    """One run of a @given test: draw, run in lockstep, shrink the first failure."""

    def __init__(self, test: Callable[..., Any], fixtures: dict[str, Any], drawn: dict) -> None:
        self.test, self.fixtures, self.drawn = test, fixtures, drawn
        self.student = fixtures.get("student")

    def examples(self, sources: list[Choices]) -> list[Outcome]:
        """Each source's example, run."""
        starts = [functools.partial(self._body, src) for src in sources]
        return _run_all(self.test, self.student, starts)

    def _body(self, src: Choices) -> Any:
        args = {name: strategy.draw(src) for name, strategy in self.drawn.items()}
        src.args = args
        return self.test(**self.fixtures, **args)

    def run(self) -> None:
        __tracebackhide__ = True
        settings = SETTINGS[0]
        rng = random.Random(_seed(self.test, self.fixtures))
        valid, wanted = 0, settings.max_examples
        for _ in range(TOP_UPS + 1):
            sources = [Choices(rng) for _ in range(max(wanted - valid, 0))]
            if not sources:
                break
            outcomes = self.examples(sources)
            failed = next((k for k, o in enumerate(outcomes) if o.error is not None), None)
            if failed is not None:
                raise self.reported(sources[failed], outcomes[failed].error)  # type: ignore[arg-type]
            valid += sum(o.passed for o in outcomes)
        if valid == 0:
            raise Reject(
                f"{self.test.__name__}: every generated example was discarded by assume() "
                "(tell your instructor)"
            )

    def reported(self, src: Choices, error: Exception) -> Exception:
        """The failure to report: that of the simplest still-failing example, noted."""
        if _shrinkable(error):
            best = shrinking.shrink(src.made, functools.partial(self._still_failing, error))
            if best != src.made:
                replay = Choices(None, best)
                outcome = self.examples([replay])[0]
                if _same_failure(outcome.error, error):
                    src, error = replay, outcome.error  # type: ignore[assignment]
        return _note(error, "Failing example:", src.args)

    def _still_failing(self, first: Exception, candidates: list[list[int]]) -> list:
        sources = [Choices(None, c) for c in candidates]
        outcomes = self.examples(sources)
        return [
            src.made if _same_failure(o.error, first) else None
            for src, o in zip(sources, outcomes, strict=True)
        ]


def _run_all(test: Callable[..., Any], student: Any, starts: list[Callable[[], Any]]) -> list:
    """How each body of `test` that `starts` make ended: in lockstep when the test is a
    generator (it yields its calls), else one after the other."""
    if student is None or not inspect.isgeneratorfunction(test):
        return [_one_by_one(start) for start in starts]
    return run_lockstep(student, starts)


def _one_by_one(start: Callable[[], Any]) -> Outcome:
    try:
        start()
    except Reject:
        return Outcome(rejected=True)
    except Exception as exc:  # noqa: BLE001 - a failing check, a student failure, a bug
        return Outcome(error=exc)
    return Outcome()


def given(*positional: Strategy[Any], **named: Strategy[Any]) -> Callable[..., Any]:
    """Run the test on generated examples: positional strategies fill its last
    parameters, keyword ones the parameters they name (as hypothesis.given)."""

    def decorate(test: Callable[..., Any]) -> Callable[..., Any]:
        params = list(inspect.signature(test).parameters)
        drawn = dict(zip(params[len(params) - len(positional) :], positional, strict=True))
        drawn.update(named)

        @functools.wraps(test)
        def wrapper(**fixtures: Any) -> None:
            __tracebackhide__ = True
            _Property(test, fixtures, drawn).run()

        wrapper.__signature__ = _without(test, list(drawn))  # type: ignore[attr-defined]
        return wrapper

    return decorate


def cases(*rows: Mapping[str, Any], **axes: Sequence[Any]) -> Callable[..., Any]:
    """Run the test once per case, in lockstep within one pytest test: per row of `rows`
    (each a dict of arguments), or else per combination of the values in `axes` (name →
    values). A failure names the first case that failed."""
    if rows and axes:
        raise TypeError("cases(): give rows or axes, not both")
    names = list(rows[0]) if rows else list(axes)
    combos = (
        [dict(row) for row in rows]
        if rows
        else [dict(zip(names, values, strict=True)) for values in itertools.product(*axes.values())]
    )

    def decorate(test: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(test)
        def wrapper(**fixtures: Any) -> None:
            __tracebackhide__ = True
            starts = [functools.partial(test, **fixtures, **case) for case in combos]
            outcomes = _run_all(test, fixtures.get("student"), starts)
            for case, outcome in zip(combos, outcomes, strict=True):
                if outcome.error is not None:
                    raise _note(outcome.error, "Failing case:", case) if case else outcome.error

        wrapper.__signature__ = _without(test, names)  # type: ignore[attr-defined]
        return wrapper

    return decorate


def batched(test: Callable[..., Any]) -> Callable[..., Any]:
    """A single body whose student calls are made a round at a time (it may yield a
    tuple of calls to make them together)."""
    return cases()(test)
