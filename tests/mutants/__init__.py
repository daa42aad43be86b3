"""Realistic wrong implementations, one module per unit: MUTANTS[task id] = [(why, source)].

Each source is a complete replacement for the task's top-level def in solutions/<unit>.py.
tests/test_wrong_implementations.py grades each one and asserts it loses exactly its task.
"""
