"""nbgrader notebooks from the single source: one notebook per unit, built from
solutions/ and grading.yml, in an nbgrader course folder (OUT/source/<assignment>/).

Per unit: the module's docstring as markdown; its imports and other given code in a
locked cell; per function an autograded-answer cell (its `### BEGIN SOLUTION` region,
which nbgrader turns into `raise NotImplementedError()`) and, per task, a locked
autograder-test cell worth the task's points. The test cell's visible part prints the
same one-line feedback as `pytest`; its hidden part (stripped from the release by
nbgrader) makes the cell fail when the task lost points.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path
from typing import Any

from autograder.cells import first_line
from autograder.config import GradingConfig
from autograder.errors import UsageError

SCHEMA_VERSION = 3
CHECK = """# {task} ({points:g} point{plural}): the checks `pytest` runs, on your code above
from autograder.notebook_check import check

check("{task}", globals())
### BEGIN HIDDEN TESTS
check("{task}", globals(), strict=True)
### END HIDDEN TESTS"""


def _nbformat() -> Any:
    try:
        import nbformat
    except ImportError:
        raise UsageError("notebooks need nbgrader: pip install 'dl-autograder[nbgrader]'") from None
    return nbformat


def grade_id(task: str, suffix: str = "") -> str:
    """nbgrader's cell id for a task (letters, digits, '-' and '_' only)."""
    return task.replace(".", "-") + (f"-{suffix}" if suffix else "")


def _meta(cell_id: str, *, solution: bool, grade: bool, locked: bool, points: float = 0):
    meta: dict[str, Any] = {
        "grade": grade,
        "grade_id": cell_id,
        "locked": locked,
        "schema_version": SCHEMA_VERSION,
        "solution": solution,
        "task": False,
    }
    if grade:
        meta["points"] = points
    return {"nbgrader": meta}


def _chunks(source: str) -> list[tuple[str | None, str]]:
    """(name of the top-level def/class, or None for given code, its text), in order;
    the module docstring and `from __future__` imports left out."""
    tree = ast.parse(source)
    lines = source.splitlines()
    chunks: list[tuple[str | None, str]] = []
    starts = [first_line(node) for node in tree.body] + [len(lines) + 1]
    for i, node in enumerate(tree.body):
        if i == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            continue
        # up to the next statement: trailing comments such as `### END SOLUTION` included
        text = "\n".join(lines[starts[i] - 1 : starts[i + 1] - 1]).rstrip()
        named = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        name = node.name if named else None
        if name is None and chunks and chunks[-1][0] is None:
            chunks[-1] = (None, chunks[-1][1] + "\n" + text)
        else:
            chunks.append((name, text))
    return chunks


def _heading(text: str, name: str) -> str:
    """Markdown for one function: its name and its docstring (the formula)."""
    node = ast.parse(text).body[0]
    doc = ast.get_docstring(node) if isinstance(node, (ast.FunctionDef, ast.ClassDef)) else None
    return f"### `{name}`\n\n{doc}" if doc else f"### `{name}`"


def unit_notebook(unit: str, source: str, config: GradingConfig) -> Any:
    nbformat = _nbformat()
    v4 = nbformat.v4
    doc = ast.get_docstring(ast.parse(source)) or unit
    intro = (
        f"# {unit}\n\n{doc}\n\nWrite each function where it says `YOUR CODE HERE`, run its "
        "cell, then run the check below it: it prints the same one-line feedback as "
        "`pytest`. Do not rename the functions."
    )
    cells = [v4.new_markdown_cell(intro, id=grade_id(unit, "intro"))]
    tasks = {spec.function: spec for spec in config.tasks if spec.unit == unit and not spec.hidden}
    for n, (name, text) in enumerate(_chunks(source)):
        if name is None or "### BEGIN SOLUTION" not in text:
            cell_id = grade_id(unit, f"given-{n}")
            cell = v4.new_code_cell(text, id=cell_id)
            cell.metadata = _meta(cell_id, solution=False, grade=False, locked=True)
            cells.append(cell)
            continue
        cells.append(
            v4.new_markdown_cell(_heading(text, name), id=grade_id(f"{unit}.{name}", "doc"))
        )
        cell_id = grade_id(f"{unit}.{name}", "answer")
        answer = v4.new_code_cell(text, id=cell_id)
        answer.metadata = _meta(cell_id, solution=True, grade=False, locked=False)
        cells.append(answer)
        spec = tasks.get(name)
        if spec is not None:
            cells.append(_test_cell(v4, spec.id, spec.points))
    notebook = v4.new_notebook(cells=cells)
    notebook.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    return notebook


def _test_cell(v4: Any, task: str, points: float) -> Any:
    text = CHECK.format(task=task, points=points, plural="" if points == 1 else "s")
    cell = v4.new_code_cell(text, id=grade_id(task))
    cell.metadata = _meta(grade_id(task), solution=False, grade=True, locked=True, points=points)
    return cell


def write_course(root: Path, out: Path, assignment: str, config: GradingConfig,
                 units: tuple[str, ...] = ()) -> list[Path]:  # fmt: skip
    """Write OUT/source/<assignment>/<unit>.ipynb for each unit (all by default), the
    grading.yml the checks use beside them, and an nbgrader_config.py; byte-identical
    output for the same input."""
    nbformat = _nbformat()
    folder = out / "source" / assignment
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for unit in units or config.units:
        path = root / "solutions" / f"{unit}.py"
        notebook = unit_notebook(unit, path.read_text(encoding="utf-8"), config)
        target = folder / f"{unit}.ipynb"
        target.write_text(nbformat.writes(notebook) + "\n", encoding="utf-8")
        written.append(target)
    shutil.copyfile(root / "grading.yml", folder / "grading.yml")
    written.append(folder / "grading.yml")
    config_file = out / "nbgrader_config.py"
    if not config_file.exists():
        config_file.write_text(NBGRADER_CONFIG.format(assignment=assignment), encoding="utf-8")
        written.append(config_file)
    return written


NBGRADER_CONFIG = """c = get_config()  # noqa: F821 - provided by nbgrader when it reads this file
c.CourseDirectory.course_id = "dl-fundamentals"
c.Execute.timeout = 600  # a check grades its whole unit (once) in a sandboxed worker
"""
