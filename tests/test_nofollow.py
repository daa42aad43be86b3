"""A student's files are read only when they are regular files reached without a link:
links to files and to folders, at any depth, are named and never opened."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

import nbformat
import pytest

from autograder import nofollow
from autograder.cells import module_from_notebook
from autograder.nofollow import Refused, links_note, read_file, walk

SECRET = b"model answer\n"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder outside the submission, holding what a link would leak."""
    folder = tmp_path / "instructor"
    folder.mkdir()
    (folder / "answers.py").write_bytes(SECRET)
    return folder


def test_a_regular_file_is_read(tmp_path):
    (tmp_path / "losses.py").write_bytes(b"x = 1\n")
    assert read_file(tmp_path / "losses.py") == b"x = 1\n"


def test_a_link_to_a_file_outside_is_refused_naming_it_and_the_fix(tmp_path, outside):
    top = tmp_path / "submitted"
    (top / "alice").mkdir(parents=True)
    (top / "alice" / "losses.py").symlink_to(outside / "answers.py")
    with pytest.raises(Refused) as caught:
        read_file(top / "alice" / "losses.py", top)
    assert str(caught.value) == (
        "alice/losses.py is a symbolic link; links are not graded: hand in the file itself"
    )


def test_a_file_below_a_linked_folder_is_refused(tmp_path, outside):
    top = tmp_path / "submitted"
    (top / "alice").mkdir(parents=True)
    (top / "alice" / "lib").symlink_to(outside, target_is_directory=True)
    with pytest.raises(Refused, match="alice/lib is a symbolic link"):
        read_file(top / "alice" / "lib" / "answers.py", top)
    (top / "bob").symlink_to(top / "alice", target_is_directory=True)
    (top / "alice" / "mine.py").write_bytes(b"x = 1\n")
    with pytest.raises(Refused, match="^bob is a symbolic link"):
        read_file(top / "bob" / "mine.py", top)


def test_a_fifo_is_not_a_regular_file_and_does_not_block(tmp_path):
    os.mkfifo(tmp_path / "losses.py")
    with pytest.raises(Refused, match="losses.py is not a regular file"):
        read_file(tmp_path / "losses.py")


def test_a_file_over_the_cap_is_refused(tmp_path):
    (tmp_path / "big.py").write_bytes(b"#" * 2049)
    with pytest.raises(Refused, match="big.py is over"):
        read_file(tmp_path / "big.py", max_bytes=2048)


def test_a_missing_file_is_an_os_error_not_a_refusal(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_file(tmp_path / "losses.py")


def test_walk_reads_regular_files_and_names_every_link_at_any_depth(tmp_path, outside):
    top = tmp_path / "class"
    deep = top / "alice" / "repo" / "assignments"
    deep.mkdir(parents=True)
    (deep / "losses.py").write_bytes(b"x = 1\n")
    (deep / "linear_model.py").symlink_to(outside / "answers.py")
    (top / "alice" / "repo" / "lib").symlink_to(outside, target_is_directory=True)
    (top / "alice" / "dangling.py").symlink_to(tmp_path / "nowhere.py")
    (top / "alice" / ".git").mkdir()
    (top / "alice" / ".git" / "hook.py").write_bytes(b"y = 2\n")
    tree = walk(top, PurePosixPath("alice"), (".py",), lambda name: name.startswith("."))
    assert tree.files == {PurePosixPath("repo/assignments/losses.py"): b"x = 1\n"}
    assert [str(p) for p in tree.links] == [
        "dangling.py",
        "repo/assignments/linear_model.py",
        "repo/lib",
    ]
    assert SECRET not in tree.files.values()


def test_walk_refuses_a_folder_that_is_itself_a_link(tmp_path, outside):
    top = tmp_path / "class"
    top.mkdir()
    (top / "mallory").symlink_to(outside, target_is_directory=True)
    with pytest.raises(Refused, match="^mallory is a symbolic link"):
        walk(top, PurePosixPath("mallory"))


def test_walk_caps_files_and_depth(tmp_path, monkeypatch):
    top = tmp_path / "class"
    (top / "alice").mkdir(parents=True)
    for k in range(3):
        (top / "alice" / f"f{k}.py").write_bytes(b"")
    with pytest.raises(Refused, match="over 2 files"):
        walk(top, PurePosixPath("alice"), max_files=2)
    monkeypatch.setattr(nofollow, "MAX_DEPTH", 2)
    (top / "bob" / "a" / "b" / "c").mkdir(parents=True)
    with pytest.raises(Refused, match="nested over 2 deep"):
        walk(top, PurePosixPath("bob"))


def test_a_note_names_a_few_links_and_counts_the_rest():
    assert links_note(["a/x.py", "a/y.py"]) == (
        "a/x.py, a/y.py are symbolic links; links are not graded: hand in the files themselves"
    )
    many = links_note([f"a/{k}.py" for k in range(8)])
    assert "a/4.py and 3 more are symbolic links" in many and "a/5.py" not in many


def test_the_notebook_reader_refuses_a_link_to_the_instructors_notebook(tmp_path):
    source = tmp_path / "source" / "linear_model.ipynb"
    source.parent.mkdir()
    cell = nbformat.v4.new_code_cell("def forward(x, w, b=0.0):\n    return x @ w + b\n")
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), source)
    assert "def forward" in module_from_notebook(source, source.name)[0]  # a regular file
    submitted = tmp_path / "alice" / "linear_model.ipynb"
    submitted.parent.mkdir()
    submitted.symlink_to(source)
    code, why = module_from_notebook(submitted, submitted.name)
    assert why == (
        "linear_model.ipynb is a symbolic link; links are not graded: hand in the file itself"
    )
    assert code == f"raise ImportError({why!r})\n" and "forward" not in code
