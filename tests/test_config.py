"""grading.yml is parsed once into frozen objects; every mistake names file, key and fix."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from autograder.config import load_config, parse_config
from autograder.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
BCE = {
    "points": 3,
    "cpu_s": 5,
    "forbidden": ["binary_cross_entropy"],
    "tolerances": {"float32": {"rtol": 1e-3}},
}
GOOD = {"tasks": {"losses.mse_loss": 2, "losses.bce_loss": BCE}}


def test_the_shipped_grading_yml_is_valid():
    config = load_config(ROOT / "grading.yml")
    assert config.max_score > 0
    assert all(spec.points >= 0 for spec in config.tasks)
    assert config.hypothesis["grading"].derandomize is True


def test_defaults_and_overrides():
    config = parse_config(GOOD)
    assert config.task("losses.mse_loss").points == 2
    assert config.cpu_limit("losses.bce_loss") == 5
    assert config.task("losses.bce_loss").forbidden == ("binary_cross_entropy",)
    assert config.task("losses.mse_loss").forbidden == ()
    assert config.cpu_limit("losses.mse_loss") == config.limits.cpu_s == 10
    assert config.tolerance("losses.bce_loss", "float32").rtol == 1e-3
    assert config.tolerance("losses.mse_loss", "float32").rtol == 1e-5
    assert config.units == ("losses",)


def test_config_objects_are_frozen():
    config = parse_config(GOOD)
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.reference = "oracle"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("doc", "words"),
    [
        ({"tasks": {"losses.bce": -1}}, "tasks.losses.bce.points=-1 must be >= 0"),
        ({"tasks": {"losses.bce": "two"}}, "tasks.losses.bce='two' must be a mapping"),
        ({"tasks": {"losses.bce": {"pts": 1}}}, "unknown key 'tasks.losses.bce.pts'"),
        ({"tasks": {"losses.bce": {"cpu_s": 1}}}, "tasks.losses.bce has no 'points'"),
        ({"tasks": {"bce": 1}}, "tasks='bce' is not a task id"),
        ({"tasks": {}}, "'tasks' is empty"),
        ({"tasks": {"a.b": 1}, "devices": ["tpu"]}, "devices='tpu' must be one of cpu, cuda"),
        ({"tasks": {"a.b": 1}, "reference": "mine"}, "reference='mine' must be one of"),
        ({"tasks": {"a.b": 1}, "limits": {"cpu_s": 0}}, "limits.cpu_s=0 must be > 0"),
        (
            {"tasks": {"a.b": {"points": 1, "forbidden": "sigmoid"}}},
            "tasks.a.b.forbidden='sigmoid' must be a list of names",
        ),
        (
            {"tasks": {"a.b": 1}, "limits": {"wall_factor": 0.5}},
            "limits.wall_factor=0.5 must be >= 1",
        ),
        (
            {"tasks": {"a.b": 1}, "limits": {"call_timeout_s": 10}},
            "unknown key 'limits.call_timeout_s'; it is now 'cpu_s' (CPU seconds",
        ),
        (
            {"tasks": {"a.b": {"points": 1, "timeout_s": 60}}},
            "unknown key 'tasks.a.b.timeout_s'; it is now 'cpu_s'",
        ),
        (
            {"tasks": {"a.b": 1}, "hypothesis": {"grading": {"max_examples": 2.5}}},
            "hypothesis.grading.max_examples=2.5 must be a whole number",
        ),
        (
            {"tasks": {"a.b": 1}, "tolerances": {"float32": {"rtol": "tight"}}},
            "tolerances.float32.rtol='tight' must be a finite number",
        ),
        ({"tasks": {"a.b": 1}, "colour": "blue"}, "unknown key 'colour'"),
        (
            {"tasks": {"a.b": 1}, "seeds": "per-student"},
            "seeds='per-student' must be one of per-submission, per-class",
        ),
        (["not", "a", "mapping"], "must be a mapping"),
    ],
)
def test_bad_values_name_the_key_the_value_and_the_fix(doc, words):
    with pytest.raises(ConfigError) as info:
        parse_config(doc, "grading.yml")
    assert str(info.value).startswith("grading.yml: ")
    assert words in str(info.value)


def test_unknown_task_lookup_says_how_to_fix():
    with pytest.raises(ConfigError, match="add it with its points"):
        parse_config(GOOD).task("losses.nope")


def test_malformed_yaml_names_the_file_and_line(tmp_path):
    path = tmp_path / "grading.yml"
    path.write_text("tasks:\n  a.b: [1,\n")
    with pytest.raises(ConfigError, match=r"grading.yml: not valid YAML at line \d"):
        load_config(path)


def test_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read the grading config"):
        load_config(tmp_path / "grading.yml")
