"""The one root of every error the grader raises on purpose."""

from __future__ import annotations


class AutograderError(Exception):
    """Root of all grader errors; the message names the source and the fix."""


class ConfigError(AutograderError):
    """grading.yml is missing, malformed or holds a bad value."""


class SubmissionError(AutograderError):
    """A submission folder is missing or not shaped like assignments/."""


class ReleaseError(AutograderError):
    """solutions/ cannot be turned into student stubs."""


class WireError(AutograderError):
    """A message between grader and worker is malformed."""


class UsageError(AutograderError):
    """A command-line argument names something that does not exist."""
