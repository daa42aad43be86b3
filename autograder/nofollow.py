"""Reading what a student handed in without following a symbolic link.

A link in a submission can point at anything the grader may read: the instructor's
source notebook with the model answers, another student's folder, the course secret.
Every intake (batch folders and zips, nbgrader `submitted/` trees, `nbgrader-autograde`)
reads a student's files through this module only. Below a trusted top folder, each
folder and the file itself are opened one name at a time with O_NOFOLLOW, relative to
the folder opened before, and a file counts only when fstat says it is a regular file.
So a link, to a file or to a folder, at any depth, is never opened, even if it appears
between a check and a read; the caller gets its path to name in a note. (A hard link is
a regular file, and no name tells it apart.)
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from autograder.errors import SubmissionError

MAX_FILE_BYTES = 16 * 2**20
MAX_FILES = 5000
MAX_TOTAL_BYTES = 64 * 2**20
MAX_DEPTH = 32
MAX_NAMED = 5  # links named in one note; the rest are counted

_TOP = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC
_DIR = _TOP | os.O_NOFOLLOW
_FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC  # a FIFO does not block


class Refused(SubmissionError):
    """A path in a submission is a link or not a regular file, or the files are too many
    or too big (the message names the path and the fix)."""


def links_note(paths: Sequence[str]) -> str:
    """One line naming the links that were skipped, and what to do instead."""
    if len(paths) == 1:
        return f"{paths[0]} is a symbolic link; links are not graded: hand in the file itself"
    named = ", ".join(paths[:MAX_NAMED])
    more = f" and {len(paths) - MAX_NAMED} more" if len(paths) > MAX_NAMED else ""
    return f"{named}{more} are symbolic links; links are not graded: hand in the files themselves"


def read_file(path: Path, top: Path | None = None, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of `path`, a regular file; no part of it below `top` (default: its own
    folder) may be a link. Refused says why not; OSError when it is missing."""
    with open_file(path, top, max_bytes) as f:
        data = f.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise Refused(f"{_shown(path, top)} is over {max_bytes // 2**20} MiB")
    return data


def open_file(path: Path, top: Path | None = None, max_bytes: int | None = None) -> BinaryIO:
    """`path` opened for reading, as `read_file` would read it (for a zip, say)."""
    top = path.parent if top is None else top
    relative = _relative(path, top)
    f = os.fdopen(_open_below(top, relative, _FILE), "rb")
    try:
        _check_regular(os.fstat(f.fileno()), str(relative), max_bytes)
    except BaseException:
        f.close()
        raise
    return f


@dataclass
class Tree:
    """The regular files found below a folder, and the links met there (not followed);
    paths are relative to that folder."""

    files: dict[PurePosixPath, bytes] = field(default_factory=dict)
    links: list[PurePosixPath] = field(default_factory=list)
    total: int = 0


def walk(
    top: Path,
    folder: PurePosixPath,
    suffixes: tuple[str, ...] = (),
    skip: Callable[[str], bool] = lambda name: False,
    max_files: int = MAX_FILES,
) -> Tree:
    """The regular files below `top/folder` whose names end with one of `suffixes` (all
    when empty), in folders `skip` does not name; `folder` and the folders under it are
    entered only if they are no link. Refused when there are too many or too big."""
    tree = Tree()
    fd = _open_below(top, folder, _DIR)
    try:
        _walk(fd, PurePosixPath(), tree, _Rules(folder, suffixes, skip, max_files))
    finally:
        os.close(fd)
    return tree


@dataclass(frozen=True)
class _Rules:
    folder: PurePosixPath
    suffixes: tuple[str, ...]
    skip: Callable[[str], bool]
    max_files: int


def _walk(fd: int, here: PurePosixPath, tree: Tree, rules: _Rules) -> None:
    if len(here.parts) > MAX_DEPTH:
        raise Refused(f"{rules.folder / here}: folders nested over {MAX_DEPTH} deep")
    with os.scandir(fd) as entries:
        found = sorted(entries, key=lambda e: e.name)
    for entry in found:
        relative = here / entry.name
        if entry.is_symlink():
            tree.links.append(relative)
        elif entry.is_dir(follow_symlinks=False):
            if not rules.skip(entry.name):
                _enter(fd, relative, tree, rules)
        elif entry.is_file(follow_symlinks=False) and _wanted(entry.name, rules.suffixes):
            _take(fd, relative, tree, rules)


def _enter(fd: int, relative: PurePosixPath, tree: Tree, rules: _Rules) -> None:
    try:
        child = _open_part(fd, relative.name, _DIR, rules.folder / relative)
    except Refused:  # swapped for a link since it was listed
        tree.links.append(relative)
        return
    try:
        _walk(child, relative, tree, rules)
    finally:
        os.close(child)


def _take(fd: int, relative: PurePosixPath, tree: Tree, rules: _Rules) -> None:
    shown = str(rules.folder / relative)
    if len(tree.files) >= rules.max_files:
        raise Refused(f"{rules.folder}: over {rules.max_files} files; hand in only your own")
    try:
        f = os.fdopen(_open_part(fd, relative.name, _FILE, shown), "rb")
    except Refused:  # swapped for a link since it was listed
        tree.links.append(relative)
        return
    with f:
        _check_regular(os.fstat(f.fileno()), shown, MAX_FILE_BYTES)
        data = f.read(MAX_FILE_BYTES + 1)
    tree.total += len(data)
    if len(data) > MAX_FILE_BYTES or tree.total > MAX_TOTAL_BYTES:
        raise Refused(
            f"{shown}: over {MAX_FILE_BYTES // 2**20} MiB in one file or "
            f"{MAX_TOTAL_BYTES // 2**20} MiB in all; hand in only your own files"
        )
    tree.files[relative] = data


def _wanted(name: str, suffixes: tuple[str, ...]) -> bool:
    return not suffixes or name.endswith(suffixes)


def _relative(path: Path, top: Path) -> PurePosixPath:
    try:
        relative = PurePosixPath(path.relative_to(top).as_posix())
    except ValueError:
        relative = PurePosixPath("..")
    if not relative.parts or ".." in relative.parts:
        raise Refused(f"{path}: not a file below {top}")
    return relative


def _shown(path: Path, top: Path | None) -> str:
    return str(_relative(path, path.parent if top is None else top))


def _open_below(top: Path, relative: PurePosixPath, flags: int) -> int:
    """A descriptor of `top/relative`, opened one name at a time, never through a link."""
    fd = os.open(top, _TOP)
    for n, part in enumerate(relative.parts):
        last = n == len(relative.parts) - 1
        shown = PurePosixPath(*relative.parts[: n + 1])
        try:
            child = _open_part(fd, part, flags if last else _DIR, shown)
        finally:
            os.close(fd)
        fd = child
    return fd


def _open_part(fd: int, name: str, flags: int, shown: PurePosixPath | str) -> int:
    try:
        return os.open(name, flags, dir_fd=fd)
    except OSError as exc:
        # O_NOFOLLOW met a link: ELOOP, or ENOTDIR where O_DIRECTORY is checked first
        if exc.errno in (errno.ELOOP, errno.ENOTDIR) and _is_link(fd, name):
            raise Refused(links_note([str(shown)])) from None
        raise


def _is_link(fd: int, name: str) -> bool:
    try:
        return stat.S_ISLNK(os.stat(name, dir_fd=fd, follow_symlinks=False).st_mode)
    except OSError:
        return False


def _check_regular(info: os.stat_result, shown: str, max_bytes: int | None) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise Refused(f"{shown} is not a regular file; hand in the file itself")
    if max_bytes is not None and info.st_size > max_bytes:
        raise Refused(f"{shown} is over {max_bytes // 2**20} MiB")
