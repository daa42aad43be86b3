"""What a class handed in, as jobs: one per student, holding the bytes of their unit files.

SUBMISSIONS may be a folder of per-student folders, a folder of zips (GitHub Classroom's
download: one zip per repository), or an nbgrader `submitted/` tree
(`<student>/<assignment>/<unit>.ipynb`). In each entry the grader takes the folder that
holds the most unit files (`activations.py`, or a notebook `activations.ipynb`, rebuilt
from its code cells like `autograder nbgrader-autograde` does), so a repository with the
files under `assignments/` works as it is. Student ids are the entry names, less a
prefix every entry shares (Classroom names repositories `<assignment>-<user>`).

Nothing here is fatal: an entry that is unreadable, empty, or a second entry for the
same student becomes a job with a `problem` (or a note), reported in the summary.

No link is followed (autograder.nofollow): an entry that is a link is a job with a
problem, and a link inside an entry, to a file or to a folder, is skipped and named in
the job's notes. A zip holding a link is refused whole (autograder.batch.safezip).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from autograder.batch.safezip import Member, UnsafeZip, read_members
from autograder.cells import module_from_notebook
from autograder.nofollow import Refused, links_note, open_file, walk

MAX_FOLDER_FILES = 5000
SKIPPED_FOLDERS = ("__pycache__",)  # and every folder whose name starts with a dot


@dataclass(frozen=True)
class Job:
    student: str
    source: str  # the entry it came from, for people to read
    files: dict[str, bytes] = field(default_factory=dict)  # "activations.py" → bytes
    problem: str = ""  # why it cannot be graded ("" when it can)
    notes: tuple[str, ...] = ()  # things worth knowing (a notebook rebuilt, ...)


@dataclass(frozen=True)
class Intake:
    jobs: list[Job]
    skipped: list[str]  # entries that are no submission at all, and duplicates left out


def collect(
    submissions: Path,
    units: tuple[str, ...],
    assignment: str | None = None,
    helpers: tuple[str, ...] = (),
) -> Intake:
    """Every entry of `submissions` as a job, sorted by student id; each job holds its
    units' files and the course's `helpers` found beside them."""
    if not submissions.is_dir():
        raise FileNotFoundError(f"{submissions}: no such folder")
    entries = sorted(
        p for p in submissions.iterdir() if not p.name.startswith(".") and _is_entry(p)
    )
    others = sorted(
        p.name for p in submissions.iterdir() if not p.name.startswith(".") and not _is_entry(p)
    )
    ids = student_ids([p.name.removesuffix(".zip") for p in entries])
    jobs: dict[str, Job] = {}
    skipped = [f"{name}: neither a folder nor a .zip file, not graded" for name in others]
    for path, student in zip(entries, ids, strict=True):
        job = _job(submissions, path.name, student, units, assignment, helpers)
        kept = jobs.get(student)
        if kept is None:
            jobs[student] = job
            continue
        newer, older = _newest(kept, job, submissions)
        jobs[student] = newer
        skipped.append(f"{older.source}: a second entry for {student}; graded {newer.source}")
    return Intake([jobs[s] for s in sorted(jobs)], skipped)


def _is_entry(path: Path) -> bool:
    """A folder or a .zip file, or a link to one (a job that says it is a link)."""
    return path.is_dir() or (path.is_file() and path.suffix == ".zip")


def _newest(a: Job, b: Job, top: Path) -> tuple[Job, Job]:
    def mtime(job: Job) -> float:
        try:
            return (top / job.source).lstat().st_mtime
        except OSError:
            return 0.0

    return (b, a) if mtime(b) > mtime(a) else (a, b)


def student_ids(names: list[str]) -> list[str]:
    """The names, less the prefix up to a '-' that all of them share (two or more)."""
    if len(names) < 2:
        return list(names)
    prefix = os.path.commonprefix(names)
    cut = prefix.rfind("-") + 1
    if cut == 0 or any(len(n) <= cut for n in names):
        return list(names)
    return [n[cut:] for n in names]


def _job(
    top: Path,
    name: str,
    student: str,
    units: tuple[str, ...],
    assignment: str | None,
    helpers: tuple[str, ...] = (),
) -> Job:
    try:
        if (top / name).is_file():
            members, links = _zip_members(top, name), []
        else:
            members, links = _folder_members(top, name)
    except Refused as exc:  # the entry is a link, or too big: its message names it
        return Job(student, name, problem=str(exc))
    except (UnsafeZip, OSError) as exc:
        return Job(student, name, problem=f"{name}: {exc}")
    except Exception as exc:  # noqa: BLE001 - e.g. zlib.error from corrupt deflate data
        return Job(student, name, problem=f"{name}: cannot be read ({type(exc).__name__}: {exc})")
    if assignment:
        members = _under(members, assignment)
    files, notes = _unit_files(members, units, helpers)
    if links:
        notes.insert(0, links_note([f"{name}/{link}" for link in links]))
    problem = ""
    if not files:
        wanted = ", ".join(f"{u}.py" for u in units[:3])
        where = f" under {assignment}/" if assignment else ""
        problem = f"{name}: no unit files{where} (expected {wanted}, ...)"
    return Job(student, name, files, problem, tuple(notes))


def _zip_members(top: Path, name: str) -> list[Member]:
    with open_file(top / name, top) as archive:  # the .zip itself is no link either
        return read_members(archive)


def _folder_members(top: Path, name: str) -> tuple[list[Member], list[PurePosixPath]]:
    """The .py and .ipynb regular files below `top/name`, and the links met there (not
    followed, whether to a file or to a folder)."""
    tree = walk(top, PurePosixPath(name), (".py", ".ipynb"), _skipped, MAX_FOLDER_FILES)
    return [Member(path, data) for path, data in tree.files.items()], tree.links


def _skipped(folder: str) -> bool:
    return folder.startswith(".") or folder in SKIPPED_FOLDERS


def _under(members: list[Member], assignment: str) -> list[Member]:
    """The members inside a folder named `assignment` (nbgrader's layout)."""
    return [
        Member(PurePosixPath(*m.path.parts[m.path.parts.index(assignment) + 1 :]), m.data)
        for m in members
        if assignment in m.path.parts[:-1]
    ]


def _unit_files(
    members: Iterable[Member], units: tuple[str, ...], helpers: tuple[str, ...] = ()
) -> tuple[dict[str, bytes], list[str]]:
    """{unit.py: bytes} from the folder holding the most unit files (shallowest first);
    notebooks stand in for .py files they have no twin of; the course's helper files
    found in that folder come along."""
    members = list(members)
    by_folder: dict[PurePosixPath, dict[str, Member]] = {}
    names = {f"{u}{ext}" for u in units for ext in (".py", ".ipynb")}
    for member in members:
        if member.path.name in names:
            by_folder.setdefault(member.path.parent, {})[member.path.name] = member
    if not by_folder:
        return {}, []

    def rank(folder: PurePosixPath) -> tuple[int, int, str]:
        return -len({n.split(".")[0] for n in by_folder[folder]}), len(folder.parts), str(folder)

    chosen = by_folder[min(by_folder, key=rank)]
    files, notes = {}, []
    for unit in units:
        if f"{unit}.py" in chosen:
            files[f"{unit}.py"] = chosen[f"{unit}.py"].data
        elif f"{unit}.ipynb" in chosen:
            code, note = module_from_notebook(chosen[f"{unit}.ipynb"].data, f"{unit}.ipynb")
            files[f"{unit}.py"] = code.encode()
            notes.append(note)
    folder = min(by_folder, key=rank)
    for member in members:
        if member.path.parent == folder and member.path.name in helpers:
            files[member.path.name] = member.data
    return files, [n for n in notes if n]
