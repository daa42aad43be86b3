"""Shared helpers for the grader's own tests: build submissions, grade them from outside."""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# Grade with code the static rules refuse still run (its points are lost all the same):
# for tests of the defences behind the rules (autograder.submission.RUN_REFUSED_ENV).
RUN_REFUSED = {"AUTOGRADER_RUN_REFUSED_CODE": "1"}
SOLUTIONS = ROOT / "solutions"
ASSIGNMENTS = ROOT / "assignments"


def replace_function(source: str, name: str, new_source: str) -> str:
    """`source` with the top-level def (or class) `name` swapped for `new_source`."""
    tree = ast.parse(source)
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name == name:
            lines = source.splitlines(keepends=True)
            first = node.lineno - 1 - len(node.decorator_list)
            replacement = new_source.strip("\n") + "\n"
            return "".join(lines[:first]) + replacement + "".join(lines[node.end_lineno :])
    raise KeyError(f"no top-level def {name!r}")


def make_submission(
    dest: Path, changes: dict[str, str] | None = None, files: dict[str, str] | None = None
) -> Path:
    """Copy solutions/ to `dest`, then apply {task id: new def source} and raw file texts."""
    dest.mkdir(parents=True, exist_ok=True)
    for path in SOLUTIONS.glob("*.py"):
        if path.name != "__init__.py":
            shutil.copy(path, dest / path.name)
    for task, new_source in (changes or {}).items():
        unit, func = task.split(".", 1)
        target = dest / f"{unit}.py"
        target.write_text(replace_function(target.read_text(), func, new_source))
    for name, text in (files or {}).items():
        (dest / name).write_text(text)
    return dest


def grade(
    submission: Path,
    out: Path,
    *extra: str,
    timeout: float = 900,
    env: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Run `autograder grade` in a fresh process (as a TA would) and return its JSON;
    `env` adds to the environment."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **(env or {})}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "autograder.cli",
            "grade",
            str(submission),
            "--json",
            str(out),
            "--config",
            str(ROOT / "grading.yml"),
            *extra,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if proc.returncode != 0:
        raise AssertionError(
            f"autograder grade exited {proc.returncode}:\n{proc.stdout[-3000:]}"
            f"\n{proc.stderr[-3000:]}"
        )
    result = json.loads(out.read_text())
    result["stdout"] = proc.stdout
    return result


def by_id(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {task["id"]: task for task in result["tasks"]}


def lost(result: dict[str, Any]) -> set[str]:
    """Task ids that did not get full points."""
    return {t["id"] for t in result["tasks"] if t["score"] < t["max_score"]}
