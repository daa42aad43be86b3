"""A student's module rebuilt from notebook cells: the definitions, imports and constants
of each cell, in order, without the calls and scratch work around them.

The same rebuild serves the quick check inside the student's kernel (from the cells it
executed) and the hardened nbgrader grading (from the notebook file), so both grade the
same code that `autograder grade` would grade from a `.py` file.
"""

from __future__ import annotations

import ast
import warnings
from pathlib import Path

from autograder.nofollow import Refused, read_file

KEPT = (
    ast.Import,
    ast.ImportFrom,
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.Assign,
    ast.AnnAssign,
)


def _statements(cell: str) -> list[str]:
    """The kept top-level statements of one cell (none if it is not plain Python,
    e.g. a cell with IPython magics)."""
    try:
        tree = ast.parse(cell)
    except SyntaxError:
        return []
    lines = cell.splitlines()
    kept = []
    for node in tree.body:
        if not isinstance(node, KEPT) or _is_autograder_call(node) or _changes_others(node):
            continue
        kept.append("\n".join(lines[first_line(node) - 1 : node.end_lineno]))
    return kept


def first_line(node: ast.stmt) -> int:
    """Where a statement starts, its decorators included."""
    return min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])


def _is_autograder_call(node: ast.stmt) -> bool:
    """Imports of the grader (its check cells) and `from __future__` imports (the
    rebuilt module starts with its own)."""
    if isinstance(node, ast.Import):
        return any(alias.name.split(".")[0] == "autograder" for alias in node.names)
    if isinstance(node, ast.ImportFrom):
        module = node.module or ""
        return module.split(".")[0] == "autograder" or module == "__future__"
    return False


def _changes_others(node: ast.stmt) -> bool:
    """An assignment to anything but plain names (`module.attr = ...`, `x[i] = ...`):
    scratch work, or patching another module; a `.py` file would not hold it."""
    if isinstance(node, ast.Assign):
        return not all(isinstance(t, ast.Name) for t in node.targets)
    if isinstance(node, ast.AnnAssign):
        return not isinstance(node.target, ast.Name)
    return False


def module_from_cells(cells: list[str]) -> str:
    """One module: every kept statement of every cell, in the order given."""
    parts = ["from __future__ import annotations"]
    for cell in cells:
        parts.extend(_statements(cell))
    return "\n\n\n".join(parts) + "\n"


def module_from_notebook(source: bytes | Path, name: str) -> tuple[str, str]:
    """(the module rebuilt from a notebook's code cells, "") for a notebook file or its
    bytes; one that cannot be read becomes (a module that says so when imported, why).
    A file is read only if it is a regular file and itself no symbolic link."""
    try:
        data = read_file(source) if isinstance(source, Path) else source
    except Refused as exc:  # a link (to the instructor's notebook, say): not read at all
        return unreadable_module(str(exc)), str(exc)
    except OSError as exc:
        return _unreadable(name, exc)
    try:
        import nbformat

        with warnings.catch_warnings():  # cells without ids (hand-edited JSON) read fine
            warnings.filterwarnings("ignore", message="Cell is missing an id field")
            notebook = nbformat.reads(data.decode("utf-8"), as_version=4)
        cells = [c.source for c in notebook.cells if c.cell_type == "code"]
    except Exception as exc:  # noqa: BLE001 - bad JSON, wrong format, no nbformat
        return _unreadable(name, exc)
    return module_from_cells(cells), ""


def unreadable_module(why: str) -> str:
    """A unit's module that only fails to import, saying `why` (its tasks score 0)."""
    return f"raise ImportError({why!r})\n"


def _unreadable(name: str, exc: Exception) -> tuple[str, str]:
    why = f"{name} could not be read ({type(exc).__name__}: {str(exc)[:200]})"
    return unreadable_module(why), why
