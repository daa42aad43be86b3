"""Each student's feedback page, in Markdown and HTML, from their stored result.

A student sees their points per task and the one-line message of each task that lost
points; a hidden task shows its points only (what it found stays with the staff). Every
text is a safe line (`safe_text`) before Markdown or HTML escaping.
"""

from __future__ import annotations

import html
from typing import Any

from autograder import safe_text

STATUS_WORDS = {"passed": "ok", "not run": "not run"}


def _rows(record: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(task, points, status, message) per task; hidden tasks' messages withheld."""
    rows = []
    for task in (record.get("report") or {}).get("tasks", []):
        message = "" if task["score"] >= task["max_score"] else _line(task.get("message", ""))
        if task.get("hidden") and message:
            message = "(a hidden test: its findings are shared once grades are out)"
        points = f"{task['score']:g} / {task['max_score']:g}"
        status = STATUS_WORDS.get(task["status"], task["status"])
        rows.append((_line(task["id"]), points, _line(status), message))
    return rows


def _line(text: object) -> str:
    """One safe line, whitespace (line breaks included) collapsed to single spaces."""
    return safe_text.line(" ".join(str(text).split()))


def _student(record: dict[str, Any]) -> str:
    return _line(record["student"])


def _headline(record: dict[str, Any]) -> str:
    report = record.get("report")
    if report is None:
        return f"Not graded: {_line(record.get('problem') or 'grading failed')}"
    return f"Total: {report['score']:g} / {report['max_score']:g}"


def markdown(record: dict[str, Any]) -> str:
    lines = [f"# Feedback for {_md(_student(record))}", "", _md(_headline(record)), ""]
    rows = _rows(record)
    if rows:
        lines += ["| task | points | status |", "|---|---|---|"]
        lines += [f"| `{task}` | {points} | {status} |" for task, points, status, _ in rows]
        failing = [(task, message) for task, _, _, message in rows if message]
        if failing:
            lines += ["", "## What to fix", ""]
            lines += [f"- `{task}`: {_md(message)}" for task, message in failing]
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    """A safe line in Markdown: its table bars escaped."""
    return text.replace("|", "\\|")


def page(record: dict[str, Any]) -> str:
    """A self-contained HTML page with the same content as `markdown`."""
    esc = html.escape
    rows = "".join(
        f"<tr class='{'ok' if status == 'ok' else 'lost'}'><td><code>{esc(task)}</code></td>"
        f"<td>{esc(points)}</td><td>{esc(status)}</td><td>{esc(message)}</td></tr>"
        for task, points, status, message in _rows(record)
    )
    table = (
        f"<table><tr><th>task</th><th>points</th><th>status</th><th>message</th></tr>{rows}</table>"
        if rows
        else ""
    )
    return (
        "<!doctype html><meta charset='utf-8'>"
        f"<title>Feedback for {esc(_student(record))}</title>{STYLE}"
        f"<h1>Feedback for {esc(_student(record))}</h1><p>{esc(_headline(record))}</p>{table}\n"
    )


STYLE = (
    "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
    "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}"
    "tr.lost td{background:#fff4f4}code{font-size:95%}</style>"
)
