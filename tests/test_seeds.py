"""Inputs a student cannot memorise, and grades that do not wobble (autograder.seeds).

The end-to-end test plays the memorising student: a run at isolation `none` records
every input the graded suite gives the model answers and what they returned; a
submission that answers from that table (and with a plausible constant otherwise) then
takes the fixed-seed grade, and loses every one of those tasks once the course secret
picks the seeds.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest

from autograder import seeds
from autograder.errors import ConfigError
from tests.helpers import ROOT, SOLUTIONS, by_id, grade, make_submission

UNITS = {  # unit → the functions that take and return plain values (no models, no plots)
    "linear_model": ("forward", "mse", "loss_grid", "best_on_grid"),
    "gradient_descent": ("mse_grad", "batch_gd", "sgd", "fit_autograd"),
    "activations": (
        "sigmoid",
        "tanh",
        "relu",
        "leaky_relu",
        "elu",
        "softmax",
        "sigmoid_grad",
        "tanh_grad",
        "relu_grad",
        "leaky_relu_grad",
        "elu_grad",
        "softmax_backward",
    ),
    "losses": tuple(
        f"{loss}{suffix}"
        for loss in ("mse", "mae", "smooth_l1", "bce", "cross_entropy", "hinge", "multiclass_hinge")
        for suffix in ("_loss", "_loss_grad")
    ),
    "backprop": (
        "linear_forward",
        "linear_backward",
        "mlp_forward",
        "mlp_backward",
        "train_manual",
    ),
    "optimizers": ("sgd_step", "adagrad_step", "rmsprop_step", "adam_step", "adadelta_step"),
    "training": ("train_test_split", "min_max_scale"),
}
TASKS = [f"{unit}.{name}" for unit, names in UNITS.items() for name in names]

KEY = r"""

import numpy as _np
import torch as _torch

nan, inf = float("nan"), float("inf")  # as repr() writes them in the table
_DTYPES = {str(d): d for d in (_torch.float32, _torch.float64, _torch.int64, _torch.bool)}
_ERRORS = {e.__name__: e for e in (ValueError, TypeError, RuntimeError, IndexError, KeyError)}


def _canon(value):
    if isinstance(value, _torch.Tensor):
        t = value.detach().cpu().contiguous()
        return ("T", str(t.dtype), tuple(t.shape), str(value.device), t.numpy().tobytes())
    if isinstance(value, _np.ndarray):
        return ("A", str(value.dtype), value.shape, _np.ascontiguousarray(value).tobytes())
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(_canon(v) for v in value))
    if isinstance(value, dict):
        return ("D", tuple(sorted((repr(k), _canon(v)) for k, v in value.items())))
    return ("V", repr(value))


def _key(name, args, kwargs):
    return repr(_canon((name, args, kwargs)))


def _literal(value):
    if isinstance(value, _torch.Tensor):
        t = value.detach().cpu()
        return ("T", str(t.dtype), tuple(t.shape), t.reshape(-1).tolist())
    if isinstance(value, _np.ndarray):
        return ("A", str(value.dtype), value.shape, value.reshape(-1).tolist())
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(_literal(v) for v in value))
    if isinstance(value, dict):
        return ("D", tuple((k, _literal(v)) for k, v in value.items()))
    return ("V", value)


def _built(value):
    kind = value[0]
    if kind == "T":
        return _torch.tensor(value[3], dtype=_DTYPES[value[1]]).reshape(value[2])
    if kind == "A":
        return _np.array(value[3], dtype=value[1]).reshape(value[2])
    if kind in ("list", "tuple"):
        items = [_built(v) for v in value[1]]
        return items if kind == "list" else tuple(items)
    if kind == "D":
        return {k: _built(v) for k, v in value[1]}
    return value[1]
"""
"""What both students' files share; all of it within the course's rules (a submission is
its declared files, and imports such as pickle, hashlib or os are refused): values as
plain literals, keyed by the inputs as the grader sends them."""

RECORDER = (
    KEY
    + r"""

def _recording(fn):
    def wrapper(*args, **kwargs):
        key = _key(fn.__name__, args, kwargs)
        try:
            out = ("ok", _literal(fn(*args, **kwargs)))
        except Exception as exc:
            out = ("raise", type(exc).__name__, str(exc))
        with open("{folder}/" + fn.__name__ + ".txt", "a") as f:
            f.write(repr((key, out)) + "\n")
        if out[0] == "raise":
            raise _ERRORS.get(out[1], ValueError)(out[2])
        return _built(out[1])

    wrapper.__name__ = fn.__name__
    return wrapper
"""
)

ANSWERS = r"""

def _answering(name):
    def answer(*args, **kwargs):
        hits = _TABLE.get(name, {})
        out = hits.get(_key(name, args, kwargs))
        if out is None:  # not memorised: the answer to some other input
            out = next(iter(hits.values()), ("ok", ("V", 0.0)))
        if out[0] == "raise":
            raise _ERRORS.get(out[1], ValueError)(out[2])
        return _built(out[1])

    answer.__name__ = name
    return answer
"""


def _with_epilogue(folder: Path, epilogue: str, bind: str) -> None:
    """Append `epilogue` and, per function, the line `bind` makes of its name."""
    for unit, names in UNITS.items():
        path = folder / f"{unit}.py"
        lines = [path.read_text(), epilogue, *(bind.format(name=name) for name in names)]
        path.write_text("\n".join(lines) + "\n")


def _record(tmp_path: Path) -> dict[str, dict[str, tuple]]:
    """Grade the model answers at fixed seeds, recording every call: name → key → out."""
    calls = tmp_path / "calls"
    calls.mkdir()
    recorder = tmp_path / "recorder"
    shutil.copytree(SOLUTIONS, recorder)
    _with_epilogue(
        recorder, RECORDER.replace("{folder}", str(calls)), "{name} = _recording({name})"
    )
    result = grade(recorder, tmp_path / "recorded.json", "--isolation", "none")
    assert result["score"] == 100, [t["message"] for t in result["tasks"] if t["score"] == 0]
    table: dict[str, dict[str, tuple]] = {}
    for path in calls.glob("*.txt"):
        for line in path.read_text().splitlines():
            key, out = eval(line, {"nan": math.nan, "inf": math.inf})  # noqa: S307 - our own
            table.setdefault(path.stem, {})[key] = out
    return table


def _memoriser(tmp_path: Path, table: dict[str, dict[str, tuple]]) -> Path:
    folder = tmp_path / "memoriser"
    shutil.copytree(SOLUTIONS, folder)
    for unit, names in UNITS.items():  # the answer key only: the bodies are gone
        source = (ROOT / "assignments" / f"{unit}.py").read_text()
        rows = {name: table.get(name, {}) for name in names}
        lines = [source, KEY, ANSWERS, f"_TABLE = {rows!r}"]
        lines += [f"{name} = _answering({name!r})" for name in names]
        (folder / f"{unit}.py").write_text("\n".join(lines) + "\n")
    return folder


def test_memorised_answers_score_at_fixed_seeds_and_nothing_under_a_course_secret(
    tmp_path, monkeypatch
):
    monkeypatch.delenv(seeds.SECRET_ENV, raising=False)
    monkeypatch.delenv(seeds.SECRET_FILE_ENV, raising=False)
    table = _record(tmp_path)
    assert set(table) == {name for names in UNITS.values() for name in names}
    memoriser = _memoriser(tmp_path, table)
    fixed = by_id(grade(memoriser, tmp_path / "fixed.json"))
    gained = sum(fixed[t]["score"] for t in TASKS)
    possible = sum(fixed[t]["max_score"] for t in TASKS)
    assert gained >= 0.8 * possible, {t: fixed[t]["message"][:120] for t in TASKS}

    monkeypatch.setenv(seeds.SECRET_ENV, "a course secret no student has")
    result = grade(memoriser, tmp_path / "secret.json")
    kept = {t: by_id(result)[t]["score"] for t in TASKS if by_id(result)[t]["score"]}
    assert kept == {}, f"memorised answers still scored under a course secret: {kept}"
    assert result["seeds"]["source"] == "course secret" and result["seeds"]["base"] is None
    assert "seeds: from the course secret (unknowable in advance" in result["stdout"]
    assert not any(str(n) in result["stdout"] for n in _bases(memoriser))


def test_the_same_submission_gets_the_same_seeds_and_grade(tmp_path, monkeypatch):
    monkeypatch.setenv(seeds.SECRET_ENV, "s3cret")
    linear = "def sigmoid(x):\n    return 0.5 + x / 4\n"  # wrong by an amount that varies
    wrong = make_submission(tmp_path / "wrong", {"activations.sigmoid": linear})
    first = grade(wrong, tmp_path / "1.json", "--unit", "activations")
    again = grade(wrong, tmp_path / "2.json", "--unit", "activations")
    assert first["seeds"] == again["seeds"] and first["seeds"]["source"] == "course secret"
    assert [(t["id"], t["score"], t["message"]) for t in first["tasks"]] == [
        (t["id"], t["score"], t["message"]) for t in again["tasks"]
    ]
    (base,) = _bases(wrong, b"s3cret")
    assert first["seeds"]["base"] is None and first["seeds"]["fingerprint"]
    assert str(base) not in first["stdout"] + json.dumps(first["tasks"])
    monkeypatch.delenv(seeds.SECRET_ENV)
    replayed = grade(wrong, tmp_path / "3.json", "--unit", "activations", f"--grading-seed={base}")
    assert replayed["seeds"]["source"] == "replayed"
    assert replayed["seeds"]["fingerprint"] == first["seeds"]["fingerprint"]
    assert [t["message"] for t in replayed["tasks"]] == [t["message"] for t in first["tasks"]]


def test_per_class_seeds_are_one_set_for_the_whole_class_and_never_shown(tmp_path, monkeypatch):
    monkeypatch.setenv(seeds.SECRET_ENV, "s3cret")
    config = tmp_path / "grading.yml"
    config.write_text((ROOT / "grading.yml").read_text() + "\nseeds: per-class\n")
    linear = "def sigmoid(x):\n    return 0.5 + x / 4\n"
    wrong = make_submission(tmp_path / "wrong", {"activations.sigmoid": linear})
    per_class = ("--unit", "activations", "--config", str(config))
    right = grade(SOLUTIONS, tmp_path / "right.json", *per_class)
    off = grade(wrong, tmp_path / "off.json", *per_class)
    alone = grade(wrong, tmp_path / "alone.json", "--unit", "activations")
    assert right["seeds"] == off["seeds"] and right["seeds"]["source"] == "course secret"
    assert alone["seeds"]["fingerprint"] != off["seeds"]["fingerprint"]
    assert sum(t["score"] for t in right["tasks"]) == sum(t["max_score"] for t in right["tasks"])
    assert by_id(off)["activations.sigmoid"]["score"] == 0
    from autograder.config import load_config

    tasks = [spec.id for spec in load_config(config).tasks]
    base = seeds.plan_for("grading", b"s3cret", seeds.class_digest(tasks)).base
    assert base is not None and str(base) not in off["stdout"] + json.dumps(off["tasks"])


def _bases(folder: Path, secret: bytes = b"a course secret no student has") -> list[int]:
    """The base seed staff compute for `folder` (plan_for over every declared file)."""
    from autograder.config import load_config

    files = load_config(ROOT / "grading.yml").files
    digest = seeds.submission_digest(folder, files)
    return [seeds.plan_for("grading", secret, digest).base]


def test_without_a_secret_the_seeds_are_fixed_and_the_run_says_so(tmp_path, monkeypatch):
    monkeypatch.delenv(seeds.SECRET_ENV, raising=False)
    monkeypatch.delenv(seeds.SECRET_FILE_ENV, raising=False)
    result = grade(SOLUTIONS, tmp_path / "r.json", "--unit", "linear_model")
    assert result["seeds"] == {"source": "fixed", "base": None, "fingerprint": None}
    assert "seeds: fixed (no course secret: inputs can be known in advance" in result["stdout"]


def test_the_base_seed_depends_on_the_secret_and_every_byte_of_the_submission(tmp_path):
    (tmp_path / "activations.py").write_text("x = 1\n")
    digest = seeds.submission_digest(tmp_path, ("activations", "losses"))
    (tmp_path / "activations.py").write_text("x = 1 \n")
    other = seeds.submission_digest(tmp_path, ("activations", "losses"))
    plan = seeds.plan_for("grading", b"k", digest)
    assert plan == seeds.plan_for("grading", b"k", digest)
    assert plan.base not in (
        None,
        seeds.plan_for("grading", b"k", other).base,
        seeds.plan_for("grading", b"k2", digest).base,
    )
    assert seeds.plan_for("student", b"k", digest) == seeds.FIXED
    assert seeds.plan_for("grading", None, digest) == seeds.FIXED
    assert seeds.plan_for("student", None, digest, replay=7) == seeds.SeedPlan(7, "replayed")
    mixed = {plan.mix(k) for k in range(100)}
    assert len(mixed) == 100 and all(0 <= s < 2**31 for s in mixed)
    assert seeds.FIXED.mix(11) == 11 and seeds.FIXED.for_test("t") is None


def test_the_secret_comes_from_the_environment_or_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from a file\n")
    assert seeds.read_secret({seeds.SECRET_ENV: "env"}) == b"env"
    assert seeds.read_secret({seeds.SECRET_FILE_ENV: str(secret)}) == b"from a file"
    assert seeds.read_secret({}) is None
    with pytest.raises(ConfigError, match="AUTOGRADER_SECRET_FILE=.*cannot read"):
        seeds.read_secret({seeds.SECRET_FILE_ENV: str(tmp_path / "absent")})
    (tmp_path / "empty").write_text("\n")
    with pytest.raises(ConfigError, match="the file is empty"):
        seeds.read_secret({seeds.SECRET_FILE_ENV: str(tmp_path / "empty")})
