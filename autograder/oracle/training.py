"""Oracle for unit 7 (training): torch.nn / torch.optim built-ins and a matplotlib Agg canvas."""

from __future__ import annotations

import copy
from pathlib import Path

import torch
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from torch import nn


def train_test_split(
    X: torch.Tensor, y: torch.Tensor, test_size: float = 0.2, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Seeded torch.randperm; test = first int(round(n·test_size)) rows of it, train = the rest."""
    n = len(X)
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    n_test = int(round(n * test_size))
    train_idx, test_idx = perm[n_test:].tolist(), perm[:n_test].tolist()
    return X[train_idx], X[test_idx], y[train_idx], y[test_idx]


def min_max_scale(X_train: torch.Tensor, X_test: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-column (X − min) / (max − min) from the train set only; zero ranges divide by 1."""
    lo, hi = torch.aminmax(X_train, dim=0)
    span = (hi - lo).masked_fill(hi == lo, 1.0)
    return (X_train - lo) / span, (X_test - lo) / span


class MLP(nn.Module):
    """Linear(in, hidden) → ReLU → Linear(hidden, out), layers named fc1 and fc2."""

    def __init__(self, in_features: int = 4, hidden: int = 10, out_features: int = 3) -> None:
        """Build fc1 and fc2 as nn.Linear layers."""
        super().__init__()
        self.fc1 = nn.Linear(in_features, hidden)
        self.fc2 = nn.Linear(hidden, out_features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits fc2(relu(fc1(x)))."""
        return self.fc2(nn.functional.relu(self.fc1(x)))


def train(
    model: nn.Module,
    X: torch.Tensor,
    y: torch.Tensor,
    epochs: int,
    lr: float,
    optimizer: str = "sgd",
    batch_size: int | None = None,
) -> list[float]:
    """nn.CrossEntropyLoss with torch.optim.SGD/Adam over in-order batches; size-weighted means."""
    optimizers = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam}
    if optimizer not in optimizers:
        raise ValueError(f"unknown optimizer {optimizer!r}")
    opt = optimizers[optimizer](model.parameters(), lr=lr)
    criterion = nn.CrossEntropyLoss(reduction="mean")
    xs = torch.split(X, batch_size or max(len(X), 1))
    ys = torch.split(y, batch_size or max(len(y), 1))
    model.train()
    losses: list[float] = []
    for _ in range(epochs):
        weighted = torch.zeros((), dtype=torch.float64)
        for xb, yb in zip(xs, ys, strict=True):
            opt.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            opt.step()
            weighted += loss.detach().double().cpu() * len(xb)
        losses.append(float(weighted / len(X)))
    return losses


def evaluate(model: nn.Module, X: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    """(nn.CrossEntropyLoss, accuracy) in eval mode under torch.no_grad()."""
    model.eval()
    with torch.no_grad():
        logits = model(X)
        loss = nn.CrossEntropyLoss()(logits, y)
        correct = int((logits.argmax(dim=-1) == y).sum())
    return float(loss), correct / len(y)


def fit_early_stopping(
    model: nn.Module,
    X_tr: torch.Tensor,
    y_tr: torch.Tensor,
    X_val: torch.Tensor,
    y_val: torch.Tensor,
    patience: int,
    max_epochs: int,
    lr: float,
) -> dict:
    """Full-batch SGD, val loss each epoch, best state_dict (strict <) restored; 0-based epochs."""
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    criterion = nn.CrossEntropyLoss()
    train_loss: list[float] = []
    val_loss: list[float] = []
    best, best_epoch, best_state, bad = float("inf"), -1, copy.deepcopy(model.state_dict()), 0
    for epoch in range(max_epochs):
        model.train()
        opt.zero_grad()
        loss = criterion(model(X_tr), y_tr)
        loss.backward()
        opt.step()
        train_loss.append(float(loss.detach()))
        model.eval()
        with torch.no_grad():
            val_loss.append(float(criterion(model(X_val), y_val)))
        if val_loss[-1] < best:
            best, best_epoch, bad = val_loss[-1], epoch, 0
            best_state = copy.deepcopy(model.state_dict())
        else:
            bad += 1
            if bad >= patience:
                break
    model.load_state_dict(best_state)
    return {
        "train_loss": train_loss,
        "val_loss": val_loss,
        "best_epoch": best_epoch,
        "stopped_epoch": len(train_loss) - 1,
    }


def plot_history(history: dict, path: str | Path) -> None:
    """Train (and val) loss vs 0-based epoch on an Agg canvas, labelled axes, legend, PNG."""
    fig = Figure()
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    for key, label in (("train_loss", "train loss"), ("val_loss", "validation loss")):
        if history.get(key):
            ax.plot(list(range(len(history[key]))), history[key], label=label)
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.legend()
    fig.savefig(path, format="png")
    fig.clear()
