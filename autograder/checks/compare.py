"""Compare a received value with the expected one: type → dtype → shape → device → values.

Every mismatch raises `CheckFailure` with one actionable message: what was
called, on which input, expected vs received at the worst element, how many
elements are off, and the tolerance used.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograder.checks import describe
from autograder.config import Tolerance


class CheckFailure(AssertionError):
    """The student's value is wrong; the message is meant for the student."""

    __module__ = "autograder"


@dataclass(frozen=True)
class Context:
    """Where a value came from: 'sigmoid(x)' on 'x = shape (3, 4), float32 on cpu'.

    `sources` are the named inputs themselves: on a value mismatch, an input of the
    same shape as the value is shown at the worst element (`x[3, 1] = 0.25`)."""

    call: str
    inputs: str = ""
    sources: tuple[tuple[str, Any], ...] = ()
    seed: int | None = None  # with `sources` and no `inputs`: described when a check fails

    def described(self) -> str:
        """`inputs`, or else the sources and seed described (only a failure needs it)."""
        if self.inputs or not (self.sources or self.seed is not None):
            return self.inputs
        return describe.inputs(dict(self.sources), self.seed)

    def fail(self, path: str, problem: str) -> CheckFailure:
        where = f"{self.call}{path}" if path else self.call
        inputs = self.described()
        on = f" for {inputs}" if inputs else ""
        return CheckFailure(f"{where}{on}: {problem}")

    def input_at(self, idx: tuple[int, ...], shape: tuple[int, ...]) -> str:
        """' (there x[3, 1] = 0.25)' for the first input shaped like the value, else ''."""
        if not idx:
            return ""
        for name, value in self.sources:
            if tuple(getattr(value, "shape", ())) == shape and hasattr(value, "__getitem__"):
                element = value[idx]
                number = float(element.item() if hasattr(element, "item") else element)
                return f" (there {name}{describe.index(idx)} = {describe.number(number)})"
        return ""


def _is_tensor(v: Any) -> bool:
    torch = sys.modules.get("torch")  # the checks never import torch themselves
    if torch is not None and type(v) is torch.Tensor:  # the common case, without its name
        return True
    return describe.type_name(v) == "torch.Tensor" and hasattr(v, "dtype")


def _dtype_name(v: Any) -> str:
    return str(v.dtype).removeprefix("torch.")


class Comparer:
    def __init__(self, ctx: Context, tolerances: Mapping[str, Tolerance]) -> None:
        self.ctx, self.tolerances = ctx, tolerances

    def tol(self, dtype: str) -> Tolerance:
        return self.tolerances.get(dtype, self.tolerances["float64"])

    def compare(self, got: Any, want: Any, path: str) -> None:
        if _is_tensor(want):
            return self.tensor(got, want, path)
        if isinstance(want, np.ndarray):
            return self.array(got, want, path)
        if isinstance(want, bool) or isinstance(want, str) or want is None:
            return self.exact(got, want, path)
        if isinstance(want, (int, float, np.number)):
            return self.scalar(got, want, path)
        if isinstance(want, (list, tuple)):
            return self.sequence(got, want, path)
        if isinstance(want, Mapping):
            return self.mapping(got, want, path)
        raise TypeError(f"grader cannot compare expected values of type {type(want)}")

    def wrong_type(self, got: Any, want: str, path: str, hint: str = "") -> CheckFailure:
        extra = f" ({hint})" if hint else ""
        return self.ctx.fail(path, f"expected a {want}, received {describe.type_name(got)}{extra}")

    def tensor(self, got: Any, want: Any, path: str) -> None:
        if not _is_tensor(got):
            raise self.wrong_type(got, "torch.Tensor", path)
        if got.dtype != want.dtype:
            raise self.ctx.fail(
                path,
                f"expected dtype {_dtype_name(want)}, received "
                f"{_dtype_name(got)} (keep the input's dtype)",
            )
        if got.shape != want.shape:
            raise self.ctx.fail(
                path, f"expected shape {tuple(want.shape)}, received {tuple(got.shape)}"
            )
        if got.device.type != want.device.type:
            raise self.ctx.fail(
                path,
                f"expected a tensor on {want.device.type}, received one "
                f"on {got.device.type} (keep the input's device)",
            )
        g = got.detach().cpu().numpy()
        w = want.detach().cpu().numpy()
        self.values(g, w, path, self.tol(_dtype_name(want)))

    def array(self, got: Any, want: np.ndarray, path: str) -> None:
        if not isinstance(got, np.ndarray):
            hint = "wrap it with np.asarray(...)" if isinstance(got, (list, tuple)) else ""
            raise self.wrong_type(got, "np.ndarray", path, hint)
        if got.dtype != want.dtype:
            raise self.ctx.fail(path, f"expected dtype {want.dtype}, received {got.dtype}")
        if got.shape != want.shape:
            raise self.ctx.fail(path, f"expected shape {want.shape}, received {got.shape}")
        self.values(got, want, path, self.tol(want.dtype.name))

    def values(self, got: np.ndarray, want: np.ndarray, path: str, tol: Tolerance) -> None:
        if got.dtype == want.dtype and got.tobytes() == want.tobytes():
            return  # the same bits are within every tolerance (NaN and inf included)
        if got.dtype.kind not in "fc":
            bad = got != want
            if bad.any():
                idx = tuple(int(i) for i in np.argwhere(bad)[0])
                raise self._mismatch(
                    path,
                    idx,
                    want[idx],
                    got[idx],
                    int(bad.sum()),
                    got.size,
                    "exact match",
                    got.shape,
                )
            return
        g, w = got.astype(np.float64, copy=False), want.astype(np.float64, copy=False)
        with np.errstate(invalid="ignore", over="ignore"):
            excess = np.abs(g - w) - (tol.atol + tol.rtol * np.abs(w))
            if (excess <= 0).all():
                return  # every element within the tolerance (NaN excess never is)
        same_special = (np.isnan(g) & np.isnan(w)) | ((g == w) & ~np.isfinite(w))
        excess = np.where(same_special, -1.0, excess)
        excess = np.where(np.isnan(excess), np.inf, excess)
        bad = excess > 0
        if not bad.any():
            return
        idx = np.unravel_index(int(np.argmax(excess)), excess.shape) if excess.ndim else ()
        idx = tuple(int(i) for i in idx)
        rule = f"rtol={tol.rtol:g}, atol={tol.atol:g}"
        raise self._mismatch(path, idx, w[idx], g[idx], int(bad.sum()), g.size, rule, g.shape)

    def _mismatch(
        self,
        path: str,
        idx: tuple[int, ...],
        want: Any,
        got: Any,
        n_bad: int,
        n: int,
        rule: str,
        shape: tuple[int, ...] = (),
    ) -> CheckFailure:
        where = f" at {describe.index(idx)}" if n > 1 or idx else ""
        where += self.ctx.input_at(idx, shape)
        hint = " (NaN/inf: look for overflow, log(0) or 0/0)" if not np.isfinite(got) else ""
        return self.ctx.fail(
            path,
            f"wrong value{where}: expected {describe.number(want)}, "
            f"received {describe.number(got)}{hint}; {n_bad} of {n} "
            f"element{'s' if n != 1 else ''} off ({rule})",
        )

    def scalar(self, got: Any, want: Any, path: str) -> None:
        numeric = isinstance(got, (int, float, np.number)) and not isinstance(got, bool)
        if not numeric:
            hint = "use .item() to get a Python number" if _is_tensor(got) else ""
            raise self.wrong_type(got, type(want).__name__, path, hint)
        if isinstance(want, (int, np.integer)) and not isinstance(got, (int, np.integer)):
            raise self.wrong_type(got, "int", path)
        self.values(
            np.asarray(got, np.float64), np.asarray(want, np.float64), path, self.tol("float64")
        )

    def exact(self, got: Any, want: Any, path: str) -> None:
        if type(got) is not type(want) or got != want:
            raise self.ctx.fail(path, f"expected {want!r}, received {describe.value(got)}")

    def sequence(self, got: Any, want: Sequence[Any], path: str) -> None:
        if not isinstance(got, (list, tuple)):
            raise self.wrong_type(got, type(want).__name__, path)
        if len(got) != len(want):
            raise self.ctx.fail(path, f"expected {len(want)} items, received {len(got)}")
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            self.compare(g, w, f"{path}[{i}]")

    def mapping(self, got: Any, want: Mapping[Any, Any], path: str) -> None:
        if not isinstance(got, Mapping):
            raise self.wrong_type(got, "dict", path)
        missing = [k for k in want if k not in got]
        if missing:
            raise self.ctx.fail(path, f"missing key {missing[0]!r}")
        for key, w in want.items():
            self.compare(got[key], w, f"{path}[{key!r}]")


def assert_close(
    got: Any,
    want: Any,
    ctx: Context,
    tolerances: Mapping[str, Tolerance],
    names: Sequence[str] | None = None,
) -> None:
    """Raise CheckFailure unless `got` matches `want` in type, dtype, shape, device, values."""
    __tracebackhide__ = True
    comparer = Comparer(ctx, tolerances)
    if names is None:
        comparer.compare(got, want, "")
        return
    if not isinstance(got, (list, tuple)):
        raise comparer.wrong_type(got, f"tuple ({', '.join(names)})", "")
    if len(got) != len(names):
        raise ctx.fail(
            "", f"expected {len(names)} values ({', '.join(names)}), received {len(got)}"
        )
    for name, g, w in zip(names, got, want, strict=True):
        comparer.compare(g, w, f" → {name}")
