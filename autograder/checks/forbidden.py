"""Static check, run in the grader on the student's source text: no forbidden built-ins.

The course asks students to write sigmoid without torch.sigmoid, a derivative without
autograd, an optimizer without torch.optim. The grader parses the student's file as it
was submitted (read before any of its code ran; it is never imported here) and looks at
every definition of the task's name (Python keeps the last, a reader sees the first),
and at every module-level helper those call, for references whose final name is
forbidden: attributes (`torch.sigmoid`, `x.sigmoid()`), names bound to a forbidden
object anywhere in the module (`from torch import sigmoid as s`, `s = torch.sigmoid`,
`s = getattr(torch, "sig" + "moid")`), and lookups by a constant string
(`getattr(torch, "sigmoid")`, `vars(torch)["sigmoid"]`). A module-level binding of the
task's own name (`sigmoid = torch.sigmoid`) is one of its definitions.

The run-time watch in the worker (autograder/worker/intercept.py) runs in the student's
process, where determined code can switch it off, so what it alone would see is refused
here: in the task's reach and in the module's top-level statements, names computed at
run time (`getattr(torch, name)`, `torch.__dict__.get(name)`, `vars(F)[key]`), `eval`,
`exec`, `compile`, `__import__`, `importlib`, `sys.modules`, frames, `torch._C` (where
the watch can be disabled) and imports of the grader's own modules. None of these is
needed to write any task of the course.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Collection, Iterator
from dataclasses import dataclass

from autograder.source_lines import parsed

NAMESPACES = ("vars", "globals", "locals")
DYNAMIC_CODE = ("eval", "exec", "compile", "__import__")
LOOKUPS = ("getattr", "attrgetter", "methodcaller")
# attribute names that reach what the run-time watch cannot see past
HIDDEN_ATTRS = {
    "_C": "torch._C (where the grader's run-time check can be switched off)",
    "modules": "sys.modules",
    "_getframe": "the interpreter's frames",
    "f_globals": "the interpreter's frames",
    "f_locals": "the interpreter's frames",
    "__builtins__": "__builtins__",
    "__dict__": "a module's or object's __dict__ by a computed key",
    "__getattribute__": "__getattribute__",
}


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


def _looked_up(node: ast.AST) -> str | None:
    """The constant name looked up by `getattr(obj, "...")`, `attrgetter("...")` or a
    namespace subscript (`vars(torch)["..."]`, `torch.__dict__["..."]`)."""
    if isinstance(node, ast.Call):
        called = (_dotted(node.func) or "").rsplit(".", 1)[-1]
        if called == "getattr" and len(node.args) >= 2:
            return constant_text(node.args[1])
        if called == "attrgetter" and node.args:
            return constant_text(node.args[0])
    if isinstance(node, ast.Subscript) and _is_namespace(node.value):
        return constant_text(node.slice)
    return None


def _is_namespace(node: ast.AST) -> bool:
    if isinstance(node, ast.Attribute):
        return node.attr == "__dict__"
    return isinstance(node, ast.Call) and (_dotted(node.func) or "") in NAMESPACES


def _forbidden_in(node: ast.AST, names: Collection[str]) -> str | None:
    """What forbidden thing `node` itself refers to, ignoring plain local names."""
    if isinstance(node, ast.Attribute):
        dotted = _dotted(node)
        if dotted is not None and dotted.rsplit(".", 1)[-1] in names:
            return dotted
    looked = _looked_up(node)
    if looked is not None and looked.rsplit(".", 1)[-1] in names:
        return f"lookup of {looked!r}"
    return None


def _computed_lookup(node: ast.AST) -> str | None:
    """`getattr(obj, name)` and the like whose name is not a constant string."""
    if not isinstance(node, ast.Call):
        return None
    called = (_dotted(node.func) or "").rsplit(".", 1)[-1]
    if called == "getattr" and len(node.args) >= 2 and constant_text(node.args[1]) is None:
        return "getattr with a name computed at run time"
    if called in LOOKUPS[1:] and node.args and constant_text(node.args[0]) is None:
        return f"{called} with a name computed at run time"
    return None


def _evasion(node: ast.AST) -> str | None:
    """What `node` uses that hides a call from the grader (see the module docstring)."""
    if isinstance(node, ast.Call):
        called = _dotted(node.func) or ""
        if called in DYNAMIC_CODE or called in (f"builtins.{d}" for d in DYNAMIC_CODE):
            return f"{called.rsplit('.', 1)[-1]}()"
        if called.split(".", 1)[0] == "importlib":
            return "importlib"
        if called in NAMESPACES:
            return f"{called}()"
        return _computed_lookup(node)
    if isinstance(node, ast.Subscript) and _is_namespace(node.value):
        return None if constant_text(node.slice) is not None else "a namespace lookup"
    if isinstance(node, ast.Attribute) and node.attr in HIDDEN_ATTRS:
        if node.attr == "modules" and _dotted(node) != "sys.modules":
            return None
        return HIDDEN_ATTRS[node.attr]
    if isinstance(node, ast.Name) and node.id == "__builtins__":
        return HIDDEN_ATTRS["__builtins__"]
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
        for module in modules:
            top = (module or "").split(".", 1)[0]
            if top in ("autograder", "importlib"):
                return f"import {module}"
    return None


@functools.lru_cache(maxsize=4096)
def _nodes(top: ast.AST) -> tuple[ast.AST, ...]:
    """Every node under `top` (itself included): walked once, however many tasks of the
    same file are checked (the trees come from source_lines.parsed, which keeps them)."""
    return tuple(ast.walk(top))


@functools.lru_cache(maxsize=4096)
def _evasions_in(top: ast.AST) -> tuple[Use, ...]:
    constant_keys = set()  # `vars(torch)["exp"]`: the subscript is judged, not its vars()
    for node in _nodes(top):
        if (
            isinstance(node, ast.Subscript)
            and _is_namespace(node.value)
            and constant_text(node.slice) is not None
        ):
            constant_keys.add(id(node.value))
    uses = []
    for node in _nodes(top):
        what = None if id(node) in constant_keys else _evasion(node)
        if what is not None:
            uses.append(Use(getattr(node, "lineno", 0), f"{what} (call functions by their names)"))
    return tuple(uses)


def _evasions(nodes: list[ast.AST]) -> Iterator[Use]:
    for top in nodes:
        yield from _evasions_in(top)


def _top_level_statements(tree: ast.Module) -> list[ast.AST]:
    """The module's own statements, without the bodies of its functions and classes."""
    skip = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    return [node for node in tree.body if not isinstance(node, skip)]


@functools.lru_cache(maxsize=256)
def _aliases(tree: ast.Module, names: frozenset[str]) -> dict[str, str]:
    """Name → what forbidden thing it was bound to, for bindings anywhere in the module:
    imports (`from torch import sigmoid as s`) and assignments (`s = torch.sigmoid`)
    (cached: callers must not change it)."""
    found: dict[str, str] = {}
    for node in _nodes(tree):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name in names:
                    found[alias.asname or alias.name] = f"imported {alias.name}"
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, what = node.targets[0], _forbidden_in(node.value, names)
            what = what or _computed_lookup(node.value)
            if isinstance(target, ast.Name) and what is not None:
                found[target.id] = f"bound to {what}"
    return found


@functools.lru_cache(maxsize=64)
def _definitions(tree: ast.Module) -> dict[str, list[ast.AST]]:
    """Name → its module-level definitions: def, class, and assignments (`f = torch.f`)
    (cached: callers must not change it)."""
    defs: dict[str, list[ast.AST]] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defs.setdefault(node.name, []).append(node)
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AnnAssign) and node.value is not None:
            targets = [node.target]
        for target in targets:
            for name in ast.walk(target):
                if isinstance(name, ast.Name):
                    defs.setdefault(name.id, []).append(node.value)
    return defs


def _reached(tree: ast.Module, function: str) -> Iterator[ast.AST]:
    """Every definition of `function`, then every module-level function or class they
    refer to by name (helpers), transitively."""
    defs = _definitions(tree)
    seen, todo = set(), [function]
    while todo:
        name = todo.pop()
        if name in seen or name not in defs:
            continue
        seen.add(name)
        for node in defs[name]:
            yield node
            todo.extend(n.id for n in _nodes(node) if isinstance(n, ast.Name) and n.id in defs)


def forbidden_uses(source: str, function: str, names: Collection[str]) -> list[Use]:
    """References inside `function` (every definition of it and the helpers it uses)
    whose final name is in `names`."""
    if not names:
        return []
    tree = parsed(source)
    aliases = _aliases(tree, frozenset(names))
    reached = list(_reached(tree, function))
    uses = set(_evasions([*reached, *_top_level_statements(tree)]))
    for target in reached:
        for node in _nodes(target):
            what = _forbidden_in(node, names)
            if what is None and isinstance(node, ast.Name) and node.id in aliases:
                what = f"{node.id} ({aliases[node.id]})"  # a local variable `grad` is fine
            if what is None and isinstance(node, (ast.Import, ast.ImportFrom)):
                hits = [a.name for a in node.names if a.name.rsplit(".", 1)[-1] in names]
                what = f"import {hits[0]}" if hits else None
            if what is not None:
                uses.add(Use(getattr(node, "lineno", 0), what))
    return sorted(uses, key=lambda u: (u.line, u.text))
