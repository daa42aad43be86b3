"""Reading a student's zip without trusting it: no paths out of the archive, no links,
caps on the number of files, their sizes and the compression ratio.

Nothing is extracted to disk: the members worth grading come back as bytes, and the
caller decides where they go.
"""

from __future__ import annotations

import stat
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import BinaryIO

MAX_FILES = 2000
MAX_FILE_BYTES = 16 * 2**20
MAX_TOTAL_BYTES = 64 * 2**20
MAX_RATIO = 200  # uncompressed / compressed, for members over 1 MiB


class UnsafeZip(ValueError):
    """The archive is corrupt, or breaks one of the rules above (the message says which)."""


@dataclass(frozen=True)
class Member:
    path: PurePosixPath  # relative, normalised, inside the archive
    data: bytes


def _checked_path(name: str) -> PurePosixPath:
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or (path.parts and ":" in path.parts[0]):
        raise UnsafeZip(f"member {name!r} points outside the archive")
    return path


def _is_link(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def read_members(
    archive: str | BinaryIO, wanted: tuple[str, ...] = (".py", ".ipynb")
) -> list[Member]:
    """The regular files of `archive` (a path, or the file opened without following a
    link: autograder.nofollow.open_file) whose names end with one of `wanted`. A member
    that is a link refuses the whole archive."""
    try:
        with zipfile.ZipFile(archive) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_FILES:
                raise UnsafeZip(f"{len(infos)} members (at most {MAX_FILES})")
            members, total = [], 0
            for info in infos:
                path = _checked_path(info.filename)
                if _is_link(info):
                    raise UnsafeZip(f"member {info.filename!r} is a symbolic link")
                if info.is_dir() or not path.name.endswith(wanted):
                    continue
                _check_size(info)
                total += info.file_size
                if total > MAX_TOTAL_BYTES:
                    raise UnsafeZip(f"over {MAX_TOTAL_BYTES // 2**20} MiB of files")
                data = zf.read(info)
                if len(data) != info.file_size:
                    raise UnsafeZip(f"member {info.filename!r} is not the size it claims")
                members.append(Member(path, data))
            return members
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError) as exc:
        raise UnsafeZip(f"not a readable zip file ({type(exc).__name__}: {exc})") from None


def _check_size(info: zipfile.ZipInfo) -> None:
    if info.file_size > MAX_FILE_BYTES:
        raise UnsafeZip(f"member {info.filename!r} is over {MAX_FILE_BYTES // 2**20} MiB")
    if info.file_size > 2**20 and info.file_size > MAX_RATIO * max(1, info.compress_size):
        raise UnsafeZip(f"member {info.filename!r} unpacks {MAX_RATIO}x beyond its size")
