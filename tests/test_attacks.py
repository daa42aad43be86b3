"""The adversarial corpus (tests/attacks/corpus.py): each attack is a real submission,
graded by the real `autograder grade` in a fresh process, one unit at a time.

For every attack: grading finishes (exit 0, a JSON report that is a regular file and
names the isolation level); the unit gets exactly its honest score; the grader's files
(autograder/, solutions/, tests/, grading.yml, pyproject.toml, the names in
site-packages, and the attack's own targets, __pycache__ included) and another student's
folder are unchanged; nothing reached the test's listeners; the course secrets set in the
grader's environment appear neither in the report nor in the grader's output; no forged
"100 / 100" was printed; no process the attack started outlives grading. After the whole
corpus, the model answers still get 100/100.

Attacks that need a level this machine lacks are skipped, saying why. Set
AUTOGRADER_ATTACK_ISOLATION=basic (or none) to grade the corpus at a weaker level than
`auto` would pick (attacks needing more are skipped).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import select
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from autograder.submission import RUN_REFUSED_ENV
from tests.attacks.corpus import ATTACKS, LEVELS, Attack
from tests.attacks.fresh import FRESH_ATTACKS
from tests.helpers import ASSIGNMENTS, ROOT, make_submission

TAG = "ag-attack"  # the name every process an attack starts gives itself (PR_SET_NAME)
SITE = Path(sysconfig.get_paths()["purelib"])
GRADE_TIMEOUT_S = 300
SECRETS = ("AUTOGRADER_SECRET", "GITHUB_TOKEN")
HASHED = ("autograder", "solutions", "tests")
SKIPPED_DIRS = {"__pycache__", ".pytest_cache", ".hypothesis"}


# ---- what the machine offers ---------------------------------------------------------


@pytest.fixture(scope="session")
def why_not() -> dict[str, str]:
    from autograder.worker import zygote

    return zygote.shared().levels()


@pytest.fixture(scope="session")
def level(why_not: dict[str, str]) -> str:
    """The level the corpus is graded at: what `auto` picks, unless told otherwise."""
    from autograder.worker.isolation import IsolationError, choose

    try:
        return choose(os.environ.get("AUTOGRADER_ATTACK_ISOLATION", "auto"), why_not)
    except IsolationError as exc:
        pytest.skip(str(exc))


# ---- listeners an attack may try to reach --------------------------------------------


class Listener:
    """TCP and UDP on 127.0.0.1:port and an abstract unix socket; records what arrives."""

    def __init__(self) -> None:
        self.heard: list[str] = []
        self.tcp = socket.create_server(("127.0.0.1", 0))
        self.port = self.tcp.getsockname()[1]
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", self.port))
        self.unix_name = f"ag-attack-{os.getpid()}-{self.port}"
        self.unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.unix.bind("\0" + self.unix_name)
        self.unix.listen()
        self.stopping = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stopping:
            ready = select.select([self.tcp, self.udp, self.unix], [], [], 0.2)[0]
            for sock in ready:
                if sock is self.udp:
                    data, _ = sock.recvfrom(65536)
                    self.heard.append(f"udp: {data[:200]!r}")
                    continue
                conn, _ = sock.accept()
                conn.settimeout(2)
                try:
                    data = conn.recv(65536)
                except OSError:
                    data = b""
                conn.close()
                self.heard.append(f"{'tcp' if sock is self.tcp else 'unix'}: {data[:200]!r}")

    def close(self) -> None:
        self.stopping = True
        self.thread.join(5)
        for sock in (self.tcp, self.udp, self.unix):
            sock.close()


@pytest.fixture(scope="session")
def listener() -> Iterator[Listener]:
    heard = Listener()
    yield heard
    heard.close()


# ---- what must not change ------------------------------------------------------------


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _files(top: Path) -> Iterator[Path]:
    for folder, dirs, names in os.walk(top):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
        for name in sorted(names):
            yield Path(folder, name)


def grader_files() -> dict[str, str]:
    """sha256 of the grader's files (no __pycache__), and the names in site-packages."""
    found = {}
    for top in HASHED:
        for path in _files(ROOT / top):
            if path.is_file() and not path.is_symlink():
                found[str(path.relative_to(ROOT))] = _sha256(path)
    for name in ("grading.yml", "pyproject.toml"):
        found[name] = _sha256(ROOT / name)
    for path in _files(SITE):
        found[f"site-packages/{path.relative_to(SITE)}"] = "present"
    return found


def folder_files(top: Path) -> dict[str, str]:
    return {
        str(path.relative_to(top)): "link" if path.is_symlink() else _sha256(path)
        for path in _files(top)
    }


def state_of(path: Path) -> str:
    if path.is_symlink():
        return f"a link to {os.readlink(path)}"
    return _sha256(path) if path.is_file() else ("a folder" if path.exists() else "absent")


def differences(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return [
        f"{name}: {before.get(name, 'absent')} -> {after.get(name, 'absent')}"
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    ]


def survivors() -> list[int]:
    """Processes named TAG: what an attack started and left running."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if Path(f"/proc/{pid}/comm").read_text().strip() == TAG:
                found.append(int(pid))
        except OSError:
            continue
    return found


def survivors_after(seconds: float) -> list[int]:
    deadline = time.monotonic() + seconds
    while (left := survivors()) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


# ---- building and grading a submission -----------------------------------------------


def write_submission(folder: Path, attack: Attack, places: dict[str, Any]) -> Path:
    """A copy of the untouched stubs with the attack's files appended or added."""
    folder.mkdir()
    for stub in ASSIGNMENTS.glob("*.py"):
        shutil.copy(stub, folder / stub.name)
    for name, text in attack.render(places).items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as f:
            f.write(text)
    for name, target in attack.links.items():
        link = folder / name
        if link.exists() or link.is_symlink():
            link.unlink()
        link.symlink_to(target.format(**places))
    return folder


def config_for(attack: Attack, folder: Path) -> Path:
    """grading.yml itself, or a copy with the attack's limits (runaway code kept short)."""
    if not attack.limits:
        return ROOT / "grading.yml"
    config = yaml.safe_load((ROOT / "grading.yml").read_text())
    config["limits"].update(attack.limits)
    folder.mkdir()
    (folder / "grading.yml").write_text(yaml.safe_dump(config))
    return folder / "grading.yml"


def run_grader(
    submission: Path, report: Path, config: Path, level: str, env: dict[str, str], *units: str
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "autograder.cli", "grade", str(submission)]
    command += ["--json", str(report), "--config", str(config), "--isolation", level]
    for unit in units:
        command += ["--unit", unit]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
        start_new_session=True,
    )
    try:
        out, err = process.communicate(timeout=GRADE_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
        pytest.fail(f"grading did not finish within {GRADE_TIMEOUT_S} s:\n{out[-3000:]}{err}")
    return subprocess.CompletedProcess(command, process.returncode, out, err)


def grader_environment() -> dict[str, str]:
    env = {**os.environ, "CI": "true", "PYTHONDONTWRITEBYTECODE": "1"}
    # Attacks mostly use what the static rules refuse (os, signal, ctypes, ...), and the
    # grader never runs refused code; here it does (the points stay lost), so the corpus
    # tests the sandbox behind the rules as well.
    env[RUN_REFUSED_ENV] = "1"
    env["AUTOGRADER_SECRET"] = "course-secret-" + secrets.token_hex(16)
    env["GITHUB_TOKEN"] = "ghp_" + secrets.token_hex(18)
    return env


def _marks(attack: Attack) -> list[pytest.MarkDecorator]:
    if not attack.gets_through:
        return []
    return [pytest.mark.xfail(strict=True, reason=attack.gets_through)]


def _rank(level: str | None) -> int:
    return LEVELS.index(level or "none")


# ---- the tests -----------------------------------------------------------------------


def test_every_attack_compiles_and_has_a_unique_name():
    from autograder.config import load_config

    units = load_config(ROOT / "grading.yml").units
    places = dict(project="/p", site="/s", victim="/v", report="/r", evidence="/e")
    places.update(port=1, unix="u", tag=TAG)
    assert len({a.name for a in ATTACKS}) == len(ATTACKS) >= 30
    for attack in ATTACKS:
        assert attack.unit in units and attack.needs in (None, *LEVELS), attack.name
        for name, text in attack.render(places).items():
            if name.endswith(".py"):
                stub = ASSIGNMENTS / name
                source = (stub.read_text() if stub.is_file() else "") + text
                compile(source, f"{attack.name}/{name}", "exec")


@pytest.mark.parametrize(
    "attack", [pytest.param(a, id=a.name, marks=_marks(a)) for a in ATTACKS + FRESH_ATTACKS]
)
def test_attack_gains_nothing(
    attack: Attack, tmp_path: Path, level: str, why_not: dict[str, str], listener: Listener
):
    if _rank(level) < _rank(attack.needs):
        because = why_not.get(attack.needs or "none") or f"grading at {level} here"
        pytest.skip(f"needs isolation {attack.needs}: {because}")
    victim = make_submission(tmp_path / "victim")
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    report = tmp_path / "report.json"
    places = dict(
        project=ROOT,
        site=SITE,
        victim=victim,
        report=report,
        evidence=evidence,
        port=listener.port,
        unix=listener.unix_name,
        tag=TAG,
        pyc_tail=_pyc_tail(),
        cache_tag=sys.implementation.cache_tag,
    )
    submission = write_submission(tmp_path / "submission", attack, places)
    config = config_for(attack, tmp_path / "course")
    targets = [ROOT / t.format(**places) for t in attack.targets]
    env = grader_environment()

    files_before, victim_before = grader_files(), folder_files(victim)
    targets_before = {str(t): state_of(t) for t in targets}
    heard_before = len(listener.heard)
    proc = run_grader(submission, report, config, level, env, attack.unit)
    left = survivors_after(5)
    output = proc.stdout + proc.stderr

    assert proc.returncode == 0, f"exit {proc.returncode}:\n{output[-4000:]}"
    assert report.is_file() and not report.is_symlink(), f"report: {state_of(report)}"
    text = report.read_text()
    result = json.loads(text)
    assert result["isolation"] == level
    unit_tasks = [t for t in result["tasks"] if t["id"].startswith(attack.unit + ".")]
    assert unit_tasks and len(unit_tasks) == len(result["tasks"])
    gained = {t["id"]: (t["score"], t["status"]) for t in unit_tasks if t["score"]}
    assert result["score"] == attack.expected, (
        f"{attack.name} scored {result['score']} (honest: {attack.expected}): {gained}\n"
        + proc.stdout[-3000:]
    )
    changed = differences(files_before, grader_files())
    assert not changed, "the grader's files changed (or someone edited them meanwhile):\n" + (
        "\n".join(changed)
    )
    changed = differences(victim_before, folder_files(victim))
    assert not changed, "another submission changed:\n" + "\n".join(changed)
    assert {str(t): state_of(t) for t in targets} == targets_before
    assert sorted(p.name for p in evidence.iterdir()) == []
    assert listener.heard[heard_before:] == []
    for name in SECRETS:
        assert env[name] not in text and env[name] not in output, f"{name} leaked"
    for leak in attack.leaks:
        assert leak not in text and leak not in proc.stdout, f"{leak!r} leaked"
    assert "100 / 100" not in output, "a forged total reached the grader's output"
    assert len(output) < 2_000_000, f"{len(output)} characters of grader output"
    assert left == [], f"processes the attack started are still running: {left}"


def _pyc_tail() -> str:
    from _pytest.assertion.rewrite import PYC_TAIL

    return PYC_TAIL


def test_clean_submission_gets_full_marks_after_the_corpus(tmp_path: Path, level: str):
    """Runs last (pytest keeps the file's order): nothing the corpus did lingers."""
    clean = make_submission(tmp_path / "clean")
    report = tmp_path / "report.json"
    proc = run_grader(clean, report, ROOT / "grading.yml", level, grader_environment())
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    result = json.loads(report.read_text())
    lost = {t["id"]: t["message"][:200] for t in result["tasks"] if t["score"] < t["max_score"]}
    assert (result["score"], result["max_score"], lost) == (100, 100, {})
    assert result["isolation"] == level and survivors() == []
