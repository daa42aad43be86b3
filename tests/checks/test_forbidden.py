"""The forbidden-built-in rule matches what code refers to, not how it is spelled."""

from __future__ import annotations

import pytest

from autograder.checks.forbidden import forbidden_uses
from autograder.checks.source_rules import SourceRules

NAMES = ("sigmoid", "expit")
AUTOGRAD = ("backward", "grad", "autograd", "vjp", "jvp", "jacobian", "jacrev", "jacfwd")


@pytest.mark.parametrize(
    "body",
    [
        "import torch\ndef sigmoid(x):\n    return torch.sigmoid(x)\n",
        "import torch.nn.functional as F\ndef sigmoid(x):\n    return F.sigmoid(x)\n",
        "def sigmoid(x):\n    return x.sigmoid()\n",
        "def sigmoid(x):\n    return (x * 1).sigmoid_()\n",
        "from torch import sigmoid as s\ndef sigmoid(x):\n    return s(x)\n",
        "def sigmoid(x):\n    from torch.special import expit\n    return expit(x)\n",
        "import torch\ndef sigmoid(x):\n    return torch.nn.Sigmoid()(x)\n",
        "from torch import nn\ndef sigmoid(x):\n    return nn.modules.activation.Sigmoid()(x)\n",
        "import torch\ndef sigmoid(x):\n    return torch.Tensor.sigmoid(x)\n",
        "import torch\nG = torch.nn.functional\ndef sigmoid(x):\n    return G.sigmoid(x)\n",
        "import torch\ndef sigmoid(x):\n    return getattr(torch, 'sig' + 'moid')(x)\n",
        "import torch\ndef sigmoid(x):\n    return getattr(torch.special, f\"{'ex'}pit\")(x)\n",
        "import numpy as np\ndef sigmoid(x):\n    return np.sigmoid(x)\n",
    ],
    ids=["torch", "F", "method", "inplace-method-of-expr", "from-import-as", "local-import",
         "nn-class", "nn-class-by-module-path", "Tensor-method", "module-alias",
         "constant-getattr", "constant-getattr-fstring", "numpy-name"],
)  # fmt: skip
def test_every_spelling_of_the_builtin_is_found(body):
    assert forbidden_uses(body, "sigmoid", NAMES)


@pytest.mark.parametrize(
    ("body", "names"),
    [
        ("import torch\ndef tanh(x):\n    return torch.nn.Tanh()(x)\n", ("tanh",)),
        ("import torch.nn.functional as F\ndef tanh(x):\n    return F.tanh(x)\n", ("tanh",)),
        ("import torch\ndef tanh(x):\n    return torch.tanh_(x.clone())\n", ("tanh",)),
        ("from torch import nn\ndef relu(x):\n    return nn.LeakyReLU(0.0)(x)\n",
         ("leaky_relu", "LeakyReLU")),
        ("import torch\ndef f(x):\n    return torch.func.grad(lambda t: t.sum())(x)\n",
         AUTOGRAD),
        ("import torch\ndef f(x):\n    return torch.func.vmap(torch.sin)(x)\n", AUTOGRAD),
        ("from torch.autograd.functional import jacobian as J\ndef f(x):\n    return J(x)\n",
         AUTOGRAD),
        ("import torch\ndef f(p, g):\n    return torch.optim.SGD([p], lr=1)\n",
         ("optim", "SGD")),
        ("def f(loss):\n    loss.backward()\n    return 1\n", AUTOGRAD),
    ],
    ids=["nn.Tanh", "F.tanh", "tanh_", "LeakyReLU", "torch.func.grad", "torch.func.vmap",
         "jacobian-renamed", "optim", "backward"],
)  # fmt: skip
def test_the_whole_family_of_a_name_is_forbidden(body, names):
    function = body.split("def ", 1)[1].split("(", 1)[0]
    assert forbidden_uses(body, function, names)


@pytest.mark.parametrize(
    "body",
    [
        "import torch\ndef sigmoid(x):\n    return 1 / (1 + torch.exp(-x))\n",
        "import torch\ndef other(x):\n    return torch.sigmoid(x)\ndef sigmoid(x):\n    return x\n",
        "def sigmoid(x):\n    grad = 1\n    return x * grad\n",
        "class Layer:\n    def sigmoid(self, x):\n        return x\n"
        "def sigmoid(x):\n    return Layer().sigmoid(x)\n",
        "import torch\ndef sigmoid(x):\n    return torch.where(x >= 0, 1 / (1 + torch.exp(-x)),"
        " torch.exp(x) / (1 + torch.exp(x)))\n",
    ],
    ids=["formula", "other-function", "local-named-grad", "own-method", "stable-formula"],
)
def test_own_code_and_other_functions_are_fine(body):
    assert forbidden_uses(body, "sigmoid", (*NAMES, "grad")) == []


def test_a_users_own_backward_method_and_grad_field_are_theirs():
    body = (
        "class Linear:\n"
        "    def __init__(self):\n        self.grad = None\n"
        "    def backward(self, g):\n        self.grad = g\n        return g\n"
        "def linear_backward(g, x, W):\n"
        "    layer = Linear()\n    layer.backward(g)\n    return layer.grad, x, W\n"
    )
    assert forbidden_uses(body, "linear_backward", AUTOGRAD) == []


def test_a_parameter_is_not_an_alias_made_elsewhere():
    """The optimizer stubs take `g`; a `__main__` self-test binding `g` to autograd (or any
    binding in another function) changes nothing inside the step."""
    body = (
        "import torch\n"
        "def sgd_step(p, g, state, lr):\n    return p - lr * g, {}\n"
        "def check():\n    g = torch.autograd.grad\n    return g\n"
        "if __name__ == '__main__':\n    g = torch.autograd.grad\n    print(g)\n"
    )
    assert forbidden_uses(body, "sgd_step", ("optim", "grad", "autograd")) == []


def test_a_main_block_self_test_is_no_part_of_any_task():
    body = (
        "import torch\ndef sigmoid(x):\n    return 1 / (1 + torch.exp(-x))\n"
        "if __name__ == '__main__':\n    x = torch.randn(3)\n"
        "    assert torch.allclose(sigmoid(x), torch.sigmoid(x))\n"
    )
    assert forbidden_uses(body, "sigmoid", NAMES) == []


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("import torch\ndef sigmoid(x):\n    return x\ndef sigmoid(x):\n"
         "    return torch.sigmoid(x)\n", "torch.sigmoid"),
        ("import torch\ns = torch.sigmoid\ndef sigmoid(x):\n    return s(x)\n", "torch.sigmoid"),
        ("import torch\nf = getattr(torch, 'sigmoid')\ndef sigmoid(x):\n    return f(x)\n",
         "torch.sigmoid"),
        ("import torch\ndef _helper(x):\n    return torch.sigmoid(x)\n"
         "def sigmoid(x):\n    return _helper(x)\n", "torch.sigmoid"),
        ("import torch\ndef a(x):\n    return x.sigmoid()\ndef b(x):\n    return a(x)\n"
         "def sigmoid(x):\n    return b(x)\n", "sigmoid"),
        ("import torch\nsigmoid = torch.sigmoid\n", "torch.sigmoid"),
        ("import torch\nsigmoid = lambda x: x.sigmoid()\n", "sigmoid"),
        ("import torch\nT = {'s': torch.sigmoid}\ndef sigmoid(x):\n    return T['s'](x)\n",
         "torch.sigmoid"),
        ("import torch\nclass K:\n    f = torch.sigmoid\ndef sigmoid(x):\n    return K.f(x)\n",
         "torch.sigmoid"),
        ("import torch\nG = None\ndef setup():\n    global G\n    G = torch.sigmoid\n"
         "def sigmoid(x):\n    return G(x)\n", "torch.sigmoid"),
        ("from torch import sigmoid\n", "from torch import sigmoid"),
    ],
    ids=["second-def", "module-alias", "alias-of-constant-getattr", "helper",
         "helper-of-helper", "task-bound-to-builtin", "task-bound-to-lambda", "table",
         "class-attribute", "global-set-elsewhere", "task-is-an-import"],
)  # fmt: skip
def test_dodges_of_the_rule_are_found(body, words):
    uses = forbidden_uses(body, "sigmoid", NAMES)
    assert uses and any(words in u.text for u in uses), uses


def test_dictionary_keys_are_not_flagged():
    body = "def f(cache):\n    return cache['grad'] * 2\n"
    assert forbidden_uses(body, "f", ("grad", "sigmoid")) == []


def _rules(files: dict[str, str]) -> SourceRules:
    return SourceRules(files, {name: frozenset({"torch", "numpy"}) for name in files})


def test_helpers_in_other_files_are_followed():
    rules = _rules(
        {
            "activations.py": "from helpers import squash\ndef sigmoid(x):\n    return squash(x)\n",
            "helpers.py": "import torch\ndef squash(x):\n    return torch.special.expit(x)\n",
        }
    )
    uses = rules.forbidden("activations", "sigmoid", NAMES)
    assert [(u.file, u.line) for u in uses] == [("helpers.py", 3)]


def test_another_units_file_is_followed_through_a_module_import():
    rules = _rules(
        {
            "activations.py": "import torch\ndef sigmoid(x):\n    return torch.sigmoid(x)\n",
            "backprop.py": "import activations as act\n"
            "def mlp_forward(x):\n    return act.sigmoid(x)\n",
        }
    )
    assert rules.forbidden("backprop", "mlp_forward", NAMES)
    assert rules.forbidden("backprop", "mlp_forward", ("tanh",)) == []


def test_import_time_code_of_an_imported_file_is_in_reach():
    rules = _rules(
        {
            "losses.py": "import helpers\ndef mse_loss_grad(p, t):\n    return 2 * (p - t)\n",
            "helpers.py": "import torch\nG = torch.autograd.grad(torch.ones(1), torch.ones(1))\n",
        }
    )
    assert rules.forbidden("losses", "mse_loss_grad", AUTOGRAD)


def test_one_task_using_a_builtin_costs_only_that_task():
    rules = _rules(
        {
            "activations.py": "import torch\n"
            "def sigmoid(x):\n    return 1 / (1 + torch.exp(-x))\n"
            "def sigmoid_grad(x):\n    s = torch.sigmoid(x)\n    return s * (1 - s)\n"
        }
    )
    assert rules.forbidden("activations", "sigmoid", NAMES) == []
    assert rules.forbidden("activations", "sigmoid_grad", AUTOGRAD) == []
    assert rules.forbidden("activations", "sigmoid_grad", NAMES)


def test_a_module_level_table_of_the_units_functions_costs_no_task_its_neighbours_calls():
    """`ACTS = {...}` names every function at import; only what import-time code calls is
    in a task's reach for this rule (the run-time watch sees calls made through it)."""
    rules = _rules(
        {
            "activations.py": "import torch\n"
            "def sigmoid(x):\n    return 1 / (1 + torch.exp(-x))\n"
            "def sigmoid_grad(x):\n    s = torch.sigmoid(x)\n    return s * (1 - s)\n"
            "ACTS = {'sigmoid': sigmoid, 'sigmoid_grad': sigmoid_grad}\n"
        }
    )
    assert rules.forbidden("activations", "sigmoid", NAMES) == []
    assert rules.forbidden("activations", "sigmoid_grad", NAMES)


def test_a_table_the_task_itself_uses_is_followed():
    rules = _rules(
        {
            "activations.py": "import torch\n"
            "ACTS = {'s': torch.sigmoid}\n"
            "def sigmoid(x):\n    return ACTS['s'](x)\n"
        }
    )
    assert rules.forbidden("activations", "sigmoid", NAMES)


def test_a_container_another_function_fills_is_followed_to_what_it_puts_there():
    """`_SHELF.append(numpy.tanh)` in sigmoid, `_SHELF[-1](x)` in tanh: the function that
    fills a module-level value is in the reach of every task that reads it."""
    rules = _rules(
        {
            "activations.py": "import numpy\n_SHELF = []\n"
            "def sigmoid(x):\n    _SHELF.append(numpy.tanh)\n    return x\n"
            "def tanh(x):\n    return _SHELF[-1](x)\n"
        }
    )
    assert rules.forbidden("activations", "tanh", ("tanh",))
    assert rules.forbidden("activations", "sigmoid", ("sigmoid",)) == []
