"""Turn a solution file into mutants: one operator variant applied inside a solution region.

Only code between `### BEGIN SOLUTION` and `### END SOLUTION` (what a student writes) is
mutated. A mutant's id is `<unit>.<function>/<operator>#<site>/<description>`, where
<site> counts the places in that function where the operator applies, in source order:
an edit elsewhere in the file (or above the function) leaves the id unchanged.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from tests.mutation.operators import OPERATORS, Scope, Variant

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
# a replacement of one of these kinds is parenthesised so that it binds as the node it replaces
LOOSE = (ast.BinOp, ast.BoolOp, ast.UnaryOp, ast.Compare, ast.IfExp, ast.Lambda, ast.NamedExpr)


@dataclass(frozen=True)
class Mutant:
    unit: str
    function: str  # qualified name inside the unit, e.g. `MLP.forward`
    operator: str
    site: int
    desc: str
    source: str  # the whole mutated file
    line: int  # first changed line, for display only
    before: str
    after: str

    @property
    def id(self) -> str:
        return f"{self.unit}.{self.function}/{self.operator}#{self.site}/{self.desc}"

    @property
    def diff(self) -> str:
        return f"line {self.line}: {self.before}  ->  {self.after}"


def solution_regions(source: str) -> list[tuple[int, int]]:
    """(begin, end) line numbers (1-based) of each pair of solution markers."""
    regions, begin = [], None
    for number, line in enumerate(source.splitlines(), start=1):
        if line.strip() == BEGIN:
            begin = number
        elif line.strip() == END and begin is not None:
            regions.append((begin, number))
            begin = None
    return regions


def _functions(tree: ast.AST, prefix: str = "") -> Iterator[tuple[str, ast.AST]]:
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield prefix + node.name, node
            yield from _functions(node, f"{prefix}{node.name}.")
        elif isinstance(node, ast.ClassDef):
            yield from _functions(node, f"{prefix}{node.name}.")


def _own_nodes(function: ast.AST) -> Iterator[ast.AST]:
    """The function's nodes in pre-order, without those of nested defs and classes."""
    for child in ast.iter_child_nodes(function):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        yield child
        yield from _own_nodes(child)


def _params(function: ast.AST) -> frozenset[str]:
    args = function.args  # type: ignore[attr-defined]
    every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
    return frozenset(a.arg for a in every if a is not None)


def _inside(node: ast.AST, regions: list[tuple[int, int]]) -> bool:
    first, last = getattr(node, "lineno", None), getattr(node, "end_lineno", None)
    if first is None or last is None:
        return False
    return any(begin < first and last < end for begin, end in regions)


class _Text:
    """The source as bytes, so that AST column offsets (UTF-8 bytes) can be used directly."""

    def __init__(self, source: str) -> None:
        self.data = source.encode()
        self.starts = [0]
        for line in self.data.splitlines(keepends=True):
            self.starts.append(self.starts[-1] + len(line))

    def span(self, node: ast.AST) -> tuple[int, int]:
        start = self.starts[node.lineno - 1] + node.col_offset  # type: ignore[attr-defined]
        end = self.starts[node.end_lineno - 1] + node.end_col_offset  # type: ignore[attr-defined]
        return start, end

    def parenthesised(self, node: ast.AST) -> bool:
        start, end = self.span(node)
        return self.data[:start].rstrip().endswith(b"(") and self.data[end:].lstrip()[:1] == b")"

    def replace(self, node: ast.AST, text: str) -> str:
        start, end = self.span(node)
        return (self.data[:start] + text.encode() + self.data[end:]).decode()


def _render(text: _Text, variant: Variant) -> str:
    new = ast.unparse(variant.new)
    loose = isinstance(variant.target, ast.expr) and isinstance(variant.new, LOOSE)
    if loose and not text.parenthesised(variant.target):
        new = f"({new})"
    return text.replace(variant.target, new)


def _compiles(source: str, unit: str) -> ast.Module | None:
    try:
        compile(source, f"{unit}.py", "exec")
        return ast.parse(source)
    except (SyntaxError, ValueError):
        return None


def mutants(unit: str, source: str) -> list[Mutant]:
    """Every distinct, compiling mutant of `source` (the text of solutions/<unit>.py)."""
    tree = ast.parse(source)
    regions = solution_regions(source)
    parents = {c: p for p in ast.walk(tree) for c in ast.iter_child_nodes(p)}
    text, lines = _Text(source), source.splitlines()
    seen = {ast.dump(tree)}
    out: list[Mutant] = []
    for qualname, function in _functions(tree):
        scope = Scope(_params(function), parents)
        nodes = [n for n in _own_nodes(function) if _inside(n, regions)]
        for name, operator in OPERATORS.items():
            site = 0
            for node in nodes:
                variants = operator(node, scope)
                for variant in variants:
                    mutated = _render(text, variant)
                    parsed = _compiles(mutated, unit)
                    if parsed is None or ast.dump(parsed) in seen:
                        continue
                    seen.add(ast.dump(parsed))
                    first = variant.target.lineno  # type: ignore[attr-defined]
                    last = variant.target.end_lineno  # type: ignore[attr-defined]
                    before = " ".join(s.strip() for s in lines[first - 1 : last])
                    after = mutated.splitlines()[first - 1].strip()
                    where = (first, before[:100], after[:100])
                    out.append(Mutant(unit, qualname, name, site, variant.desc, mutated, *where))
                site += bool(variants)
    return out
