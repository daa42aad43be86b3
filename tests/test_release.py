"""assignments/ is generated from solutions/, and a drift between them fails."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from autograder import release
from autograder.errors import ReleaseError
from tests.helpers import ASSIGNMENTS, SOLUTIONS


def test_committed_assignments_match_the_generated_stubs():
    assert release.drift(SOLUTIONS, ASSIGNMENTS) == []


def test_every_stub_raises_not_implemented_naming_its_task():
    for name, text in release.release(SOLUTIONS).items():
        unit = name.removesuffix(".py")
        tree = ast.parse(text)
        for node in tree.body:
            if isinstance(node, ast.FunctionDef):
                raises = [n for n in ast.walk(node) if isinstance(n, ast.Raise)]
                assert raises, f"{unit}.{node.name} has no raise"
                message = ast.literal_eval(raises[0].exc.args[0])  # type: ignore[union-attr]
                assert message.startswith(f"{unit}.{node.name}: ")


def test_stubs_keep_signature_and_docstring_but_no_solution_code():
    for name, text in release.release(SOLUTIONS).items():
        assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
        solution = ast.parse((SOLUTIONS / name).read_text())
        stub = ast.parse(text)
        sol_defs = {n.name: n for n in solution.body if isinstance(n, ast.FunctionDef)}
        for node in stub.body:
            if isinstance(node, ast.FunctionDef):
                original = sol_defs[node.name]
                assert ast.dump(node.args) == ast.dump(original.args)
                assert ast.get_docstring(node) == ast.get_docstring(original)
                assert "Formula" in (ast.get_docstring(node) or "")
                assert len(node.body) == 2  # docstring + raise


def test_drift_is_reported(tmp_path):
    release.write(SOLUTIONS, tmp_path)
    victim = sorted(tmp_path.glob("*.py"))[0]
    victim.write_text(victim.read_text() + "\n# edited by hand\n")
    (sorted(tmp_path.glob("*.py"))[1]).unlink()
    problems = release.drift(SOLUTIONS, tmp_path)
    assert len(problems) == 2
    assert any("differs" in p for p in problems) and any("missing" in p for p in problems)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("def f():\n    ### BEGIN SOLUTION\n    return 1\n", "never closed"),
        ("def f():\n    pass\n    ### END SOLUTION\n", "without a matching"),
        ("### BEGIN SOLUTION\nx = 1\n### END SOLUTION\n", "outside any top-level function"),
        ("def f(:\n", "not valid Python"),
        (
            "def f():\n    ### BEGIN SOLUTION\n    ### BEGIN SOLUTION\n    pass\n",
            "inside another region",
        ),
    ],
)
def test_malformed_regions_name_file_and_line(tmp_path: Path, body, words):
    path = tmp_path / "unit.py"
    path.write_text(body)
    with pytest.raises(ReleaseError, match=words) as info:
        release.stub_source(body, path)
    assert str(path) in str(info.value)


def test_the_cli_regenerates_and_checks(tmp_path, capsys):
    from autograder.cli import main

    out = tmp_path / "stubs"
    assert main(["release", "--solutions", str(SOLUTIONS), "--out", str(out)]) == 0
    assert main(["release", "--solutions", str(SOLUTIONS), "--out", str(out), "--check"]) == 0
    next(out.glob("*.py")).write_text("")
    assert main(["release", "--solutions", str(SOLUTIONS), "--out", str(out), "--check"]) == 1
    assert "autograder release" in capsys.readouterr().out


def test_release_refuses_to_overwrite_filled_in_functions_unless_forced(tmp_path, capsys):
    from autograder.cli import main

    out = tmp_path / "stubs"
    release.write(SOLUTIONS, out)
    (out / "losses.py").write_text((SOLUTIONS / "losses.py").read_text())  # a student's work
    before = (out / "losses.py").read_text()
    args = ["release", "--solutions", str(SOLUTIONS), "--out", str(out)]
    assert main(args) == 2
    error = capsys.readouterr().err
    assert "losses.py: losses.bce_loss, losses.bce_loss_grad" in error and "--force" in error
    assert (out / "losses.py").read_text() == before
    assert main([*args, "--force"]) == 0
    assert release.drift(SOLUTIONS, out) == []


def test_an_old_stub_is_regenerated_without_force(tmp_path):
    out = tmp_path / "stubs"
    release.write(SOLUTIONS, out)
    stale = out / "activations.py"
    stale.write_text(stale.read_text().replace("Formula", "Old formula", 1))
    assert "activations.py" in release.write(SOLUTIONS, out)
    assert release.drift(SOLUTIONS, out) == []
