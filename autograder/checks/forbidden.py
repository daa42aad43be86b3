"""Static check, run in the grader on the student's source text: no forbidden built-ins.

The course asks students to write sigmoid without torch.sigmoid, a derivative without
autograd, an optimizer without torch.optim. The grader parses the student's file (it
never imports it) and lists calls inside the task's function whose final name is one
of the forbidden ones, including aliases imported at module level.
"""

from __future__ import annotations

import ast
from collections.abc import Collection
from dataclasses import dataclass


@dataclass(frozen=True)
class Use:
    line: int
    text: str


def _dotted(node: ast.AST) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    if parts:  # e.g. (x * 2).sigmoid()
        return "<expr>." + ".".join(reversed(parts))
    return None


def _aliases(tree: ast.Module, names: Collection[str]) -> dict[str, str]:
    """Local name → forbidden name, for `from torch import sigmoid as s` style imports."""
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name in names:
                    found[alias.asname or alias.name] = alias.name
    return found


def _function(tree: ast.Module, name: str) -> ast.AST | None:
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name == name:
            return node
    return None


def forbidden_uses(source: str, function: str, names: Collection[str]) -> list[Use]:
    """Calls and references inside `function` whose last name part is in `names`."""
    tree = ast.parse(source)
    target = _function(tree, function)
    if target is None:
        return []
    aliases = _aliases(tree, names)
    uses = []
    for node in ast.walk(target):
        if isinstance(node, (ast.Attribute, ast.Name)):
            dotted = _dotted(node)
            if dotted is None:
                continue
            if isinstance(node, ast.Name):
                if node.id in aliases:  # a local variable called `grad` is fine
                    uses.append(Use(node.lineno, f"{dotted} (imported {aliases[node.id]})"))
            elif dotted.rsplit(".", 1)[-1] in names:
                uses.append(Use(node.lineno, dotted))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name.rsplit(".", 1)[-1] in names or alias.name in names:
                    uses.append(Use(node.lineno, f"import {alias.name}"))
    return sorted(set(uses), key=lambda u: (u.line, u.text))
