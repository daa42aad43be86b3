"""The zip Gradescope takes as an autograder: setup.sh and run_autograder at its root,
beside the course files they install and grade with (the package, grading.yml,
solutions/). Gradescope unpacks it into /autograder/source."""

from __future__ import annotations

import stat
import zipfile
from collections.abc import Iterator
from pathlib import Path

from autograder.errors import UsageError

TEMPLATES = Path(__file__).resolve().parent / "templates"
SCRIPTS = {"setup.sh": "gradescope_setup.sh", "run_autograder": "gradescope_run_autograder"}
COURSE_FILES = ("pyproject.toml", "README.md", "grading.yml")
COURSE_FOLDERS = ("autograder", "solutions", "hidden")  # hidden/: where the course has it
SKIPPED = ("__pycache__", ".pyc", ".egg-info")
STAMP = (2020, 1, 1, 0, 0, 0)  # fixed times: the same course gives the same bytes


def course_files(root: Path) -> Iterator[tuple[str, Path]]:
    """(name in the zip, file) for every course file the bundle carries."""
    for name in COURSE_FILES:
        if not (root / name).is_file():
            raise UsageError(f"{root / name}: missing; run from the course repository")
        yield name, root / name
    for folder in COURSE_FOLDERS:
        if not (root / folder).is_dir():
            continue
        for path in sorted((root / folder).rglob("*")):
            if path.is_file() and not any(part in str(path) for part in SKIPPED):
                yield path.relative_to(root).as_posix(), path


def build(root: Path, out: Path) -> list[str]:
    """Write the bundle to `out`; return the names it holds."""
    names = []
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, template in SCRIPTS.items():
            _add(bundle, name, (TEMPLATES / template).read_bytes(), executable=True)
            names.append(name)
        for name, path in course_files(root):
            _add(bundle, name, path.read_bytes(), executable=False)
            names.append(name)
    return names


def _add(bundle: zipfile.ZipFile, name: str, data: bytes, executable: bool) -> None:
    info = zipfile.ZipInfo(name, STAMP)
    mode = 0o755 if executable else 0o644
    info.external_attr = (stat.S_IFREG | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    bundle.writestr(info, data)
