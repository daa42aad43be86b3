"""Correct code that probes one contract rule each; every probe is graded in a submission of
its own, so whatever it loses is its own."""

from __future__ import annotations

from tests.correct.corpus import Variant

STYLE = "probes"

MLP_IN_SEQUENTIAL = Variant(
    "training/MLP-layers-also-in-Sequential",
    "training",
    STYLE,
    defs=(
        '''
class MLP(nn.Module):
    """fc1 and fc2 as the contract names them, also run through an nn.Sequential."""

    def __init__(self, in_features=4, hidden=10, out_features=3):
        super().__init__()
        self.fc1 = nn.Linear(in_features, hidden)
        self.fc2 = nn.Linear(hidden, out_features)
        self.net = nn.Sequential(self.fc1, nn.ReLU(), self.fc2)

    def forward(self, x):
        return self.net(x)
''',
    ),
)

PLOT_PRINT_PNG = Variant(
    "training/plot_history-canvas-print_png",
    "training",
    STYLE,
    imports="from matplotlib.backends.backend_agg import FigureCanvasAgg\n",
    defs=(
        """
def plot_history(history, path):
    fig = Figure(figsize=(6, 4))
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    ax.plot(history["train_loss"], label="train loss")
    if history.get("val_loss"):
        ax.plot(history["val_loss"], label="validation loss")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.legend()
    canvas.print_png(str(path))
""",
    ),
)

PLOT_FILE_OBJECT = Variant(
    "training/plot_history-savefig-to-open-file",
    "training",
    STYLE,
    defs=(
        """
def plot_history(history, path):
    fig = Figure()
    ax = fig.subplots()
    epochs = list(range(len(history["train_loss"])))
    ax.plot(epochs, history["train_loss"], label="train")
    if "val_loss" in history and history["val_loss"]:
        ax.plot(epochs[: len(history["val_loss"])], history["val_loss"], label="val")
    ax.set(xlabel="epoch", ylabel="loss")
    ax.legend()
    with Path(path).open("wb") as handle:
        fig.savefig(handle, format="png")
""",
    ),
)

PLOT_PYPLOT = Variant(
    "training/plot_history-pyplot",
    "training",
    STYLE,
    imports="import matplotlib.pyplot as plt\n",
    defs=(
        """
def plot_history(history, path):
    fig, ax = plt.subplots()
    ax.plot(history["train_loss"], label="train loss")
    if history.get("val_loss"):
        ax.plot(history["val_loss"], label="val loss")
    plt.xlabel("epoch")
    plt.ylabel("loss")
    plt.legend()
    plt.savefig(path)
    plt.close(fig)
""",
    ),
)

PASSING = (MLP_IN_SEQUENTIAL, PLOT_PRINT_PNG, PLOT_FILE_OBJECT, PLOT_PYPLOT)


# ---- probes that lose points today (each graded alone; see registry.KNOWN_GAPS) ----

CLASS_WITH_SLOTS = Variant(
    "gradient_descent/class-with-__slots__",
    "gradient_descent",
    STYLE,
    defs=(
        '''
class Residuals:
    """The residuals of ŷ = x·w + b at one (w, b); a small value class."""

    __slots__ = ("x", "r")

    def __init__(self, x, y, w, b):
        self.x = np.asarray(x, dtype=np.float64)
        self.r = self.x * w + b - np.asarray(y, dtype=np.float64)
''',
        """
def mse_grad(x, y, w, b):
    res = Residuals(x, y, w, b)
    return float(2.0 * np.mean(res.r * res.x)), float(2.0 * np.mean(res.r))
""",
    ),
)

MATPLOTLIB_USE_AGG = Variant(
    "training/matplotlib-use-Agg-at-the-top",
    "training",
    STYLE,
    imports='import matplotlib\n\nmatplotlib.use("Agg")  # no display needed: write files only\n',
)

NAMED_TUPLE_RESULT = Variant(
    "gradient_descent/batch_gd-returns-a-NamedTuple",
    "gradient_descent",
    STYLE,
    imports="from typing import NamedTuple\n",
    defs=(
        '''
class Fit(NamedTuple):
    """(w, b, costs), readable by name too."""

    w: float
    b: float
    costs: list
''',
        """
def batch_gd(x, y, w0, b0, lr, epochs):
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    w, b = float(w0), float(b0)
    costs = []
    for _ in range(epochs):
        residual = x * w + b - y
        costs.append(float(np.mean(residual**2)))
        w, b = float(w - lr * 2.0 * np.mean(residual * x)), float(b - lr * 2.0 * np.mean(residual))
    return Fit(w, b, costs)
""",
    ),
)

DEFAULTDICT_HISTORY = Variant(
    "training/fit_early_stopping-returns-a-defaultdict",
    "training",
    STYLE,
    imports="from collections import defaultdict\n",
    defs=(
        """
def fit_early_stopping(model, X_tr, y_tr, X_val, y_val, patience, max_epochs, lr):
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    history = defaultdict(list, train_loss=[], val_loss=[], best_epoch=-1, stopped_epoch=-1)
    best, best_state, waited = float("inf"), copy.deepcopy(model.state_dict()), 0
    for epoch in range(max_epochs):
        model.train()
        opt.zero_grad()
        loss = F.cross_entropy(model(X_tr), y_tr)
        loss.backward()
        opt.step()
        model.eval()
        with torch.no_grad():
            val = F.cross_entropy(model(X_val), y_val).item()
        history["train_loss"].append(loss.item())
        history["val_loss"].append(val)
        history["stopped_epoch"] = epoch
        if val < best:
            best, best_state, waited = val, copy.deepcopy(model.state_dict()), 0
            history["best_epoch"] = epoch
        else:
            waited += 1
            if waited >= patience:
                break
    model.load_state_dict(best_state)
    return history
""",
    ),
)
