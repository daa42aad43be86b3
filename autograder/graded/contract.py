"""Checks of a function's contract beyond its value: errors raised, global settings kept.

The harness (autograder/harness/_common.py) reports which exception each call raised,
and sends back values it made right after a call, under whatever global settings the
call left behind: a new tensor, a product with a tensor that requires grad, draws from
torch's, numpy's and Python's global generators. The grader makes the same values
itself from the same seed and compares: no setting is taken on the worker's word.
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import torch

from autograder.config import Tolerance
from autograder.harness._common import seed_torch

# the seed the harness gives every random state before an observed call: no student seeds
# with it, so re-seeding to the student's own number always shows
OBSERVE_SEED = 1_904_256_371
DRAWS = 4  # as autograder.harness._common.DRAWS
# setting → what the student most likely did, and what to do instead
HINTS = {
    "default_dtype": "torch.set_default_dtype; pass dtype= where you make a tensor instead",
    "default_device": "torch.set_default_device; pass device= where you make a tensor instead",
    "grad_enabled": "torch.set_grad_enabled; use a `with torch.no_grad():` block instead",
    "torch_rng": "torch.manual_seed, or a random draw such as torch.randn",
    "numpy_rng": "np.random.seed, or a draw from np.random",
    "python_rng": "random.seed, or a draw from Python's random module",
}
EXACT = {"float32": Tolerance(0.0, 0.0), "float64": Tolerance(0.0, 0.0)}


def expected_draws(seed: int, torch_rng: torch.Tensor | None = None) -> dict[str, Any]:
    """What the global generators give after seeding with `seed` (torch's: from the state
    `torch_rng` instead, where given), made here in the grader."""
    with torch.random.fork_rng(devices=[]):
        if torch_rng is None:
            seed_torch(seed)
        else:
            torch.set_rng_state(torch_rng)
        draws = torch.rand(DRAWS, dtype=torch.float64)
    python = random.Random(seed)
    return {
        "torch": draws,
        "numpy": np.random.RandomState(seed % 2**32).random_sample(DRAWS),
        "python": [python.random() for _ in range(DRAWS)],
    }


def _same(got: Any, want: Any) -> bool:
    if isinstance(want, torch.Tensor):
        return (
            isinstance(got, torch.Tensor)
            and got.dtype == want.dtype
            and got.shape == want.shape
            and bool(torch.equal(got.detach().cpu(), want))
        )
    if isinstance(want, np.ndarray):
        return isinstance(got, np.ndarray) and got.shape == want.shape and np.array_equal(got, want)
    return isinstance(got, list) and got == want


def changed(observed: Any, seed: int, torch_rng: torch.Tensor | None = None) -> str | None:
    """A sentence naming the first setting the call changed, judged from the values made
    after it, or None when it changed none."""
    after = observed.get("after") if isinstance(observed, dict) else None
    if not isinstance(after, dict):
        return "the grader could not observe the call (tell your instructor)"
    made, tracked = after.get("made"), after.get("tracked")
    if not isinstance(made, torch.Tensor) or not isinstance(tracked, torch.Tensor):
        return "the grader could not observe the call (tell your instructor)"
    if made.dtype != torch.float32:
        dtype = str(made.dtype).removeprefix("torch.")
        return (
            f"it changed torch's default dtype from float32 to {dtype} ({HINTS['default_dtype']})"
        )
    if made.device.type != "cpu":
        return (
            f"it changed torch's default device from cpu to {made.device} "
            f"({HINTS['default_device']})"
        )
    if not tracked.requires_grad:
        return f"it switched gradients off and left them off ({HINTS['grad_enabled']})"
    want = expected_draws(seed, torch_rng)
    for key, name in (
        ("torch", "torch's global random state"),
        ("numpy", "numpy's global random state"),
        ("python", "Python's random state"),
    ):
        if not _same(after.get(key), want[key]):
            return (
                f"it changed {name}: a random draw right after it differs from one without "
                f"the call ({HINTS[f'{key}_rng']})"
            )
    return None


def check_untouched(
    check: Any, observed: Any, *, call: str, seed: int, torch_rng: torch.Tensor | None = None
) -> None:
    """Fail unless the observed call, started from `seed`, left every global setting as it
    found it (torch's generator: where `torch_rng` says, if given)."""
    __tracebackhide__ = True
    problem = changed(observed, seed, torch_rng)
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


def named_tensors(value: Any, path: str) -> list[tuple[str, torch.Tensor]]:
    """(path, tensor) for every tensor inside nested lists, tuples and dicts, in the
    order the harness' _common.tensors lists them."""
    if isinstance(value, torch.Tensor):
        return [(path, value)]
    if isinstance(value, (list, tuple)):
        return [pair for k, v in enumerate(value) for pair in named_tensors(v, f"{path}[{k}]")]
    if isinstance(value, dict):
        return [pair for k, v in value.items() for pair in named_tensors(v, f"{path}[{k!r}]")]
    return []


def check_inputs_kept(check: Any, given: Any, inputs: dict[str, Any], call: str) -> None:
    """The tensors of `inputs` (name → value, in argument order) as the harness held them
    after the calls (`given`) against the grader's own, untouched copies."""
    __tracebackhide__ = True
    want = [pair for name, value in inputs.items() for pair in named_tensors(value, name)]
    check.that(
        isinstance(given, list) and len(given) == len(want),
        "the grader got no answer (tell your instructor)",
        call=call,
    )
    for (path, tensor), got in zip(want, given, strict=True):
        check.close(
            got,
            tensor,
            call=f"{call}: {path} afterwards (leave the inputs as they were; build new tensors)",
            tolerances=EXACT,
        )


def check_reused(
    check: Any,
    run: Any,
    inputs: dict[str, Any],
    wants: list[Any],
    calls: list[str],
    *,
    names: tuple[str, ...] | None = None,
    tolerances: Any = None,
) -> None:
    """Judge the harness' `reused` run of several calls on the same objects (`inputs`,
    name → value, the pool in order): each call's result (a copy made right after it)
    against `wants[k]`, the grader's own value from its untouched copies (a call before
    that changed them shows here); the inputs' tensors after all calls against those
    copies; then each result itself, read after the grader changed the inputs in place,
    against the copy made right after its call."""
    __tracebackhide__ = True
    results = run.get("results") if isinstance(run, dict) else None
    check.that(
        isinstance(results, list)
        and len(results) == len(wants)
        and all(isinstance(r, dict) and {"now", "then"} <= set(r) for r in results),
        "the grader got no answer (tell your instructor)",
        call=calls[0],
    )
    for result, want, call in zip(results, wants, calls, strict=True):
        check.close(result["then"], want, call=call, names=names, tolerances=tolerances)
    more = len(calls) - 1
    after = f"{calls[0]} and {more} more call{'s' if more > 1 else ''} on the same inputs"
    check_inputs_kept(check, run.get("given"), inputs, after if more else calls[0])
    for result, call in zip(results, calls, strict=True):
        check.close(
            result["now"],
            result["then"],
            call=f"{call}, read again after the grader changed the inputs in place (return "
            "new tensors that share no memory with the inputs, e.g. with .clone())",
            names=names,
            tolerances=EXACT,
        )
