"""Solutions and oracle agree for units 5–7 (backprop, optimizers, training)."""

from __future__ import annotations

import copy

import pytest
import torch

from autograder.graded.nets import INVALID_ACTIVATIONS
from autograder.graded.optim_runs import ACCEPTED, EDGES, INVALID, OPTIMS
from tests.test_reference import close, oracle, solution, t

ACTIVATIONS = ("sigmoid", "relu", "tanh")


def net(sizes: tuple[int, ...], seed: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    return [
        (t(o, i, seed=seed + k, scale=0.7), t(o, seed=seed + 50 + k, scale=0.3))
        for k, (i, o) in enumerate(zip(sizes, sizes[1:], strict=False))
    ]


@pytest.mark.parametrize("seed", range(3))
def test_backprop_agrees(seed):
    sol, ora = solution("backprop"), oracle("backprop")
    x, W, b = t(5, 3, seed=seed), t(4, 3, seed=seed + 1), t(4, seed=seed + 2)
    g = t(5, 4, seed=seed + 3)
    close(sol.linear_forward(x, W, b), ora.linear_forward(x, W, b), "linear_forward")
    close(sol.linear_backward(g, x, W), ora.linear_backward(g, x, W), "linear_backward")
    for activation in ACTIVATIONS:
        params = net((5, 7, 3), seed)
        xin = t(6, 5, seed=seed + 9)
        out_s, cache_s = sol.mlp_forward(xin, params, activation)
        out_o, cache_o = ora.mlp_forward(xin, params, activation)
        close(out_s, out_o, f"mlp_forward {activation}")
        assert cache_s["activation"] == cache_o["activation"] == activation
        close(cache_s["layers"], cache_o["layers"], f"mlp_forward {activation} cache")
        grad = t(*out_s.shape, seed=seed + 10)
        close(
            sol.mlp_backward(grad, cache_s),
            ora.mlp_backward(grad, cache_o),
            f"mlp_backward {activation}",
        )
    params = net((4, 3, 2, 1), seed)
    x4, y4 = t(8, 4, seed=seed + 20), torch.rand(8, 1, dtype=torch.float64)
    close(
        sol.train_manual(params, x4, y4, 0.5, 10),
        ora.train_manual(params, x4, y4, 0.5, 10),
        "train_manual",
    )


STEPS = {
    "sgd_step": [
        {"lr": 0.1},
        {"lr": 0.1, "momentum": 0.9},
        {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01},
    ],
    "adagrad_step": [{"lr": 0.1}],
    "rmsprop_step": [{"lr": 0.01, "alpha": 0.9}],
    "adam_step": [{"lr": 0.01}, {"lr": 0.01, "betas": (0.8, 0.99), "weight_decay": 0.1}],
    "adadelta_step": [{"lr": 1.0, "rho": 0.8}],
}


@pytest.mark.parametrize(("name", "hyper"), [(n, h) for n, hs in STEPS.items() for h in hs])
def test_optimizer_trajectories_agree(name, hyper):
    sol, ora = getattr(solution("optimizers"), name), getattr(oracle("optimizers"), name)
    p_s = p_o = t(3, 2, seed=1)
    state_s: dict = {}
    state_o: dict = {}
    for step in range(30):
        g = t(3, 2, seed=100 + step)
        p_s, state_s = sol(p_s, g, state_s, **hyper)
        p_o, state_o = ora(p_o, g, state_o, **hyper)
        close(p_s, p_o, f"{name} step {step}")
        close(state_s, state_o, f"{name} state after step {step}")
        assert type(state_s.get("step", 0)) is int and type(state_o.get("step", 0)) is int


def test_training_agrees():
    from autograder.data import load_iris

    sol, ora = solution("training"), oracle("training")
    X, y = load_iris()
    split_s, split_o = sol.train_test_split(X, y, 0.2, 3), ora.train_test_split(X, y, 0.2, 3)
    close(split_s, split_o, "train_test_split")
    X_tr, X_te, y_tr, y_te = split_s
    close(sol.min_max_scale(X_tr, X_te), ora.min_max_scale(X_tr, X_te), "min_max_scale")
    X_tr, X_te = sol.min_max_scale(X_tr, X_te)
    torch.manual_seed(0)
    model_s = sol.MLP(4, 10, 3)
    model_o = ora.MLP(4, 10, 3)
    model_o.load_state_dict(model_s.state_dict())
    close(model_s(X_te), model_o(X_te), "MLP.forward")
    for optimizer, batch in (("sgd", None), ("adam", 16)):
        a, b = copy.deepcopy(model_s), copy.deepcopy(model_o)
        close(
            sol.train(a, X_tr, y_tr, 20, 0.1, optimizer, batch),
            ora.train(b, X_tr, y_tr, 20, 0.1, optimizer, batch),
            f"train {optimizer}",
        )
        close(sol.evaluate(a, X_te, y_te), ora.evaluate(b, X_te, y_te), "evaluate")
    a, b = copy.deepcopy(model_s), copy.deepcopy(model_o)
    close(
        sol.fit_early_stopping(a, X_tr, y_tr, X_te, y_te, 3, 60, 0.5),
        ora.fit_early_stopping(b, X_tr, y_tr, X_te, y_te, 3, 60, 0.5),
        "fit_early_stopping",
    )
    close(dict(a.state_dict()), dict(b.state_dict()), "restored weights")


@pytest.mark.parametrize("unit", [solution, oracle], ids=["solution", "oracle"])
def test_unknown_activations_raise_value_error(unit):
    backprop = unit("backprop")
    x, params = t(3, 4, seed=1), net((4, 3, 2), 1)
    for name in INVALID_ACTIVATIONS:
        with pytest.raises(ValueError):
            backprop.mlp_forward(x, params, name)
    _, cache = backprop.mlp_forward(x, params, "relu")
    with pytest.raises(ValueError):
        backprop.mlp_backward(t(3, 2, seed=2), {**cache, "activation": "softmax"})


@pytest.mark.parametrize("name", list(OPTIMS))
def test_invalid_hyperparameters_are_torch_optims_own(name):
    """The graded INVALID values are those torch.optim rejects, the EDGES ones it accepts;
    solution and oracle raise ValueError exactly for the former."""
    p, g = t(3, 2, seed=1), t(3, 2, seed=2)
    steps = [getattr(solution("optimizers"), name), getattr(oracle("optimizers"), name)]
    for kwargs in INVALID[name]:
        with pytest.raises(ValueError):
            OPTIMS[name]([p.clone().requires_grad_(True)], **{"lr": 0.1, **kwargs})
        for step in steps:
            with pytest.raises(ValueError):
                step(p, g, {}, **{"lr": 0.1, **kwargs} if name == "sgd_step" else kwargs)
    for kwargs in EDGES[name] + ACCEPTED[name]:
        OPTIMS[name]([p.clone().requires_grad_(True)], **kwargs)
        for step in steps:
            step(p, g, {}, **kwargs)
