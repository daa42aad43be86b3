"""One result file per submission, written atomically as it finishes; what resumes a batch.

`OUT/results/<student>.json` holds the student id, where the submission came from, its
key, how long it took, and the grader's JSON report (or why it could not be graded). The
key is a hash of the submission's unit files, grading.yml, the grader's own files, the
isolation level and a fingerprint of the course secret: a rerun skips a submission
whose key is unchanged, and regrades it when any of those changed. A result that could
not be written is kept in memory in place of its file, so this run's gradebook still
lists it (with why), never an earlier run's result.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograder.reporters import atomic

GRADER = Path(__file__).resolve().parents[1]  # the autograder package
RESULTS = "results"


@dataclass(frozen=True)
class Settings:
    """What, besides a submission's files, decides its grade."""

    config: bytes  # grading.yml
    grader: str  # a hash of the grader's own files
    isolation: str
    secret: bytes | None
    units: tuple[str, ...] = ()  # graded units, when not all

    def _units(self) -> list[bytes]:
        return [",".join(sorted(self.units)).encode()] if self.units else []

    def key(self, files: Mapping[str, bytes]) -> str:
        digest = hashlib.sha256()
        parts = (self.config, self.grader.encode(), self.isolation.encode(), *self._units())
        for part in parts:
            digest.update(len(part).to_bytes(8, "big") + part)
        if self.secret is not None:
            digest.update(hmac.new(self.secret, b"autograder batch key", "sha256").digest())
        for name in sorted(files):
            data = files[name]
            digest.update(f"{name}\0{len(data)}\0".encode() + data)
        return digest.hexdigest()


def grader_fingerprint(top: Path = GRADER) -> str:
    """A hash of every .py, .yml and .csv file of the grader package."""
    digest = hashlib.sha256()
    for path in sorted(top.rglob("*")):
        if path.suffix in (".py", ".yml", ".csv") and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(top)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def file_name(student: str) -> str:
    """A file name for `student`: safe characters, and a short hash when any were not."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", student).strip(".") or "student"
    if safe == student:
        return safe
    return f"{safe}-{hashlib.sha256(student.encode()).hexdigest()[:8]}"


class Store:
    def __init__(self, out: Path) -> None:
        self.folder = out / RESULTS
        self.folder.mkdir(parents=True, exist_ok=True)
        self._unsaved: dict[str, dict[str, Any]] = {}  # student → a record not on disk

    def path(self, student: str) -> Path:
        return self.folder / f"{file_name(student)}.json"

    def write(self, record: dict[str, Any]) -> None:
        atomic.write_text(self.path(record["student"]), json.dumps(record, indent=1) + "\n")
        self._unsaved.pop(record["student"], None)

    def keep(self, record: dict[str, Any]) -> None:
        """Hold `record` in memory, in place of the student's file (its write failed)."""
        self._unsaved[record["student"]] = record

    def done(self, student: str, key: str) -> bool:
        """Whether `student` already has a result for this very key."""
        record = self._read(self.path(student))
        return record is not None and record.get("key") == key

    def records(self) -> Iterator[dict[str, Any]]:
        """Every stored result, by student id (unreadable files are skipped; a record
        held in memory stands in for the student's file)."""
        found = (self._read(p) for p in sorted(self.folder.glob("*.json")))
        stored = [r for r in found if r is not None and r["student"] not in self._unsaved]
        yield from sorted([*stored, *self._unsaved.values()], key=lambda r: r["student"])

    @staticmethod
    def _read(path: Path) -> dict[str, Any] | None:
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(record, dict) or not isinstance(record.get("student"), str):
            return None
        return record
