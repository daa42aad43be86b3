"""Batched graded tests: hypothesis examples and fixed cases run in lockstep, their calls
into the submission made a round at a time (see lockstep, decorators)."""

from autograder.batching.decorators import NotShrunk, batched, cases, example, given

__all__ = ["NotShrunk", "batched", "cases", "example", "given"]
