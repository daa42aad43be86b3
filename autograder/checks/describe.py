"""Short, student-facing descriptions of inputs and values.

A value a student's code returned reaches a message only through these functions: a
string, a dict key or an Opaque's type name is shown as a safe line (`safe_text`), never
raw, even where the wire's own sanitising was bypassed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from autograder import safe_text
from autograder.seeds import current

SHOW_VALUES_UP_TO = 6
VALUE_WIDTH = 80  # characters of a value's repr in a message


def type_name(value: Any) -> str:
    from autograder.worker.wire import REPR_LIMIT, Opaque

    if isinstance(value, Opaque):
        return safe_text.line(value.type_name, REPR_LIMIT)
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
    return safe_text.line(repr(v), VALUE_WIDTH)


def inputs(named: Mapping[str, Any] | None, seed: int | None = None) -> str:
    """'x = shape (3, 4), float32 on cpu; alpha = 0.1 (seed 3)': the suite's seed the
    inputs were drawn from. Where the run mixes it with a grading seed, the message says
    so and shows only the suite's number: a mixed seed could be searched for the base."""
    parts = [f"{name} = {value(v)}" for name, v in (named or {}).items()]
    text = "; ".join(parts)
    if seed is not None:
        shown = f"seed {seed}" if current().base is None else f"seed {seed}, mixed"
        text = f"{text} ({shown})" if text else shown
    return text


def number(x: float) -> str:
    return f"{x:.6g}"


def index(idx: tuple[int, ...]) -> str:
    return "[" + ", ".join(str(i) for i in idx) + "]" if idx else "(scalar)"
