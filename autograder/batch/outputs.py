"""Everything a batch shows, rebuilt from the stored results: gradebook.csv, each
student's feedback page, the plots and index.html (the gradebook table with links).
Every text in index.html is a safe line (`safe_text`), then HTML-escaped."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from autograder import safe_text
from autograder.batch import feedback, gradebook, plots
from autograder.batch.store import Store, file_name
from autograder.reporters import atomic

FEEDBACK = "feedback"


def write_feedback(out: Path, record: dict[str, Any]) -> None:
    name = file_name(record["student"])
    atomic.write_text(out / FEEDBACK / f"{name}.md", feedback.markdown(record))
    atomic.write_text(out / FEEDBACK / f"{name}.html", feedback.page(record))


def rebuild(
    out: Path, store: Store, students: set[str], max_points: dict[str, float], notes: list[str]
) -> gradebook.Summary:
    """Write the derived files for the students of this batch; return its summary."""
    records = [r for r in store.records() if r["student"] in students]
    table = gradebook.rows(records)
    atomic.write_text(out / "gradebook.csv", gradebook.to_csv(table))
    images = plots.write_all(table, out, max_points) if table else []
    summary = gradebook.summary(table)
    atomic.write_text(out / "index.html", _index(table, images, summary, notes))
    return summary


def _index(
    table: list[gradebook.Row], images: list[str], summary: gradebook.Summary, notes: list[str]
) -> str:
    ids = gradebook.task_ids(table)
    head = "".join(f"<th>{_esc(t)}</th>" for t in ["student", "total", "status", *ids])
    body = "".join(_row(row, ids) for row in table)
    pictures = "".join(f"<p><img src='{_esc(name)}' alt='{_esc(name)}'></p>" for name in images)
    listed = "".join(f"<li>{_esc(n)}</li>" for n in notes)
    return (
        f"<!doctype html><meta charset='utf-8'><title>Gradebook</title>{feedback.STYLE}"
        f"<h1>Gradebook</h1><p>{_esc(summary.line())} · <a href='gradebook.csv'>gradebook.csv"
        f"</a></p>{f'<ul>{listed}</ul>' if listed else ''}{pictures}"
        f"<table><tr>{head}</tr>{body}</table>\n"
    )


def _esc(text: str) -> str:
    """One safe line, HTML-escaped."""
    return html.escape(safe_text.line(text))


def _row(row: gradebook.Row, ids: list[str]) -> str:
    link = f"{FEEDBACK}/{file_name(row.student)}.html"
    total = "" if row.total is None else f"{row.total:g}"
    cells = "".join(f"<td>{'' if t not in row.tasks else f'{row.tasks[t]:g}'}</td>" for t in ids)
    return (
        f"<tr><td><a href='{_esc(link)}'>{_esc(row.student)}</a></td><td>{total}</td>"
        f"<td>{_esc(row.status)}</td>{cells}</tr>"
    )
