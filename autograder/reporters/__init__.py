"""Reporters: adapters from a GradeReport to one output format each; no scoring inside."""
