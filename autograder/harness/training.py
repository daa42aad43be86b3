"""Harness for unit 7 (training): build and drive nn.Modules beside the student's code.

Runs in the worker. Models handed to the student's train / evaluate / fit_early_stopping
are the grader's own `Net` (fc1 → ReLU → fc2, the architecture of the student's MLP), so
those tasks are graded independently of the student's MLP class. Everything returned is
plain data: losses, state dicts (name → tensor), shapes, flags and PNG bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import torch
from torch import nn

Unit = Callable[[str], ModuleType]
State = dict[str, torch.Tensor]


class Net(nn.Module):
    """The grader's Linear → ReLU → (Dropout) → Linear, parameters named like the MLP's."""

    def __init__(
        self, in_features: int, hidden: int, out_features: int, dropout: float = 0.0
    ) -> None:
        super().__init__()
        self.fc1 = nn.Linear(in_features, hidden)
        self.drop = nn.Dropout(dropout) if dropout else nn.Identity()
        self.fc2 = nn.Linear(hidden, out_features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(self.drop(torch.relu(self.fc1(x))))


def _function(unit: Unit, name: str) -> Callable[..., Any]:
    func = getattr(unit("training"), name, None)
    if not callable(func):
        raise AttributeError(f"training.py has no function or class '{name}'")
    return func


def _net(state: State, device: torch.device, dropout: float = 0.0) -> Net:
    hidden, in_features = state["fc1.weight"].shape
    with torch.random.fork_rng(devices=[]):
        net = Net(in_features, hidden, state["fc2.weight"].shape[0], dropout)
    net.load_state_dict(state)
    return net.to(device)


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
) -> list[dict[str, Any]]:
    """train() on fresh copies of the grader's Net from `state` (handed over in eval mode)."""
    train = _function(unit, "train")
    out = []
    for _ in range(runs):
        model = _net(state, X.device)
        model.eval()
        losses = train(model, X, y, epochs, lr, optimizer=optimizer, batch_size=batch_size)
        out.append({"losses": losses, "state": _state(model), "training": model.training})
    return out


def train_bad_optimizer(
    unit: Unit, state: State, X: torch.Tensor, y: torch.Tensor, optimizer: str
) -> str:
    """The name of the exception train() raises for an unknown optimizer, or 'nothing'."""
    train = _function(unit, "train")
    try:
        train(_net(state, X.device), X, y, 1, 0.1, optimizer=optimizer)
    except NotImplementedError:
        raise
    except Exception as exc:  # noqa: BLE001 - the grader reports which exception it was
        return type(exc).__name__
    return "nothing"


def run_evaluate(
    unit: Unit, state: State, X: torch.Tensor, y: torch.Tensor, dropout: float
) -> dict[str, Any]:
    """evaluate() on the grader's Net handed over in train mode, with Dropout(`dropout`);
    records the mode and grad setting of every forward pass, and any grads left behind."""
    model = _net(state, X.device, dropout)
    model.train()
    passes: list[tuple[bool, bool]] = []
    model.register_forward_hook(
        lambda module, args, output: passes.append((module.training, torch.is_grad_enabled()))
    )
    value = _function(unit, "evaluate")(model, X, y)
    return {
        "value": value,
        "passes": passes,
        "training": model.training,
        "grads": sorted(n for n, p in model.named_parameters() if p.grad is not None),
    }


def run_early_stopping(
    unit: Unit,
    state: State,
    X_tr: torch.Tensor,
    y_tr: torch.Tensor,
    X_val: torch.Tensor,
    y_val: torch.Tensor,
    patience: int,
    max_epochs: int,
    lr: float,
) -> dict[str, Any]:
    """fit_early_stopping() on the grader's Net from `state`: the history and final weights."""
    model = _net(state, X_tr.device)
    fit = _function(unit, "fit_early_stopping")
    history = fit(model, X_tr, y_tr, X_val, y_val, patience, max_epochs, lr)
    return {"history": history, "state": _state(model)}


def _figure_info(figure: Any) -> dict[str, Any]:
    axes = []
    for ax in figure.get_axes():
        curves = []
        for line in ax.get_lines():
            try:
                curves.append([float(v) for v in np.asarray(line.get_ydata(), float).ravel()])
            except (TypeError, ValueError):
                continue
        axes.append(
            {"xlabel": str(ax.get_xlabel()), "ylabel": str(ax.get_ylabel()), "curves": curves}
        )
    return {"axes": axes}


def run_plot(
    unit: Unit, history: dict[str, Any], name: str, as_path: bool = False
) -> dict[str, Any]:
    """plot_history(history, name) in the worker's folder: the file's bytes, what each
    saved figure showed (axis labels, line data) and how many pyplot figures stayed open."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.backend_bases import FigureCanvasBase

    plot = _function(unit, "plot_history")
    saved: list[dict[str, Any]] = []
    original = FigureCanvasBase.print_figure

    def recording(self: Any, *args: Any, **kwargs: Any) -> Any:
        saved.append(_figure_info(self.figure))
        return original(self, *args, **kwargs)

    path = Path(name)
    path.unlink(missing_ok=True)
    before = set(plt.get_fignums())
    FigureCanvasBase.print_figure = recording  # type: ignore[method-assign]
    try:
        plot(history, path if as_path else name)
    finally:
        FigureCanvasBase.print_figure = original  # type: ignore[method-assign]
    left_open = len(set(plt.get_fignums()) - before)
    plt.close("all")
    data = path.read_bytes() if path.is_file() else None
    png = np.frombuffer(data, dtype=np.uint8).copy() if data is not None else None
    return {"png": png, "saved": saved, "left_open": left_open}
