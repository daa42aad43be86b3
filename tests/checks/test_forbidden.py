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
