"""A corpus of correct alternative implementations, held as data, and the submissions made
from it.

Each `Variant` rewrites part of one unit file of the model answers (solutions/): whole
top-level definitions are replaced by their new text (found by name, through the parse
tree's line ranges, so no second definition of a task is left for the static rules to
read); imports, then new helpers and classes, go after the file's own imports; tables and
`__main__` self-tests are appended.
A `Submission` is a copy of solutions/ with a group of variants applied; grading one
checks every variant in it at once (registry.py groups them). A variant that loses points
today gets a submission of its own, so the loss is attributed to it alone.
"""

from __future__ import annotations

import ast
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions"
UNITS = (
    "linear_model",
    "gradient_descent",
    "activations",
    "losses",
    "backprop",
    "optimizers",
    "training",
)


@dataclass(frozen=True)
class Variant:
    """A correct rewrite of part of `unit`'s model answer, in one style.

    defs: sources of top-level functions or classes; one named like a model answer's
        definition replaces it, any other is added.
    imports: import lines, placed after the file's own imports.
    extra: module-level text appended at the end (tables, `__main__` self-tests).
    """

    name: str
    unit: str
    style: str
    defs: tuple[str, ...] = ()
    imports: str = ""
    extra: str = ""

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"{self.name}: unknown unit {self.unit!r}")

    @property
    def names(self) -> list[str]:
        """The top-level names this variant defines."""
        return [_def_name(source) for source in self.defs]


@dataclass(frozen=True)
class Submission:
    """A copy of solutions/ with `variants` applied; `xfail` says what the grader does wrong
    when a variant in it loses points today (None: it keeps full marks), and `expect` is
    the text every message of that known loss holds. `tasks` narrows the grading to those
    task ids (a probe whose loss shows on any task it costs)."""

    name: str
    variants: tuple[Variant, ...]
    xfail: str | None = None
    expect: str = ""
    tasks: tuple[str, ...] = field(default=())

    def graded_units(self) -> tuple[str, ...]:
        """The units the variants change, in course order."""
        touched = {v.unit for v in self.variants}
        return tuple(u for u in UNITS if u in touched)

    def grade_args(self) -> list[str]:
        """`autograder grade` options that grade what this submission changes."""
        if self.tasks:
            return [arg for task in self.tasks for arg in ("--task", task)]
        units = self.graded_units()
        if len(units) == len(UNITS):
            return []
        return [arg for unit in units for arg in ("--unit", unit)]

    def owners(self, task: str) -> str:
        """The variants that may be behind a loss in `task`: the one rewriting its function,
        then the others changing its file."""
        unit, function = task.split(".", 1)
        mine = [v for v in self.variants if v.unit == unit]
        defines = [v.name for v in mine if function in v.names]
        others = [v.name for v in mine if function not in v.names]
        text = f"written by {', '.join(defines)}" if defines else "the model answer"
        return text + (f"; {unit}.py also changed by {', '.join(others)}" if others else "")


def _def_name(source: str) -> str:
    tree = ast.parse(source.strip("\n") + "\n")
    if len(tree.body) != 1 or not isinstance(
        tree.body[0], (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    ):
        raise ValueError(f"a variant's def must be one function or class:\n{source}")
    return tree.body[0].name


def _top_level(tree: ast.Module) -> dict[str, ast.stmt]:
    return {
        node.name: node
        for node in tree.body
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
    }


def _replace(source: str, name: str, new_source: str) -> str:
    """`source` with the top-level definition `name` (decorators included) swapped."""
    node = _top_level(ast.parse(source))[name]
    lines = source.splitlines(keepends=True)
    first = min([node.lineno, *(d.lineno for d in node.decorator_list)]) - 1
    replacement = new_source.strip("\n") + "\n"
    return "".join(lines[:first]) + replacement + "".join(lines[node.end_lineno :])


def _after_imports(source: str, block: str) -> str:
    """`block` placed right after the last top-level import of `source`."""
    tree = ast.parse(source)
    last = max(
        (
            node.end_lineno or 0
            for node in tree.body
            if isinstance(node, ast.Import | ast.ImportFrom)
        ),
        default=0,
    )
    lines = source.splitlines(keepends=True)
    return "".join(lines[:last]) + block + "".join(lines[last:])


def apply(source: str, variants: Iterable[Variant]) -> str:
    """The unit file `source` with every variant (all of one unit) applied, in order."""
    variants = list(variants)
    seen: dict[str, str] = {}
    for variant in variants:
        for name in variant.names:
            if name in seen:
                raise ValueError(f"{variant.name} and {seen[name]} both define {name}")
            seen[name] = variant.name
    for variant in variants:
        if variant.imports:
            source = _after_imports(source, variant.imports.strip("\n") + "\n")
    added: list[str] = []
    for variant in variants:
        existing = _top_level(ast.parse(source))
        for def_source, name in zip(variant.defs, variant.names, strict=True):
            if name in existing:
                source = _replace(source, name, def_source)
            else:
                added.append(def_source.strip("\n"))
    if added:  # before the model answers, so decorators and base classes exist when used
        source = _after_imports(source, "\n\n" + "\n\n\n".join(added) + "\n")
    for variant in variants:
        if variant.extra:
            source = source.rstrip("\n") + "\n\n\n" + variant.extra.strip("\n") + "\n"
    ast.parse(source)  # every built file must at least parse
    return source


def build(submission: Submission, dest: Path) -> Path:
    """Write `submission` to `dest`: solutions/'s unit files with its variants applied."""
    dest.mkdir(parents=True, exist_ok=True)
    for unit in UNITS:
        shutil.copy(SOLUTIONS / f"{unit}.py", dest / f"{unit}.py")
    for unit in UNITS:
        mine = [v for v in submission.variants if v.unit == unit]
        if mine:
            path = dest / f"{unit}.py"
            path.write_text(apply(path.read_text(), mine))
    return dest
