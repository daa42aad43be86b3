"""Unit 7 — training: an iris classifier with torch.nn, a training loop and a loss curve.

Data helpers (a seeded split, min-max scaling without leakage), a two-layer MLP, a
mini-batch training loop with cross-entropy, evaluation, early stopping and a plot of the
loss history. Here torch.nn, torch.nn.functional and torch.optim are the tools to use.
"""

from __future__ import annotations

import copy
from pathlib import Path

import torch
import torch.nn.functional as F
from matplotlib.figure import Figure
from torch import nn


def train_test_split(
    X: torch.Tensor, y: torch.Tensor, test_size: float = 0.2, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Shuffle the rows with a seeded permutation, then split them into train and test.

    Formula: perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
             n_test = int(round(n · test_size))
             test rows = perm[:n_test],  train rows = perm[n_test:]

    Args:
        X: features, shape (n, d).
        y: labels (or targets), first dimension n.
        test_size: fraction of the rows that go to the test set.
        seed: seed of the torch.Generator that draws the permutation (CPU).

    Returns:
        (X_train, X_test, y_train, y_test), rows in permutation order.

    Side effects: none. X and y are left unchanged, and so are torch's and numpy's global
    random states (draw only from your own generator, never torch.manual_seed) and
    torch's default dtype.
    """
    raise NotImplementedError("training.train_test_split: write this part")


def min_max_scale(X_train: torch.Tensor, X_test: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Scale every column to [0, 1] with the training set's min and max only (no leakage).

    Formula: lo = min over train rows, hi = max over train rows (per column)
             X_s = (X − lo) / (hi − lo)   for both sets; a column with hi = lo is
             divided by 1 instead (it becomes 0 on the train set)

    Args:
        X_train: training features, shape (n_train, d).
        X_test: test features, shape (n_test, d); may fall outside [0, 1] after scaling.

    Returns:
        (X_train_s, X_test_s), new tensors of the inputs' shapes, dtype and device.

    Side effects: none (a pure function: the inputs and every global setting stay as
    they were).
    """
    raise NotImplementedError("training.min_max_scale: write this part")


class MLP(nn.Module):
    """Two-layer perceptron: Linear(in, hidden) → ReLU → Linear(hidden, out).

    Attributes `fc1` (nn.Linear(in_features, hidden)) and `fc2` (nn.Linear(hidden,
    out_features)); the output is raw logits (no softmax: F.cross_entropy applies it).
    """

    def __init__(self, in_features: int = 4, hidden: int = 10, out_features: int = 3) -> None:
        """Create the two layers as `self.fc1` and `self.fc2`.

        Formula: fc1: ℝ^in → ℝ^hidden,  fc2: ℝ^hidden → ℝ^out

        Args:
            in_features: number of input features.
            hidden: width of the hidden layer.
            out_features: number of classes (logits).
        """
        raise NotImplementedError("training.MLP: write this part")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits of a batch.

        Formula: logits = fc2(relu(fc1(x)))

        Args:
            x: features, shape (N, in_features).

        Returns:
            logits, shape (N, out_features).
        """
        raise NotImplementedError("training.MLP: write this part")


def train(
    model: nn.Module,
    X: torch.Tensor,
    y: torch.Tensor,
    epochs: int,
    lr: float,
    optimizer: str = "sgd",
    batch_size: int | None = None,
) -> list[float]:
    """Train a classifier with cross-entropy, in mini-batches taken in data order.

    Formula: model.train() first, then per batch (xb, yb):  zero grads → logits = model(xb)
             → L = cross_entropy(logits, yb) → L.backward() → optimizer.step()
             epoch loss = Σ_batches L_batch·|batch| / n   (loss before each batch's step)

    Args:
        model: the network (put in train mode; its parameters are updated in place).
        X: features, shape (n, d).
        y: int64 class labels, shape (n,).
        epochs: number of passes over the data.
        lr: learning rate.
        optimizer: "sgd" (torch.optim.SGD) or "adam" (torch.optim.Adam), created once with
            lr and otherwise default settings; anything else raises ValueError.
        batch_size: rows per batch (no shuffling; the last batch may be smaller);
            None = full batch.

    Returns:
        Per-epoch mean losses as python floats, len == epochs (epochs = 0: [] and the
        weights stay as they were).

    Side effects: only the model changes. train itself neither seeds nor draws from
    torch's, numpy's or Python's global random generators (the model's own random
    layers, e.g. Dropout in train mode, draw from torch's as they run), and it leaves
    torch's default dtype and grad mode as they were.
    """
    raise NotImplementedError("training.train: write this part")


def evaluate(model: nn.Module, X: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    """Mean cross-entropy and accuracy, with the model in eval mode and without gradients.

    Formula: L = cross_entropy(model(X), y)
             accuracy = (1/n) Σᵢ [argmax model(X)ᵢ = yᵢ]

    Args:
        model: the network (left in eval mode).
        X: features, shape (n, d).
        y: int64 class labels, shape (n,).

    Returns:
        (loss, accuracy) as python floats.

    Side effects: only the model's mode. Global settings (random states, default dtype,
    grad mode: use a `with torch.no_grad():` block) stay as they were.
    """
    raise NotImplementedError("training.evaluate: write this part")


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
    """Full-batch SGD with early stopping on the validation loss; restores the best weights.

    Formula: each epoch e = 0, 1, …: model.train(), one full-batch SGD(lr) step whose
             loss is train_loss[e]; then model.eval() and val_loss[e] = cross_entropy on
             (X_val, y_val) without grad. An epoch improves when val_loss[e] < the best so
             far (strictly: an equal loss is no improvement; the first epoch always
             improves); then a deep copy of model.state_dict() is kept. Training stops
             after `patience` consecutive epochs without improvement, or after max_epochs.

    Args:
        model: the network (trained in place, best weights loaded back at the end).
        X_tr: training features.
        y_tr: training labels (int64).
        X_val: validation features.
        y_val: validation labels (int64).
        patience: number of consecutive epochs without improvement that stops training.
        max_epochs: upper bound on the number of epochs.
        lr: SGD learning rate.

    Returns:
        {"train_loss": [float, …], "val_loss": [float, …], "best_epoch": int,
        "stopped_epoch": int}; epochs are 0-based indices into the loss lists,
        stopped_epoch is the last epoch run (len(train_loss) − 1), and both are −1 if
        max_epochs is 0.

    Side effects: as train's (only the model changes; Dropout may draw from torch's
    global generator, nothing else seeds or draws from a global one).
    """
    raise NotImplementedError("training.fit_early_stopping: write this part")


def plot_history(history: dict, path: str | Path) -> None:
    """Save the loss curves of a training history as a PNG.

    Formula: one line per curve, x = epochs 0, 1, …, n − 1, y = history["train_loss"]
             (and history["val_loss"] if present); x-axis label "epoch", y-axis label
             "loss"; a legend naming the lines: a label with "train" for the training
             curve and "val" for the validation curve ("train loss", "validation loss")

    Args:
        history: dict with "train_loss" and optionally "val_loss" (lists of floats);
            other keys (such as fit_early_stopping's "best_epoch") are ignored.
        path: file to write (PNG), a str or a Path.

    Returns:
        None (the figure is not shown and not kept open: no pyplot figure stays open).
    """
    raise NotImplementedError("training.plot_history: write this part")
