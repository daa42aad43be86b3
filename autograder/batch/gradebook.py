"""The class's numbers, from the stored results: gradebook rows, the CSV, the summary.

Pure functions of the records; nothing here grades or reads submissions. A student id
or a reason is a text cell: a safe line (`safe_text`), with a leading `'` where a
spreadsheet would take it for a formula; numbers are written as numbers.
"""

from __future__ import annotations

import csv
import io
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from autograder import safe_text


@dataclass(frozen=True)
class Row:
    student: str
    status: str  # "graded", or why not
    total: float | None
    max_total: float | None
    tasks: dict[str, float]  # task id → points
    seconds: float
    integrity: str = ""  # what the static rules refused, and files left out, at a glance


def rows(records: Iterable[dict[str, Any]]) -> list[Row]:
    found = []
    for record in records:
        report = record.get("report")
        if report is None:
            found.append(Row(record["student"], _why(record), None, None, {}, 0.0))
            continue
        tasks = {t["id"]: float(t["score"]) for t in report["tasks"]}
        seconds = float(record.get("seconds", 0.0))
        status = "graded" if record.get("status") == "graded" else _why(record)
        total, max_total = float(report["score"]), float(report["max_score"])
        found.append(
            Row(
                record["student"],
                status,
                total,
                max_total,
                tasks,
                seconds,
                integrity(report.get("integrity")),
            )
        )
    return found


INTEGRITY_KINDS = (("refused", "refused"), ("forbidden", "forbidden"), ("left_out", "left out"))


def integrity(found: Any) -> str:
    """'refused 2 (activations.py, line 3: import os: ...); left out 1 (answers.py)': each
    kind the grader noted, counted, with its first finding (empty: nothing noted)."""
    if not isinstance(found, dict):
        return ""
    parts = []
    for key, label in INTEGRITY_KINDS:
        items = found.get(key) or []
        if isinstance(items, list) and items:
            parts.append(f"{label} {len(items)} ({safe_text.line(str(items[0]), 120)})")
    return "; ".join(parts)


def _why(record: dict[str, Any]) -> str:
    return f"not graded: {record.get('problem') or 'grading failed'}"


def task_ids(table: list[Row]) -> list[str]:
    seen: dict[str, None] = {}
    for row in table:
        seen.update(dict.fromkeys(row.tasks))
    return list(seen)


def to_csv(table: list[Row]) -> str:
    """One row per student, one column per task, then the total and the integrity notes
    (what the static rules refused, files left out: who tried what, at a glance)."""
    ids = task_ids(table)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header = ["student", "status", *(_text(task) for task in ids), "total", "max_total"]
    writer.writerow([*header, "integrity"])
    for row in table:
        cells = [_number(row.tasks.get(task)) for task in ids]
        total = [_number(row.total), _number(row.max_total)]
        writer.writerow(
            [_text(row.student), _text(row.status), *cells, *total, _text(row.integrity)]
        )
    return out.getvalue()


def _text(value: str) -> str:
    """A text cell: one safe line a spreadsheet shows as text, never runs as a formula."""
    return safe_text.spreadsheet_cell(safe_text.line(str(value)))


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


STUDENT_LIMIT = 200  # characters of a student id in the summary line


@dataclass(frozen=True)
class Summary:
    graded: int
    failed: int
    mean: float | None
    median: float | None
    slowest: tuple[str, float] | None

    def line(self) -> str:
        if not self.graded:
            return f"graded 0, failed to grade {self.failed}"
        assert self.mean is not None and self.median is not None and self.slowest is not None
        slowest = safe_text.line(self.slowest[0], STUDENT_LIMIT)
        return (
            f"graded {self.graded}, failed to grade {self.failed}; mean {self.mean:.1f}, "
            f"median {self.median:g}; slowest {slowest} ({self.slowest[1]:.1f} s)"
        )


def summary(table: list[Row]) -> Summary:
    graded = [r for r in table if r.status == "graded" and r.total is not None]
    totals = [r.total for r in graded if r.total is not None]
    if not totals:
        return Summary(0, len(table), None, None, None)
    slowest = max(graded, key=lambda r: r.seconds)
    return Summary(
        len(graded),
        len(table) - len(graded),
        statistics.fmean(totals),
        statistics.median(totals),
        (slowest.student, slowest.seconds),
    )
