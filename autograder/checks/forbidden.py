"""Static check, run in the grader on the student's files: no forbidden built-ins.

The course asks students to write sigmoid without torch.sigmoid, a derivative without
autograd, an optimizer without torch.optim. grading.yml names what a task may not call
(`forbidden: [tanh]`); here that is matched by what the code refers to, not by how it is
spelled. Every name and attribute chain in the task's reach (program.Program.reach:
its definitions, the helpers they use in any of the submission's files, and the code
those files run when imported) is resolved (resolve.Resolver) to a dotted path and,
where the grader has it loaded, an object. It is forbidden when:

- the object is one of the family of a forbidden name: every public function, class and
  method of torch, torch.nn, torch.nn.functional, torch.special, torch.Tensor and numpy
  whose name is that name, whatever the case, underscores or trailing `_` (where `tanh`
  is forbidden: torch.tanh, torch.tanh_, Tensor.tanh, F.tanh, nn.Tanh, numpy.tanh);
- or a part of its path is (`torch.autograd.functional.jacobian`, `torch.optim.SGD`);
  where autograd is forbidden, all of torch.func is too.

A method called on a value the grader cannot resolve (`x.tanh()`) is forbidden when a
tensor, module or array has a method of that family and the submission does not define
an attribute of that name itself: a student's own `layer.backward()` is their own code.
The run-time watch in the worker (autograder/worker/intercept.py) sees the calls a task
makes while it runs; language.py's rules keep both checks able to see every route.
"""

from __future__ import annotations

import ast
import functools
import sys
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from types import ModuleType

from autograder.checks.language import Finding, own_attributes
from autograder.checks.program import Module, Piece, Program, nodes
from autograder.checks.resolve import MISSING, Resolved, Resolver, constant_getattr, lookup

FAMILY_PLACES = (
    "torch",
    "torch.nn",
    "torch.nn.functional",
    "torch.special",
    "torch.linalg",
    "torch.Tensor",
    "torch.nn.Module",
    "numpy",
    "numpy.ndarray",
)
METHOD_OWNERS = ("torch.Tensor", "torch.nn.Module", "numpy.ndarray")
WHOLE = {"autograd": ("torch.func", "functorch")}  # a name that forbids whole modules


# Functions of torch.nn.functional (and their nn classes) that compute what a forbidden
# name computes, given suitable arguments: `F.softmin(-x)` is softmax, `F.tanhshrink`
# is x - tanh, `F.smooth_l1_loss(beta=0)` is the MAE. Keyed by the normal form of a name
# grading.yml forbids; building blocks a student may use (exp, clamp, where, logsumexp)
# are not here.
SAME_THING = {
    "sigmoid": ("glu", "logsigmoid", "silu"),
    "tanh": ("tanhshrink",),
    "relu": ("threshold", "rrelu", "prelu", "hardtanh", "relu6"),
    "leakyrelu": ("rrelu", "prelu"),
    "elu": ("celu", "selu"),
    "softmax": ("softmin", "logsoftmax", "softmax2d", "gumbelsoftmax"),
    "mseloss": ("huberloss", "smoothl1loss", "gaussiannllloss"),
    "l1loss": ("smoothl1loss", "huberloss"),
    "crossentropy": ("softmin", "logsoftmax", "nllloss"),
    "hingeembeddingloss": ("marginrankingloss", "multimarginloss", "softmarginloss"),
    "multimarginloss": ("multilabelmarginloss", "marginrankingloss"),
}


def normal(name: str) -> str:
    """`LeakyReLU`, `leaky_relu`, `leaky_relu_` → 'leakyrelu'."""
    return name.lower().replace("_", "")


def wanted(names: frozenset[str]) -> frozenset[str]:
    """The normal forms a set of forbidden names stands for (SAME_THING included)."""
    found = {normal(n) for n in names}
    return frozenset(found | {extra for n in found for extra in SAME_THING.get(n, ())})


def _place(path: str) -> object:
    parts = path.split(".")
    obj: object = sys.modules.get(parts[0], MISSING)
    for part in parts[1:]:
        obj = getattr(obj, part, MISSING)
    return obj


@functools.lru_cache(maxsize=64)
def family(names: frozenset[str]) -> frozenset[int]:
    """ids of the objects of torch and numpy that a forbidden name stands for."""
    forms = wanted(names)
    found: set[int] = set()
    for path in FAMILY_PLACES:
        place = _place(path)
        if place is MISSING:
            continue
        for attr in dir(place):
            if attr.startswith("_") or normal(attr) not in forms:
                continue
            value = lookup(place, attr)
            if value is not MISSING and callable(value):
                found.add(id(value))
    return frozenset(found)


@functools.lru_cache(maxsize=64)
def method_names(names: frozenset[str]) -> frozenset[str]:
    """Names of tensor, module and array methods in the family of `names`."""
    forms = wanted(names)
    found = set()
    for path in METHOD_OWNERS:
        owner = _place(path)
        for attr in dir(owner) if owner is not MISSING else ():
            if normal(attr) in forms and callable(getattr(owner, attr, None)):
                found.add(attr)
    return frozenset(found)


@dataclass(frozen=True)
class Forbidden:
    """The forbidden names of one task, and the paths and objects they stand for."""

    names: frozenset[str]

    def covers(self, resolved: Resolved) -> bool:
        forms = wanted(self.names)
        if any(normal(part) in forms for part in resolved.parts[1:]):
            return True
        for name, modules in WHOLE.items():
            if name in self.names and any(
                resolved.path == m or resolved.path.startswith(m + ".") for m in modules
            ):
                return True
        obj = resolved.obj
        if obj is MISSING or isinstance(obj, ModuleType):
            return False
        try:
            return id(obj) in family(self.names)
        except TypeError:
            return False


class Checker:
    """Forbidden uses in the reach of a program's tasks."""

    def __init__(self, program: Program) -> None:
        self.program = program
        self.resolver = Resolver(program)
        self.own = own_attributes(program)

    def uses(self, unit: str, function: str, names: Collection[str]) -> list[Finding]:
        rule = Forbidden(frozenset(names))
        found: dict[tuple[str, int], Finding] = {}
        for piece in self.program.reach(unit, function, precise=True):
            for finding in self._in(piece, rule):
                found.setdefault((finding.file, finding.line), finding)
        return sorted(found.values(), key=lambda f: (f.file, f.line))

    def _in(self, piece: Piece, rule: Forbidden) -> Iterator[Finding]:
        module = piece.module
        for part in piece.parts():
            inner = {id(n.value) for n in nodes(part) if isinstance(n, ast.Attribute)}
            for node in nodes(part):
                if id(node) in inner:
                    continue  # judged as part of the chain around it
                if isinstance(node, (ast.Import, ast.ImportFrom)) and piece.import_time:
                    continue  # an import alone calls nothing; its names are judged where used
                text = self._judge(module, node, rule)
                if text is not None:
                    yield Finding(module.file, getattr(node, "lineno", 0), text)

    def _judge(self, module: Module, node: ast.AST, rule: Forbidden) -> str | None:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            return self._import(node, rule)
        if not isinstance(node, (ast.Name, ast.Attribute, ast.Call)):
            return None
        if isinstance(node, ast.Call) and constant_getattr(node) is None:
            return None
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            return None
        resolved = self.resolver.expr(module, node)
        if resolved is not None:
            if resolved.student or not rule.covers(resolved):
                return None
            return f"{_spelled(node)} ({resolved.path})"
        attr = node.attr if isinstance(node, ast.Attribute) else None
        if attr is None and isinstance(node, ast.Call):
            attr = constant_getattr(node)[1]  # type: ignore[index]
        if attr is not None and attr in method_names(rule.names) and attr not in self.own:
            return f"{_spelled(node)} (torch's own {attr})"
        return None

    def _import(self, node: ast.Import | ast.ImportFrom, rule: Forbidden) -> str | None:
        for alias in node.names:
            base = node.module if isinstance(node, ast.ImportFrom) else None
            path = f"{base}.{alias.name}" if base else alias.name
            top = path.split(".", 1)[0]
            if top in self.program.modules:
                continue
            resolved = Resolved(path, _place(path))
            if rule.covers(resolved):
                if base is None:
                    return f"import {path}"
                return f"from {base} import {alias.name}"
        return None


def _spelled(node: ast.AST) -> str:
    """The source spelling of a chain, shortened: 'F.tanh', 'x.sigmoid', '(...).tanh'."""
    try:
        text = ast.unparse(node)
    except Exception:  # noqa: BLE001 - unparse of odd trees
        return "a call"
    return text if len(text) <= 60 else text[:57] + "..."


def forbidden_uses(source: str, function: str, names: Collection[str]) -> list[Finding]:
    """Forbidden uses in `function` of a one-file submission (`source`, as `unit.py`)."""
    if not names:
        return []
    program = Program({"unit.py": source})
    if "unit" in program.broken:
        raise program.broken["unit"]
    return Checker(program).uses("unit", function, names)
