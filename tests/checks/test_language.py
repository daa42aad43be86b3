"""The language rules: what any task's code may not do, whoever wrote it and however it is
spelled, and what correct code in many styles may."""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder.checks.source_rules import SourceRules
from autograder.config import DEFAULT_IMPORTS

ROOT = Path(__file__).resolve().parents[2]
ALLOWED = frozenset(DEFAULT_IMPORTS)


def refused(body: str, function: str = "f", allowed: frozenset[str] = ALLOWED) -> list[str]:
    rules = SourceRules({"unit.py": body}, {"unit.py": allowed})
    return [f.text for f in rules.refused("unit", function)]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("import os\ndef f(x):\n    return x\n", "import os"),
        ("def f(x):\n    import threading\n    return x\n", "import threading"),
        ("from concurrent import futures\ndef f(x):\n    return x\n", "import concurrent"),
        ("def f(x):\n    import ctypes, pickle\n    return x\n", "import ctypes"),
        ("import importlib as il\ndef f(x):\n    return x\n", "import importlib"),
        ("from . import other\ndef f(x):\n    return x\n", "relative import"),
        ("from torch import *\ndef f(x):\n    return x\n", "import *"),
        ("from torch import _C\ndef f(x):\n    return x\n", "private part"),
        ("import numpy._core as c\ndef f(x):\n    return x\n", "private part"),
        ("import torch\ndef f(x):\n    return torch.jit.script(x)\n", "torch.jit"),
        ("import torch\ndef f(x):\n    return torch.load('/tmp/x', weights_only=False)\n",
         "torch.load"),
        ("import torch\ndef f(x):\n    return torch.ops.aten.tanh(x)\n", "torch.ops"),
        ("import torch.utils.cpp_extension as c\ndef f(x):\n    return x\n", "cpp_extension"),
        ("from torch.overrides import TorchFunctionMode\ndef f(x):\n    return x\n",
         "torch.overrides"),
        ("import typing\ndef f(x):\n    return typing.get_type_hints(x)\n", "get_type_hints"),
        ("import numpy as np\ndef f(x):\n    return np.load('a', allow_pickle=True)\n",
         "numpy.load"),
        ("def f(x):\n    return eval('x')\n", "eval()"),
        ("def f(x):\n    exec('y = x')\n    return x\n", "exec()"),
        ("def f(x):\n    return compile('x', 'activations.py', 'eval')\n", "compile()"),
        ("def f(x):\n    return __import__('os')\n", "__import__"),
        ("def f(x):\n    return globals()['x']\n", "globals()"),
        ("def f(x):\n    return vars(x)\n", "vars()"),
        ("import torch\ndef f(x, name='tanh'):\n    return getattr(torch, name)(x)\n",
         "computed at run time"),
        ("import torch\nL = getattr\ndef f(x):\n    return L(torch, 'tanh')(x)\n",
         "computed at run time"),
        ("def f(x, n):\n    setattr(x, n, 1)\n    return x\n", "computed at run time"),
        ("def f(x):\n    return x.__class__.__subclasses__()\n", "__subclasses__"),
        ("def f(x):\n    return f.__globals__\n", "__globals__"),
        ("import torch\ndef f(x):\n    return torch.__dict__['tanh'](x)\n", "__dict__"),
        ("def f(x):\n    return getattr(x, '__dict__')\n", "__dict__"),
        ("def f(x):\n    return __builtins__\n", "__builtins__"),
        ("def f(x):\n    return x.grad_fn.next_functions\n", "grad_fn"),
        ("import torch\ndef f(x):\n    return torch.autograd.Variable._execution_engine\n",
         "_execution_engine"),
        ("def f(x):\n    return x._version\n", "private attribute"),
        ("def f(x):\n    try:\n        1 / 0\n    except Exception as e:\n"
         "        return e.__traceback__.tb_frame\n", "__traceback__"),
        ("def f(x):\n    g = (i for i in x)\n    return g.gi_frame.f_back\n", "gi_frame"),
        ("import torch\nT = torch\nT = torch\ndef f(x):\n    return T.tanh(x)\n",
         "used as a value"),
        ("import torch\ndef f(x):\n    t = torch\n    return t.jit\n", "used as a value"),
        ("import torch\ndef m():\n    return torch\ndef f(x):\n    return m().load(x)\n",
         "used as a value"),
        ("import torch\ndef f(x):\n    return [torch.nn][0].functional.tanh(x)\n",
         "used as a value"),
        ("__name__ = '__main__'\ndef f(x):\n    return x\n", "rebinds __name__"),
        ("def __getattr__(name):\n    return name\ndef f(x):\n    return x\n", "__getattr__"),
        ("def f(x):\n    global __name__\n    return x\n", "__name__"),
        ("import torch\nclass M(torch.Tensor):\n    @classmethod\n"
         "    def __torch_function__(cls, func, types, args=(), kwargs=None):\n"
         "        return 1\ndef f(x):\n    return M\n", "__torch_function__"),
    ],
)  # fmt: skip
def test_what_would_hide_code_from_the_grader_is_refused(body, words):
    found = refused(body)
    assert any(words in text for text in found), found


def test_a_refusal_in_one_function_costs_only_the_tasks_that_reach_it():
    body = (
        "import torch\n"
        "def f(x):\n    import os\n    return os.getpid()\n"
        "def g(x):\n    return torch.exp(x)\n"
        "def h(x):\n    return f(x)\n"
    )
    assert refused(body, "f")
    assert refused(body, "h")
    assert refused(body, "g") == []


def test_a_refusal_at_module_level_costs_every_task_of_the_file():
    body = "import os\ndef f(x):\n    return x\ndef g(x):\n    return x\n"
    assert refused(body, "f") and refused(body, "g")


def test_a_refused_import_in_a_helper_file_reaches_the_tasks_importing_it():
    files = {
        "activations.py": "from helpers import squash\ndef sigmoid(x):\n    return squash(x)\n"
        "def relu(x):\n    return x\n",
        "helpers.py": "import subprocess\ndef squash(x):\n    return x\n",
    }
    rules = SourceRules(files, dict.fromkeys(files, ALLOWED))
    assert [f.file for f in rules.refused("activations", "sigmoid")] == ["helpers.py"]
    assert rules.refused("activations", "relu")  # the import runs when activations is


@pytest.mark.parametrize(
    "body",
    [
        "import torch\nfrom torch import nn\n\nclass Net(nn.Module):\n"
        "    def __init__(self):\n        super().__init__()\n        self.fc1 = nn.Linear(4, 3)\n"
        "        self._hidden = 3\n"
        "    def forward(self, x):\n        return self.fc1(x) * self._hidden\n"
        "def f(x):\n    return Net()(x)\n",
        "import torch\nimport torch.nn.functional as F\nF2 = torch.nn.functional\n"
        "def f(x):\n    return F.relu(x) + F2.relu(x)\n",
        "import numpy as np\nfrom numpy.typing import ArrayLike\n"
        "def f(x: ArrayLike) -> float:\n    return float(np.mean(np.asarray(x) ** 2))\n",
        "import math\nfrom dataclasses import dataclass, field\n"
        "from collections import OrderedDict\n"
        "from itertools import product\nfrom functools import reduce\nimport copy\n"
        "@dataclass\nclass P:\n    w: float = 0.0\n    hist: list = field(default_factory=list)\n"
        "def f(x):\n    d = OrderedDict()\n    for i, j in product(range(2), range(2)):\n"
        "        d[i, j] = math.exp(i + j)\n    return reduce(lambda a, b: a + b, d.values()), "
        "copy.deepcopy(P())\n",
        "import torch\nACTS = {'relu': lambda x: torch.clamp(x, min=0)}\n"
        "def f(x, name='relu'):\n    return ACTS[name](x)\n",
        "import torch\ndef f(x):\n    if getattr(x, 'is_cuda', False):\n        return x\n"
        "    return x.__class__.__name__, type(x), len(x), x.__len__()\n",
        "import torch\ndef f(x):\n    return x\n\nif __name__ == '__main__':\n"
        "    import sys, os\n    for name in ['tanh']:\n"
        "        print(getattr(torch, name), sys.argv)\n",
        "import torch\nclass Layer:\n    def backward(self, g):\n        return g\n"
        "    def __call__(self, x):\n        return x\n"
        "def f(x):\n    layer = Layer()\n    return layer.backward(layer(x))\n",
    ],
    ids=["nn-module", "functional-alias", "numpy-typed", "stdlib-helpers", "dispatch-table",
         "constant-getattr-and-protocols", "main-self-test", "own-layer"],
)  # fmt: skip
def test_correct_code_in_many_styles_is_not_refused(body):
    assert refused(body) == []


def test_the_courses_model_answers_and_stubs_pass_every_rule():
    from autograder.config import load_config

    config = load_config(ROOT / "grading.yml")
    for folder in ("solutions", "assignments"):
        files = {name: (ROOT / folder / name).read_text() for name in config.files}
        rules = SourceRules(files, {name: config.allowed_imports(name) for name in files})
        for spec in config.tasks:
            assert rules.refused(spec.unit, spec.function) == [], (folder, spec.id)
            assert rules.forbidden(spec.unit, spec.function, spec.forbidden) == [], spec.id


def test_a_function_named_at_import_time_is_in_every_tasks_reach_for_the_language_rules():
    """Code that names a function at import time may hand it to anything, so what the
    language rules refuse in it keeps every task of the file from running."""
    body = (
        "def f(x):\n    return x\n"
        "def g(x):\n    import os\n    return os.getpid()\n"
        "TABLE = {'g': g}\n"
    )
    assert refused(body, "f")


def test_a_class_bodys_own_dunder_fields_are_the_classs():
    body = (
        "import matplotlib\nmatplotlib.use('Agg')\n"
        "class P:\n    __slots__ = ('w',)\n    __hash__ = None\n    __match_args__ = ('w',)\n"
        "def f(x):\n    return x\n"
    )
    assert refused(body, allowed=ALLOWED | {"matplotlib"}) == []
    hook = (
        "import torch\nclass T(torch.Tensor):\n    __torch_function__ = None\n"
        "def f(x):\n    return T\n"
    )
    assert any("__torch_function__" in text for text in refused(hook))
