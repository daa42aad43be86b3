"""Wrong implementations for unit 7 (training).

Most are the model answer with one realistic slip, written as edits of its source
(`_edit` fails loudly if the solution no longer holds the text an edit replaces).
"""

import ast

from tests.helpers import SOLUTIONS


def _edit(name: str, *changes: tuple[str, str]) -> str:
    """The source of solutions/training.py's top-level `name` with each (old, new) applied."""
    source = (SOLUTIONS / "training.py").read_text()
    node = next(n for n in ast.parse(source).body if getattr(n, "name", None) == name)
    text = ast.get_source_segment(source, node) or ""
    for old, new in changes:
        if old not in text:
            raise ValueError(f"mutant of {name}: {old!r} is not in the solution")
        text = text.replace(old, new)
    return "\n" + text + "\n"


MUTANTS: dict[str, list[tuple[str, str]]] = {
    "training.train_test_split": [
        (
            "seeds torch's global RNG (torch.manual_seed) and shuffles with it",
            """
def train_test_split(X, y, test_size=0.2, seed=0):
    import torch
    torch.manual_seed(seed)
    n = X.shape[0]
    perm = torch.randperm(n).to(X.device)
    n_test = int(round(n * test_size))
    return X[perm[n_test:]], X[perm[:n_test]], y[perm[n_test:]], y[perm[:n_test]]
""",
        ),
        (
            "shuffles with the global RNG instead of the seeded generator",
            """
def train_test_split(X, y, test_size=0.2, seed=0):
    import torch
    perm = torch.randperm(X.shape[0]).to(X.device)
    n_test = int(round(X.shape[0] * test_size))
    test_idx, train_idx = perm[:n_test], perm[n_test:]
    return X[train_idx], X[test_idx], y[train_idx], y[test_idx]
""",
        ),
        (
            "takes the test rows from the end of the permutation, not its start",
            """
def train_test_split(X, y, test_size=0.2, seed=0):
    import torch
    n = X.shape[0]
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed)).to(X.device)
    n_train = n - int(round(n * test_size))
    return X[perm[:n_train]], X[perm[n_train:]], y[perm[:n_train]], y[perm[n_train:]]
""",
        ),
    ],
    "training.min_max_scale": [
        (
            "scales in place: X_train and X_test are overwritten",
            """
def min_max_scale(X_train, X_test):
    import torch
    lo = X_train.min(dim=0).values
    span = X_train.max(dim=0).values - lo
    span = torch.where(span > 0, span, torch.ones_like(span))
    X_test.sub_(lo).div_(span)
    X_train.sub_(lo).div_(span)
    return X_train, X_test
""",
        ),
        (
            "leakage: min and max over train and test rows together",
            """
def min_max_scale(X_train, X_test):
    import torch
    both = torch.cat([X_train, X_test])
    lo, hi = both.min(dim=0).values, both.max(dim=0).values
    span = torch.where(hi > lo, hi - lo, torch.ones_like(hi))
    return (X_train - lo) / span, (X_test - lo) / span
""",
        ),
        (
            "scales the test set with its own min and max",
            """
def min_max_scale(X_train, X_test):
    import torch

    def scale(X):
        lo, hi = X.min(dim=0).values, X.max(dim=0).values
        return (X - lo) / torch.where(hi > lo, hi - lo, torch.ones_like(hi))

    return scale(X_train), scale(X_test)
""",
        ),
    ],
    "training.MLP": [
        (
            "keeps the layers in a plain Python list: nn.Module never registers them",
            """
class MLP(nn.Module):
    def __init__(self, in_features=4, hidden=10, out_features=3):
        super().__init__()
        self.layers = [nn.Linear(in_features, hidden), nn.Linear(hidden, out_features)]

    def forward(self, x):
        import torch
        return self.layers[1](torch.relu(self.layers[0](x)))
""",
        ),
        (
            "Sigmoid instead of ReLU between the layers",
            _edit("MLP", ("torch.relu(", "torch.sigmoid(")),
        ),
        (
            "ignores `hidden`: the hidden layer always has 10 units",
            """
class MLP(nn.Module):
    def __init__(self, in_features=4, hidden=10, out_features=3):
        super().__init__()
        self.fc1 = nn.Linear(in_features, 10)
        self.fc2 = nn.Linear(10, out_features)

    def forward(self, x):
        import torch
        return self.fc2(torch.relu(self.fc1(x)))
""",
        ),
        (
            "zeroes every weight at construction: the hidden units never break symmetry",
            """
class MLP(nn.Module):
    def __init__(self, in_features=4, hidden=10, out_features=3):
        super().__init__()
        self.fc1 = nn.Linear(in_features, hidden)
        self.fc2 = nn.Linear(hidden, out_features)
        for p in self.parameters():
            nn.init.zeros_(p)

    def forward(self, x):
        import torch
        return self.fc2(torch.relu(self.fc1(x)))
""",
        ),
    ],
    "training.train": [
        (
            "zero_grad once per epoch, not per batch: gradients pile up over the batches",
            _edit(
                "train",
                ("            opt.zero_grad()\n", ""),
                ("        total = 0.0\n", "        total = 0.0\n        opt.zero_grad()\n"),
            ),
        ),
        (
            "torch.manual_seed(0) inside train, 'for reproducibility'",
            _edit(
                "train", ("    model.train()\n", "    model.train()\n    torch.manual_seed(0)\n")
            ),
        ),
        ("never calls model.train()", _edit("train", ("    model.train()\n", ""))),
        (
            "drops the last, incomplete batch",
            _edit("train", ("range(0, n, size)", "range(0, n - size + 1, size)")),
        ),
        (
            "creates the optimizer anew every epoch: Adam's moment estimates restart",
            _edit(
                "train",
                (
                    "    for _ in range(epochs):\n",
                    "    for _ in range(epochs):\n"
                    "        opt = type(opt)(model.parameters(), lr=lr)\n",
                ),
            ),
        ),
        (
            "never calls optimizer.zero_grad(): gradients pile up across steps",
            _edit("train", ("            opt.zero_grad()\n", "")),
        ),
        (
            "epoch loss = plain mean of the batch losses (the smaller last batch weighs too much)",
            _edit(
                "train",
                ("        total = 0.0\n", "        total, batches = 0.0, 0\n"),
                ("loss.item() * xb.shape[0]\n", "loss.item()\n            batches += 1\n"),
                ("history.append(total / n)", "history.append(total / batches)"),
            ),
        ),
    ],
    "training.evaluate": [
        (
            "no torch.no_grad(): the forward pass builds a graph",
            _edit(
                "evaluate",
                ("    with torch.no_grad():\n", "    if True:\n"),
            ),
        ),
        (
            "switches gradients off for good with torch.set_grad_enabled(False)",
            _edit(
                "evaluate",
                (
                    "    with torch.no_grad():\n",
                    "    torch.set_grad_enabled(False)\n    if True:\n",
                ),
            ),
        ),
        (
            "forgets model.eval(): the model is still in train mode (Dropout active)",
            _edit("evaluate", ("    model.eval()\n", "")),
        ),
        (
            "accuracy from the max logit values instead of their argmax",
            _edit("evaluate", ("logits.argmax(dim=1)", "logits.max(dim=1).values")),
        ),
    ],
    "training.fit_early_stopping": [
        (
            "an equal validation loss counts as an improvement (<= instead of <)",
            _edit("fit_early_stopping", ("if val_loss < best_loss:", "if val_loss <= best_loss:")),
        ),
        (
            "never resets the wait counter on an improvement",
            _edit("fit_early_stopping", ("            waited = 0\n", "")),
        ),
        (
            "keeps model.state_dict() without a deep copy: the 'best' weights follow training",
            _edit(
                "fit_early_stopping",
                ("copy.deepcopy(model.state_dict())", "model.state_dict()"),
            ),
        ),
        (
            "computes the validation loss in train mode (Dropout active)",
            _edit("fit_early_stopping", ("        model.eval()\n", "")),
        ),
        (
            "calls model.train() once before the loop: after the first validation pass "
            "every training step runs in eval mode",
            _edit(
                "fit_early_stopping",
                ("        model.train()\n", ""),
                ("    waited = 0\n    for", "    waited = 0\n    model.train()\n    for"),
            ),
        ),
        (
            "starts from the untrained model's validation loss as the best so far",
            _edit(
                "fit_early_stopping",
                (
                    '    best_loss = float("inf")\n',
                    "    model.eval()\n    with torch.no_grad():\n"
                    "        best_loss = F.cross_entropy(model(X_val), y_val).item()\n",
                ),
            ),
        ),
        (
            "never loads the best weights back: the model keeps the last epoch's",
            _edit("fit_early_stopping", ("    model.load_state_dict(best_state)\n", "")),
        ),
        (
            "off by one: waits patience + 1 epochs without improvement",
            _edit("fit_early_stopping", ("if waited >= patience:", "if waited > patience:")),
        ),
    ],
    "training.plot_history": [
        (
            "counts epochs from 1 on the x axis",
            _edit(
                "plot_history",
                ("range(len(train_loss))", "range(1, len(train_loss) + 1)"),
                ("range(len(val_loss))", "range(1, len(val_loss) + 1)"),
            ),
        ),
        ("no legend", _edit("plot_history", ("    ax.legend()\n", ""))),
        (
            "plots only the training curve",
            _edit(
                "plot_history",
                (
                    '        ax.plot(range(len(val_loss)), val_loss, label="validation loss")\n',
                    "        pass\n",
                ),
            ),
        ),
        (
            "plots the curves but never labels the axes",
            _edit(
                "plot_history",
                ('    ax.set_xlabel("epoch")\n', ""),
                ('    ax.set_ylabel("loss")\n', ""),
            ),
        ),
        (
            "pyplot figure never closed: every call leaks an open figure",
            """
def plot_history(history, path):
    import matplotlib.pyplot as plt
    plt.figure()
    plt.plot(history["train_loss"], label="train loss")
    if history.get("val_loss"):
        plt.plot(history["val_loss"], label="validation loss")
    plt.xlabel("epoch")
    plt.ylabel("loss")
    plt.legend()
    plt.savefig(path)
""",
        ),
    ],
}
