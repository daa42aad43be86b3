"""Worker-side helpers shared by the unit harnesses (not a harness of its own).

Nothing here reports a flag or a verdict: everything sent back is a value the grader
compares with what it computes itself (trust rule 3, "judge values, not claims").

`observed` starts a student function from known process-wide settings (torch's default
dtype, device and grad mode at torch's defaults; torch's, numpy's and Python's random
states seeded with a number the grader picks) and, right after the call, makes `probe`
values under whatever settings the call left behind: a new tensor (its dtype and device
show the defaults), a product with a tensor that requires grad (its requires_grad shows
the grad mode) and draws from each global generator. The grader makes the same values
itself from the same seed. The old settings are put back afterwards, so one function's
side effect cannot spoil the next task. `reused` calls a function several times on the
very same objects, sends back those objects' tensors as they are afterwards (from a tuple
of its own, which no call can refill), then changes them in place, so that a call which
changes its inputs, or returns tensors sharing their memory, gives values that differ
from the grader's. `raised` reports which exception (if any) each of several calls raised.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch

DRAWS = 4  # values drawn from each global generator after a call


def probe() -> dict[str, Any]:
    """Values made under the current global settings (see the module docstring)."""
    leaf = torch.ones(1, dtype=torch.float64, device="cpu", requires_grad=True)
    return {
        "made": torch.zeros(1),
        "tracked": leaf * 2.0,
        "torch": torch.rand(DRAWS, dtype=torch.float64, device="cpu"),
        "numpy": np.random.random_sample(DRAWS),
        "python": [random.random() for _ in range(DRAWS)],
    }


def seed_torch(seed: int) -> None:
    """torch.manual_seed(seed), less its cost where there is no accelerator: with CUDA
    not initialised, torch.manual_seed queues a seeding for CUDA, XPU and MTIA each with a
    formatted stack trace (3 ms a call). With CUDA available it is torch.manual_seed."""
    if torch.cuda.is_available():
        torch.manual_seed(seed)
    else:
        torch.random.default_generator.manual_seed(seed)


def _known_start(seed: int) -> None:
    torch.set_default_dtype(torch.float32)
    torch.set_default_device(None)
    torch.set_grad_enabled(True)
    seed_torch(seed)
    np.random.seed(seed % 2**32)
    random.seed(seed)


def observed(func: Callable[..., Any], seed: int, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """{"value", "after"}: the call's result and the probe values made right after it,
    started from torch's defaults and random states seeded with `seed`."""
    saved = (
        torch.get_default_dtype(),
        torch.get_default_device(),
        torch.is_grad_enabled(),
        torch.get_rng_state(),
        np.random.get_state(),
        random.getstate(),
    )
    try:
        _known_start(seed)
        value = func(*args, **kwargs)
        after = probe()
    finally:
        dtype, device, grad, torch_rng, numpy_rng, python_rng = saved
        torch.set_default_dtype(dtype)
        torch.set_default_device(None if device.type == "cpu" else device)
        torch.set_grad_enabled(grad)
        torch.set_rng_state(torch_rng)
        np.random.set_state(numpy_rng)
        random.setstate(python_rng)
    return {"value": value, "after": after}


def raised(
    func: Callable[..., Any], calls: Sequence[tuple[Sequence[Any], dict[str, Any]]]
) -> list[list[Any]]:
    """For each (args, kwargs): [type name, is a ValueError] of what func raised, or
    ["nothing", False] when it returned. NotImplementedError propagates (a stub)."""
    out: list[list[Any]] = []
    for args, kwargs in calls:
        try:
            func(*args, **kwargs)
        except NotImplementedError:
            raise
        except Exception as exc:  # noqa: BLE001 - the grader reports which one it was
            out.append([type(exc).__name__, isinstance(exc, ValueError)])
        else:
            out.append(["nothing", False])
    return out


def tensors(value: Any) -> list[torch.Tensor]:
    """Every tensor inside nested lists, tuples and dicts."""
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, (list, tuple)):
        return [t for item in value for t in tensors(item)]
    if isinstance(value, dict):
        return [t for item in value.values() for t in tensors(item)]
    return []


def copied(value: Any) -> Any:
    """`value` with every tensor inside nested lists, tuples and dicts cloned."""
    if isinstance(value, torch.Tensor):
        return value.detach().clone()
    if isinstance(value, list):
        return [copied(item) for item in value]
    if isinstance(value, tuple):
        return tuple(copied(item) for item in value)
    if isinstance(value, dict):
        return {k: copied(v) for k, v in value.items()}
    return value


def scribble(value: Any) -> None:
    """Change every tensor inside `value` in place (x → 1 − 3x; integers + 1)."""
    with torch.no_grad():
        for t in tensors(value):
            if t.is_floating_point():
                t.mul_(-3.0).add_(1.0)
            elif t.dtype != torch.bool:
                t.add_(1)


def reused(
    func: Callable[..., Any], pool: list[Any], calls: Sequence[Sequence[int]]
) -> dict[str, Any]:
    """func(*[pool[i] for i in call]) for each call, all on the very same objects.

    {"results": per call {"then": a copy of its result made right after it, "now": the
    result itself after every call has run and every tensor in `pool` was changed in
    place (a result that shares memory with an input changes with it)}, "given": copies
    of the pool's tensors after all calls}. The tensors are held in a tuple taken before
    the first call, so putting fresh copies into the lists the calls got changes nothing.
    """
    held = tuple(tensors(pool))
    results = []
    for call in calls:
        value = func(*[pool[i] for i in call])
        results.append((value, copied(value)))
    given = copied(list(held))
    scribble(held)
    return {"results": [{"now": now, "then": then} for now, then in results], "given": given}
