"""Kill rates, stale equivalents and verdicts, from made-up outcomes (no grading here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.mutation import report
from tests.mutation.__main__ import UNITS, collect
from tests.mutation.mutator import mutants
from tests.mutation.runner import ROOT, Campaign, Outcome, verdict

SOURCE = "def f(x):\n    ### BEGIN SOLUTION\n    return x + 1\n    ### END SOLUTION\n"
FOUND = mutants("u", SOURCE)


def _outcomes(survivors: set[str]) -> list[Outcome]:
    return [Outcome(m.id, "u", m.id not in survivors, "", 1.0) for m in FOUND]


def test_kill_rate_leaves_out_the_equivalent_survivors():
    alive = {FOUND[0].id, FOUND[1].id}
    [row] = report.rows(["u"], _outcomes(alive), {FOUND[0].id: "same value"})
    counts = (row.mutants, row.killed, row.equivalent, row.survived)
    assert counts == (len(FOUND), len(FOUND) - 2, 1, 1)
    assert row.kill_rate == (len(FOUND) - 2) / (len(FOUND) - 1)
    assert not report.passed([row], [])


def test_an_entry_that_names_no_mutant_or_a_killed_one_is_stale():
    entries = {"u.f/arith#9/'+' -> '-'": "gone", FOUND[0].id: "killed", "other.g/x#0/y": "n/a"}
    problems = report.stale(["u"], FOUND, _outcomes(set()), entries)
    assert len(problems) == 2
    assert "matches no mutant" in problems[0] and "was killed" in problems[1]


def test_the_report_lists_each_survivor_with_its_diff():
    text = report.render(
        report.rows(["u"], _outcomes({FOUND[0].id}), {}), FOUND, _outcomes({FOUND[0].id}), {}, []
    )
    assert FOUND[0].id in text and FOUND[0].diff in text and "< 95%" in text


def test_equivalents_file_names_current_mutants_with_reasons():
    entries = report.load_equivalents()
    units = {key.split(".", 1)[0] for key in entries}
    assert units <= set(UNITS)
    ids = {m.id for m in collect(sorted(units), None)}
    assert [key for key in entries if key not in ids] == []


def test_verdict_reads_the_scores(tmp_path: Path):
    out = tmp_path / "scores.json"
    assert verdict(out, None, 5.0) == (True, "timeout after 5 s")
    assert verdict(out, 2, 5.0)[0] is True
    task = {"id": "u.f", "score": 1.0, "max_score": 1.0, "status": "passed", "message": ""}
    out.write_text(json.dumps({"tasks": [task]}))
    assert verdict(out, 0, 5.0) == (False, "full marks")
    out.write_text(json.dumps({"tasks": [{**task, "score": 0.0, "status": "failed"}]}))
    killed, how = verdict(out, 0, 5.0)
    assert killed and how.startswith("lost u.f")


def test_a_campaign_removes_its_folder_and_only_that(tmp_path: Path):
    with Campaign(fresh=True) as campaign:
        folder = campaign.folder
        assert (campaign.tree / "grading.yml").is_file()
        assert (campaign.tree / "solutions" / "losses.py").is_file()
    assert not folder.exists()
    assert (ROOT / "solutions" / "losses.py").is_file()


def test_list_prints_every_mutant_without_grading():
    proc = subprocess.run(
        [sys.executable, "-m", "tests.mutation", "--unit", "linear_model", "--list"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().endswith("mutants")
    assert "linear_model.forward/" in proc.stdout


@pytest.mark.mutation
@pytest.mark.parametrize("unit", UNITS)
def test_the_unit_kills_95_percent_of_its_non_equivalent_mutants(unit):
    proc = subprocess.run(
        [sys.executable, "-m", "tests.mutation", "--unit", unit, "--jobs", "2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
