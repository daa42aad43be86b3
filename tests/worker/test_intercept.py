"""The worker watches, at run time, for the built-ins a task may not call."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from autograder.worker.client import Budget, StudentFailure, Worker

MODULE = """
import importlib
import torch
from torch.autograd import grad as g

def hidden_sigmoid(x):
    return getattr(torch, "".join(["sig", "moid"]))(x)

def method_sigmoid(x):
    return x.sigmoid()

def own_sigmoid(x):
    return 1 / (1 + torch.exp(-x))

def aliased_grad(x):
    y = x.detach().clone().requires_grad_(True)
    (d,) = g((y * y).sum(), y)
    return d

def backward(x):
    y = x.detach().clone().requires_grad_(True)
    (y * y).sum().backward()
    return y.grad

def functional(x):
    return importlib.import_module("torch.func").jacrev(lambda t: t * t)(x)

def optimizer(x):
    p = x.detach().clone().requires_grad_(True)
    importlib.import_module("torch.optim").SGD([p], lr=0.1)
    return x

_TABLE = {}

def _fill():
    _TABLE["s"] = torch.sigmoid
    return 0

_fill()
bound_elsewhere = _TABLE["s"]

def through_numpy(x):
    import numpy as np
    return np.vectorize(lambda v: float(_TABLE["s"](torch.tensor(v))))(x.numpy())

def through_stdlib(x):
    import functools
    return functools.reduce(lambda acc, f: f(acc), [_TABLE["s"]], x)

def compiled_elsewhere(x):
    text = "import torch\\ndef f(x):\\n    return torch.sigmoid(x)\\n"
    code = compile(text, "/x/other.py", "exec")
    space = {}
    exec(code, space)
    return space["f"](x)

def unwatch(x):
    mode = torch.overrides._pop_mode()
    return x
"""
AUTOGRAD = ["backward", "grad", "autograd", "vjp", "jvp", "jacobian", "jacrev", "jacfwd"]


@pytest.fixture()
def worker(tmp_path: Path):
    (tmp_path / "unit.py").write_text(MODULE)
    w = Worker(tmp_path, memory_mb=1024)
    yield w
    w.stop()


def call(worker: Worker, func: str, forbid: list[str]):
    request = {"op": "call", "unit": "unit", "func": func, "args": [torch.ones(3)]}
    return worker.call({**request, "forbid": forbid}, Budget(10.0, 60.0))


@pytest.mark.parametrize(
    ("func", "forbid", "words"),
    [
        ("hidden_sigmoid", ["sigmoid"], "calls torch.sigmoid (unit.py, line 7)"),
        ("method_sigmoid", ["sigmoid"], "calls torch.Tensor.sigmoid (unit.py, line 10)"),
        ("aliased_grad", AUTOGRAD, "torch.autograd (backward / grad) (unit.py, line 17)"),
        ("backward", AUTOGRAD, "(unit.py, line 22)"),
        ("functional", AUTOGRAD, "torch.func.jacrev (unit.py, line 26)"),
        ("optimizer", ["optim", "SGD"], "torch.optim (an optimizer was created) (unit.py"),
    ],
)
def test_forbidden_calls_are_caught_however_they_were_reached(worker, func, forbid, words):
    with pytest.raises(StudentFailure) as info:
        call(worker, func, forbid)
    assert info.value.kind == "forbidden" and info.value.status == "failed"
    assert words in info.value.message


@pytest.mark.parametrize(
    ("func", "words"),
    [
        ("bound_elsewhere", "calls torch.sigmoid"),
        ("through_stdlib", "calls torch.sigmoid (unit.py"),
        ("compiled_elsewhere", "calls torch.sigmoid (other.py, line 3)"),
    ],
)
def test_the_watch_does_not_depend_on_who_is_nearest(worker, func, words):
    """A task bound straight to a built-in (the worker's own frame calls it), a call made
    through the standard library, and code compiled under another file name: all seen."""
    with pytest.raises(StudentFailure) as info:
        call(worker, func, ["sigmoid"])
    assert info.value.kind == "forbidden" and info.value.status == "failed"
    assert words in info.value.message


def test_own_code_and_unforbidden_calls_pass(worker):
    assert torch.allclose(
        call(worker, "own_sigmoid", ["sigmoid"]).value, torch.sigmoid(torch.ones(3))
    )
    assert torch.allclose(
        call(worker, "hidden_sigmoid", ["tanh"]).value, torch.sigmoid(torch.ones(3))
    )
    assert call(worker, "optimizer", AUTOGRAD).value is not None


def test_each_call_of_a_batch_is_watched_and_switching_the_watch_off_is_caught(worker):
    x = torch.ones(3)
    batch = {
        "op": "calls",
        "calls": [
            {"op": "call", "unit": "unit", "func": f, "args": [x], "forbid": ["sigmoid"]}
            for f in ("own_sigmoid", "method_sigmoid", "own_sigmoid", "unwatch", "method_sigmoid")
        ],
    }
    out = list(worker.calls(batch, [Budget(10.0, 60.0)] * 5))
    kinds = [getattr(o, "kind", "ok") for o in out]
    # one scope for the whole batch: a use in one call is charged to that call only
    assert kinds[:4] == ["ok", "forbidden", "ok", "ok"]
    # the call after one that took the watch's mode off is refused, not left unwatched
    assert kinds[4] == "forbidden" and "switched off the grader's watch" in out[4].message
    assert call(worker, "own_sigmoid", ["sigmoid"]).value is not None  # the worker lives on
    assert worker.generation == 1
