"""Generate the student release (assignments/) from solutions/.

Each `### BEGIN SOLUTION` … `### END SOLUTION` region becomes
`raise NotImplementedError("<unit>.<function>: ...")`, keeping the signature and
the docstring with its formula. `check` reports drift between the two trees.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from autograder.errors import ReleaseError

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"


def _owners(source: str, path: Path) -> list[tuple[int, int, str]]:
    try:
        tree = ast.parse(source, filename=str(path))
    except SyntaxError as exc:
        raise ReleaseError(f"{path}:{exc.lineno}: not valid Python ({exc.msg})") from exc
    return [
        (node.lineno, node.end_lineno or node.lineno, node.name)
        for node in tree.body
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
    ]


def _owner(owners: list[tuple[int, int, str]], line: int, path: Path) -> str:
    for first, last, name in owners:
        if first <= line <= last:
            return name
    raise ReleaseError(
        f"{path}:{line}: solution region outside any top-level function or "
        "class; move it into the function it belongs to"
    )


def stub_source(source: str, path: Path) -> str:
    """The student version of one solutions module."""
    owners, unit = _owners(source, path), path.stem
    out: list[str] = []
    begin: int | None = None
    for number, line in enumerate(source.splitlines(keepends=True), start=1):
        marker = line.strip()
        if marker == BEGIN:
            if begin is not None:
                raise ReleaseError(
                    f"{path}:{number}: '{BEGIN}' inside another region "
                    f"(opened at line {begin}); close it with '{END}'"
                )
            begin = number
            indent = line[: len(line) - len(line.lstrip())]
            task = f"{unit}.{_owner(owners, number, path)}"
            out.append(f'{indent}raise NotImplementedError("{task}: write this part")\n')
        elif marker == END:
            if begin is None:
                raise ReleaseError(f"{path}:{number}: '{END}' without a matching '{BEGIN}'")
            begin = None
        elif begin is None:
            out.append(line)
    if begin is not None:
        raise ReleaseError(f"{path}:{begin}: '{BEGIN}' is never closed; add '{END}'")
    return "".join(out)


def release(solutions: Path) -> dict[str, str]:
    """File name → stub text, for every module in solutions/ (packages markers excluded)."""
    if not solutions.is_dir():
        raise ReleaseError(f"{solutions}: no such folder; run from the course repository root")
    files = sorted(p for p in solutions.glob("*.py") if p.name != "__init__.py")
    return {p.name: stub_source(p.read_text(encoding="utf-8"), p) for p in files}


MARKER = re.compile(r'raise NotImplementedError\("([\w.]+): write this part"\)')


def filled_in(existing: str, stub: str) -> list[str]:
    """Task ids whose stub in `stub` the `existing` file no longer carries: functions that
    someone has written (a student's work), which regenerating would throw away."""
    kept = set(MARKER.findall(existing))
    try:
        defined = {
            node.name
            for node in ast.walk(ast.parse(existing))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        }
    except SyntaxError:
        return sorted(set(MARKER.findall(stub)))
    return sorted(
        task
        for task in dict.fromkeys(MARKER.findall(stub))
        if task not in kept and task.split(".", 1)[1] in defined
    )


def write(solutions: Path, out: Path, force: bool = False) -> list[str]:
    """Regenerate `out` from `solutions`; returns the names written. Without `force`,
    refuses (writing nothing) when a file in `out` holds functions someone filled in."""
    stubs = release(solutions)
    if not force:
        _refuse_to_overwrite_work(stubs, out)
    out.mkdir(parents=True, exist_ok=True)
    for name, text in stubs.items():
        (out / name).write_text(text, encoding="utf-8")
    return sorted(stubs)


def _refuse_to_overwrite_work(stubs: dict[str, str], out: Path) -> None:
    for name, text in stubs.items():
        target = out / name
        if not target.is_file():
            continue
        done = filled_in(target.read_text(encoding="utf-8", errors="replace"), text)
        if done:
            raise ReleaseError(
                f"{target}: {', '.join(done)} "
                f"{'is' if len(done) == 1 else 'are'} filled in, not a stub; regenerating "
                "would overwrite that work (pass --force to overwrite anyway)"
            )


def drift(solutions: Path, out: Path) -> list[str]:
    """Names of files in `out` that differ from what `release` would generate, or are missing."""
    stubs = release(solutions)
    problems = []
    for name, text in stubs.items():
        target = out / name
        if not target.is_file():
            problems.append(f"{target}: missing")
        elif target.read_text(encoding="utf-8") != text:
            problems.append(f"{target}: differs from the stub generated from {solutions / name}")
    return problems
