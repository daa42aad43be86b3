"""Worker-side helpers shared by the unit harnesses (not a harness of its own).

`observed` starts a student function from known process-wide settings (torch's default
dtype, device and grad mode at torch's defaults; torch's, numpy's and Python's random
states seeded with a number the grader picks, so a student's own seed cannot coincide),
records them before and after the call, sends both back as raw values for the grader to
compare, and puts the old settings back so one function's side effect cannot spoil the
next task. `raised` reports which exception (if any) each of several calls raised.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch


def snapshot() -> dict[str, Any]:
    """The global settings as plain data (tensors, arrays, numbers, strings)."""
    _, keys, pos, has_gauss, cached = np.random.get_state()
    version, internal, gauss = random.getstate()
    return {
        "default_dtype": str(torch.get_default_dtype()).removeprefix("torch."),
        "default_device": str(torch.get_default_device()),
        "grad_enabled": torch.is_grad_enabled(),
        "torch_rng": torch.get_rng_state(),
        "numpy_rng": [np.asarray(keys, dtype=np.int64), int(pos), int(has_gauss), float(cached)],
        "python_rng": [int(version), list(internal), gauss],
    }


def _restore(before: dict[str, Any], raw: dict[str, Any]) -> None:
    torch.set_default_dtype(getattr(torch, before["default_dtype"]))
    torch.set_default_device(None if before["default_device"] == "cpu" else raw["device"])
    torch.set_grad_enabled(before["grad_enabled"])
    torch.set_rng_state(before["torch_rng"])
    np.random.set_state(raw["numpy"])
    random.setstate(raw["python"])


def _known_start(seed: int) -> None:
    torch.set_default_dtype(torch.float32)
    torch.set_default_device(None)
    torch.set_grad_enabled(True)
    torch.manual_seed(seed)
    np.random.seed(seed % 2**32)
    random.seed(seed)


def observed(func: Callable[..., Any], seed: int, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """{"value", "before", "after"}: the call's result and the global settings around it,
    started from torch's defaults and random states seeded with `seed`."""
    raw = {
        "numpy": np.random.get_state(),
        "python": random.getstate(),
        "device": torch.get_default_device(),
    }
    old = snapshot()
    try:
        _known_start(seed)
        before = snapshot()
        value = func(*args, **kwargs)
        after = snapshot()
    finally:
        _restore(old, raw)
    return {"value": value, "before": before, "after": after}


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


def _tensors(value: Any, path: str = "") -> list[tuple[str, torch.Tensor]]:
    """(path, tensor) for every tensor inside nested lists, tuples and dicts."""
    if isinstance(value, torch.Tensor):
        return [(path, value)]
    if isinstance(value, (list, tuple)):
        return [pair for k, v in enumerate(value) for pair in _tensors(v, f"{path}[{k}]")]
    if isinstance(value, dict):
        return [pair for k, v in value.items() for pair in _tensors(v, f"{path}[{k!r}]")]
    return []


def shared_memory(outputs: Any, inputs: Any) -> list[str]:
    """Paths of the tensors in `outputs` that share memory with a tensor in `inputs`
    (a later in-place change of the input would change them too)."""
    given = {t.untyped_storage().data_ptr() for _, t in _tensors(inputs) if t.numel()}
    return [
        path
        for path, t in _tensors(outputs)
        if t.numel() and t.untyped_storage().data_ptr() in given
    ]
