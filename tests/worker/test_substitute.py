"""Reference versions of earlier units replace the student's own, for one call only."""

from __future__ import annotations

import sys
import types

import torch

from autograder.worker.substitute import substitution


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
    with substitution([activations, backprop], ["activations"]) as swapped:
        assert torch.allclose(backprop.sigmoid(x), torch.sigmoid(x))
        assert torch.allclose(backprop.activations.sigmoid(x), torch.sigmoid(x))
        assert backprop.helper is len
        assert activations.sigmoid(x).sum() == 0  # the unit itself is not rewritten
    assert swapped == {"activations.sigmoid"}
    assert backprop.sigmoid(x).sum() == 0 and backprop.activations is activations


def test_only_the_names_called_are_recorded():
    activations, backprop = _student_modules()
    with substitution([activations, backprop], ["activations", "losses"]) as swapped:
        assert backprop.helper([1, 2]) == 2
    assert swapped == set()


def test_imports_made_during_the_call_get_the_oracle_and_are_undone(monkeypatch):
    activations, backprop = _student_modules()
    monkeypatch.setitem(sys.modules, "activations", activations)
    monkeypatch.delitem(sys.modules, "losses", raising=False)
    x = torch.tensor([-1.0, 3.0])
    with substitution([activations, backprop], ["activations", "losses"]) as swapped:
        import losses
        from activations import sigmoid  # as a student's function body might do

        assert torch.allclose(sigmoid(x), torch.sigmoid(x))
        assert losses.mse_loss(x, x).item() == 0.0
    assert swapped == {"activations.sigmoid", "losses.mse_loss"}
    assert sys.modules["activations"] is activations and "losses" not in sys.modules


def test_nothing_changes_without_units():
    activations, backprop = _student_modules()
    with substitution([activations, backprop], []) as swapped:
        assert backprop.sigmoid(torch.ones(1)).item() == 0.0
    assert swapped == set()
