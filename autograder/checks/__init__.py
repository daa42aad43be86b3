"""Trusted checks: run in the grader process on plain data returned by the worker."""
