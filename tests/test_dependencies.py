"""Partial credit follows dependencies: an early bug does not zero the later units."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import by_id, grade, lost, make_submission

WRONG_SIGMOID = """
def sigmoid(x):
    return 1.0 / (1.0 + torch.exp(x))  # the sign of the exponent is flipped
"""

FORWARD_WITH_OWN_ACTIVATIONS = """
def mlp_forward(x, params, activation="sigmoid"):
    from activations import relu, sigmoid, tanh

    f = {"sigmoid": sigmoid, "relu": relu, "tanh": tanh}.get(activation)
    if f is None:
        raise ValueError(f"unknown activation {activation!r}")
    layers, a = [], x
    for W, b in params:
        z = a @ W.T + b
        out = f(z)
        layers.append({"x": a, "W": W, "z": z, "a": out})
        a = out
    return a, {"activation": activation, "layers": layers}
"""

FORWARD_WITH_OWN_BUG = FORWARD_WITH_OWN_ACTIVATIONS.replace("z = a @ W.T + b", "z = a @ W.T")


def test_backprop_keeps_its_points_when_only_the_students_sigmoid_is_wrong(tmp_path: Path):
    sub = make_submission(
        tmp_path / "sub",
        {
            "activations.sigmoid": WRONG_SIGMOID,
            "backprop.mlp_forward": FORWARD_WITH_OWN_ACTIVATIONS,
        },
    )
    result = grade(sub, tmp_path / "out.json", "--unit", "activations", "--unit", "backprop")
    assert "activations.sigmoid" in lost(result)
    assert not {t for t in lost(result) if t.startswith("backprop.")}
    forward = by_id(result)["backprop.mlp_forward"]
    assert forward["status"] == "passed"
    assert "reference activations.sigmoid in place of yours" in forward["message"]


def test_a_bug_of_the_later_unit_itself_still_costs_its_points(tmp_path: Path):
    sub = make_submission(
        tmp_path / "sub",
        {"activations.sigmoid": WRONG_SIGMOID, "backprop.mlp_forward": FORWARD_WITH_OWN_BUG},
    )
    result = grade(sub, tmp_path / "out.json", "--unit", "backprop")
    forward = by_id(result)["backprop.mlp_forward"]
    assert forward["score"] == 0.0
    assert forward["status"] == "failed"
    assert "mlp_forward" in forward["message"]
