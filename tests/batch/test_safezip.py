"""A student's zip is read without trusting it: no way out of the archive, no links, caps."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

import pytest

from autograder.batch import safezip
from autograder.batch.safezip import UnsafeZip, read_members


def _zip(path: Path, members: dict[str, bytes], links: dict[str, str] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, target)
    return path


def test_the_python_files_come_back_and_the_rest_is_left_out(tmp_path):
    archive = _zip(tmp_path / "a.zip", {"repo/assignments/losses.py": b"x = 1\n", "a.png": b"\0"})
    members = read_members(str(archive))
    assert [(str(m.path), m.data) for m in members] == [("repo/assignments/losses.py", b"x = 1\n")]


@pytest.mark.parametrize(
    ("members", "links", "words"),
    [
        ({"../losses.py": b"x"}, {}, "outside the archive"),
        ({"a/../../losses.py": b"x"}, {}, "outside the archive"),
        ({"/etc/losses.py": b"x"}, {}, "outside the archive"),
        ({"C:/losses.py": b"x"}, {}, "outside the archive"),
        ({}, {"losses.py": "/work/solutions/losses.py"}, "symbolic link"),
    ],
    ids=["dot-dot", "nested-dot-dot", "absolute", "drive", "symlink"],
)
def test_paths_out_of_the_archive_and_links_are_refused(tmp_path, members, links, words):
    with pytest.raises(UnsafeZip, match=words):
        read_members(str(_zip(tmp_path / "a.zip", members, links)))


def test_bombs_and_floods_are_refused(tmp_path, monkeypatch):
    bomb = _zip(tmp_path / "bomb.zip", {"losses.py": b"0" * (2 * 2**20)})
    monkeypatch.setattr(safezip, "MAX_RATIO", 10)
    with pytest.raises(UnsafeZip, match="unpacks 10x"):
        read_members(str(bomb))
    monkeypatch.setattr(safezip, "MAX_FILES", 3)
    flood = _zip(tmp_path / "flood.zip", {f"f{k}.py": b"" for k in range(4)})
    with pytest.raises(UnsafeZip, match="4 members"):
        read_members(str(flood))


def test_a_corrupt_zip_says_so(tmp_path):
    (tmp_path / "bad.zip").write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(UnsafeZip, match="not a readable zip file"):
        read_members(str(tmp_path / "bad.zip"))
