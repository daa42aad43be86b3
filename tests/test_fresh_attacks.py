"""Fresh attacks (issue 20, part 12) that are not one grading of one submission: every
writer a student's text reaches, grader memory, seeds, links in an nbgrader tree, and
students graded side by side. Each runs the real CLI (`autograder grade` / `batch`) in a
fresh process, at the strongest isolation this machine offers. The single-grading ones are
in tests/attacks/fresh.py (graded by tests/test_attacks.py).

Each attack here was found working against the grader once (issue 20) and is held now.
"""

from __future__ import annotations

import csv
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from autograder.config import load_config
from tests.attacks.corpus import ATTACKS
from tests.attacks.fresh import FORGED_TEXT, FRESH_ATTACKS
from tests.helpers import ASSIGNMENTS, ROOT, SOLUTIONS, make_submission

CONFIG = ROOT / "grading.yml"
TIMEOUT_S = 600
TAG = "ag-attack"
# What must never reach a person raw: C0 (but newline and tab), DEL, C1, bidi overrides,
# line and paragraph separators.
RAW = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


# ---- running the real CLI -----------------------------------------------------------------


def _env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **extra}
    for name in ("AUTOGRADER_SECRET", "AUTOGRADER_SECRET_FILE", "AUTOGRADER_RUN_REFUSED_CODE"):
        if name not in extra:
            env.pop(name, None)
    return env


def _cli(*args: str, env: dict[str, str] | None = None, cwd: Path = ROOT) -> Any:
    command = [sys.executable, "-m", "autograder.cli", *args]
    return subprocess.run(
        command,
        cwd=cwd,
        env=env or _env(),
        capture_output=True,
        text=True,
        errors="replace",
        timeout=TIMEOUT_S,
    )


def _stubs(folder: Path, appended: dict[str, str] | None = None) -> Path:
    """The untouched stubs, with texts appended to some files (as tests/attacks does)."""
    folder.mkdir(parents=True)
    for stub in ASSIGNMENTS.glob("*.py"):
        shutil.copy(stub, folder / stub.name)
    for name, text in (appended or {}).items():
        with (folder / name).open("a", encoding="utf-8") as f:
            f.write(text)
    return folder


@pytest.fixture(scope="module")
def level() -> str:
    from autograder.worker import zygote
    from autograder.worker.isolation import IsolationError, choose

    try:
        return choose("auto", zygote.shared().levels())
    except IsolationError as exc:
        pytest.skip(str(exc))


def _grade(folder: Path, out: Path, *extra: str, env: dict[str, str] | None = None) -> Any:
    args = ["grade", str(folder), "--config", str(CONFIG), "--json", str(out), *extra]
    proc = _cli(*args, env=env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


# ---- the corpus itself ----------------------------------------------------------------------


def test_the_fresh_corpus_has_thirty_well_formed_attacks_of_its_own():
    units = load_config(CONFIG).units
    names = [a.name for a in FRESH_ATTACKS]
    assert len(names) == len(set(names)) >= 30
    assert not set(names) & {a.name for a in ATTACKS}
    places = dict(project="/p", site="/s", victim="/v", report="/r", evidence="/e")
    places.update(port=1, unix="u", tag=TAG, pyc_tail="x", cache_tag="y")
    for attack in FRESH_ATTACKS:
        assert attack.unit in units and attack.needs in (None, "none", "basic", "strict")
        for name, text in attack.render(places).items():
            stub = ASSIGNMENTS / name
            source = (stub.read_text() if stub.is_file() else "") + text
            compile(source, f"{attack.name}/{name}", "exec")


# ---- 5. student text, through every writer -----------------------------------------------


def _raw(text: str) -> list[str]:
    return sorted({repr(c) for c in RAW.findall(text)})


def test_forged_text_reaches_no_writer_raw(tmp_path, level):
    """linear_model's messages, an exception class name and a returned string carry ANSI
    cursor moves, a fake total, a fake Classroom notice, ##[error], CR, BEL, NUL, bidi
    overrides and a lone surrogate: every writer (terminal with GitHub commands, job
    summary, JSON, JUnit, Gradescope) gets them escaped, and the only Classroom notices are
    the grader's own with the true points."""
    folder = _stubs(tmp_path / "sub", {"linear_model.py": FORGED_TEXT.format()})
    summary = tmp_path / "summary.md"
    junit, gradescope, report = tmp_path / "junit.xml", tmp_path / "gs.json", tmp_path / "r.json"
    proc = _grade(
        folder,
        report,
        "--unit",
        "linear_model",
        "--format",
        "github",
        "--junit",
        str(junit),
        "--gradescope",
        str(gradescope),
        "--isolation",
        level,
        env=_env(GITHUB_STEP_SUMMARY=str(summary)),
    )
    texts = {
        "stdout": proc.stdout,
        "stderr": proc.stderr,
        "summary": summary.read_text(encoding="utf-8"),
        "junit": junit.read_text(encoding="utf-8"),
        "gradescope": gradescope.read_text(encoding="utf-8"),
        "json": report.read_text(encoding="utf-8"),
    }
    assert {name: _raw(text) for name, text in texts.items()} == dict.fromkeys(texts, [])
    ET.fromstring(texts["junit"])  # well-formed XML
    assert json.loads(texts["gradescope"])["score"] == 0
    assert json.loads(texts["json"])["score"] == 0
    lines = proc.stdout.splitlines()
    commands = [line.lstrip() for line in lines if line.lstrip().startswith(("::", "##["))]
    notices = [c for c in commands if c.startswith("::notice") and "Autograding complete" in c]
    assert notices == ["::notice file=.github,line=1,title=Autograding complete::Points 0/8"]
    forged = [c for c in commands if not c.startswith(("::notice file=.github", "::error file="))]
    assert forged == []
    totals = [line for line in lines if line.lstrip().startswith("TOTAL")]
    assert len(totals) == 1 and totals[0].split()[-3:] == ["0", "/", "8"], totals


def _hostile_class(top: Path) -> dict[str, str]:
    """Students whose folder names start formulas or hold escapes, each handing in the
    forged-text linear_model; and one honest student."""
    names = {
        "hw-=1+2": "formula",
        "hw--2+3": "minus",
        "hw-+1+1": "plus",
        "hw-@SUM(A1)": "at",
        "hw-\x1b[31mred\x1b[0m": "escape",
        "hw-\u202eevil": "bidi",
    }
    for name in names:
        _stubs(top / name, {"linear_model.py": FORGED_TEXT.format()})
    make_submission(top / "hw-honest")
    return names


def _batch(submissions: Path, out: Path, *extra: str, env: dict[str, str] | None = None) -> Any:
    args = ["batch", str(submissions), "--out", str(out), "--config", str(CONFIG)]
    return _cli(*args, "--unit", "linear_model", *extra, env=env)


@pytest.fixture(scope="module")
def hostile_batch(tmp_path_factory, level) -> tuple[Path, Any]:
    top = tmp_path_factory.mktemp("hostile")
    _hostile_class(top / "class")
    out = top / "out"
    proc = _batch(top / "class", out, "--jobs", "2", "--isolation", level)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return out, proc


def test_batch_files_keep_hostile_student_ids_and_messages_inert(hostile_batch):
    """Ids from folder names (spreadsheet formulas, an ANSI escape, a bidi override) and
    forged messages: the gradebook's text cells start no formula, no file the batch writes
    holds a raw control character, and the HTML holds no markup of the students'."""
    out, proc = hostile_batch
    with (out / "gradebook.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    assert len(body) == 7
    at = header.index("student")
    for row in body:
        for cell in (row[at], row[header.index("status")]):
            assert not cell.lstrip().startswith(("=", "+", "-", "@")), row
    totals = {row[at]: row[header.index("total")] for row in body}
    assert totals.pop("honest") == "8" and set(totals.values()) == {"0"}, totals
    written = [out / "gradebook.csv", out / "index.html", *sorted((out / "feedback").iterdir())]
    texts = {"stdout": proc.stdout}
    texts.update({str(p.relative_to(out)): p.read_text(encoding="utf-8") for p in written})
    assert {name: _raw(text) for name, text in texts.items()} == dict.fromkeys(texts, [])
    for name, text in texts.items():
        if name.endswith(".html"):
            assert "<script" not in text.lower(), name


def test_batch_progress_shows_hostile_student_ids_escaped(hostile_batch):
    _, proc = hostile_batch
    assert _raw(proc.stderr) == []


# ---- 4. seeds -----------------------------------------------------------------------------


def _seed_plan(folder: Path, secret: str) -> Any:
    from autograder.seeds import plan_for, submission_digest

    files = load_config(CONFIG).files
    return plan_for("grading", secret.encode(), submission_digest(folder, files))


def _numbers(text: str) -> set[int]:
    return {int(n) for n in re.findall(r"(?<![\d.])\d{4,}(?![\d.])", text)}


WRONG_ACTIVATIONS = """


def sigmoid(x):  # wrong everywhere: every message names its input (and where, its seed)
    return x * 0.5


def tanh(x):
    return x * 0.5


def sigmoid_grad(x):
    return x * 0.25
"""


@pytest.mark.parametrize("writer", ["terminal", "github", "gradescope", "junit", "json"])
def test_no_student_visible_output_shows_the_seed_base_or_a_mixed_seed(tmp_path, level, writer):
    """With a course secret the base seed (31 bits) and every mixed seed (from which the base
    can be searched for) stay out of what a student sees (issue 20: the points table,
    messages, JSON, GitHub and Gradescope output), though every failing message of these
    wrong activations describes its seeded input."""
    folder = _stubs(tmp_path / "sub", {"activations.py": WRONG_ACTIVATIONS})
    secret = "course-secret-" + secrets.token_hex(16)
    plan = _seed_plan(folder, secret)
    seeds = {plan.base, *(plan.mix(k) for k in range(20_000))}
    summary, target = tmp_path / "summary.md", tmp_path / "out"
    extra = {
        "terminal": [],
        "github": ["--format", "github"],
        "gradescope": ["--gradescope", str(target)],
        "junit": ["--junit", str(target)],
        "json": [],
    }[writer]
    report = tmp_path / "report.json"
    env = _env(AUTOGRADER_SECRET=secret, GITHUB_STEP_SUMMARY=str(summary))
    proc = _grade(folder, report, "--unit", "activations", "--isolation", level, *extra, env=env)
    shown = {
        "terminal": proc.stdout + proc.stderr,
        "github": proc.stdout + (summary.read_text() if summary.exists() else ""),
        "gradescope": target.read_text() if target.exists() else "",
        "junit": target.read_text() if target.exists() else "",
        "json": report.read_text(),
    }[writer]
    assert json.loads(report.read_text())["tasks"], "nothing was graded"
    assert sorted(_numbers(shown) & seeds) == []


RECORDER = """

import numpy as _np

_LOG = {log!r}


def _plain(value):
    if isinstance(value, _np.ndarray):
        return ("a", value.dtype.str, value.shape, value.tobytes().hex())
    if isinstance(value, (float, _np.floating)):
        return ("f", float(value).hex())
    if isinstance(value, (bool, int, _np.integer)):
        return ("i", int(value))
    if isinstance(value, (list, tuple)):
        return ("l" if isinstance(value, list) else "t", tuple(_plain(v) for v in value))
    return ("r", repr(value))


def _recorded(name, function):
    def recorder(*args, **kwargs):
        key = repr((name, _plain(args), _plain(sorted(kwargs.items()))))
        try:
            answer = _plain(function(*args, **kwargs))
        except (ValueError, TypeError) as exc:
            answer = ("e", type(exc).__name__, str(exc))
            with open(_LOG, "a") as f:
                f.write(repr((key, answer)) + "\\n")
            raise
        with open(_LOG, "a") as f:
            f.write(repr((key, answer)) + "\\n")
        return function(*args, **kwargs)

    return recorder


forward = _recorded("forward", forward)
mse = _recorded("mse", mse)
loss_grid = _recorded("loss_grid", loss_grid)
best_on_grid = _recorded("best_on_grid", best_on_grid)
"""

TABLE = """

import numpy as _np

_TABLE = dict({table!r})


def _plain(value):
    if isinstance(value, _np.ndarray):
        return ("a", value.dtype.str, value.shape, value.tobytes().hex())
    if isinstance(value, (float, _np.floating)):
        return ("f", float(value).hex())
    if isinstance(value, (bool, int, _np.integer)):
        return ("i", int(value))
    if isinstance(value, (list, tuple)):
        return ("l" if isinstance(value, list) else "t", tuple(_plain(v) for v in value))
    return ("r", repr(value))


def _value(answer):
    kind = answer[0]
    if kind == "a":
        return _np.frombuffer(bytes.fromhex(answer[3]), dtype=answer[1]).reshape(answer[2]).copy()
    if kind == "f":
        return float.fromhex(answer[1])
    if kind == "i":
        return answer[1]
    if kind in ("l", "t"):
        items = [_value(a) for a in answer[1]]
        return items if kind == "l" else tuple(items)
    if kind == "e":
        raise (ValueError if answer[1] == "ValueError" else TypeError)(answer[2])
    raise NotImplementedError("no answer recorded for this input")


def _looked_up(name):
    def lookup(*args, **kwargs):
        key = repr((name, _plain(args), _plain(sorted(kwargs.items()))))
        if key not in _TABLE:
            raise NotImplementedError("linear_model." + name + ": an input never seen before")
        return _value(_TABLE[key])

    return lookup


forward, mse = _looked_up("forward"), _looked_up("mse")
loss_grid, best_on_grid = _looked_up("loss_grid"), _looked_up("best_on_grid")
"""


def test_answers_keyed_by_the_input_gain_nothing_under_the_course_secret(tmp_path, level):
    """A student who learnt the inputs (the fixed seeds are public: anyone can grade a
    correct linear_model and log what it is called with) hands in only a table of answers
    keyed by the inputs. Without a secret it gets full marks (so the table is right);
    with the course secret the inputs are new and it gets nothing."""
    log = tmp_path / "calls.log"
    recorder = make_submission(tmp_path / "recorder")
    with (recorder / "linear_model.py").open("a") as f:
        f.write(RECORDER.format(log=str(log)))
    # recorded where the worker may write (isolation none); the stubs' own seeds: fixed
    _grade(recorder, tmp_path / "recorded.json", "--unit", "linear_model", "--isolation", "none")
    table = dict(eval(line) for line in log.read_text().splitlines())  # noqa: S307 - our log
    assert table, "nothing was recorded"
    cheat = _stubs(tmp_path / "cheat", {"linear_model.py": TABLE.format(table=table)})
    fixed = _grade(cheat, tmp_path / "fixed.json", "--unit", "linear_model", "--isolation", level)
    assert json.loads((tmp_path / "fixed.json").read_text())["score"] == 8, fixed.stdout[-3000:]
    env = _env(AUTOGRADER_SECRET="course-secret-" + secrets.token_hex(16))
    args = ["--unit", "linear_model", "--isolation", level]
    secret = _grade(cheat, tmp_path / "secret.json", *args, env=env)
    result = json.loads((tmp_path / "secret.json").read_text())
    gained = {t["id"]: t["score"] for t in result["tasks"] if t["score"]}
    assert gained == {}, secret.stdout[-3000:]


# ---- 7. grader memory ---------------------------------------------------------------------

PEAK = """
import json, resource, runpy, sys

out, sys.argv = sys.argv[1], ["autograder", *sys.argv[2:]]
try:
    runpy.run_module("autograder.cli", run_name="__main__")
except SystemExit as exc:
    code = exc.code
finally:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    open(out, "w").write(json.dumps({"peak": peak}))
"""

REPLY_MIB = 12
LARGE_REPLIES = f"""

import numpy as _np


_CALLS = []


def forward(x, w, b=0.0):
    _CALLS.append(1)
    if len(_CALLS) <= 8:  # right on the 8 hand-checked and seeded cases, so that the
        return _np.asarray(x, dtype=float) * w + b  # property test's round of 30 is sent
    return _np.zeros({REPLY_MIB} * 1024 * 1024 // 8)  # {REPLY_MIB} MiB, far under the caps
"""


def _grader_peak(folder: Path, tmp: Path, level: str) -> int:
    """The grader process's own peak RSS (the workers and the zygote are other processes)."""
    measured = tmp / "peak.json"
    args = ["grade", str(folder), "--config", str(CONFIG), "--json", str(tmp / "r.json")]
    args += ["--unit", "linear_model", "--isolation", level]
    command = [sys.executable, "-c", PEAK, str(measured), *args]
    proc = subprocess.run(
        command, cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=TIMEOUT_S
    )
    assert measured.is_file(), proc.stdout[-3000:] + proc.stderr[-3000:]
    return int(json.loads(measured.read_text())["peak"])


def test_replies_each_under_the_cap_do_not_add_up_in_the_grader(tmp_path, level):
    """Each forward call returns 12 MiB, far under the per-message cap; a round of calls
    sends dozens. The grader must not hold them all at once (issue 20: cap the sum a request
    may return): its peak may grow by about one capped request (its raw frames and the
    arrays decoded from them) over the stubs'."""
    from autograder.worker import wire

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    baseline = _grader_peak(_stubs(tmp_path / "stubs"), tmp_path / "a", level)
    folder = _stubs(tmp_path / "large", {"linear_model.py": LARGE_REPLIES})
    peak = _grader_peak(folder, tmp_path / "b", level)
    grown = peak - baseline
    allowed = 2 * wire.MAX_REQUEST_BYTES + 32 * 2**20  # one capped request, decoded
    assert grown <= allowed, f"the grader grew by {grown / 2**20:.0f} MiB ({REPLY_MIB} MiB replies)"


# ---- 8. links -----------------------------------------------------------------------------


def _notebook(source: str) -> str:
    cell = {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": []}
    return json.dumps(
        {
            "metadata": {},
            "nbformat": 4,
            "nbformat_minor": 5,
            "cells": [{**cell, "source": source}],
        }
    )


def test_an_nbgrader_student_or_assignment_folder_that_links_to_another_is_not_graded(
    tmp_path, level
):
    """In nbgrader's submitted/ tree, mallory's whole folder and trent's assignment folder
    are links to alice's: neither gets alice's marks, and both are named."""
    submitted = tmp_path / "submitted"
    alice = submitted / "alice" / "ps1"
    alice.mkdir(parents=True)
    (alice / "linear_model.ipynb").write_text(
        _notebook((SOLUTIONS / "linear_model.py").read_text())
    )
    (submitted / "mallory").symlink_to(submitted / "alice", target_is_directory=True)
    (submitted / "trent").mkdir()
    (submitted / "trent" / "ps1").symlink_to(alice, target_is_directory=True)
    out = tmp_path / "out"
    proc = _batch(submitted, out, "--assignment", "ps1", "--jobs", "1", "--isolation", level)
    output = proc.stdout + proc.stderr
    with (out / "gradebook.csv").open(encoding="utf-8", newline="") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    assert rows["alice"]["total"] == "8", output[-3000:]
    records = " ".join(p.read_text() for p in (out / "results").glob("*.json"))
    for student in ("mallory", "trent"):
        row = rows.get(student)
        assert row is None or row["total"] in ("", "0"), (student, row)
        assert f"{student}" in records + output and "symbolic link" in records + output


# ---- 10. other students ------------------------------------------------------------------

NEIGHBOUR = textwrap.dedent(
    """

    import torch as _torch


    def _name_this_process():
        try:
            with open("/proc/self/comm", "w") as f:
                f.write("{tag}")
        except OSError:
            pass


    def _hit_everyone():  # os is torch.os: the rules let it through
        own = _torch.os.getpid()
        for name in _torch.os.listdir("/proc"):
            if name.isdigit() and int(name) not in (own, 1):
                for signum in (19, 9):  # SIGSTOP, SIGKILL
                    try:
                        _torch.os.kill(int(name), signum)
                    except OSError:
                        pass
        for folder in ("/tmp", "/dev/shm", "/var/tmp"):
            try:
                names = _torch.os.listdir(folder)
            except OSError:
                continue
            for name in names:
                try:
                    with open(folder + "/" + name + "/linear_model.py", "a") as f:
                        f.write("\\nraise SystemExit('{tag}')\\n")
                except OSError:
                    pass


    def _haunt():  # a detached process that keeps at it while the class is graded
        if _torch.os.fork() != 0:
            return
        _torch.os.setsid()
        _name_this_process()
        for _ in range(600):
            _hit_everyone()
            _torch.threading.Event().wait(0.05)
        _torch.os.abort()


    _haunt()
    _hit_everyone()


    def forward(x, w, b=0.0):
        _hit_everyone()
        raise NotImplementedError("linear_model.forward: busy elsewhere")
    """
)


def _tagged() -> list[int]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if Path(f"/proc/{pid}/comm").read_text().strip() == TAG:
                found.append(int(pid))
        except OSError:
            continue
    return found


def test_a_student_cannot_stop_kill_or_edit_the_students_graded_beside_it(tmp_path, level):
    """mallory's code (allowed by the rules: os through torch.os) stops and kills every
    process it sees and writes into every copy in /tmp, from a detached process too, while
    alice and bob are graded beside it (--jobs 2): both keep full marks."""
    top = tmp_path / "class"
    make_submission(top / "hw-alice")
    _stubs(top / "hw-mallory", {"linear_model.py": NEIGHBOUR.replace("{tag}", TAG)})
    make_submission(top / "hw-bob")
    out = tmp_path / "out"
    proc = _batch(top, out, "--jobs", "2", "--isolation", level)
    output = proc.stdout + proc.stderr
    with (out / "gradebook.csv").open(encoding="utf-8", newline="") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    totals = {student: row["total"] for student, row in rows.items()}
    assert totals == {"alice": "8", "bob": "8", "mallory": "0"}, output[-3000:]
    assert proc.returncode == 0, output[-3000:]
    assert _tagged() == []


def test_batch_refuses_a_shared_uid_level_unless_the_course_says_so(tmp_path):
    """`batch --isolation none` without --allow-shared-uid: a usage error before any
    grading (exit 2, no results)."""
    make_submission(tmp_path / "class" / "hw-alice")
    out = tmp_path / "out"
    proc = _batch(tmp_path / "class", out, "--isolation", "none")
    assert proc.returncode == 2, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert not (out / "results").exists() or not any((out / "results").iterdir())
