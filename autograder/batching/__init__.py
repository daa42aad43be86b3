"""Batched graded tests: generated examples and cases run in lockstep, their calls into the
submission made a round at a time (see lockstep, decorators, strategies, shrinking)."""

from autograder.batching import strategies
from autograder.batching.choices import Reject, assume
from autograder.batching.decorators import batched, cases, configure, given

__all__ = ["Reject", "assume", "batched", "cases", "configure", "given", "strategies"]
