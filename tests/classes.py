"""Realistic classes for the batch tests and bench/bench_batch.py: folders (or zips) of
submissions that are correct, partly wrong (1-3 wrong implementations from
tests/mutants), untouched stubs, crashing (at import or in a call) and hanging (an
endless loop in one function), each with its expected score where it is known."""

from __future__ import annotations

import importlib
import random
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

from autograder.config import load_config
from autograder.plugin import UNITS
from tests.helpers import ASSIGNMENTS, ROOT, SOLUTIONS, make_submission, replace_function

KINDS = ("correct", "partly wrong", "stub", "crashing", "hanging")
MIX = {"correct": 0.35, "partly wrong": 0.35, "stub": 0.15, "crashing": 0.1, "hanging": 0.05}


@dataclass(frozen=True)
class Student:
    name: str
    kind: str
    expected: float | None  # None: depends on which of its units a crash or hang costs


def _mutants() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for unit in UNITS:
        module = importlib.import_module(f"tests.mutants.{unit}")
        for task, items in module.MUTANTS.items():
            found[task] = [src for _, src in items]
    return found


def _points() -> dict[str, float]:
    return {spec.id: spec.points for spec in load_config(ROOT / "grading.yml").tasks}


def _sign(folder: Path, name: str) -> None:
    """A comment naming the student, so no two submissions are byte-identical."""
    for path in folder.glob("*.py"):
        path.write_text(f"# {name}\n" + path.read_text())


def write_student(folder: Path, name: str, kind: str, rng: random.Random) -> Student:
    points = _points()
    if kind == "stub":
        folder.mkdir(parents=True)
        for path in ASSIGNMENTS.glob("*.py"):
            shutil.copy(path, folder / path.name)
        _sign(folder, name)
        return Student(name, kind, 0.0)
    if kind == "partly wrong":
        mutants = _mutants()
        tasks = rng.sample(sorted(mutants), rng.randint(1, 3))
        make_submission(folder, {t: rng.choice(mutants[t]) for t in tasks})
        _sign(folder, name)
        return Student(name, kind, 100.0 - sum(points[t] for t in tasks))
    make_submission(folder)
    _sign(folder, name)
    if kind == "crashing":
        unit = rng.choice(UNITS)
        path = folder / f"{unit}.py"
        path.write_text(path.read_text() + "\nimport os\nos._exit(3)\n")
        lost = sum(p for t, p in points.items() if t.startswith(unit + "."))
        return Student(name, kind, 100.0 - lost)
    if kind == "hanging":
        path = folder / "activations.py"
        loop = "def tanh(x):\n    while True:\n        pass\n"
        path.write_text(replace_function(path.read_text(), "tanh", loop))
        return Student(name, kind, 99.0)  # tanh's point; tanh_grad is written on its own
    return Student(name, kind, 100.0)


def make_class(top: Path, size: int, seed: int = 0, zips: float = 0.0) -> list[Student]:
    """`size` students in `top` (kinds drawn by MIX); a share `zips` of them as .zip."""
    rng = random.Random(seed)
    kinds = rng.choices(list(MIX), weights=list(MIX.values()), k=size)
    top.mkdir(parents=True, exist_ok=True)
    students = []
    for k, kind in enumerate(kinds):
        name = f"student{k:03d}"
        folder = top / name
        students.append(write_student(folder, name, kind, rng))
        if rng.random() < zips:
            zip_folder(folder, top / f"{name}.zip")
            shutil.rmtree(folder)
    return students


def zip_folder(folder: Path, archive: Path, inside: str = "") -> None:
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(folder.glob("*.py")):
            zf.write(path, f"{inside}{path.name}")


def solutions_files() -> list[Path]:
    return sorted(p for p in SOLUTIONS.glob("*.py") if p.name != "__init__.py")
