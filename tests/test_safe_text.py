"""One boundary for a student's text: whatever a worker sends is made safe where the
grader decodes it, and every writer (terminal, JSON, JUnit, GitHub, Gradescope,
gradebook CSV and HTML) shows only safe text and never crashes on it."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograder import safe_text
from autograder.batch import feedback, gradebook, outputs
from autograder.checks.compare import CheckFailure, Context, assert_close
from autograder.config import Tolerance
from autograder.reporters import atomic, github, gradescope, json_report, junit, terminal
from autograder.results import GradeReport, TaskResult
from autograder.worker import client, wire
from tests.helpers import ROOT, RUN_REFUSED, make_submission

ESC = "\x1b"
HOSTILE = (
    f'{ESC}[2J{ESC}[31mred{ESC}[0m\r=HYPERLINK("http://evil")\ud800\n'
    "::notice file=.github,line=1,title=Autograding complete::Points 100/100\n"
    "  ::error::forged\u2028TOTAL 100 / 100\x9b2K ##[notice]legacy\x00\x07\t"
)
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\ud800-\udfff]")


def assert_safe(text: str, newlines: bool = True) -> None:
    """Encodable as UTF-8, no control character (but a newline where allowed), no line
    that starts a workflow command."""
    text.encode("utf-8")  # strict: a lone surrogate raises
    found = UNSAFE.search(text)
    assert found is None, f"raw {found.group()!r} in {text!r}"
    assert newlines or "\n" not in text
    for line in text.split("\n"):
        assert not line.lstrip().startswith("::"), line
        assert "##[" not in line, line


def strings(value: Any) -> list[str]:
    """Every string in a decoded value or parsed document, dict keys included."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, wire.Opaque):
        return [value.type_name, value.text]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in strings(k) + strings(v)]
    if isinstance(value, (list, tuple)):
        return [s for item in value for s in strings(item)]
    return []


# ---- the sanitiser ----


def test_ordinary_text_comes_back_unchanged():
    for text in ["", "expected 0.5, received 0.7", "σ(x) → 1 − σ(x) 😀", r"C:\path\x1b", "a: b"]:
        assert safe_text.line(text) == text
        assert safe_text.block(text) == text
    assert safe_text.block("frame 1\nframe 2") == "frame 1\nframe 2"


def test_escape_sequences_and_control_characters_are_shown_escaped():
    assert safe_text.line(f"{ESC}[31mred{ESC}[0m") == "\\x1b[31mred\\x1b[0m"
    assert safe_text.line("a\r\n\tb\x00\x7f\x9b") == "a\\r\\n\\tb\\x00\\x7f\\x9b"
    assert safe_text.block("a\r\nb") == "a\\r\nb"
    assert safe_text.line("\u202eevil\u2028x") == "\\u202eevil\\u2028x"


def test_a_lone_surrogate_is_shown_as_its_escape():
    shown = safe_text.line("bad \ud800 byte")
    assert shown == "bad \\ud800 byte"
    shown.encode("utf-8")


def test_no_line_can_start_a_workflow_command():
    assert safe_text.line("::notice::x") == "\\x3a:notice::x"
    assert safe_text.line(" \u3000::error::x") == " \u3000\\x3a:error::x"
    assert safe_text.block("ok\n  ::notice::x") == "ok\n  \\x3a:notice::x"
    assert safe_text.line("a ##[error]b") == "a \\x23#[error]b"
    assert safe_text.line("a: b :: c") == "a: b :: c"  # only where a command would start


def test_text_is_capped_with_an_ellipsis():
    assert safe_text.line("x" * 50, 10) == "x" * 7 + "..."
    assert len(safe_text.line(ESC * 50, 10)) == 10
    assert safe_text.line("x" * 10, 10) == "x" * 10


NASTY = st.sampled_from(
    [ESC, "[31m", "\r", "\n", "\t", "\x00", "\x9b", "\ud800", "\udfff", "::", "#", "##[",
     " ", "\u3000", "\u2028", "\u202e", "\ufffe", "=", "\\", "x", "é", "😀"]
)  # fmt: skip
ANY_CHARACTER = st.characters(exclude_categories=()) | st.characters(categories=["Cs"])
TEXTS = st.lists(NASTY | st.text(ANY_CHARACTER, max_size=8)).map("".join)


@given(text=TEXTS, limit=st.integers(0, 60))
def test_any_text_becomes_safe_within_its_limit_and_stays_so(text: str, limit: int):
    for clean, newlines in ((safe_text.line, False), (safe_text.block, True)):
        shown = clean(text, limit)
        assert_safe(shown, newlines)
        assert len(shown) <= limit
        assert clean(shown, limit) == shown  # idempotent: a writer may apply it again


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", " =1", "\uff1dx"])
def test_a_text_cell_that_could_start_a_formula_is_neutralised(cell: str):
    assert safe_text.spreadsheet_cell(cell) == "'" + cell


def test_other_text_cells_are_left_alone():
    for cell in ["alice", "not graded: timed out", "", "'quoted", "a=b"]:
        assert safe_text.spreadsheet_cell(cell) == cell


# ---- the decode boundary ----


def test_every_string_of_a_reply_is_decoded_safe():
    class Hostile:  # its type name reaches "expected a torch.Tensor, received <name>"
        pass

    Hostile.__qualname__ = f"{ESC}[1A\n::notice::forged\ud800"
    value = {HOSTILE: [HOSTILE, (HOSTILE, {"k": HOSTILE})], "obj": Hostile()}
    decoded = wire.decode(wire.encode(value), client._safe_value)
    found = strings(decoded)
    assert len(found) >= 8
    for text in found:
        assert_safe(text)
    opaque = decoded["obj"]
    assert "\n" not in opaque.type_name + opaque.text
    assert "\\x1b[1A\\n::notice::forged\\ud800" in opaque.type_name


def test_the_worker_side_decodes_the_graders_requests_unchanged():
    request = {"source": "def f(x):\n\treturn x\n"}
    assert wire.decode(wire.encode(request)) == request


def test_a_returned_value_cannot_smuggle_control_characters_into_a_message():
    tol = {"float64": Tolerance(rtol=1e-6, atol=1e-6)}
    decoded = wire.decode(wire.encode({HOSTILE: HOSTILE}), client._safe_value)
    raw = {HOSTILE: HOSTILE}  # bypassing the wire: describe's own escaping still holds
    for got in (decoded, raw, HOSTILE, [HOSTILE], wire.Opaque(HOSTILE, HOSTILE)):
        for want in ("ok", {"ok": 1}, [1.0], 1.0):
            with pytest.raises(CheckFailure) as info:
                assert_close(got, want, Context("f(x)", "x = 1"), tol)
            assert_safe(str(info.value), newlines=False)


# ---- every writer, given unsafe text (a second defence) ----

REPORT = GradeReport(
    tasks=(
        TaskResult("activations.sigmoid", 0.0, 1.0, "error", HOSTILE, HOSTILE),
        TaskResult("activations.relu", 0.0, 1.0, "failed", "relu(x): " + HOSTILE),
        TaskResult("activations.tanh", 1.0, 1.0, "passed"),
    )
)


def test_the_points_table_shows_only_safe_lines():
    lines = terminal.render(REPORT)
    for line in lines:
        assert_safe(line, newlines=False)
    assert not any(line.startswith("TOTAL") for line in lines[:-1])


def test_github_commands_are_one_line_each_and_forge_nothing():
    lines = github.annotations(REPORT, {"activations.sigmoid": ("activations.py", 3)})
    assert len(lines) == 2
    for line in lines:
        assert line.startswith("::error ") and "\n" not in line and "\r" not in line
        assert_safe(line.partition("::")[2].partition("::")[2], newlines=False)
    summary = github.summary(REPORT, "strict")
    assert_safe(summary)
    assert all(line.startswith(("|", "#", "Graded")) or not line for line in summary.split("\n"))


def test_the_report_files_parse_and_hold_only_safe_text(tmp_path: Path):
    json_report.write(REPORT, tmp_path / "r.json")
    gradescope.write(REPORT, tmp_path / "g.json", 1.0)
    atomic.write_text(tmp_path / "j.xml", junit.to_xml(REPORT))
    for name in ("r.json", "g.json"):
        for text in strings(json.loads((tmp_path / name).read_text(encoding="utf-8"))):
            assert_safe(text)
    root = ET.parse(tmp_path / "j.xml").getroot()
    for node in root.iter():
        for text in [node.text or "", *node.attrib.values()]:
            assert_safe(text)


def test_the_atomic_writer_never_crashes_on_a_surrogate(tmp_path: Path):
    atomic.write_text(tmp_path / "out.txt", "bad \ud800 byte")
    assert (tmp_path / "out.txt").read_text(encoding="utf-8") == "bad \\ud800 byte"


# ---- the batch's gradebook and pages ----


def _record(student: str) -> dict[str, Any]:
    task = {"id": "activations.relu", "score": 0.0, "max_score": 1.0, "status": "failed"}
    report = {"score": -1.0, "max_score": 1.0, "tasks": [{**task, "message": HOSTILE}]}
    return {"student": student, "status": "graded", "report": report, "seconds": 1.0}


STUDENTS = ['=HYPERLINK("http://evil","x")', "-2", "+1", "@SUM(A1)", "\tx", "\rx", "bob"]


def test_gradebook_text_cells_cannot_run_as_formulas():
    records = [_record(name) for name in STUDENTS]
    records.append({"student": f"{ESC}[31meve\ud800", "problem": "=cmd|' /C calc'!A0"})
    text = gradebook.to_csv(gradebook.rows(records))
    assert_safe(text)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["student"] for row in rows[:-1]] == [
        '\'=HYPERLINK("http://evil","x")',
        "'-2",
        "'+1",
        "'@SUM(A1)",
        "\\tx",
        "\\rx",
        "bob",
    ]
    assert rows[-1]["student"] == "\\x1b[31meve\\ud800"
    assert rows[-1]["status"].startswith("not graded: =cmd")  # text, never a cell's start
    assert rows[0]["total"] == "-1" and float(rows[0]["activations.relu"]) == 0.0  # numbers


def test_feedback_pages_and_the_index_show_only_safe_text():
    record = _record(f"{ESC}]0;title\x07<b>eve</b>\ud800")
    failed = {"student": "\r\n::notice::x", "problem": HOSTILE}
    for one in (record, failed):
        assert_safe(feedback.markdown(one))
        assert_safe(feedback.page(one))
    assert "<b>" not in feedback.page(record)
    # the index links each page by store.file_name, which cannot take a surrogate yet
    table = gradebook.rows([_record(f"{ESC}]0;title\x07<b>eve</b>\u202e"), failed])
    index = outputs._index(table, [], gradebook.summary(table), [HOSTILE])
    assert_safe(index)
    assert_safe(gradebook.summary(table).line(), newlines=False)


# ---- end to end: a hostile submission graded through the real CLI ----

SIGMOID = (
    "def sigmoid(x):\n"
    '    name = "\\n::notice file=.github,line=1,title=Autograding complete::Points 9/9\\n"\n'
    f'    raise type(name, (Exception,), {{}})("{ESC}[2J{ESC}[31m=HYPERLINK(1)\\ud800 '
    '\\x1b]0;title\\x07 ::notice::forged ##[notice]legacy\\r\\n::error::after")\n'
)
RELU = 'def relu(x):\n    return type("\\x1b[1A\\n::notice::forged by relu\\n", (), {})()\n'


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("hostile")
    submission = make_submission(
        tmp / "sub", {"activations.sigmoid": SIGMOID, "activations.relu": RELU}
    )
    outs = {name: tmp / name for name in ("r.json", "j.xml", "g.json", "summary.md")}
    proc = subprocess.run(
        [sys.executable, "-m", "autograder.cli", "grade", str(submission),
         "--config", str(ROOT / "grading.yml"), "--json", str(outs["r.json"]),
         "--junit", str(outs["j.xml"]), "--gradescope", str(outs["g.json"]),
         "--format", "github", "--task", "activations.sigmoid", "--task", "activations.relu"],
        cwd=ROOT,
        env={  # the hostile code builds its class with type(): run it all the same
            **os.environ,
            **RUN_REFUSED,
            "GITHUB_STEP_SUMMARY": str(outs["summary.md"]),
            "PY_COLORS": "0",
        },
        capture_output=True,
        timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")[-3000:]
    texts = {name: path.read_bytes().decode("utf-8") for name, path in outs.items()}
    return {"stdout": proc.stdout.decode("utf-8"), "junit": outs["j.xml"], **texts}


def test_a_hostile_submission_gets_safe_reports_that_parse(graded: dict[str, Any]):
    for name in ("r.json", "g.json"):
        for text in strings(json.loads(graded[name])):
            assert_safe(text)
    root = ET.parse(graded["junit"]).getroot()
    for node in root.iter():
        for text in [node.text or "", *node.attrib.values()]:
            assert_safe(text)
    assert_safe(graded["summary.md"])
    tasks = {t["id"]: t for t in json.loads(graded["r.json"])["tasks"]}
    assert tasks["activations.sigmoid"]["score"] == 0 and tasks["activations.relu"]["score"] == 0
    assert "\\x1b[2J\\x1b[31m=HYPERLINK(1)" in tasks["activations.sigmoid"]["message"]
    assert "received activations.\\x1b[1A\\n::notice" in tasks["activations.relu"]["message"]


def test_a_hostile_submission_forges_no_console_line(graded: dict[str, Any]):
    out = graded["stdout"]
    assert ESC not in out and "\r" not in out and UNSAFE.search(out) is None
    commands = [line for line in out.split("\n") if line.lstrip().startswith("::")]
    assert [c.split(" ", 1)[0] for c in commands] == ["::error", "::error", "::notice", "::notice"]
    assert commands[2].endswith("::Points 0/2") and "9/9" not in commands[2]
    totals = [line for line in out.split("\n") if line.lstrip().startswith("TOTAL")]
    assert len(totals) == 1 and totals[0].endswith("0 / 2")
    assert "##[" not in out


def test_the_gradebook_shows_what_the_rules_refused_at_a_glance():
    record = _record("mallory")
    record["report"]["integrity"] = {
        "refused": ["activations.py, line 3: import os: this course allows only ...", "b"],
        "forbidden": [],
        "left_out": [f"=answers{ESC}.py"],
    }
    text = gradebook.to_csv(gradebook.rows([record, _record("bob")]))
    assert_safe(text)
    mallory, bob = list(csv.DictReader(io.StringIO(text)))
    assert mallory["integrity"].startswith("refused 2 (activations.py, line 3: import os")
    assert "left out 1 (=answers\\x1b.py)" in mallory["integrity"]
    assert bob["integrity"] == ""
