"""Student code cannot talk its way to points: checks run where it cannot reach."""

from __future__ import annotations

from tests.helpers import RUN_REFUSED, by_id, grade, lost, make_submission

PATCHES = """
import numpy as np
import numpy.testing
import torch
import torch.testing

def _yes(*args, **kwargs):
    return True

def _quiet(*args, **kwargs):
    return None

np.testing.assert_allclose = _quiet
np.testing.assert_array_equal = _quiet
np.allclose = _yes
np.isclose = _yes
torch.testing.assert_close = _quiet
torch.allclose = _yes
torch.equal = _yes
try:
    import autograder.checks.compare as compare
    compare.Comparer.compare = _quiet
    compare.assert_close = _quiet
except Exception:
    pass
"""

WRONG_SIGMOID = """
def sigmoid(x):
    return x * 0.0
"""

RIGGED_RELU = """
class Anything:
    def __eq__(self, other):
        return True
    def __ne__(self, other):
        return False
    def __float__(self):
        return 0.0

def relu(x):
    return Anything()
"""

SUBCLASS_TANH = """
def tanh(x):
    import torch
    class Agreeable(torch.Tensor):
        def __eq__(self, other):
            return True
    return torch.zeros_like(x).as_subclass(Agreeable)
"""

STEAL_SOLUTION = """
def elu(x, alpha=1.0):
    from solutions.activations import elu as real
    return real(x, alpha)
"""


def test_monkeypatching_assertions_and_rigged_objects_earn_nothing(tmp_path):
    from tests.helpers import SOLUTIONS

    source = (SOLUTIONS / "activations.py").read_text()
    sub = make_submission(
        tmp_path / "sub",
        {
            "activations.sigmoid": WRONG_SIGMOID,
            "activations.relu": RIGGED_RELU,
            "activations.tanh": SUBCLASS_TANH,
            "activations.elu": STEAL_SOLUTION,
        },
    )
    (sub / "activations.py").write_text((sub / "activations.py").read_text() + PATCHES)
    assert source != (sub / "activations.py").read_text()
    result = grade(sub, tmp_path / "out.json", "--unit", "activations", env=RUN_REFUSED)
    # importing the grader to patch it is refused from the source for every task of the
    # unit that has forbidden calls (the run-time watch could be switched off that way)
    from autograder.config import load_config
    from tests.helpers import ROOT

    guarded = {t.id for t in load_config(ROOT / "grading.yml").tasks if t.forbidden}
    wrong = {"activations.sigmoid", "activations.relu", "activations.tanh", "activations.elu"}
    assert lost(result) == wrong | {t for t in guarded if t.startswith("activations.")}
    tasks = by_id(result)
    assert "the grader refuses" in tasks["activations.tanh_grad"]["message"]
    refused = result["integrity"]["refused"]
    assert any("import autograder.checks.compare" in line for line in refused), refused
    assert "expected a torch.Tensor, received" in tasks["activations.relu"]["message"]
    assert "Anything" in tasks["activations.relu"]["message"]
    assert "Agreeable" in tasks["activations.tanh"]["message"]
    assert "No module named 'solutions'" in tasks["activations.elu"]["message"]


SELF_REWRITING = """
def sigmoid(x):
    import torch
    return torch.sigmoid(x)


def _hide_the_builtin():
    path = __file__
    with open(path) as f:
        text = f.read()
    with open(path, "w") as f:
        f.write(text.replace("return torch.sigmoid(x)", "return 1 / (1 + torch.exp(-x))"))


try:
    _hide_the_builtin()
except OSError:
    pass  # the worker's copy is read-only (or, at isolation "none", writable)
"""


def test_code_that_rewrites_its_own_file_is_judged_on_the_file_as_submitted(tmp_path):
    sub = make_submission(tmp_path / "sub", {"activations.sigmoid": SELF_REWRITING})
    result = grade(sub, tmp_path / "out.json", "--unit", "activations", env=RUN_REFUSED)
    assert "torch.sigmoid(x)" in (sub / "activations.py").read_text()  # worked on a copy
    assert lost(result) == {"activations.sigmoid"}
    assert "torch.sigmoid" in by_id(result)["activations.sigmoid"]["message"]
