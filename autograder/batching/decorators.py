"""`@given` and `@cases`: one graded test, many inputs, their student calls made in lockstep.

`@given(strategies...)` is hypothesis' own `@given` over a batch: each hypothesis example
is a list of one to `2 * PER_BATCH` examples of the test's arguments, drawn by the
strategies given (hypothesis.strategies, hypothesis.extra.numpy). Every example of the
batch runs in lockstep (autograder.batching.lockstep), so the batch's student calls go to
the worker in one round trip per round. Hypothesis shrinks a failing batch as it shrinks
any list: down to the one simplest example that still fails, which the failure note
names. The profile in force (grading.yml `hypothesis:`) gives about `max_examples`
examples per test; `@settings`, `--hypothesis-seed`, `--hypothesis-show-statistics`,
`assume` and `@example` (this module's, which names the test's own arguments) work as in
any hypothesis test, except that an `@settings(max_examples=n)` above `@given` counts n
batches (of `PER_BATCH` examples on average). A plain `@hypothesis.given` test whose body
makes its calls one by one is graded too; this decorator only makes such tests cheaper.

A failure not worth shrinking (a timeout, a crash, a function not written yet) leaves
hypothesis at once: rerunning it on smaller inputs would cost time and say nothing more.

What a test draws does not depend on the student where the draws are seeded (a
derandomized profile, a course seed, `--hypothesis-seed`) and every example passes: a
warm grader (autograder.batch.warm) grading submission after submission records the
batches of a test's first passing run and, for the next submission with the same seed,
runs those batches again without hypothesis' engine. Only a failure needs hypothesis
(to shrink it): then the test runs under hypothesis from the start, with the same seed,
so a submission gets the grade it gets when graded alone.

`@cases(**axes)` runs the body once per combination of the given values, also in
lockstep; a failure names its case.
"""

from __future__ import annotations

import copy
import functools
import inspect
import itertools
import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import hypothesis
import numpy as np
from hypothesis import core
from hypothesis import strategies as st
from hypothesis.errors import HypothesisDeprecationWarning, UnsatisfiedAssumption

from autograder.batching.lockstep import Outcome, run_lockstep
from autograder.checks.compare import CheckFailure
from autograder.worker.client import StudentFailure

NOTE_VALUE_LIMIT = 300
PER_BATCH = 5  # examples per hypothesis example, on average (lists of 1 to 2 * PER_BATCH)
BATCH_ARG = "examples"
PLAIN = (str, int, float, bool, tuple, type(None))
# test key → (what its draws depend on, the batches of its last run that passed)
_RECORDED: dict[str, tuple[tuple[Any, ...], list[list[dict[str, Any]]]]] = {}


class NotShrunk(BaseException):
    """Carries a failure that hypothesis must not shrink out of it (hypothesis catches only
    Exception): pytest records it, and the grader reports `error`, noted."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


def _without(test: Callable[..., Any], names: Sequence[str]) -> inspect.Signature:
    sig = inspect.signature(test)
    return sig.replace(parameters=[p for n, p in sig.parameters.items() if n not in names])


def show(value: Any) -> str:
    """A short rendering of a drawn value for the failure note."""
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


def _shrinkable(error: Exception) -> bool:
    return isinstance(error, CheckFailure) or (
        isinstance(error, StudentFailure) and error.kind == "exception"
    )


def _run_all(test: Callable[..., Any], student: Any, starts: list[Callable[[], Any]]) -> list:
    """How each body of `test` that `starts` make ended: in lockstep when the test is a
    generator (it yields its calls), else one after the other."""
    if student is None or not inspect.isgeneratorfunction(test):
        return [_one_by_one(start) for start in starts]
    return run_lockstep(student, starts)


def _one_by_one(start: Callable[[], Any]) -> Outcome:
    try:
        start()
    except UnsatisfiedAssumption:
        return Outcome(rejected=True)
    except Exception as exc:  # noqa: BLE001 - a failing check, a student failure, a bug
        return Outcome(error=exc)
    return Outcome()


def _batch_settings() -> hypothesis.settings:
    """The profile in force, counted in batches: about its max_examples examples a test."""
    profile = hypothesis.settings.default
    return hypothesis.settings(
        profile, max_examples=max(1, math.ceil(profile.max_examples / PER_BATCH))
    )


def _run_batch(test: Callable[..., Any], fixtures: dict[str, Any], examples: list) -> None:
    """One hypothesis example: the batch's examples in lockstep; the first failure raised
    (noted), or NotShrunk around it; hypothesis' assume when every example was discarded."""
    __tracebackhide__ = True
    starts = [functools.partial(test, **fixtures, **ex) for ex in examples]
    outcomes = _run_all(test, fixtures.get("student"), starts)
    for example, outcome in zip(examples, outcomes, strict=True):
        if outcome.error is not None:
            error = _note(outcome.error, "Failing example:", example)
            if not _shrinkable(outcome.error):
                raise NotShrunk(error)
            raise error
    if not any(o.passed for o in outcomes):
        raise UnsatisfiedAssumption("every example of the batch was discarded")


def _draws_key(run: Callable[..., Any], fixtures: dict[str, Any]) -> tuple[Any, ...] | None:
    """What a run's draws depend on besides the strategies, or None where they are random
    (or replayed from a database): then nothing is recorded."""
    settings = run._hypothesis_internal_use_settings  # type: ignore[attr-defined]
    seed = getattr(run, "_hypothesis_internal_use_seed", None)  # set by hypothesis.seed
    if settings.database is not None or not (
        settings.derandomize or seed is not None or core.global_force_seed is not None
    ):
        return None
    plain = sorted((k, repr(v)) for k, v in fixtures.items() if _is_plain(v))
    explicit = len(getattr(run, "hypothesis_explicit_examples", ()))
    return (seed, core.global_force_seed, repr(settings), explicit, tuple(plain))


def _is_plain(value: Any) -> bool:
    return isinstance(value, PLAIN) or type(value).__name__ == "dtype"


def _replayed(test: Callable[..., Any], fixtures: dict[str, Any], batches: list) -> bool:
    """Whether every recorded batch passes again (or is discarded again). A body's own
    `assume` runs outside hypothesis here, which hypothesis deprecates: should it ever
    refuse, the replay fails and the test runs under hypothesis, as it would alone."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HypothesisDeprecationWarning)
        for examples in batches:
            try:
                _run_batch(test, fixtures, copy.deepcopy(examples))
            except UnsatisfiedAssumption:
                continue
            except (Exception, NotShrunk):  # noqa: BLE001 - hypothesis finds it and shrinks it
                return False
    return True


def given(*positional: st.SearchStrategy[Any], **named: st.SearchStrategy[Any]) -> Any:
    """hypothesis.given over batches of examples: positional strategies fill the test's
    last parameters, keyword ones the parameters they name (as hypothesis.given)."""

    def decorate(test: Callable[..., Any]) -> Callable[..., Any]:
        params = list(inspect.signature(test).parameters)
        drawn = dict(zip(params[len(params) - len(positional) :], positional, strict=True))
        drawn.update(named)
        name = f"{test.__module__}.{test.__qualname__}"
        recording: list[list[dict[str, Any]]] = []

        def batch(**fixtures: Any) -> None:
            __tracebackhide__ = True
            examples = fixtures.pop(BATCH_ARG)
            recording.append(copy.deepcopy(examples))
            _run_batch(test, fixtures, examples)

        functools.update_wrapper(batch, test, updated=())
        del batch.__wrapped__  # type: ignore[attr-defined]  # pytest reads __signature__
        keyword = inspect.Parameter.KEYWORD_ONLY  # hypothesis passes them all by name
        kept = _without(test, list(drawn)).parameters.values()
        batch.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [*(p.replace(kind=keyword) for p in kept), inspect.Parameter(BATCH_ARG, keyword)]
        )
        batches = st.lists(st.fixed_dictionaries(drawn), min_size=1, max_size=2 * PER_BATCH)
        # the profile counted in batches, as hypothesis.given reads it off the function;
        # unlike @settings, an @settings above this decorator still replaces it
        batch._hypothesis_internal_use_settings = _batch_settings()  # type: ignore[attr-defined]
        inner = hypothesis.given(**{BATCH_ARG: batches})(batch)

        @functools.wraps(inner)
        def run(**fixtures: Any) -> None:
            __tracebackhide__ = True
            key = _draws_key(run, fixtures)
            test_key = f"{name}{sorted((k, repr(v)) for k, v in fixtures.items() if _is_plain(v))}"
            known = _RECORDED.get(test_key)
            if key is not None and known is not None and known[0] == key:
                if _replayed(test, fixtures, known[1]):
                    return
            recording.clear()
            inner(**fixtures)
            if key is not None:
                _RECORDED[test_key] = (key, list(recording))

        signature = inspect.signature(inner)
        run.__dict__ = inner.__dict__  # hypothesis.seed, @settings, @example reach `inner`
        run.__signature__ = signature  # type: ignore[attr-defined]  # the fixtures, for pytest
        return run

    return decorate


def example(**values: Any) -> Callable[[Callable[..., Any]], Any]:
    """hypothesis.example for a `@given` test of this module: `values` names the test's
    own arguments (put it above `@given`)."""
    return hypothesis.example(**{BATCH_ARG: [values]})


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
