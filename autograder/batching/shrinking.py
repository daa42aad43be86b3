"""Shrinking a failing example to a simpler one that still fails, a batch at a time.

An example is its choice sequence (autograder.batching.choices); a sequence is simpler
when it is shorter, or as long and smaller element by element (shortlex). Each pass
proposes simpler sequences: keep only a prefix, zero a choice or a block, drop a block,
lower one choice. They are tried `CHUNK` at a time (the test bodies of a chunk run in
lockstep, so a chunk costs a few round trips to the worker, not one per candidate), and
the simplest one that still fails becomes the example. A fixed budget of candidates keeps
shrinking bounded and the result reproducible.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

CHUNK = 48
BUDGET = 288  # candidates tried per failing test, at most
BLOCKS = (8, 4, 2, 1)

# candidates → for each, the choices it actually made when it still failed, else None
Evaluate = Callable[[list[list[int]]], list[list[int] | None]]


def simpler(a: list[int], b: list[int]) -> bool:
    """Whether `a` is simpler than `b` (shortlex)."""
    return (len(a), a) < (len(b), b)


def _truncations(c: list[int]) -> Iterator[list[int]]:
    """The first 0, 1, 2, 4, … choices only (the rest read as 0): few tries, and often the
    example's size, which its first choices decide, drops at once."""
    k = 0
    while k < len(c):
        yield c[:k]
        k = max(1, 2 * k)


def _zeroings(c: list[int]) -> Iterator[list[int]]:
    """One choice, then blocks, set to 0, from the front (shapes and sizes come first)."""
    for k in (1, *BLOCKS[::-1][1:]):
        for i in range(len(c) - k + 1):
            if any(c[i : i + k]):
                yield c[:i] + [0] * k + c[i + k :]


def _deletions(c: list[int]) -> Iterator[list[int]]:
    for k in BLOCKS:
        for i in range(len(c) - k + 1):
            yield c[:i] + c[i + k :]


def _lowerings(c: list[int]) -> Iterator[list[int]]:
    for i, value in enumerate(c):
        for lower in dict.fromkeys((value // 4, value // 2, value - 1)):
            if 0 < lower < value:
                yield c[:i] + [lower] + c[i + 1 :]


PASSES = (_truncations, _zeroings, _deletions, _lowerings)


def shrink(choices: list[int], evaluate: Evaluate, budget: int = BUDGET) -> list[int]:
    """The simplest still-failing sequence found from `choices` within `budget` tries."""
    best, tried, improved = list(choices), 0, True
    seen = {tuple(best)}
    while improved and tried < budget:
        improved = False
        for make in PASSES:
            while tried < budget:
                chunk = _fresh_chunk(make(best), seen, min(CHUNK, budget - tried))
                if not chunk:
                    break
                tried += len(chunk)
                found = [made for made in evaluate(chunk) if made is not None]
                better = [made for made in found if simpler(made, best)]
                if better:
                    best, improved = min(better, key=lambda m: (len(m), m)), True
                    seen.add(tuple(best))
    return best


def _fresh_chunk(candidates: Iterator[list[int]], seen: set[tuple[int, ...]], size: int) -> list:
    chunk: list[list[int]] = []
    for candidate in candidates:
        key = tuple(candidate)
        if key in seen:
            continue
        seen.add(key)
        chunk.append(candidate)
        if len(chunk) >= size:
            break
    return chunk
