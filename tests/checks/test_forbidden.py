"""The forbidden-built-in rule reads source text and catches direct, method and aliased uses."""

from __future__ import annotations

import pytest

from autograder.checks.forbidden import forbidden_uses

NAMES = ("sigmoid", "expit")


@pytest.mark.parametrize(
    "body",
    [
        "import torch\ndef sigmoid(x):\n    return torch.sigmoid(x)\n",
        "import torch.nn.functional as F\ndef sigmoid(x):\n    return F.sigmoid(x)\n",
        "def sigmoid(x):\n    return x.sigmoid()\n",
        "def sigmoid(x):\n    return (x * 1).sigmoid()\n",
        "from torch import sigmoid as s\ndef sigmoid(x):\n    return s(x)\n",
        "def sigmoid(x):\n    from torch.special import expit\n    return expit(x)\n",
    ],
)
def test_uses_of_the_builtin_are_found(body):
    assert forbidden_uses(body, "sigmoid", NAMES)


@pytest.mark.parametrize(
    "body",
    [
        "import torch\ndef sigmoid(x):\n    return 1 / (1 + torch.exp(-x))\n",
        "import torch\ndef other(x):\n    return torch.sigmoid(x)\ndef sigmoid(x):\n    return x\n",
        "def sigmoid(x):\n    grad = 1\n    return x * grad\n",
    ],
)
def test_own_code_and_other_functions_are_fine(body):
    assert forbidden_uses(body, "sigmoid", (*NAMES, "grad")) == []


def test_a_local_variable_named_like_a_builtin_is_not_a_use():
    body = "def f(x):\n    grad = x * 2\n    return grad\n"
    assert forbidden_uses(body, "f", ("grad",)) == []
    assert forbidden_uses(
        "import torch\ndef f(x):\n    return torch.autograd.grad(x, x)\n", "f", ("grad", "autograd")
    )


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (
            "import torch\ndef sigmoid(x):\n    return x\ndef sigmoid(x):\n"
            "    return torch.sigmoid(x)\n",
            "torch.sigmoid",
        ),
        ("import torch\ns = torch.sigmoid\ndef sigmoid(x):\n    return s(x)\n", "bound to"),
        (
            "import torch\ndef sigmoid(x):\n    return getattr(torch, 'sig' + 'moid')(x)\n",
            "lookup of 'sigmoid'",
        ),
        (
            "import torch\ndef sigmoid(x):\n    return getattr(torch, f\"{'sig'}moid\")(x)\n",
            "lookup of 'sigmoid'",
        ),
        (
            "import torch\ndef sigmoid(x):\n    return vars(torch)[''.join(['sig', 'moid'])](x)\n",
            "lookup of 'sigmoid'",
        ),
        (
            "import torch\nf = getattr(torch, 'sigmoid')\ndef sigmoid(x):\n    return f(x)\n",
            "bound to lookup",
        ),
        (
            "import torch\ndef _helper(x):\n    return torch.sigmoid(x)\n"
            "def sigmoid(x):\n    return _helper(x)\n",
            "torch.sigmoid",
        ),
        (
            "import torch\ndef a(x):\n    return x.sigmoid()\ndef b(x):\n    return a(x)\n"
            "def sigmoid(x):\n    return b(x)\n",
            "sigmoid",
        ),
    ],
    ids=["second-def", "module-alias", "getattr-concat", "fstring", "vars-join",
         "alias-of-getattr", "helper", "helper-of-helper"],
)  # fmt: skip
def test_dodges_of_the_rule_are_found(body, words):
    uses = forbidden_uses(body, "sigmoid", NAMES)
    assert uses and any(words in u.text for u in uses), uses


def test_dictionary_keys_are_not_flagged():
    body = "def f(cache):\n    return cache['grad'] * 2\n"
    assert forbidden_uses(body, "f", ("grad", "sigmoid")) == []


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("import torch\nsigmoid = torch.sigmoid\n", "torch.sigmoid"),
        ("import torch\nsigmoid = lambda x: x.sigmoid()\n", "sigmoid"),
        ("import torch\ndef sigmoid(x, name='sig'):\n    return getattr(torch, name)(x)\n",
         "getattr with a name computed"),
        ("import torch\nN = ''.join(reversed('diomgis'))\ns = getattr(torch, N)\n"
         "def sigmoid(x):\n    return s(x)\n", "getattr with a name computed"),
        ("import torch\ndef sigmoid(x):\n    return torch.__dict__.get('sig' + 'moid')(x)\n",
         "__dict__"),
        ("import torch\ndef sigmoid(x):\n    return eval('torch.sigmoid(x)')\n", "eval()"),
        ("import torch\ndef sigmoid(x):\n    with torch._C.DisableTorchFunction():\n"
         "        return x\n", "torch._C"),
        ("import autograder.worker.server as s\ns.watching = None\n"
         "def sigmoid(x):\n    return x\n", "import autograder"),
        ("import sys\nsys.modules['torch'].x = 1\ndef sigmoid(x):\n    return x\n",
         "sys.modules"),
        ("import importlib\ndef sigmoid(x):\n    return importlib.import_module('torch')\n",
         "importlib"),
    ],
    ids=["task-bound-to-builtin", "task-bound-to-lambda", "computed-getattr",
         "module-level-computed-alias", "dict-get", "eval", "watch-disabled",
         "grader-patched", "sys-modules", "importlib"],
)  # fmt: skip
def test_what_only_the_run_time_watch_could_see_is_refused(body, words):
    """The watch runs in the student's process (it can be switched off), so names
    computed at run time, code from strings and reaching into the grader are refused
    from the source."""
    uses = forbidden_uses(body, "sigmoid", NAMES)
    assert uses and any(words in u.text for u in uses), uses


def test_plain_module_level_code_is_fine():
    body = (
        "from __future__ import annotations\nimport math\nimport torch\n"
        "EPS = 1e-8\nTABLE = {'a': 1}\nX = TABLE['a']\n"
        "def sigmoid(x):\n    return 1 / (1 + torch.exp(-x)) + EPS * X\n"
    )
    assert forbidden_uses(body, "sigmoid", NAMES) == []
