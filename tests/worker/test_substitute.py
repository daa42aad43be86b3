"""Reference versions of earlier units replace the student's own, for one call only; the
reference's values come from the grader, by message (autograder.worker.remote).

Here the grader's side of the connection is a thread that answers with the built-in
oracle, as Submission._reference does."""

from __future__ import annotations

import importlib
import sys
import threading
import types
from multiprocessing import Pipe

import pytest
import torch

from autograder.worker import remote, wire
from autograder.worker.substitute import substitution

UNITS = ("activations", "losses")


def _names(unit: str) -> list[str]:
    module = importlib.import_module(f"autograder.oracle.{unit}")
    return [n for n, v in vars(module).items() if not n.startswith("_") and callable(v)]


REFERENCES = {unit: _names(unit) for unit in UNITS}


@pytest.fixture(autouse=True)
def grader():
    """The grader's end: answers each request with the oracle's value."""
    ours, theirs = Pipe()
    remote.connect(theirs)
    asked: list[str] = []

    def serve() -> None:
        while True:
            try:
                request = wire.decode(ours.recv_bytes())
            except (EOFError, OSError):  # the test is over
                return
            unit, func = request["unit"], request["func"]
            asked.append(f"{unit}.{func}")
            module = importlib.import_module(f"autograder.oracle.{unit}")
            with torch.no_grad():
                value = getattr(module, func)(*request["args"], **request["kwargs"])
            ours.send_bytes(wire.encode({"ok": True, "value": value}))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield asked
    # Only the far end is closed here: the thread sees end-of-file and stops, and only
    # then is its own end closed. Closing `ours` under a thread about to read it freed
    # the descriptor number for the next test's pipe, and the old thread took that
    # test's request (a hang in CI).
    theirs.close()
    thread.join(timeout=60)
    assert not thread.is_alive(), "the grader's thread did not stop at end-of-file"
    ours.close()


def _given(*units: str) -> dict[str, list[str]]:
    return {unit: REFERENCES[unit] for unit in units}


def _student_modules():
    activations = types.ModuleType("activations")

    def sigmoid(x):
        return x * 0.0  # a wrong earlier unit

    sigmoid.__module__ = "activations"
    activations.sigmoid = sigmoid
    backprop = types.ModuleType("backprop")
    backprop.sigmoid = sigmoid  # as `from activations import sigmoid` leaves it
    backprop.activations = activations  # as `import activations` leaves it
    backprop.helper = len  # unrelated names stay
    return activations, backprop


def test_functions_and_modules_from_earlier_units_point_at_the_oracle():
    activations, backprop = _student_modules()
    x = torch.tensor([0.0, 2.0])
    with substitution([activations, backprop], _given("activations")) as swapped:
        assert torch.allclose(backprop.sigmoid(x), torch.sigmoid(x))
        assert torch.allclose(backprop.activations.sigmoid(x), torch.sigmoid(x))
        assert backprop.helper is len
        assert activations.sigmoid(x).sum() == 0  # the unit itself is not rewritten
    assert swapped == {"activations.sigmoid"}
    assert backprop.sigmoid(x).sum() == 0 and backprop.activations is activations


def test_only_the_names_called_are_recorded():
    activations, backprop = _student_modules()
    with substitution([activations, backprop], _given(*UNITS)) as swapped:
        assert backprop.helper([1, 2]) == 2
    assert swapped == set()


def test_imports_made_during_the_call_get_the_oracle_and_are_undone(monkeypatch):
    activations, backprop = _student_modules()
    monkeypatch.setitem(sys.modules, "activations", activations)
    monkeypatch.delitem(sys.modules, "losses", raising=False)
    x = torch.tensor([-1.0, 3.0])
    with substitution([activations, backprop], _given(*UNITS)) as swapped:
        import losses
        from activations import sigmoid  # as a student's function body might do

        assert torch.allclose(sigmoid(x), torch.sigmoid(x))
        assert losses.mse_loss(x, x).item() == 0.0
    assert swapped == {"activations.sigmoid", "losses.mse_loss"}
    assert sys.modules["activations"] is activations and "losses" not in sys.modules


def test_nothing_changes_without_units():
    activations, backprop = _student_modules()
    with substitution([activations, backprop], {}) as swapped:
        assert backprop.sigmoid(torch.ones(1)).item() == 0.0
    assert swapped == set()


def test_the_values_come_from_the_grader_not_from_reference_code_here(grader):
    activations, backprop = _student_modules()
    before = {name for name in sys.modules if name.startswith("autograder.oracle")}
    with substitution([activations, backprop], _given("activations")):
        backprop.sigmoid(torch.ones(2))
    assert grader == ["activations.sigmoid"]
    assert {n for n in sys.modules if n.startswith("autograder.oracle")} == before


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_autograd_goes_through_a_stand_in_with_the_references_own_derivative(dtype):
    """A student's training step on the reference's loss and activations: the same
    gradients as torch's own functions."""
    activations, backprop = _student_modules()
    logits = torch.randn(5, 3, dtype=dtype, generator=torch.Generator().manual_seed(0))
    labels = torch.tensor([0, 2, 1, 1, 0])
    mine = logits.clone().requires_grad_(True)
    with substitution([activations, backprop], _given(*UNITS)):
        import activations as acts
        import losses

        loss = losses.cross_entropy_loss(acts.softmax(mine, dim=-1) * 3 + acts.tanh(mine), labels)
        loss.backward()
    theirs = logits.clone().requires_grad_(True)
    want = torch.nn.functional.cross_entropy(
        torch.softmax(theirs, -1) * 3 + torch.tanh(theirs), labels
    )
    want.backward()
    assert torch.allclose(loss.detach(), want.detach())
    assert mine.grad is not None and torch.allclose(mine.grad, theirs.grad, atol=1e-6)
