"""Harness for unit 7 (training): build and drive nn.Modules beside the student's code.

Runs in the worker. Models handed to the student's train / evaluate / fit_early_stopping
are the grader's own `Net` (fc1 → ReLU → fc2, the architecture of the student's MLP), so
those tasks are graded independently of the student's MLP class. A Net's output shows how
it was called: with Dropout it depends on the mode, with `grid` its eval-mode logits are
rounded (plateaus of equal losses; no gradient in eval mode), with `tell` the logits of a
pass without grad tracking (torch.no_grad) are shifted. So the mode and grad rules are
judged from the losses and weights that come back, against the grader's own runs of the
same Net; nothing is reported about the model's mode or the grad mode. Everything returned
is plain data: losses, state dicts (name → tensor), shapes, the values made right after a
call (see _common.observed) and PNG bytes with what the figure showed.
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
    With `tell` > 0, logits that do not track gradients (a pass under torch.no_grad) are
    shifted by +tell … −tell across the classes: such a loss differs from one with grad.
    """

    def __init__(
        self,
        in_features: int,
        hidden: int,
        out_features: int,
        dropout: float = 0.0,
        grid: float = 0.0,
        tell: float = 0.0,
    ) -> None:
        super().__init__()
        self.fc1 = nn.Linear(in_features, hidden)
        self.drop = nn.Dropout(dropout) if dropout else nn.Identity()
        self.fc2 = nn.Linear(hidden, out_features)
        self.grid, self.tell = grid, tell

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.fc2(self.drop(torch.relu(self.fc1(x))))
        tracked = out.requires_grad
        if self.grid and not self.training:
            out = torch.round(out / self.grid) * self.grid
        if self.tell and not tracked:
            n = out.shape[-1]
            out = out + torch.linspace(self.tell, -self.tell, n, dtype=out.dtype, device=out.device)
        return out


def make_net(state: State, dropout: float = 0.0, grid: float = 0.0, tell: float = 0.0) -> Net:
    """A Net holding `state` (on its device), built without touching torch's global RNG."""
    hidden, in_features = state["fc1.weight"].shape
    with torch.random.fork_rng(devices=[]):
        net = Net(in_features, hidden, state["fc2.weight"].shape[0], dropout, grid, tell)
    net.load_state_dict(state)
    return net.to(state["fc1.weight"].device)


def _function(unit: Unit, name: str) -> Callable[..., Any]:
    func = getattr(unit("training"), name, None)
    if not callable(func):
        raise AttributeError(f"training.py has no function or class '{name}'")
    return func


def _seeded(seed: int, func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """func(*args, **kwargs) started from torch.manual_seed(seed) (and default settings),
    and the values made right after it."""
    return _common.observed(functools.partial(func, *args, **kwargs), seed)


def watch(unit: Unit, name: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """training.<name>(*args, **kwargs) from torch.manual_seed(SEED), and the values made
    right after it."""
    return _seeded(SEED, _function(unit, name), *args, **kwargs)


def reused(unit: Unit, name: str, pool: list[Any], calls: list[list[int]]) -> dict[str, Any]:
    """training.<name> called on the same objects again and again, which are then changed
    in place (see _common.reused)."""
    if name not in ("train_test_split", "min_max_scale"):
        raise ValueError(f"no training function {name!r} to reuse")
    return _common.reused(_function(unit, name), pool, calls)


def load_by_name(model: nn.Module, state: State) -> None:
    """Copy `state` into the parameters it names (`fc1.weight`, ...). The contract names
    the layers, not how the module holds them: an fc1 that is also inside an
    nn.Sequential is the same parameter under a second name, and counts. Every distinct
    parameter must be named by `state` (no extra trainable weights), and each named one
    must exist with the state's shape."""
    named: dict[int, list[str]] = {}
    for name, param in model.named_parameters(remove_duplicate=False):
        named.setdefault(id(param), []).append(name)
    missing = [key for key in state if not _has_parameter(model, key)]
    covered = {id(model.get_parameter(key)) for key in state if key not in missing}
    extra = [names[0] for pid, names in named.items() if pid not in covered]
    if missing or extra:
        raise RuntimeError(
            f"the parameters must be exactly {', '.join(state)}; missing: "
            f"{', '.join(missing) or 'none'}; extra: {', '.join(extra) or 'none'}"
        )
    with torch.no_grad():
        for key, value in state.items():
            param = model.get_parameter(key)
            if param.shape != value.shape:
                raise RuntimeError(
                    f"{key} has shape {tuple(param.shape)}, expected {tuple(value.shape)}"
                )
            param.copy_(value)


def _has_parameter(model: nn.Module, key: str) -> bool:
    try:
        model.get_parameter(key)
    except AttributeError:
        return False
    return True


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
        _common.seed_torch(0)
        model = _function(unit, "MLP")(*args, **kwargs)
    info: dict[str, Any] = {"is_module": isinstance(model, nn.Module)}
    if not info["is_module"]:
        return info
    info["params"] = {n: tuple(p.shape) for n, p in model.named_parameters(remove_duplicate=False)}
    names: dict[int, list[str]] = {}
    for n, p in model.named_parameters(remove_duplicate=False):
        names.setdefault(id(p), []).append(n)
    info["distinct"] = list(names.values())  # each parameter once, with all its names
    if state is None or x is None:
        return info
    model.to(device=x.device, dtype=x.dtype)
    try:
        load_by_name(model, state)
    except RuntimeError as exc:
        info["load_error"] = " ".join(str(exc).split())[:300]
        return info
    with torch.no_grad():
        info["out"] = model(x)
    return info


def train_own_mlp(
    unit: Unit, X: torch.Tensor, y: torch.Tensor, epochs: int, lr: float, seed: int = 0
) -> dict[str, Any]:
    """The student's MLP(in, 10, classes), built under `seed`, trained by a plain loop of
    the grader's (full-batch SGD on cross-entropy): no reference unit is ever sent to a
    worker that holds the unit's own code."""
    with torch.random.fork_rng(devices=[]):
        _common.seed_torch(seed)
        model = _function(unit, "MLP")(X.shape[1], 10, int(y.max()) + 1)
    if not isinstance(model, nn.Module):
        return {"is_module": False}
    model.to(X.device)
    losses = _sgd_on_cross_entropy(model, X, y, epochs, lr)
    return {"is_module": True, "losses": losses, "state": _state(model)}


def _sgd_on_cross_entropy(
    model: nn.Module, X: torch.Tensor, y: torch.Tensor, epochs: int, lr: float
) -> list[float]:
    """Full-batch SGD on nn.CrossEntropyLoss: the loss before each step."""
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    criterion = nn.CrossEntropyLoss()
    model.train()
    losses = []
    for _ in range(epochs):
        opt.zero_grad()
        loss = criterion(model(X), y)
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
    return losses


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
    grid: float = 0.0,
    seed: int = SEED,
) -> list[dict[str, Any]]:
    """train() on fresh copies of the grader's Net from `state` (handed over in eval mode),
    each from torch.manual_seed(seed): losses, final weights, the values made after it."""
    train = _function(unit, "train")
    out = []
    for _ in range(runs):
        model = make_net(state, dropout, grid)
        model.eval()
        run = _seeded(
            seed, train, model, X, y, epochs, lr, optimizer=optimizer, batch_size=batch_size
        )
        run["state"] = _state(model)
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
    unit: Unit, state: State, X: torch.Tensor, y: torch.Tensor, dropout: float, tell: float
) -> dict[str, Any]:
    """evaluate() on the grader's Net (Dropout(`dropout`), no-grad `tell`) handed over in
    train mode: its value, the values made right after it, the parameters' .grad, and the
    logits the model gives afterwards (a pass without grad, from torch.manual_seed(SEED))."""
    model = make_net(state, dropout, tell=tell)
    model.train()
    run = _seeded(SEED, _function(unit, "evaluate"), model, X, y)
    with torch.random.fork_rng(devices=[]), torch.no_grad():
        _common.seed_torch(SEED)
        logits = model(X)
    run.update(grads={n: p.grad for n, p in model.named_parameters()}, logits=logits)
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
    tell: float = 0.0,
    seed: int = SEED,
) -> dict[str, Any]:
    """fit_early_stopping() on the grader's Net from `state` (handed over in eval mode),
    from torch.manual_seed(seed): history, final weights, the values made right after it."""
    model = make_net(state, dropout, grid, tell)
    model.eval()
    fit = _function(unit, "fit_early_stopping")
    run = _seeded(seed, fit, model, *data, patience, max_epochs, lr)
    run["state"] = _state(model)
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
