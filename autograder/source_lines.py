"""Where each top-level function or class of a student's file starts, read from its text
(never imported), for annotations that point at the line to fix."""

from __future__ import annotations

import ast


def definitions(source: str) -> dict[str, int]:
    """Name → line of the last top-level `def`/`class` of that name (Python keeps the last)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return {}
    lines = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            lines[node.name] = node.lineno
    return lines
