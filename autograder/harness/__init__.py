"""Grader-side harness code that runs inside the worker.

Objects that cannot cross the process boundary (nn.Module instances, optimizers,
caches holding closures) are built and driven here, next to the student's code;
only plain data (losses, state-dict tensors, shapes) goes back to the grader,
which computes every verdict itself. Each harness function takes `unit`, a
callable returning the student's module for a unit name, as its first argument.
"""
