"""What the static rules refuse never runs, costs only the tasks that reach it, and a
submission is its declared files: graded by the real CLI."""

from __future__ import annotations

from pathlib import Path

from autograder import seeds
from autograder.submission import RUN_REFUSED_ENV
from tests.helpers import by_id, grade, lost, make_submission

FORWARD_WITH_OS = """
def forward(x, w, b=0.0):
    import os

    os.makedirs("{evidence}/forward-ran", exist_ok=True)
    return x * w + b
"""


def test_a_refused_task_is_never_run_and_costs_only_itself(tmp_path: Path):
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    text = FORWARD_WITH_OS.format(evidence=evidence)
    sub = make_submission(tmp_path / "sub", {"linear_model.forward": text})
    result = grade(sub, tmp_path / "r.json", "--unit", "linear_model", "--isolation", "none")
    assert lost(result) == {"linear_model.forward"}
    message = by_id(result)["linear_model.forward"]["message"]
    assert "linear_model.py, line" in message and "import os" in message, message
    assert list(evidence.iterdir()) == []  # it never ran


def test_the_attack_corpus_switch_runs_refused_code_but_never_gives_points(tmp_path: Path):
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    text = FORWARD_WITH_OS.format(evidence=evidence)
    sub = make_submission(tmp_path / "sub", {"linear_model.forward": text})
    env = {RUN_REFUSED_ENV: "1"}
    args = ("--unit", "linear_model", "--isolation", "none")
    result = grade(sub, tmp_path / "r.json", *args, env=env)
    assert lost(result) == {"linear_model.forward"}
    assert [p.name for p in evidence.iterdir()] == ["forward-ran"]


def test_files_besides_the_declared_ones_cannot_be_imported(tmp_path: Path):
    """answers.py is no file of the course's: the worker's copy does not hold it."""
    forward = (
        "def forward(x, w, b=0.0):\n    from answers import forward as f\n    return f(x, w, b)\n"
    )
    answers = "import numpy as np\n\ndef forward(x, w, b=0.0):\n    return np.asarray(x) * w + b\n"
    sub = make_submission(
        tmp_path / "sub", {"linear_model.forward": forward}, files={"answers.py": answers}
    )
    result = grade(sub, tmp_path / "r.json", "--unit", "linear_model")
    assert lost(result) == {"linear_model.forward"}
    assert "answers" in by_id(result)["linear_model.forward"]["message"]


def test_the_seed_digest_covers_every_importable_file_and_nothing_else(tmp_path: Path):
    (tmp_path / "activations.py").write_text("x = 1\n")
    files = ("activations.py", "helpers.py")
    before = seeds.submission_digest(tmp_path, files)
    (tmp_path / "answers.py").write_text("A = 1\n")  # not declared: never imported
    assert seeds.submission_digest(tmp_path, files) == before
    (tmp_path / "helpers.py").write_text("A = 1\n")  # declared: importable
    assert seeds.submission_digest(tmp_path, files) != before
    (tmp_path / "helpers.py").unlink()
    (tmp_path / "helpers.py").symlink_to(tmp_path / "answers.py")  # a link is never read
    assert seeds.submission_digest(tmp_path, files) == before


def test_the_switch_has_the_name_the_tests_use():
    from tests.helpers import RUN_REFUSED

    assert RUN_REFUSED == {RUN_REFUSED_ENV: "1"}
