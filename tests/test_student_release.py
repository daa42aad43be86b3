"""The student template repository: what it holds and lacks, its workflow (actionlint),
grading in it against the oracle, and the check of its protected files."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import student_release
from tests.helpers import ROOT, SOLUTIONS

REGION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("release") / "homework"
    student_release.build(ROOT, out, "dl-autograder==0.1.0")
    return out


def _files(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
        for p in folder.rglob("*")
        if p.is_file()
    }


def test_the_release_holds_what_a_student_needs(release):
    names = set(_files(release))
    assert {"grading.yml", "pyproject.toml", "README.md", ".gitignore"} <= names
    assert {student_release.WORKFLOW, student_release.MANIFEST} <= names
    assert {
        f"assignments/{p.name}" for p in SOLUTIONS.glob("*.py") if p.name != "__init__.py"
    } <= names
    assert not any(n.startswith(("solutions/", "tests/", "autograder/")) for n in names)
    assert 'dependencies = ["dl-autograder==0.1.0"]' in (release / "pyproject.toml").read_text()


def test_no_solution_body_is_in_the_release(release):
    lines = {line.strip() for text in _files(release).values() for line in text.splitlines()}
    body, given = set(), set()
    for path in SOLUTIONS.glob("*.py"):
        text = path.read_text()
        for region in REGION.findall(text):
            body |= {line.strip() for line in region.splitlines() if len(line.strip()) > 12}
        given |= {line.strip() for line in REGION.sub("", text).splitlines()}
    body -= given  # lines the students are given anyway, outside the solution regions
    assert len(body) > 100, "too few solution lines found: the scan would check little"
    leaked = sorted(body & lines)
    assert not leaked


def test_the_workflow_passes_actionlint(release):
    actionlint = shutil.which("actionlint", path=os.path.dirname(sys.executable))
    actionlint = actionlint or shutil.which("actionlint")
    assert actionlint, "actionlint is part of the dev extra: pip install -e '.[dev]'"
    proc = subprocess.run(
        [actionlint, "-no-color", str(release / student_release.WORKFLOW)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    workflow = (release / student_release.WORKFLOW).read_text()
    assert 'GRADER: "dl-autograder==0.1.0"' in workflow
    assert "--format github" in workflow and "verify-release" in workflow


def _pytest_in(repo: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=repo, env={**os.environ, "CI": "true"}, capture_output=True, text=True,
        timeout=900,
    )  # fmt: skip


def test_pytest_in_the_release_grades_against_the_oracle(release, tmp_path):
    stubs = _pytest_in(release)
    assert "TOTAL                            0 / 100" in stubs.stdout, stubs.stdout[-2000:]
    solved = tmp_path / "solved"
    shutil.copytree(release, solved)
    for path in SOLUTIONS.glob("*.py"):
        if path.name != "__init__.py":
            shutil.copy(path, solved / "assignments" / path.name)
    full = _pytest_in(solved)
    assert "TOTAL                          100 / 100" in full.stdout, full.stdout[-2000:]


def _verify(repo: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "autograder.cli", "verify-release", str(repo), *extra],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_verify_release_reports_changed_protected_files(release, tmp_path):
    assert _verify(release).returncode == 0
    copy = tmp_path / "student"
    shutil.copytree(release, copy)
    (copy / "grading.yml").write_text((copy / "grading.yml").read_text() + "\n# mine\n")
    (copy / student_release.WORKFLOW).unlink()
    proc = _verify(copy, "--manifest", str(release / student_release.MANIFEST), "--github")
    assert proc.returncode == 1
    assert (
        "::warning file=grading.yml,title=Protected file::changed since the release" in proc.stdout
    )
    assert f"::warning file={student_release.WORKFLOW}" in proc.stdout
    manifest = json.loads((release / student_release.MANIFEST).read_text())
    assert set(manifest) == set(student_release.PROTECTED)


def test_a_release_never_overwrites_a_folder(release):
    with pytest.raises(Exception, match="already exists"):
        student_release.build(ROOT, release, "dl-autograder==0.1.0")
