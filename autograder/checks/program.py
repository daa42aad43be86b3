"""A submission's files as the grader reads them: parsed, never imported.

The static rules judge the code a task can run, across every file the worker can import
(the units' files and the course's helpers), not one file by its spelling:

- a task's **reach** is every definition of its function, every module-level name those
  refer to (helpers, constants, classes, aliases), followed into the submission's other
  files through their imports, and the code that runs when each of those files is
  imported (top-level statements, decorators, default values, class bodies);
- code under `if __name__ == "__main__":` never runs in grading (the rules refuse any
  rebinding of `__name__`), so it is no part of any reach;
- a Name is resolved where Python would find it: the function's own locals first, then
  the module's bindings, then the builtins.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
# methods that put a value into a container (list, dict, set, deque)
MUTATORS = frozenset(
    {"append", "extend", "insert", "update", "setdefault", "add", "appendleft", "extendleft"}
)


@functools.lru_cache(maxsize=4096)
def nodes(top: ast.AST) -> tuple[ast.AST, ...]:
    """Every node under `top` (itself included), walked once per tree."""
    return tuple(ast.walk(top))


def is_main_block(node: ast.AST) -> bool:
    """`if __name__ == "__main__":` (either way round) at module level."""
    if not isinstance(node, ast.If) or not isinstance(node.test, ast.Compare):
        return False
    test = node.test
    if len(test.ops) != 1 or not isinstance(test.ops[0], ast.Eq):
        return False
    sides = [test.left, test.comparators[0]]
    names = [s for s in sides if isinstance(s, ast.Name) and s.id == "__name__"]
    mains = [s for s in sides if isinstance(s, ast.Constant) and s.value == "__main__"]
    return len(names) == 1 and len(mains) == 1


def import_time(node: ast.AST) -> list[ast.AST]:
    """The parts of a top-level statement that run when the module is imported: all of it,
    except the bodies of functions (their decorators, defaults and annotations do run)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        args = node.args
        parts: list[ast.AST] = [*node.decorator_list, *args.defaults]
        parts += [d for d in args.kw_defaults if d is not None]
        every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
        parts += [a.annotation for a in every if a is not None and a.annotation is not None]
        return parts + ([node.returns] if node.returns is not None else [])
    if isinstance(node, ast.ClassDef):
        parts = [*node.decorator_list, *node.bases, *(k.value for k in node.keywords)]
        for stmt in node.body:
            parts += import_time(stmt)
        return parts
    return [node]


@dataclass(eq=False)  # hashed by identity: one per parsed file
class Module:
    """One file: its tree, its module-level bindings, and where each node's function is."""

    name: str  # the module name, e.g. "activations"
    file: str  # the file name, e.g. "activations.py"
    tree: ast.Module
    body: list[ast.stmt] = field(default_factory=list)  # without `__main__` blocks
    bindings: dict[str, list[ast.AST]] = field(default_factory=dict)
    imports: dict[str, tuple[ast.AST, str]] = field(default_factory=dict)  # name → node, path
    enclosing: dict[int, ast.AST] = field(default_factory=dict)  # id(node) → its function
    locals: dict[int, frozenset[str]] = field(default_factory=dict)  # id(function) → names
    local_imports: dict[int, dict[str, str]] = field(default_factory=dict)  # → name → path

    def local_import(self, node: ast.AST, name: str) -> str | None:
        """The path a local import bound `name` to, in the functions around `node`."""
        function = self.enclosing.get(id(node))
        while function is not None:
            if name in self.locals.get(id(function), frozenset()):
                return self.local_imports.get(id(function), {}).get(name)
            function = self.enclosing.get(id(function))
        return None

    def local_names(self, node: ast.AST) -> frozenset[str]:
        """The names bound locally in the functions around `node` (innermost outwards)."""
        names: set[str] = set()
        function = self.enclosing.get(id(node))
        while function is not None:
            names |= self.locals.get(id(function), frozenset())
            function = self.enclosing.get(id(function))
        return frozenset(names)


def bound_by_import(node: ast.Import | ast.ImportFrom) -> Iterator[tuple[str, str]]:
    """(name bound, dotted path it refers to) for each alias of an import."""
    for alias in node.names:
        if isinstance(node, ast.Import):
            if alias.asname:
                yield alias.asname, alias.name
            else:
                top = alias.name.split(".", 1)[0]
                yield top, top
        elif alias.name != "*":
            base = "." * node.level + (node.module or "")
            yield alias.asname or alias.name, f"{base}.{alias.name}" if base else alias.name


def _targets(node: ast.AST) -> Iterator[str]:
    """The plain names an assignment-like statement binds."""
    targets: list[ast.AST] = []
    if isinstance(node, ast.Assign):
        targets = list(node.targets)
    elif isinstance(node, (ast.AnnAssign, ast.AugAssign, ast.NamedExpr)):
        targets = [node.target]
    elif isinstance(node, (ast.For, ast.AsyncFor)):  # not a comprehension's: its own scope
        targets = [node.target]
    elif isinstance(node, ast.withitem) and node.optional_vars is not None:
        targets = [node.optional_vars]
    for target in targets:  # `x = ...`, `a, *b = ...`; not the `obj` of `obj.attr = ...`
        for name in nodes(target):
            if isinstance(name, ast.Name) and not isinstance(name.ctx, ast.Load):
                yield name.id
    yield from _other_bindings(node)


def _other_bindings(node: ast.AST) -> Iterator[str]:
    """Names bound by a match pattern or an `except ... as`."""
    if isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
        yield node.name
    elif isinstance(node, ast.MatchMapping) and node.rest:
        yield node.rest
    elif isinstance(node, ast.ExceptHandler) and node.name:
        yield node.name


def _function_locals(function: ast.AST) -> frozenset[str]:
    """The names a function (or lambda) binds itself: parameters, assignments, loops,
    imports, nested definitions, `except ... as` names (not those it declares global)."""
    args = function.args  # type: ignore[attr-defined]
    every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
    names = {a.arg for a in every if a is not None}
    declared: set[str] = set()
    for node in _own_nodes(function):
        if isinstance(node, (ast.Global, ast.Nonlocal)):
            declared.update(node.names)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update(name for name, _ in bound_by_import(node))
        elif isinstance(node, (*DEFS,)) and node is not function:
            names.add(node.name)
        else:
            names.update(_targets(node))
    return frozenset(names - declared)


def _own_nodes(function: ast.AST) -> Iterator[ast.AST]:
    """The nodes of `function`'s own scope (not those of functions nested in it, though
    their names are bound in it)."""
    todo = list(ast.iter_child_nodes(function))
    while todo:
        node = todo.pop()
        yield node
        if not isinstance(node, FUNCTIONS):
            todo.extend(ast.iter_child_nodes(node))


def _scopes(module: Module) -> None:
    """Fill in which function encloses each node, and each function's local names."""

    def visit(node: ast.AST, function: ast.AST | None) -> None:
        for child in ast.iter_child_nodes(node):
            if function is not None:
                module.enclosing[id(child)] = function
            if isinstance(child, FUNCTIONS):
                module.locals[id(child)] = _function_locals(child)
                module.local_imports[id(child)] = {
                    name: path
                    for node in _own_nodes(child)
                    if isinstance(node, (ast.Import, ast.ImportFrom))
                    for name, path in bound_by_import(node)
                }
                visit(child, child)
            else:
                visit(child, function)

    visit(module.tree, None)


def _module_bindings(module: Module) -> None:
    """Module-level name → what binds it: definitions, assignment values, imports, and
    stores into it from functions that declare it global."""
    for stmt in module.body:
        if isinstance(stmt, DEFS):
            module.bindings.setdefault(stmt.name, []).append(stmt)
        for node in _statement_nodes(stmt):
            _bind(module, node, stmt)
    for node in nodes(module.tree):  # a function that declares X global binds X: all of it
        if isinstance(node, FUNCTIONS) and not isinstance(node, ast.Lambda):
            for g in _own_nodes(node):
                if isinstance(g, ast.Global):
                    for name in g.names:
                        module.bindings.setdefault(name, []).append(node)
    _writers(module)


def _writers(module: Module) -> None:
    """A top-level function or class that changes a module-level value in place
    (`SHELF.append(f)`, `TABLE[k] = f`, `CFG.fn = f`) binds it too: what it puts there is
    what a task that reads it may call. (Imports are not values one changes.)"""
    values = {
        name
        for name, bound in module.bindings.items()
        if not any(isinstance(b, (ast.Import, ast.ImportFrom)) for b in bound)
    }
    for stmt in module.body:
        if isinstance(stmt, DEFS):
            for name in _changed(stmt) & values:
                if stmt not in module.bindings[name]:
                    module.bindings[name].append(stmt)


def _changed(top: ast.AST) -> set[str]:
    """Module-level names `top` changes in place: item or attribute stores, augmented
    assignments, `del`, and the methods that put values in (MUTATORS)."""
    found = set()
    for node in nodes(top):
        target = None
        if isinstance(node, (ast.Subscript, ast.Attribute)) and not isinstance(node.ctx, ast.Load):
            target = node.value
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in MUTATORS:
                target = node.func.value
        elif isinstance(node, ast.AugAssign):
            target = node.target
        if isinstance(target, ast.Name):
            found.add(target.id)
    return found


def _statement_nodes(stmt: ast.stmt) -> Iterator[ast.AST]:
    """The nodes of a module-level statement that bind module-level names (not those
    inside its functions and classes)."""
    todo: list[ast.AST] = [stmt]
    while todo:
        node = todo.pop()
        yield node
        if not isinstance(node, (*DEFS, ast.Lambda)) or node is stmt:
            if not isinstance(node, DEFS):
                todo.extend(ast.iter_child_nodes(node))


def _bind(module: Module, node: ast.AST, stmt: ast.stmt) -> None:
    """Record what binds a module-level name: an import, an assignment's value, or (for
    loops, `with`, match patterns, `except ... as`) the whole statement."""
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        for name, path in bound_by_import(node):
            module.bindings.setdefault(name, []).append(node)
            module.imports[name] = (node, path)
        return
    plain = isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.NamedExpr))
    value = getattr(node, "value", None) if plain else None
    for name in _targets(node):
        module.bindings.setdefault(name, []).append(value if value is not None else stmt)


def _constant_lookup(node: ast.AST) -> tuple[ast.AST, str] | None:
    """(object, name) of `getattr(obj, "name")` and friends with a literal name."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("getattr", "hasattr", "setattr", "delattr")
        and len(node.args) >= 2
        and isinstance(node.args[1], ast.Constant)
        and isinstance(node.args[1].value, str)
    ):
        return node.args[0], node.args[1].value
    return None


def _called(top: ast.AST) -> set[int]:
    """ids of the names and attributes `top` calls, or hands its definitions to:
    decorators, and a class's bases (whose methods it inherits)."""
    called: set[int] = set()
    for node in nodes(top):
        if isinstance(node, ast.Call):
            called.add(id(node.func))
        elif isinstance(node, DEFS):
            called.update(id(d) for d in node.decorator_list)
            if isinstance(node, ast.ClassDef):
                called.update(id(b) for b in node.bases)
    return called


class _StringAnnotations(ast.NodeTransformer):
    """Annotations written as strings (`x: "torch.Tensor"`), parsed: library code such as
    typing.get_type_hints evaluates them, so the rules must read them as code."""

    def _parsed(self, node: ast.expr | None) -> ast.expr | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                expr = ast.parse(node.value, mode="eval").body
            except SyntaxError:
                return node
            for inner in ast.walk(expr):
                ast.copy_location(inner, node)
            return expr
        return node

    def visit_arg(self, node: ast.arg) -> ast.arg:
        node.annotation = self._parsed(node.annotation)
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        node.returns = self._parsed(node.returns)
        self.generic_visit(node)
        return node

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.AST:
        node.annotation = self._parsed(node.annotation)  # type: ignore[assignment]
        self.generic_visit(node)
        return node


def read_module(name: str, source: str) -> Module:
    """Parse one file (SyntaxError or ValueError as `ast.parse` raises them)."""
    tree = _StringAnnotations().visit(ast.parse(source))
    module = Module(name, f"{name}.py", tree)
    module.body = [stmt for stmt in tree.body if not is_main_block(stmt)]
    _scopes(module)
    _module_bindings(module)
    return module


@dataclass(frozen=True, eq=False)
class Piece:
    """A piece of code in a task's reach: a node of a file and, when only the parts of a
    definition that run at import are meant, `import_time`."""

    module: Module
    node: ast.AST
    import_time: bool = False

    def parts(self) -> list[ast.AST]:
        return import_time(self.node) if self.import_time else [self.node]


class Program:
    """Every file the worker can import, parsed; `reach` follows a task through them."""

    def __init__(self, sources: Mapping[str, str]) -> None:
        self.modules: dict[str, Module] = {}
        self.broken: dict[str, SyntaxError | ValueError] = {}
        for file, source in sources.items():
            name = file.removesuffix(".py")
            try:
                self.modules[name] = read_module(name, source)
            except (SyntaxError, ValueError) as exc:
                self.broken[name] = exc

    def reach(self, unit: str, function: str, precise: bool = False) -> list[Piece]:
        """The code `unit.function` can run (see the module docstring). A function named
        in code that runs at import (`ACTS = {"relu": relu}`, a decorator's argument) may
        be called later by anything, so it is in reach; `precise` follows only what
        import-time code calls, for rules whose findings cost points rather than keep
        code from running (a dispatch table of the unit's functions would otherwise put
        every one of them in each task's reach; the run-time watch sees the rest)."""
        pieces: list[Piece] = []
        seen_names: set[tuple[str, str]] = set()
        loaded: set[str] = set()
        todo: list[tuple[str, str | None]] = [(unit, None), (unit, function)]
        while todo:
            name, symbol = todo.pop()
            module = self.modules.get(name)
            if module is None:
                continue
            if symbol is None:
                if name in loaded:
                    continue
                loaded.add(name)
                found = [Piece(module, stmt, True) for stmt in module.body]
            elif (name, symbol) in seen_names:
                continue
            else:
                seen_names.add((name, symbol))
                found = [Piece(module, node) for node in module.bindings.get(symbol, [])]
            for piece in found:
                pieces.append(piece)
                todo.extend(self._referred(piece, precise and piece.import_time))
        return pieces

    def _referred(self, piece: Piece, called_only: bool) -> Iterator[tuple[str, str | None]]:
        """What a piece refers to: the module's own names, other files of the submission
        (their import-time code, and the names taken from them); with `called_only`, only
        the names it calls."""
        module = piece.module
        called = _called(piece.node) if called_only else None
        for part in piece.parts():
            for node in nodes(part):
                if called is not None and id(node) not in called:
                    if not isinstance(node, (ast.Import, ast.ImportFrom)):
                        continue
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    yield from self._imported(node)
                elif isinstance(node, ast.Name) and node.id in module.bindings:
                    if node.id not in module.local_names(node):
                        yield module.name, node.id
                elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                    target = self.student_module(module, node.value)
                    if target is not None:
                        yield target, node.attr
                looked = _constant_lookup(node)
                if looked is not None and isinstance(looked[0], ast.Name):
                    target = self.student_module(module, looked[0])
                    if target is not None:  # getattr(losses, "helper")
                        yield target, looked[1]

    def _imported(self, node: ast.Import | ast.ImportFrom) -> Iterator[tuple[str, str | None]]:
        for _, path in bound_by_import(node):
            parts = path.split(".")
            if parts[0] in self.modules:
                yield parts[0], None
                if len(parts) > 1:
                    yield parts[0], parts[1]
        if isinstance(node, ast.ImportFrom) and (node.module or "") in self.modules:
            yield str(node.module), None

    def student_module(self, module: Module, name: ast.Name) -> str | None:
        """The submission file a Name refers to (`import activations as act`), if any."""
        if name.id in module.local_names(name):
            return None
        bound = module.imports.get(name.id)
        if bound is None:
            return None
        path = bound[1]
        return path if path in self.modules else None
