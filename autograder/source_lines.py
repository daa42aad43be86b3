"""Where each top-level function or class of a student's file starts, read from its text
(never imported), for annotations that point at the line to fix."""

from __future__ import annotations

import ast
import functools


@functools.lru_cache(maxsize=32)
def parsed(source: str) -> ast.Module:
    """The syntax tree of `source`, parsed once per text however many checks read it
    (callers must not change it). Raises SyntaxError or ValueError as `ast.parse` does."""
    return ast.parse(source)


def definitions(source: str) -> dict[str, int]:
    """Name → line of the last top-level `def`/`class` of that name (Python keeps the last)."""
    try:
        tree = parsed(source)
    except (SyntaxError, ValueError):
        return {}
    lines = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            lines[node.name] = node.lineno
    return lines
