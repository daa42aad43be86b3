"""What a name or attribute chain in a student's file refers to, by what it resolves to.

`F.tanh`, `torch.nn.functional.tanh`, `from torch.nn import functional as G; G.tanh` and
`getattr(F, "tanh")` are one function. A chain is resolved statically to a dotted path
("torch.nn.functional.tanh") through the file's imports and module-level aliases, then
looked up in the modules the grader has already loaded (only looked up: the grader
imports nothing a student names, trust rule 1), so the verdict follows the object, not
the spelling.
"""

from __future__ import annotations

import ast
import builtins
import inspect
import sys
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from autograder.checks.program import DEFS, Module, Program, bound_by_import

MISSING = object()


@dataclass(frozen=True)
class Resolved:
    """A dotted path (`torch.nn.functional.tanh`, `builtins.getattr`, `activations.f`),
    the object it names where the grader could look it up (else MISSING), and whether it
    is in the submission's own files."""

    path: str
    obj: Any = MISSING
    student: bool = False
    via_module: bool = False  # an attribute of a module (MISSING: maybe a lazy submodule)

    @property
    def parts(self) -> list[str]:
        return self.path.split(".")

    def is_module(self) -> bool:
        return isinstance(self.obj, ModuleType)


def constant_text(node: ast.AST) -> str | None:
    """The string an expression of constants evaluates to ("sig" + "moid", f"{'sig'}moid",
    "".join(["sig", "moid"])), or None when it is not made of string constants only."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = constant_text(node.left), constant_text(node.right)
        return None if left is None or right is None else left + right
    if isinstance(node, ast.JoinedStr):
        pieces = [constant_text(v) for v in node.values]
        return None if None in pieces else "".join(p for p in pieces if p is not None)
    if isinstance(node, ast.FormattedValue) and node.format_spec is None:
        return constant_text(node.value)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "join"
        and len(node.args) == 1
        and isinstance(node.args[0], (ast.List, ast.Tuple))
    ):
        sep = constant_text(node.func.value)
        items = [constant_text(e) for e in node.args[0].elts]
        return None if sep is None or None in items else sep.join(i for i in items if i)
    return None


def lookup(obj: Any, name: str) -> Any:
    """`getattr(obj, name)` without running anything: a module's own dict (never its lazy
    `__getattr__`, which may import), a class's static attributes."""
    if isinstance(obj, ModuleType):
        found = obj.__dict__.get(name, MISSING)
        if found is MISSING:
            found = sys.modules.get(f"{obj.__name__}.{name}", MISSING)
        return found
    if isinstance(obj, type):
        try:
            return inspect.getattr_static(obj, name)
        except AttributeError:
            return MISSING
    return MISSING


def from_path(path: str) -> Any:
    """The object a dotted path names among the modules already loaded, or MISSING."""
    parts = path.split(".")
    obj: Any = sys.modules.get(parts[0], MISSING)
    for part in parts[1:]:
        if obj is MISSING:
            return MISSING
        obj = lookup(obj, part)
    return obj


class Resolver:
    """Resolves Names, attribute chains and `getattr(x, "const")` in one program."""

    def __init__(self, program: Program) -> None:
        self.program = program

    def name(self, module: Module, node: ast.Name, depth: int = 0) -> Resolved | None:
        """What a Name refers to where it stands: a local import, a module-level import or
        single alias, a definition in the submission, or a builtin."""
        ident = node.id
        if ident in module.local_names(node):
            path = module.local_import(node, ident)
            return self._path(path) if path is not None else None
        bound = module.bindings.get(ident)
        if bound is None:
            if hasattr(builtins, ident):
                return Resolved(f"builtins.{ident}", getattr(builtins, ident))
            return None
        paths = _import_paths(bound, ident)
        if paths is not None and len(set(paths)) == 1:  # `import torch` and `import torch.nn`
            return self._path(paths[0])
        if len(bound) == 1 and isinstance(bound[0], ast.expr) and depth < 8:
            return self.expr(module, bound[0], depth + 1)  # `F = torch.nn.functional`
        if all(isinstance(b, DEFS) and b.name == ident for b in bound):
            return Resolved(f"{module.name}.{ident}", student=True)
        return None  # bound several ways, or to a value: not a name of anything

    def _path(self, path: str) -> Resolved:
        top = path.split(".", 1)[0]
        if top in self.program.modules:
            return Resolved(path, student=True)
        return Resolved(path, from_path(path))

    def expr(self, module: Module, node: ast.AST, depth: int = 0) -> Resolved | None:
        """What an expression refers to, when it is a Name, an attribute chain or a
        `getattr(x, "constant")` on one; None otherwise."""
        if isinstance(node, ast.Name):
            return self.name(module, node, depth)
        if isinstance(node, ast.Attribute):
            return self._attribute(module, node.value, node.attr, depth)
        looked = constant_getattr(node)
        if looked is not None:
            return self._attribute(module, looked[0], looked[1], depth)
        return None

    def _attribute(self, module: Module, base: ast.AST, attr: str, depth: int) -> Resolved | None:
        owner = self.expr(module, base, depth)
        if owner is None:
            return None
        if owner.student:
            return Resolved(f"{owner.path}.{attr}", student=True)
        obj = MISSING if owner.obj is MISSING else lookup(owner.obj, attr)
        return Resolved(f"{owner.path}.{attr}", obj, via_module=owner.is_module())


def _import_paths(bound: list[ast.AST], ident: str) -> list[str] | None:
    """The paths the imports among `bound` give `ident`, or None unless all are imports."""
    paths = []
    for node in bound:
        if not isinstance(node, (ast.Import, ast.ImportFrom)):
            return None
        paths += [path for name, path in bound_by_import(node) if name == ident]
    return paths or None


def constant_getattr(node: ast.AST) -> tuple[ast.AST, str] | None:
    """(object, name) of `getattr(obj, "name"[, default])` with a constant name."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "getattr"
        and 2 <= len(node.args) <= 3
        and not node.keywords
    ):
        name = constant_text(node.args[1])
        if name is not None:
            return node.args[0], name
    return None
