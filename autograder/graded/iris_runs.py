"""Shared by the graded training tests: the iris split, initial weights, reference runs.

Everything here runs in the grader, on data that came back from the worker.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import torch

from autograder.config import Tolerance
from autograder.data import load_iris
from autograder.graded import contract
from autograder.harness._common import seed_torch
from autograder.seeds import mixed

LOSS_TOL = {"float64": Tolerance(rtol=1e-5, atol=1e-6)}
GRID = 0.25  # a Net's eval-mode logits rounded to this: no gradient flows in eval mode
TELL = 0.05  # a Net's logits shifted by ±TELL in a pass without grad: such a loss shows
WEIGHT_TOL = {"float32": Tolerance(rtol=1e-4, atol=1e-5), "float64": Tolerance(1e-4, 1e-5)}
EXACT = {"float32": Tolerance(0.0, 0.0), "float64": Tolerance(0.0, 0.0)}
State = dict[str, torch.Tensor]


@functools.cache
def iris(reference: Any, device: str = "cpu") -> tuple[torch.Tensor, ...]:
    """(X_train, X_test, y_train, y_test): the reference split (0.2, seed 0), scaled."""
    X, y = load_iris()
    X_tr, X_te, y_tr, y_te = reference.training.train_test_split(X, y, test_size=0.2, seed=0)
    X_tr, X_te = reference.training.min_max_scale(X_tr, X_te)
    return tuple(t.to(device) for t in (X_tr, X_te, y_tr, y_te))


def init_state(seed: int, device: str = "cpu", *, salted: bool = True) -> State:
    """Weights of a 4-10-3 MLP drawn like nn.Linear's default init, from a private generator
    seeded with `seed` mixed with the run's grading seed (autograder.seeds), unless not
    `salted` (a scenario built around particular weights)."""
    gen, state = torch.Generator().manual_seed(mixed(seed) if salted else seed), {}
    for name, (fan_in, fan_out) in (("fc1", (4, 10)), ("fc2", (10, 3))):
        for key, shape in (("weight", (fan_out, fan_in)), ("bias", (fan_out,))):
            u = torch.rand(*shape, generator=gen) * 2 - 1
            state[f"{name}.{key}"] = (u / math.sqrt(fan_in)).to(device)
    return state


def ref_model(reference: Any, state: State, device: str = "cpu") -> torch.nn.Module:
    """The reference MLP holding `state`."""
    hidden, in_features = state["fc1.weight"].shape
    with torch.random.fork_rng(devices=[]):
        model = reference.training.MLP(in_features, hidden, state["fc2.weight"].shape[0])
    model.load_state_dict(state)
    return model.to(device)


def state_of(model: torch.nn.Module) -> State:
    """A detached copy of the model's state dict."""
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def forward(state: State, x: torch.Tensor) -> torch.Tensor:
    """The grader's own relu(x W1ᵀ + b1) W2ᵀ + b2."""
    hidden = torch.relu(x @ state["fc1.weight"].T + state["fc1.bias"])
    return hidden @ state["fc2.weight"].T + state["fc2.bias"]


def held_out_accuracy(state: State, X: torch.Tensor, y: torch.Tensor) -> float:
    """Accuracy the grader computes itself from weights that came back from the worker."""
    return (forward(state, X).argmax(dim=1) == y).double().mean().item()


def check_losses(check: Any, got: Any, want: list[float] | None, call: str) -> None:
    """Name the first epoch whose loss is NaN/inf (a diverged run), then compare."""
    for k, value in enumerate(got if isinstance(got, list) else []):
        if isinstance(value, float) and not math.isfinite(value):
            there = f" (expected {want[k]:.6g} there)" if want and k < len(want) else ""
            check.fail(
                f"the loss became {value} at epoch {k}{there}: the training diverged; "
                "look for a missing zero_grad, a summed instead of averaged loss, "
                "log(0) in a hand-written loss, or a wrong learning rate",
                call=call,
            )
    if want is not None:
        check.close(got, want, call=call, tolerances=LOSS_TOL)


def ref_net(
    state: State, dropout: float = 0.0, grid: float = 0.0, tell: float = 0.0
) -> torch.nn.Module:
    """The grader's own Net (as the harness builds it) holding `state`."""
    from autograder.harness.training import make_net

    return make_net(state, dropout, grid, tell)


def seeded(seed: int, func: Any, *args: Any, **kwargs: Any) -> tuple[Any, torch.Tensor]:
    """func(*args, **kwargs) from torch.manual_seed(seed), and torch's RNG state after it;
    the grader's own global state is left as it was."""
    with torch.random.fork_rng(devices=[]):
        seed_torch(seed)
        value = func(*args, **kwargs)
        return value, torch.get_rng_state()


def check_untouched(
    check: Any,
    run: dict[str, Any],
    call: str,
    torch_rng: torch.Tensor | None = None,
    seed: int | None = None,
) -> None:
    """Fail unless the call, which the harness started from `seed` (default: its SEED),
    left the global settings as it found them; where the model's own Dropout draws,
    torch's generator must instead end where the reference's does (`torch_rng`)."""
    __tracebackhide__ = True
    from autograder.harness.training import SEED

    start = SEED if seed is None else seed
    contract.check_untouched(check, run, call=call, seed=start, torch_rng=torch_rng)


def matches(got: Any, want: Any, tolerances: dict[str, Tolerance]) -> bool:
    """Whether check.close would accept `got` for `want` with these tolerances."""
    from autograder.checks.compare import CheckFailure, Context, assert_close

    try:
        assert_close(got, want, Context("", ""), tolerances)
    except CheckFailure:
        return False
    return True


def slipped(net: torch.nn.Module, forgets: str) -> torch.nn.Module:
    """`net` as a run with a known slip sees it, for the grader to say which slip a wrong
    value comes from: forgets "eval" (model.eval() does nothing), "train" (model.train()
    does nothing) or "train-after-first" (only the first model.train() does something)."""
    if forgets == "eval":
        net.eval = lambda: net  # type: ignore[method-assign]
        return net
    switched: list[bool] = []

    def train(mode: bool = True) -> torch.nn.Module:
        if mode and (forgets == "train" or switched):
            return net
        if mode:
            switched.append(mode)
        return torch.nn.Module.train(net, mode)

    net.train = train  # type: ignore[method-assign]
    return net
