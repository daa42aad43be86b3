"""GitHub Actions: a job summary table, an error annotation at each failing student
function, and the two notices GitHub Classroom reads for its points.

Workflow commands are printed to stdout; the summary is Markdown appended to the file
named by $GITHUB_STEP_SUMMARY. GitHub Classroom's own reporter leaves two notices on
`.github` line 1, "Autograding complete" with `Points X/Y` and "Autograding report"
with `{"totalPoints": X, "maxPoints": Y}`; Classroom reads the points from them.

A command is one line: its message escapes `%`, `\r` and `\n` as GitHub's runner
unescapes them (`%25`, `%0D`, `%0A`), its properties `:` and `,` too, so a student's text
inside one cannot end it and start a command of its own. Summary cells are safe lines,
with Markdown's `|` and HTML's `<`, `>`, `&` escaped.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from autograder import safe_text
from autograder.results import GradeReport, TaskResult

MARKS = {"passed": "✅", "failed": "❌", "error": "💥", "timeout": "⏱️", "skipped": "➖"}
CELL_LIMIT = 300
WITHHELD = "a hidden test of this task failed (its details are for your instructor)"


def _data(text: str) -> str:
    """A workflow command's message: safe text, then escaped as GitHub documents."""
    text = safe_text.block(text)
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    """A workflow command's property value: one safe line, escaped as GitHub documents."""
    return _data(safe_text.line(text)).replace(":", "%3A").replace(",", "%2C")


def _points(score: float, max_score: float) -> str:
    return f"{score:g}/{max_score:g}"


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def classroom_notices(report: GradeReport) -> list[str]:
    points = _points(report.score, report.max_score)
    totals = {"totalPoints": _number(report.score), "maxPoints": _number(report.max_score)}
    payload = json.dumps(totals, separators=(",", ":"))
    return [
        f"::notice file=.github,line=1,title=Autograding complete::Points {points}",
        f"::notice file=.github,line=1,title=Autograding report::{payload}",
    ]


def annotations(report: GradeReport, places: Mapping[str, tuple[str, int]]) -> list[str]:
    """One `::error` per failing task, at its function's `def` where it is known."""
    lines = []
    for task in report.tasks:
        if task.status in ("passed", "skipped", "not run"):
            continue
        title = _property(f"{task.id} ({_points(task.score, task.max_score)} points)")
        where = ""
        if task.id in places:
            path, line = places[task.id]
            where = f"file={_property(path)},line={line},"
        message = "\n".join(filter(None, [task.message, task.detail])) or task.status
        if task.hidden:
            message, where = WITHHELD, ""
        lines.append(f"::error {where}title={title}::{_data(message)}")
    return lines


def _cell(text: str) -> str:
    text = safe_text.line(" ".join(text.split()), CELL_LIMIT)
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return escaped.replace("|", "\\|")


def _row(task: TaskResult) -> str:
    name = task.id.split(".", 1)[1]
    mark = MARKS.get(task.status, task.status)
    points = "–" if task.status == "not run" else _points(task.score, task.max_score)
    message = "" if task.status == "passed" else _cell(task.message)
    if task.hidden and message:
        message = WITHHELD
    return f"| `{name}` | {points} | {mark} | {message} |"


def summary(report: GradeReport, isolation: str | None) -> str:
    """The job summary: the total, then one table per unit."""
    out = [f"## Autograder: {report.score:g} / {report.max_score:g} points", ""]
    if report.partial:
        out += ["Partial run: only the tasks that ran are counted.", ""]
    for unit, tasks in report.units().items():
        ran = [t for t in tasks if t.status != "not run"]
        got, top = sum(t.score for t in ran), sum(t.max_score for t in ran)
        out += [f"### {unit}: {got:g} / {top:g}", "", "| task | points | | message |"]
        out += ["|---|---|---|---|", *(_row(t) for t in tasks), ""]
    if isolation:
        out.append(f"Graded at isolation level `{isolation}`.")
    return "\n".join(out) + "\n"
