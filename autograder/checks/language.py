"""Static rule, run in the grader on every submission file: the language the course allows.

The run-time watch (autograder/worker/intercept.py) runs in the student's process, and a
rule that reads names can be dodged by any route to an object that spells it otherwise.
Both hold only while student code cannot compute names, reach the interpreter's
internals or load code the grader has not read. So, in every file the worker can import,
a task's reach may not:

- import a module outside the course's list (`imports` in grading.yml; the submission's
  own files are always importable), use a relative or `*` import, or name a module's
  private parts (`torch._C`, `numpy._core`);
- load or compile code the grader cannot read: `eval`, `exec`, `compile`, `__import__`,
  `torch.jit`, `torch.compile`, `torch.load` and the other APIs in DENIED;
- look names up at run time: `globals()`, `locals()`, `vars()`, `getattr`/`setattr`/
  `delattr`/`hasattr` with a name that is not a constant string;
- reach interpreter internals: dunder attributes other than the ordinary protocol ones
  (`__dict__`, `__globals__`, `__subclasses__`, `__code__`, ...), another object's
  private attributes, autograd's graph (`grad_fn`, `next_functions`), frames;
- use a module as a value (pass, return or store it): a module's functions are named
  through it, so every route to them can be read.

A user-defined attribute is the student's own, whatever its name. Each finding names the
file and line; it costs the tasks whose reach holds it (program.Program.reach).
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from types import ModuleType

from autograder.checks.program import DEFS, Module, Piece, Program, bound_by_import, nodes
from autograder.checks.resolve import (
    MISSING,
    Resolved,
    Resolver,
    constant_getattr,
    constant_text,
    from_path,
)

# APIs of allowed modules that load, compile or deserialise code, hook torch's dispatch,
# start processes or threads, or evaluate strings: what they run cannot be read here.
DENIED = (
    "torch.jit",
    "torch.compile",
    "torch.load",
    "torch.serialization",
    "torch.hub",
    "torch.package",
    "torch.utils.cpp_extension",
    "torch.ops",
    "torch.classes",
    "torch.library",
    "torch.overrides",
    "torch.multiprocessing",
    "torch.distributed",
    "torch.futures",
    "torch.fx",
    "torch.export",
    "torch.onnx",
    "numpy.load",
    "numpy.ctypeslib",
    "numpy.f2py",
    "numpy.distutils",
    "numpy.lib.format",
    "numpy.lib.npyio",
    "numpy.core",
    "typing.get_type_hints",
    "typing.ForwardRef",
    "functools.singledispatch",
    "functools.singledispatchmethod",
)
# The parts of the allowed packages a submission may use: these modules exactly, and
# these trees (a module and everything below it). A chain that passes through any other
# module (`torch.utils.benchmark`, `dataclasses.builtins`, `torch.os`) is refused: the
# allowlist is of modules, whatever name leads to them. A package a course adds to
# grading.yml's imports and that is not listed here may be used whole.
EXACT_PARTS = frozenset(
    {
        *("torch", "torch.utils", "torch.backends", "torch.functional", "numpy"),
        *("matplotlib", "matplotlib.backends", "math", "typing", "__future__", "copy"),
        *("dataclasses", "collections", "itertools", "functools", "pathlib"),
    }
)
TREE_PARTS = (
    *("torch.nn", "torch.optim", "torch.autograd", "torch.func", "torch.special"),
    *("torch.linalg", "torch.fft", "torch.random", "torch.cuda", "torch.distributions"),
    *("torch.utils.data", "torch.types", "torch.return_types", "torch.amp", "torch.cpu"),
    *("torch.testing", "torch.nn.functional", "torch.backends.cudnn", "torch.backends.mps"),
    *("numpy.linalg", "numpy.random", "numpy.typing", "numpy.fft", "numpy.ma"),
    *("numpy.polynomial", "numpy.lib", "numpy.testing", "numpy.dtypes", "numpy.exceptions"),
    *("matplotlib.pyplot", "matplotlib.figure", "matplotlib.axes", "matplotlib.axis"),
    *("matplotlib.backends.backend_agg", "matplotlib.ticker", "matplotlib.colors"),
    *("matplotlib.lines", "matplotlib.patches", "matplotlib.cm", "matplotlib.gridspec"),
    *("matplotlib.legend", "matplotlib.text", "matplotlib.markers", "matplotlib.style"),
    "collections.abc",
)
LISTED = frozenset(p.split(".")[0] for p in (*EXACT_PARTS, *TREE_PARTS))
DYNAMIC = ("eval", "exec", "compile", "__import__", "globals", "locals", "vars", "breakpoint")
LOOKUPS = ("getattr", "setattr", "delattr", "hasattr")
INTERNAL_ATTRS = frozenset(
    {
        "_C",
        "grad_fn",
        "next_functions",
        "_execution_engine",
        *("f_back", "f_globals", "f_locals", "f_builtins", "f_code"),
        *("gi_frame", "gi_code", "cr_frame", "cr_code", "ag_frame", "ag_code"),
        *("tb_frame", "tb_next", "co_code", "co_consts", "co_names"),
    }
)
SAFE_DUNDERS = frozenset(
    {
        *("__init__", "__name__", "__qualname__", "__doc__", "__class__", "__call__"),
        *("__len__", "__getitem__", "__setitem__", "__delitem__", "__iter__", "__next__"),
        *("__contains__", "__repr__", "__str__", "__hash__", "__bool__", "__enter__"),
        *("__exit__", "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__"),
        *("__add__", "__sub__", "__mul__", "__truediv__", "__floordiv__", "__mod__"),
        *("__pow__", "__matmul__", "__neg__", "__pos__", "__abs__", "__radd__"),
        *("__rsub__", "__rmul__", "__rtruediv__", "__float__", "__int__", "__index__"),
        "__array__",
    }
)
READABLE_NAMES = frozenset({"__name__", "__file__", "__doc__"})
BINDABLE_NAMES = frozenset({"__all__", "__version__", "__author__", "__doc__"})
HOOK_METHODS = frozenset({"__torch_function__", "__torch_dispatch__"})
FIX = "write it with the course's own names"


@dataclass(frozen=True)
class Finding:
    """One thing the rules refuse: the file, the line, and what it is."""

    file: str
    line: int
    text: str

    def describe(self) -> str:
        return f"{self.file}, line {self.line}: {self.text}"


def dunder(name: str) -> bool:
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


def denied(path: str) -> str | None:
    """The entry of DENIED that `path` falls under, if any."""
    for entry in DENIED:
        if path == entry or path.startswith(entry + "."):
            return entry
    return None


@functools.lru_cache(maxsize=64)
def own_attributes(program: Program) -> frozenset[str]:
    """Attribute names the submission binds itself (`self.x = ...`, a class's methods and
    fields, `setattr(obj, "x", ...)`): such an attribute is the student's, whatever its
    name."""
    names: set[str] = set()
    for module in program.modules.values():
        for node in nodes(module.tree):
            if isinstance(node, ast.Attribute) and not isinstance(node.ctx, ast.Load):
                names.add(node.attr)
            elif isinstance(node, ast.ClassDef):
                for stmt in node.body:
                    if isinstance(stmt, DEFS):
                        names.add(stmt.name)
                    for target in _assigned(stmt):
                        names.add(target)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                if node.func.id == "setattr" and len(node.args) == 3:
                    text = constant_text(node.args[1])
                    if text is not None:
                        names.add(text)
    return frozenset(names)


def _assigned(stmt: ast.stmt) -> Iterator[str]:
    targets = stmt.targets if isinstance(stmt, ast.Assign) else []
    if isinstance(stmt, ast.AnnAssign):
        targets = [stmt.target]
    for target in targets:
        for name in nodes(target):
            if isinstance(name, ast.Name):
                yield name.id


class Rules:
    """The findings in a program, per piece of code (see the module docstring)."""

    def __init__(self, program: Program, allowed: dict[str, frozenset[str]]) -> None:
        self.program = program
        self.allowed = allowed  # file name → the top-level modules it may import
        self.resolver = Resolver(program)
        self.own = own_attributes(program)
        self._memo: dict[tuple[int, bool], tuple[Finding, ...]] = {}

    def in_reach(self, unit: str, function: str) -> list[Finding]:
        """Every finding in the code `unit.function` can run."""
        found: dict[tuple[str, int, str], Finding] = {}
        for piece in self.program.reach(unit, function):
            for finding in self.findings(piece):
                found.setdefault((finding.file, finding.line, finding.text), finding)
        return sorted(found.values(), key=lambda f: (f.file, f.line, f.text))

    def findings(self, piece: Piece) -> tuple[Finding, ...]:
        key = (id(piece.node), piece.import_time)
        if key not in self._memo:
            self._memo[key] = tuple(self._judge(piece))
        return self._memo[key]

    def _judge(self, piece: Piece) -> Iterator[Finding]:
        module = piece.module
        node = piece.node
        if isinstance(node, DEFS) and dunder(node.name) and node in module.body:
            yield self._at(module, node, f"a module-level {node.name} ({FIX})")
        for part in piece.parts():
            lookups = _lookup_positions(part)
            allowed_values = _value_positions(part) | _aliases(module)
            fields = _class_fields(piece.node)
            for inner in nodes(part):
                if id(inner) in fields:
                    continue  # `__slots__ = ...` in a class body: the class's own
                text = self._refused(module, inner, allowed_values, lookups)
                if text is not None:
                    yield self._at(module, inner, text)

    def _at(self, module: Module, node: ast.AST, text: str) -> Finding:
        return Finding(module.file, getattr(node, "lineno", 0), text)

    def _refused(
        self, module: Module, node: ast.AST, allowed_values: set[int], lookups: set[int]
    ) -> str | None:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            return self._import(module, node)
        if isinstance(node, ast.Attribute):
            return self._attribute(module, node, allowed_values)
        if isinstance(node, ast.Name):
            return self._name(module, node, allowed_values, lookups)
        if isinstance(node, (ast.Global, ast.Nonlocal)):
            bad = [n for n in node.names if dunder(n)]
            return f"declares {bad[0]} global ({FIX})" if bad else None
        bound = _bound_name(node)
        if bound is not None and dunder(bound) and bound not in BINDABLE_NAMES:
            return f"rebinds {bound} ({FIX})"
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in HOOK_METHODS:
            return f"defines {node.name}, a hook into torch's dispatch ({FIX})"
        if isinstance(node, ast.Call):
            return self._lookup_call(module, node)
        return None

    def _import(self, module: Module, node: ast.Import | ast.ImportFrom) -> str | None:
        for alias in node.names:
            name = alias.asname or alias.name.split(".")[0]
            if dunder(name) and name not in BINDABLE_NAMES:
                return f"rebinds {name} by an import ({FIX})"
            if name in _twice_bound(module):
                return f"{name} is bound by an import and otherwise too: give each its own name"
        if isinstance(node, ast.ImportFrom) and node.level:
            return "a relative import (import the course's files by name: import activations)"
        paths = []
        for alias in node.names:
            if alias.name == "*":
                return f"from {node.module} import * (import each name you use)"  # type: ignore[attr-defined]
            base = node.module if isinstance(node, ast.ImportFrom) else None
            paths.append(f"{base}.{alias.name}" if base else alias.name)
        for path in paths:
            text = self._module_path(module, path)
            if text is not None:
                return text
        return None

    def _module_path(self, module: Module, path: str) -> str | None:
        top = path.split(".", 1)[0]
        if top in self.program.modules:
            return None
        allowed = self.allowed.get(module.file, frozenset())
        if top not in allowed:
            return (
                f"import {path}: this course allows only {', '.join(sorted(allowed))} "
                "(and the course's own files)"
            )
        entry = denied(path)
        if entry is not None:
            return f"{path}: {entry} runs code the grader cannot read; {FIX}"
        private = [p for p in path.split(".")[1:] if p.startswith("_")]
        if private:
            return f"{path}: {private[0]} is a private part of {top} ({FIX})"
        found = from_path(path)
        part = path if isinstance(found, ModuleType) or found is MISSING else path.rsplit(".", 1)[0]
        return self._part_refused(module, part)

    def _part_refused(self, module: Module, name: str) -> str | None:
        """Why module `name` (reached by import or by an attribute chain) is not one a
        submission file may use, if it is not (see EXACT_PARTS and TREE_PARTS)."""
        top = name.split(".", 1)[0]
        allowed = self.allowed.get(module.file, frozenset())
        if top in self.program.modules:
            return None
        if top not in allowed:
            return f"{name}: not a module this course allows ({', '.join(sorted(allowed))})"
        if top not in LISTED or name in EXACT_PARTS:
            return None
        if any(name == tree or name.startswith(tree + ".") for tree in TREE_PARTS):
            return None
        return f"{name}: not a part of {top} this course allows ({FIX})"

    def _attribute(
        self, module: Module, node: ast.Attribute, allowed_values: set[int]
    ) -> str | None:
        attr = node.attr
        if dunder(attr) and attr not in SAFE_DUNDERS:
            return f".{attr}: the interpreter's internals ({FIX})"
        if attr in INTERNAL_ATTRS:
            return f".{attr}: torch's or the interpreter's internals ({FIX})"
        resolved = self.resolver.expr(module, node)
        if resolved is not None and not resolved.student:
            text = self._external(module, resolved, node, allowed_values)
            if text is not None:
                return text
        if attr.startswith("_") and not dunder(attr):
            owner = self.resolver.expr(module, node.value)
            if (owner is not None and not owner.student) or (
                owner is None and attr not in self.own
            ):
                return f".{attr}: a private attribute of an object you did not write ({FIX})"
        return None

    def _external(
        self, module: Module, resolved: Resolved, node: ast.AST, allowed_values: set[int]
    ) -> str | None:
        entry = denied(resolved.path)
        if entry is not None:
            return f"{resolved.path}: {entry} runs code the grader cannot read; {FIX}"
        if resolved.obj is MISSING and resolved.via_module:  # a submodule not loaded here
            return self._part_refused(module, resolved.path)
        if resolved.is_module():
            text = self._part_refused(module, str(resolved.obj.__name__))
            if text is not None:
                return text
            if id(node) not in allowed_values:
                return f"{resolved.path} used as a value (name its functions through it)"
        return None

    def _name(
        self, module: Module, node: ast.Name, allowed_values: set[int], lookups: set[int]
    ) -> str | None:
        ident = node.id
        if dunder(ident):
            if isinstance(node.ctx, ast.Load):
                return None if ident in READABLE_NAMES else f"{ident}: the interpreter's internals"
            return None if ident in BINDABLE_NAMES else f"rebinds {ident} ({FIX})"
        if not isinstance(node.ctx, ast.Load):
            return None
        resolved = self.resolver.name(module, node)
        if resolved is None:
            return None
        if resolved.student:
            if resolved.path in self.program.modules and id(node) not in allowed_values:
                return f"{ident} used as a value (name its functions through it)"
            return None
        if resolved.path.startswith("builtins."):
            return self._builtin(ident, node, lookups)
        return self._external(module, resolved, node, allowed_values)

    def _builtin(self, ident: str, node: ast.Name, lookups: set[int]) -> str | None:
        if ident in DYNAMIC:
            return f"{ident}(): code or names the grader cannot read ({FIX})"
        if ident == "type" and id(node) not in lookups:
            return "type() with three arguments or as a value (write a class statement)"
        if ident in LOOKUPS and id(node) not in lookups:
            return f"{ident} with a name computed at run time (write obj.name instead)"
        return None

    def _lookup_call(self, module: Module, node: ast.Call) -> str | None:
        """`getattr(obj, "name")` and friends: judged like `obj.name`."""
        if not (isinstance(node.func, ast.Name) and node.func.id in LOOKUPS):
            return None
        if len(node.args) < 2:
            return None
        name = constant_text(node.args[1])
        if name is None:
            return None  # refused at the Name (not a constant lookup)
        if dunder(name) and name not in SAFE_DUNDERS:
            return f"{node.func.id}(..., {name!r}): the interpreter's internals ({FIX})"
        if name in INTERNAL_ATTRS:
            return f"{node.func.id}(..., {name!r}): torch's or the interpreter's internals"
        looked = constant_getattr(node)
        if looked is not None:
            resolved = self.resolver.expr(module, node)
            if resolved is not None and not resolved.student:
                return self._external(module, resolved, node, {id(node)})
        return None


def _class_fields(top: ast.AST) -> set[int]:
    """ids of the dunder names a class body binds for itself (`__slots__`, `__hash__ =
    None`, `__match_args__`): the class's own attributes, not the module's or the
    interpreter's, except hooks into torch's dispatch."""
    found: set[int] = set()
    for node in nodes(top):
        if isinstance(node, ast.ClassDef):
            for stmt in node.body:
                targets = stmt.targets if isinstance(stmt, ast.Assign) else []
                if isinstance(stmt, (ast.AnnAssign, ast.AugAssign)):
                    targets = [stmt.target]
                for target in targets:
                    if isinstance(target, ast.Name) and target.id not in HOOK_METHODS:
                        found.add(id(target))
    return found


def _constant_lookups(part: ast.AST) -> Iterator[ast.Call]:
    """`getattr(obj, "name")` and friends with a constant name."""
    for node in nodes(part):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id in LOOKUPS and len(node.args) >= 2:
                if constant_text(node.args[1]) is not None:
                    yield node


def _lookup_positions(part: ast.AST) -> set[int]:
    """ids of the Names `getattr` and friends may stand as (called with a constant name),
    and `type` (called with one argument: the type of a value)."""
    found = {id(node.func) for node in _constant_lookups(part)}
    for node in nodes(part):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id == "type" and len(node.args) == 1 and not node.keywords:
                found.add(id(node.func))
    return found


def _bound_name(node: ast.AST) -> str | None:
    """The name a match pattern or an `except ... as` binds."""
    if isinstance(node, (ast.MatchAs, ast.MatchStar, ast.ExceptHandler)):
        return node.name
    if isinstance(node, ast.MatchMapping):
        return node.rest
    return None


@functools.lru_cache(maxsize=256)
def _twice_bound(module: Module) -> frozenset[str]:
    """Module-level names bound by an import and also otherwise (a def, an assignment,
    a loop, another import of another module): no one name, so no resolving it."""
    found = set()
    for name, bound in module.bindings.items():
        imports = [b for b in bound if isinstance(b, (ast.Import, ast.ImportFrom))]
        if imports and (len(imports) < len(bound) or len(set(_paths(imports, name))) > 1):
            found.add(name)
    return frozenset(found)


def _paths(imports: list[ast.AST], name: str) -> list[str]:
    return [p for node in imports for n, p in bound_by_import(node) if n == name]  # type: ignore[arg-type]


def _value_positions(part: ast.AST) -> set[int]:
    """ids of the nodes where a module may stand: as the object of an attribute or of a
    constant lookup (a plain alias, `F = torch.nn.functional`, is in `_aliases`)."""
    allowed = {id(node.value) for node in nodes(part) if isinstance(node, ast.Attribute)}
    allowed.update(id(node.args[0]) for node in _constant_lookups(part))
    return allowed


@functools.lru_cache(maxsize=256)
def _aliases(module: Module) -> frozenset[int]:
    """ids of the values of module-level aliases a module may be bound to: a plain
    `F = torch.nn.functional` that is the name's only binding (so every use resolves)."""
    found = set()
    for stmt in module.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target = stmt.targets[0]
            if isinstance(target, ast.Name) and len(module.bindings.get(target.id, [])) == 1:
                found.add(id(stmt.value))
    return frozenset(found)
