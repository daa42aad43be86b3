"""Harness for unit 7 (training): build and drive nn.Modules beside the student's code.

Runs in the worker. Models handed to the student's train / evaluate / fit_early_stopping
are the grader's own `Net` (fc1 → ReLU → fc2, the architecture of the student's MLP), so
those tasks are graded independently of the student's MLP class; a Net may carry Dropout
(output depends on the mode) or round its eval-mode logits (plateaus of equal losses).
Everything returned is plain data: losses, state dicts (name → tensor), shapes, flags,
every forward pass's [rows, train mode, grad enabled], the global settings before and
after a call (raw values, judged by the grader) and PNG bytes with what the figure showed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import torch
from torch import nn

from autograder.harness import _common
from autograder.harness._figures import recording_figures

Unit = Callable[[str], ModuleType]
State = dict[str, torch.Tensor]
SEED = 271_828  # torch's seed before a call: unlike 0 or 42, a reseed inside it shows


class Net(nn.Module):
    """The grader's Linear → ReLU → (Dropout) → Linear, parameters named like the MLP's.

    With `grid` > 0, its eval-mode logits are rounded to multiples of `grid`: the
    validation loss then moves in steps and stays exactly equal for several epochs.
    """

    def __init__(
        self,
        in_features: int,
        hidden: int,
        out_features: int,
        dropout: float = 0.0,
        grid: float = 0.0,
    ) -> None:
        super().__init__()
        self.fc1 = nn.Linear(in_features, hidden)
        self.drop = nn.Dropout(dropout) if dropout else nn.Identity()
        self.fc2 = nn.Linear(hidden, out_features)
        self.grid = grid

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.fc2(self.drop(torch.relu(self.fc1(x))))
        if self.grid and not self.training:
            out = torch.round(out / self.grid) * self.grid
        return out


def make_net(state: State, dropout: float = 0.0, grid: float = 0.0) -> Net:
    """A Net holding `state` (on its device), built without touching torch's global RNG."""
    hidden, in_features = state["fc1.weight"].shape
    with torch.random.fork_rng(devices=[]):
        net = Net(in_features, hidden, state["fc2.weight"].shape[0], dropout, grid)
    net.load_state_dict(state)
    return net.to(state["fc1.weight"].device)


def _function(unit: Unit, name: str) -> Callable[..., Any]:
    func = getattr(unit("training"), name, None)
    if not callable(func):
        raise AttributeError(f"training.py has no function or class '{name}'")
    return func


def _passes(model: nn.Module) -> list[list[Any]]:
    """[rows, train mode?, grad enabled?] of every forward pass the model makes from now on."""
    passes: list[list[Any]] = []
    model.register_forward_hook(
        lambda module, args, output: passes.append(
            [int(args[0].shape[0]) if args else -1, module.training, torch.is_grad_enabled()]
        )
    )
    return passes


def _seeded(seed: int, func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """func(*args, **kwargs) started from torch.manual_seed(seed) (and default settings),
    with the global settings before and after it."""
    return _common.observed(functools.partial(func, *args, **kwargs), seed)


def watch(unit: Unit, name: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """training.<name>(*args, **kwargs) with the global settings before and after the call,
    and the arguments as they are afterwards."""
    run = _seeded(SEED, _function(unit, name), *args, **kwargs)
    run["args"] = list(args)
    return run


def _state(model: nn.Module) -> State:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def build_mlp(
    unit: Unit,
    args: list[Any],
    kwargs: dict[str, Any],
    state: State | None = None,
    x: torch.Tensor | None = None,
) -> dict[str, Any]:
    """MLP(*args, **kwargs): its parameter shapes; with `state` loaded, its output on `x`."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        model = _function(unit, "MLP")(*args, **kwargs)
    info: dict[str, Any] = {"is_module": isinstance(model, nn.Module)}
    if not info["is_module"]:
        return info
    info["params"] = {n: tuple(p.shape) for n, p in model.named_parameters()}
    if state is None or x is None:
        return info
    model.to(device=x.device, dtype=x.dtype)
    try:
        model.load_state_dict(state)
    except RuntimeError as exc:
        info["load_error"] = " ".join(str(exc).split())[:300]
        return info
    with torch.no_grad():
        info["out"] = model(x)
    return info


def train_own_mlp(
    unit: Unit, X: torch.Tensor, y: torch.Tensor, epochs: int, lr: float, seed: int = 0
) -> dict[str, Any]:
    """The student's MLP(in, 10, classes), built under `seed`, trained by the reference loop."""
    from autograder.oracle.training import train

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = _function(unit, "MLP")(X.shape[1], 10, int(y.max()) + 1)
    if not isinstance(model, nn.Module):
        return {"is_module": False}
    model.to(X.device)
    losses = train(model, X, y, epochs, lr)
    return {"is_module": True, "losses": losses, "state": _state(model)}


def run_train(
    unit: Unit,
    state: State,
    X: torch.Tensor,
    y: torch.Tensor,
    epochs: int,
    lr: float,
    optimizer: str = "sgd",
    batch_size: int | None = None,
    runs: int = 1,
    dropout: float = 0.0,
    seed: int = SEED,
) -> list[dict[str, Any]]:
    """train() on fresh copies of the grader's Net from `state` (handed over in eval mode),
    each from torch.manual_seed(seed): losses, weights, mode, forward passes, globals."""
    train = _function(unit, "train")
    out = []
    for _ in range(runs):
        model = make_net(state, dropout)
        model.eval()
        passes = _passes(model)
        run = _seeded(
            seed, train, model, X, y, epochs, lr, optimizer=optimizer, batch_size=batch_size
        )
        run.update(state=_state(model), training=model.training, passes=passes)
        out.append(run)
    return out


def train_bad_optimizer(
    unit: Unit, state: State, X: torch.Tensor, y: torch.Tensor, optimizer: str
) -> str:
    """The name of the exception train() raises for an unknown optimizer, or 'nothing'."""
    train = _function(unit, "train")
    try:
        train(make_net(state), X, y, 1, 0.1, optimizer=optimizer)
    except NotImplementedError:
        raise
    except Exception as exc:  # noqa: BLE001 - the grader reports which exception it was
        return type(exc).__name__
    return "nothing"


def run_evaluate(
    unit: Unit, state: State, X: torch.Tensor, y: torch.Tensor, dropout: float
) -> dict[str, Any]:
    """evaluate() on the grader's Net handed over in train mode, with Dropout(`dropout`):
    its value, every forward pass, the mode and grads left behind, the globals around it."""
    model = make_net(state, dropout)
    model.train()
    passes = _passes(model)
    run = _seeded(SEED, _function(unit, "evaluate"), model, X, y)
    run.update(
        passes=passes,
        training=model.training,
        grads=sorted(n for n, p in model.named_parameters() if p.grad is not None),
    )
    return run


def run_early_stopping(
    unit: Unit,
    state: State,
    data: list[torch.Tensor],
    patience: int,
    max_epochs: int,
    lr: float,
    dropout: float = 0.0,
    grid: float = 0.0,
    seed: int = SEED,
) -> dict[str, Any]:
    """fit_early_stopping() on the grader's Net from `state` (handed over in eval mode),
    from torch.manual_seed(seed): history, final weights, forward passes, globals."""
    model = make_net(state, dropout, grid)
    model.eval()
    passes = _passes(model)
    fit = _function(unit, "fit_early_stopping")
    run = _seeded(seed, fit, model, *data, patience, max_epochs, lr)
    run.update(state=_state(model), passes=passes)
    return run


def run_plot(
    unit: Unit, history: dict[str, Any], name: str, as_path: bool = False
) -> dict[str, Any]:
    """plot_history(history, name) in the worker's folder: the file's bytes, what each
    saved figure showed (axis labels, lines, legends) and how many pyplot figures stayed
    open."""
    plot = _function(unit, "plot_history")
    path = Path(name)
    path.unlink(missing_ok=True)
    with recording_figures() as record:
        plot(history, path if as_path else name)
    data = path.read_bytes() if path.is_file() else None
    png = np.frombuffer(data, dtype=np.uint8).copy() if data is not None else None
    return {"png": png, **record}
