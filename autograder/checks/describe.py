"""Short, student-facing descriptions of inputs and values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from autograder.seeds import mixed

SHOW_VALUES_UP_TO = 6


def type_name(value: Any) -> str:
    from autograder.worker.wire import Opaque

    if isinstance(value, Opaque):
        return value.type_name
    kind = type(value)
    module = kind.__module__
    if module == "torch" or module.startswith("torch."):
        return "torch.Tensor" if kind.__name__ == "Tensor" else f"torch.{kind.__name__}"
    if module == "numpy":
        return "np.ndarray" if kind is np.ndarray else f"np.{kind.__name__}"
    return kind.__name__ if module == "builtins" else f"{module}.{kind.__qualname__}"


def _is_tensor(value: Any) -> bool:
    return type(value).__module__.startswith("torch") and hasattr(value, "dtype")


def value(v: Any) -> str:
    """A compact rendering of one input value."""
    if _is_tensor(v):
        dtype = str(v.dtype).removeprefix("torch.")
        head = f"shape {tuple(v.shape)}, {dtype} on {v.device.type}"
        if v.numel() <= SHOW_VALUES_UP_TO:
            return f"{v.detach().cpu().tolist()} ({head})"
        return head
    if isinstance(v, np.ndarray):
        head = f"shape {v.shape}, {v.dtype}"
        return f"{v.tolist()} ({head})" if v.size <= SHOW_VALUES_UP_TO else head
    if isinstance(v, float):
        return f"{v:.6g}"
    if isinstance(v, (list, tuple)) and len(v) > SHOW_VALUES_UP_TO:
        return f"{type(v).__name__} of {len(v)} items"
    text = repr(v)
    return text if len(text) <= 80 else text[:77] + "..."


def inputs(named: Mapping[str, Any] | None, seed: int | None = None) -> str:
    """'x = shape (3, 4), float32 on cpu; alpha = 0.1 (seed 3)': the seed the inputs were
    drawn from (the suite's `seed` mixed with the run's grading seed)."""
    if seed is not None:
        seed = mixed(seed)
    parts = [f"{name} = {value(v)}" for name, v in (named or {}).items()]
    text = "; ".join(parts)
    if seed is not None:
        text = f"{text} (seed {seed})" if text else f"seed {seed}"
    return text


def number(x: float) -> str:
    return f"{x:.6g}"


def index(idx: tuple[int, ...]) -> str:
    return "[" + ", ".join(str(i) for i in idx) + "]" if idx else "(scalar)"
