"""The student template repository: stubs, grading.yml, a pyproject that installs the
pinned grader, a student README, the GitHub workflow, and a manifest of the protected
files' hashes. No solutions: in the release, `pytest` grades against the oracle."""

from __future__ import annotations

import hashlib
import json
import shutil
from importlib import metadata
from pathlib import Path

import yaml

from autograder import release
from autograder.errors import ReleaseError

TEMPLATES = Path(__file__).resolve().parent / "templates" / "student"
MANIFEST = ".autograder/manifest.json"
WORKFLOW = ".github/workflows/autograding.yml"
PROTECTED = ("grading.yml", "pyproject.toml", WORKFLOW)


def default_grader() -> str:
    """This grader, pinned to its installed version."""
    return f"dl-autograder=={metadata.version('dl-autograder')}"


def build(root: Path, out: Path, grader: str) -> list[str]:
    """Write the release for the course in `root` to `out` (which must not exist)."""
    if out.exists():
        raise ReleaseError(f"{out}: already exists; give a new folder for the release")
    if '"' in grader or "\n" in grader:
        raise ReleaseError(f"--grader {grader!r}: a pip requirement without quotes")
    written = [
        f"assignments/{name}" for name in release.write(root / "solutions", out / "assignments")
    ]
    (out / "grading.yml").write_text(public_config(root / "grading.yml"), encoding="utf-8")
    for template, name in (("pyproject.toml", "pyproject.toml"), ("autograding.yml", WORKFLOW)):
        text = (TEMPLATES / template).read_text(encoding="utf-8").replace("{grader}", grader)
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(text, encoding="utf-8")
    shutil.copyfile(TEMPLATES / "README.md", out / "README.md")
    (out / ".gitignore").write_text("__pycache__/\n*.egg-info/\nautograder-report.json\n")
    manifest = {name: sha256(out / name) for name in PROTECTED}
    (out / MANIFEST).parent.mkdir(parents=True, exist_ok=True)
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return [*written, "grading.yml", "pyproject.toml", WORKFLOW, "README.md", MANIFEST]


def public_config(path: Path) -> str:
    """grading.yml without its hidden tasks (verbatim, comments kept, when it has none)."""
    text = path.read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    tasks = raw.get("tasks") if isinstance(raw, dict) else None
    if not isinstance(tasks, dict):
        return text
    hidden = [k for k, v in tasks.items() if isinstance(v, dict) and v.get("hidden") is True]
    if not hidden:
        return text
    for key in hidden:
        del tasks[key]
    header = "# grading.yml of the course, without its instructor-only (hidden) tasks\n"
    return header + yaml.safe_dump(raw, sort_keys=False)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def differences(repo: Path, manifest: Path) -> list[str]:
    """One line per protected file of `repo` that differs from `manifest` or is gone."""
    try:
        expected = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReleaseError(f"{manifest}: cannot read the release manifest ({exc})") from None
    lines = []
    for name, digest in sorted(expected.items()):
        path = repo / name
        if not path.is_file():
            lines.append(f"{name}: missing (the release has it)")
        elif sha256(path) != digest:
            lines.append(f"{name}: changed since the release")
    return lines
