"""Checks of a function's contract beyond its value: errors raised, global settings kept.

The harness (autograder/harness/_common.py) reports which exception each call raised,
and records torch's default dtype, default device and grad mode and torch's, numpy's and
Python's random states before and after a call, as raw values; the verdicts are made
here, in the grader.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

# the seed the harness gives every random state before an observed call: no student seeds
# with it, so re-seeding to the student's own number always shows
OBSERVE_SEED = 1_904_256_371
# setting → what the student most likely did, and what to do instead
HINTS = {
    "default_dtype": "torch.set_default_dtype; pass dtype= where you make a tensor instead",
    "default_device": "torch.set_default_device; pass device= where you make a tensor instead",
    "grad_enabled": "torch.set_grad_enabled; use a `with torch.no_grad():` block instead",
    "torch_rng": "torch.manual_seed, or a random draw such as torch.randn",
    "numpy_rng": "np.random.seed, or a draw from np.random",
    "python_rng": "random.seed, or a draw from Python's random module",
}
NAMES = {
    "default_dtype": "torch's default dtype",
    "default_device": "torch's default device",
    "grad_enabled": "torch's grad mode",
    "torch_rng": "torch's random number generator state",
    "numpy_rng": "numpy's global random state",
    "python_rng": "Python's random state",
}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor):
        return a.shape == b.shape and bool(torch.equal(a, b))
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
        return a.shape == b.shape and bool(np.array_equal(a, b))
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def changed(observed: Any) -> str | None:
    """A sentence naming the first setting the call changed, or None when it changed none."""
    if not isinstance(observed, dict) or not {"before", "after"} <= set(observed):
        return "the grader could not observe the call (tell your instructor)"
    before, after = observed["before"], observed["after"]
    for key, name in NAMES.items():
        if not _same(before.get(key), after.get(key)):
            shown = (
                f" from {before[key]} to {after[key]}"
                if key in ("default_dtype", "default_device", "grad_enabled")
                else ""
            )
            return f"it changed {name}{shown} ({HINTS[key]})"
    return None


def check_untouched(check: Any, observed: Any, *, call: str) -> None:
    """Fail unless the observed call left every global setting as it found it."""
    __tracebackhide__ = True
    problem = changed(observed)
    check.that(problem is None, f"{problem}; leave global settings alone", call=call)


def expect_value_error(
    check: Any, outcomes: Any, calls: list[str], must_raise: list[bool] | None = None
) -> None:
    """Fail unless each call in `calls` raised a ValueError where `must_raise` says so (all
    by default) and returned normally elsewhere (`outcomes` from the harness)."""
    __tracebackhide__ = True
    must_raise = [True] * len(calls) if must_raise is None else must_raise
    ok = isinstance(outcomes, list) and len(outcomes) == len(calls)
    check.that(ok, "the grader got no answer (tell your instructor)", call=calls[0])
    for call, (raised, is_value_error), must in zip(calls, outcomes, must_raise, strict=True):
        what = "returned normally" if raised == "nothing" else f"raised {raised}"
        if must:
            check.that(is_value_error is True, f"expected ValueError, but it {what}", call=call)
        else:
            check.that(raised == "nothing", f"expected no error, but it {what}", call=call)
