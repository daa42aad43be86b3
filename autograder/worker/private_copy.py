"""The worker's private copy of a submission: made by the grader before any student code
runs, so the files checked statically are the files imported, and nothing a worker does
can reach the student's original folder (or, through a link, anything else).

A submission is its declared files: the units' files and the course's helpers
(`GradingConfig.files`). Only those are copied; anything else in the folder (other
files, folders, links) is left out and named, so the worker can import nothing the
static checks have not read.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from autograder import safe_text
from autograder.errors import SubmissionError
from autograder.nofollow import Refused, read_file

MAX_FILES = 2000
MAX_BYTES = 64 * 1024 * 1024
SKIPPED = ("__pycache__", ".git", ".ipynb_checkpoints")
NAME_LIMIT = 80  # characters of a file name shown in a note
MAX_NOTES = 20


def private_copy(folder: Path, files: tuple[str, ...] | None = None) -> Path:
    """Copy `folder`'s regular files (never links; only `files` when given) into a fresh
    temporary folder that every worker uid may read; `remove` it when grading is done."""
    dest = Path(tempfile.mkdtemp(prefix="autograder-submission-"))
    try:
        os.chmod(dest, 0o755)
        if files is None:
            _copy(folder, dest, [0, 0])
        else:
            _copy_declared(folder, dest, files)
    except BaseException:
        remove(dest)
        raise
    return dest


def left_out(folder: Path, files: tuple[str, ...]) -> list[str]:
    """What `folder` holds besides its declared `files` (or instead of them: a declared
    name that is a link or not a regular file), for a note: never imported, never read."""
    notes = []
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        if entry.name in (*SKIPPED, "__init__.py") or entry.name.endswith((".pyc", ".ipynb")):
            continue
        name = safe_text.line(entry.name, NAME_LIMIT)  # a student's file name is their text
        if entry.is_symlink():
            notes.append(f"{name} (a symbolic link: hand in the file itself)")
        elif entry.name not in files:
            notes.append(name + ("/" if entry.is_dir(follow_symlinks=False) else ""))
        elif not entry.is_file(follow_symlinks=False):
            notes.append(f"{name} (not a regular file)")
        if len(notes) >= MAX_NOTES:
            notes.append("...")
            break
    return notes


def copy_of(copy: Path) -> Path:
    """A fresh private copy of a copy made by `private_copy` (one per worker, so no two
    workers share a folder)."""
    dest = Path(tempfile.mkdtemp(prefix="autograder-submission-"))
    try:
        os.chmod(dest, 0o755)
        _copy(copy, dest, [0, 0])
    except BaseException:
        remove(dest)
        raise
    return dest


def _copy(source: Path, dest: Path, used: list[int]) -> None:
    for entry in sorted(os.scandir(source), key=lambda e: e.name):
        if entry.name in SKIPPED or entry.is_symlink():
            continue
        target = dest / entry.name
        if entry.is_dir(follow_symlinks=False):
            target.mkdir(mode=0o755)
            _copy(Path(entry.path), target, used)
        elif entry.is_file(follow_symlinks=False):
            used[0] += 1
            used[1] += entry.stat(follow_symlinks=False).st_size
            if used[0] > MAX_FILES or used[1] > MAX_BYTES:
                raise SubmissionError(
                    f"{source}: the submission holds over {MAX_FILES} files or "
                    f"{MAX_BYTES // 2**20} MiB; hand in only your .py files"
                )
            shutil.copyfile(entry.path, target, follow_symlinks=False)
            os.chmod(target, 0o644)


def _copy_declared(source: Path, dest: Path, files: tuple[str, ...]) -> None:
    """Each declared file that is a regular file (read without following a link, so a
    file swapped for a link meanwhile is never read through), written afresh."""
    used = 0
    for name in files:
        try:
            data = read_file(source / name, source)
        except (OSError, Refused):  # missing, a link, not a regular file: see `left_out`
            continue
        used += len(data)
        if used > MAX_BYTES:
            raise SubmissionError(
                f"{source}: the submission's files hold over {MAX_BYTES // 2**20} MiB; "
                "hand in only your .py files"
            )
        target = dest / name
        target.write_bytes(data)
        os.chmod(target, 0o644)


def remove(copy: Path) -> None:
    """Delete a copy made by `private_copy` (and nothing else)."""
    if copy.name.startswith("autograder-submission-"):
        shutil.rmtree(copy, ignore_errors=True)
