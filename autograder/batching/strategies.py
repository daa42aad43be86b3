"""Strategies for generated inputs, drawn from a choice sequence (autograder.batching.choices).

They mirror the hypothesis strategies the graded suite used (floats, integers, arrays,
shapes, lists, sampled_from, one_of, tuples, map, flatmap, data) and, like hypothesis,
lean on the values where bugs hide: bounds, zero, integers, tiny and huge magnitudes,
arrays filled with one value. Each draw is a few Python operations, not an engine round
(hypothesis: about 2 ms an example here). The leaning happens when choices are generated
(Choices.biased, Choices.weighted); what is recorded is a plain number that draws its
simplest value at 0 and simpler values when lower, so shrinking the choices simplifies
the example.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

import numpy as np

from autograder.batching.choices import Choices, Reject

T = TypeVar("T")
U = TypeVar("U")
MANTISSA = 2**53
# values that often break numerical code (hypothesis' own list, in spirit), and their negatives
NASTY = (
    0.5, 1.0, 1.1, 1.5, 1.9, 2.0, 1 / 3, 0.1, 10.0, 1e6, 1e-6, 1e-8, 1e-300, 5e-324,
    2.2250738585072014e-308, 1.1754943508222875e-38, 2.220446049250313e-16, 1.1920929e-07,
    1 - 1e-6, 2 + 1e-6, 1e10, 9007199254740992.0, 3.4028234663852886e38, 1.7976931348623157e308,
)  # fmt: skip


class Strategy(Generic[T]):
    """Draws one value from a `Choices`."""

    def draw(self, src: Choices) -> T:
        raise NotImplementedError

    def map(self, f: Callable[[T], U]) -> Strategy[U]:
        return Mapped(self, f)

    def flatmap(self, f: Callable[[T], Strategy[U]]) -> Strategy[U]:
        return FlatMapped(self, f)

    def filter(self, predicate: Callable[[T], object]) -> Strategy[T]:
        return Filtered(self, predicate)


class Just(Strategy[T]):
    def __init__(self, value: T) -> None:
        self.value = value

    def draw(self, src: Choices) -> T:
        return self.value


def _sides(lo: float, hi: float, simplest: float) -> tuple[float, float]:
    """How far the range reaches above and below its simplest value."""
    return hi - simplest, simplest - lo


def _positive(src: Choices, up: float, down: float) -> bool:
    """Which side of the simplest value to draw on, in proportion to their lengths (the
    upper side first: it is what shrinking goes to)."""
    if up > 0 and down > 0:
        return src.weighted((up, down)) == 0
    return up > 0


class Integers(Strategy[int]):
    """Integers in [lo, hi], drawn as an offset from the simplest one (0, or the bound
    nearest it): any offset, with the bounds and offsets of 0 and 1 drawn often."""

    def __init__(self, lo: int, hi: int) -> None:
        if lo > hi:
            raise ValueError(f"integers({lo}, {hi}): empty range")
        self.lo, self.hi = lo, hi
        self.simplest = min(max(0, lo), hi)

    def draw(self, src: Choices) -> int:
        up, down = _sides(self.lo, self.hi, self.simplest)
        positive = _positive(src, up, down)
        side = up if positive else down
        offset = src.biased(side, (side, 1, 0), 0.25)
        return self.simplest + offset if positive else self.simplest - offset


class Floats(Strategy[float]):
    """Finite floats in [lo, hi] (never NaN or infinite), as an offset from the simplest
    value (0, or the bound nearest it): whole and fractional parts (whole numbers and the
    bounds drawn often), magnitudes spread from 1e-12 up, or a nasty value (the bounds,
    their neighbours, tiny and huge numbers). All choices 0 give the simplest value;
    shrinking goes to whole numbers, then smaller ones."""

    def __init__(self, lo: float, hi: float) -> None:
        lo, hi = float(lo), float(hi)
        if not (math.isfinite(lo) and math.isfinite(hi) and lo <= hi):
            raise ValueError(f"floats({lo}, {hi}): bounds must be finite and ordered")
        self.lo, self.hi = lo, hi
        self.simplest = min(max(0.0, lo), hi)
        candidates = {lo, hi, math.nextafter(lo, math.inf), math.nextafter(hi, -math.inf)}
        candidates |= {v for x in NASTY for v in (x, -x)}
        if lo <= 0.0 <= hi:
            candidates |= {0.0, -0.0}
        inside = [v for v in candidates if lo <= v <= hi]
        self.specials = sorted(inside, key=lambda v: (v != int(v), abs(v), math.copysign(1, v)))

    def draw(self, src: Choices) -> float:
        kind = src.weighted((0.45, 0.3, 0.25))
        if kind == 2:
            return self.specials[src.choice(len(self.specials) - 1)]
        up, down = _sides(self.lo, self.hi, self.simplest)
        positive = _positive(src, up, down)
        side = up if positive else down
        offset = min(self._offset(src, side) if kind == 0 else self._spread(src, side), side)
        value = self.simplest + offset if positive else self.simplest - offset
        return min(max(value, self.lo), self.hi)

    @staticmethod
    def _offset(src: Choices, side: float) -> float:
        top = int(min(side, 2.0**53))
        whole = src.biased(top, (0, 1, top), 0.3)
        return whole + src.biased(MANTISSA - 1, (0,), 0.25) / MANTISSA

    @staticmethod
    def _spread(src: Choices, side: float) -> float:
        """10**e, e uniform between -12 and log10(side)."""
        if side <= 0.0:
            return 0.0
        high = math.log10(side)
        low = min(-12.0, high - 1.0)
        return 10.0 ** (low + (high - low) * src.choice(MANTISSA - 1) / MANTISSA)


class Booleans(Strategy[bool]):
    def draw(self, src: Choices) -> bool:
        return bool(src.choice(1))


class SampledFrom(Strategy[T]):
    def __init__(self, values: Sequence[T]) -> None:
        if not values:
            raise ValueError("sampled_from(): no values")
        self.values = list(values)

    def draw(self, src: Choices) -> T:
        return self.values[src.choice(len(self.values) - 1)]


class OneOf(Strategy[Any]):
    def __init__(self, *options: Strategy[Any]) -> None:
        self.options = options

    def draw(self, src: Choices) -> Any:
        return self.options[src.choice(len(self.options) - 1)].draw(src)


class Tuples(Strategy[tuple]):
    def __init__(self, *parts: Strategy[Any]) -> None:
        self.parts = parts

    def draw(self, src: Choices) -> tuple:
        return tuple(part.draw(src) for part in self.parts)


class Lists(Strategy[list]):
    """Lists of min_size..max_size elements (distinct ones when `unique`)."""

    def __init__(
        self, elements: Strategy[Any], min_size: int = 0, max_size: int = 10, unique: bool = False
    ) -> None:
        self.elements, self.min_size, self.max_size, self.unique = (
            elements,
            min_size,
            max_size,
            unique,
        )

    def draw(self, src: Choices) -> list:
        span = self.max_size - self.min_size
        size = self.min_size + src.biased(span, (0, span), 0.2)
        out: list[Any] = []
        for _ in range(size):
            value = self.elements.draw(src)
            tries = 0
            while self.unique and value in out and tries < 5:
                value, tries = self.elements.draw(src), tries + 1
            if self.unique and value in out:
                break
            out.append(value)
        if len(out) < self.min_size:
            raise Reject("could not draw enough distinct elements")
        return out


class Shapes(Strategy[tuple]):
    def __init__(self, min_dims: int, max_dims: int, min_side: int, max_side: int) -> None:
        self.min_dims, self.max_dims, self.min_side, self.max_side = (
            min_dims,
            max_dims,
            min_side,
            max_side,
        )

    def draw(self, src: Choices) -> tuple:
        dims = self.min_dims + src.choice(self.max_dims - self.min_dims)
        return tuple(self.min_side + src.choice(self.max_side - self.min_side) for _ in range(dims))


class Arrays(Strategy[np.ndarray]):
    """NumPy arrays of `dtype` and `shape` (a tuple or a strategy): one value everywhere,
    one value with a few others scattered in, or every element drawn."""

    def __init__(self, dtype: Any, shape: Any, elements: Strategy[Any]) -> None:
        self.dtype, self.shape, self.elements = np.dtype(dtype), shape, elements

    def draw(self, src: Choices) -> np.ndarray:
        shape = self.shape.draw(src) if isinstance(self.shape, Strategy) else tuple(self.shape)
        size = math.prod(shape)
        mode = src.weighted((0.1, 0.2, 0.7))  # one value, a few in one value, all drawn
        if mode == 0 or size == 0:
            fill = self.elements.draw(src) if size else 0
            return np.full(shape, fill, dtype=self.dtype)
        if mode == 1:
            flat = np.full(size, self.elements.draw(src), dtype=self.dtype)
            for _ in range(src.choice(size)):
                flat[src.choice(size - 1)] = self.elements.draw(src)
            return flat.reshape(shape)
        values = [self.elements.draw(src) for _ in range(size)]
        return np.array(values, dtype=self.dtype).reshape(shape)


class Mapped(Strategy[U]):
    def __init__(self, inner: Strategy[T], f: Callable[[T], U]) -> None:
        self.inner, self.f = inner, f

    def draw(self, src: Choices) -> U:
        return self.f(self.inner.draw(src))


class FlatMapped(Strategy[U]):
    def __init__(self, inner: Strategy[T], f: Callable[[T], Strategy[U]]) -> None:
        self.inner, self.f = inner, f

    def draw(self, src: Choices) -> U:
        return self.f(self.inner.draw(src)).draw(src)


class Filtered(Strategy[T]):
    def __init__(self, inner: Strategy[T], predicate: Callable[[T], object]) -> None:
        self.inner, self.predicate = inner, predicate

    def draw(self, src: Choices) -> T:
        for _ in range(3):
            value = self.inner.draw(src)
            if self.predicate(value):
                return value
        raise Reject("filter: no value satisfied the condition")


class Data:
    """Draws inside a test body (`data.draw(strategy, label=...)`), remembered by label
    for the failing example's note."""

    def __init__(self, src: Choices) -> None:
        self.src = src
        self.drawn: list[tuple[str, Any]] = []

    def draw(self, strategy: Strategy[T], label: str | None = None) -> T:
        value = strategy.draw(self.src)
        self.drawn.append((label or f"draw {len(self.drawn) + 1}", value))
        return value


class DataStrategy(Strategy[Data]):
    def draw(self, src: Choices) -> Data:
        return Data(src)


# ---- the constructors the graded suite uses (named as in hypothesis) ----


def just(value: T) -> Strategy[T]:
    return Just(value)


def integers(min_value: int, max_value: int) -> Strategy[int]:
    return Integers(min_value, max_value)


def floats(min_value: float, max_value: float) -> Strategy[float]:
    """Finite floats in [min_value, max_value]: never NaN, never infinite."""
    return Floats(min_value, max_value)


def booleans() -> Strategy[bool]:
    return Booleans()


def sampled_from(values: Sequence[T]) -> Strategy[T]:
    return SampledFrom(values)


def one_of(*options: Strategy[Any]) -> Strategy[Any]:
    return options[0] if len(options) == 1 else OneOf(*options)


def tuples(*parts: Strategy[Any]) -> Strategy[tuple]:
    return Tuples(*parts)


def lists(
    elements: Strategy[T], min_size: int = 0, max_size: int = 10, unique: bool = False
) -> Strategy[list]:
    return Lists(elements, min_size, max_size, unique)


def array_shapes(
    min_dims: int = 1, max_dims: int = 3, min_side: int = 1, max_side: int = 5
) -> Strategy[tuple]:
    return Shapes(min_dims, max_dims, min_side, max_side)


def arrays(dtype: Any, shape: Any, elements: Strategy[Any]) -> Strategy[np.ndarray]:
    return Arrays(dtype, shape, elements)


def data() -> Strategy[Data]:
    return DataStrategy()
