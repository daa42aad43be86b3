"""The worker's private copy of a submission: made by the grader before any student code
runs, so the files checked statically are the files imported, and nothing a worker does
can reach the student's original folder (or, through a link, anything else)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from autograder.errors import SubmissionError

MAX_FILES = 2000
MAX_BYTES = 64 * 1024 * 1024
SKIPPED = ("__pycache__", ".git", ".ipynb_checkpoints")


def private_copy(folder: Path) -> Path:
    """Copy `folder`'s regular files (never links) into a fresh temporary folder that
    every worker uid may read; `remove` it when grading is done."""
    dest = Path(tempfile.mkdtemp(prefix="autograder-submission-"))
    try:
        os.chmod(dest, 0o755)
        _copy(folder, dest, [0, 0])
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


def remove(copy: Path) -> None:
    """Delete a copy made by `private_copy` (and nothing else)."""
    if copy.name.startswith("autograder-submission-"):
        shutil.rmtree(copy, ignore_errors=True)
