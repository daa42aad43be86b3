"""Wrong implementations for unit 7 (training)."""

MUTANTS: dict[str, list[tuple[str, str]]] = {
    "training.train_test_split": [
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
            "Sigmoid instead of ReLU between the layers",
            """
class MLP(nn.Module):
    def __init__(self, in_features=4, hidden=10, out_features=3):
        super().__init__()
        self.fc1 = nn.Linear(in_features, hidden)
        self.fc2 = nn.Linear(hidden, out_features)

    def forward(self, x):
        import torch
        return self.fc2(torch.sigmoid(self.fc1(x)))
""",
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
            "never calls optimizer.zero_grad(): gradients pile up across steps",
            """
def train(model, X, y, epochs, lr, optimizer="sgd", batch_size=None):
    import torch
    import torch.nn.functional as F
    if optimizer not in ("sgd", "adam"):
        raise ValueError(optimizer)
    opt = (torch.optim.SGD if optimizer == "sgd" else torch.optim.Adam)(model.parameters(), lr=lr)
    n = X.shape[0]
    size = n if batch_size is None else batch_size
    model.train()
    history = []
    for _ in range(epochs):
        total = 0.0
        for start in range(0, n, size):
            xb, yb = X[start:start + size], y[start:start + size]
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            total += loss.item() * xb.shape[0]
        history.append(total / n)
    return history
""",
        ),
        (
            "epoch loss = plain mean of the batch losses (the smaller last batch weighs too much)",
            """
def train(model, X, y, epochs, lr, optimizer="sgd", batch_size=None):
    import torch
    import torch.nn.functional as F
    if optimizer not in ("sgd", "adam"):
        raise ValueError(optimizer)
    opt = (torch.optim.SGD if optimizer == "sgd" else torch.optim.Adam)(model.parameters(), lr=lr)
    n = X.shape[0]
    size = n if batch_size is None else batch_size
    model.train()
    history = []
    for _ in range(epochs):
        batch_losses = []
        for start in range(0, n, size):
            xb, yb = X[start:start + size], y[start:start + size]
            opt.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            batch_losses.append(loss.item())
        history.append(sum(batch_losses) / len(batch_losses))
    return history
""",
        ),
    ],
    "training.evaluate": [
        (
            "forgets model.eval(): the model is still in train mode (Dropout active)",
            """
def evaluate(model, X, y):
    import torch
    import torch.nn.functional as F
    with torch.no_grad():
        logits = model(X)
        loss = F.cross_entropy(logits, y).item()
        accuracy = (logits.argmax(dim=1) == y).sum().item() / y.shape[0]
    return loss, accuracy
""",
        ),
        (
            "accuracy from the max logit values instead of their argmax",
            """
def evaluate(model, X, y):
    import torch
    import torch.nn.functional as F
    model.eval()
    with torch.no_grad():
        logits = model(X)
        loss = F.cross_entropy(logits, y).item()
        accuracy = (logits.max(dim=1).values == y).sum().item() / y.shape[0]
    return loss, accuracy
""",
        ),
    ],
    "training.fit_early_stopping": [
        (
            "never loads the best weights back: the model keeps the last epoch's",
            """
def fit_early_stopping(model, X_tr, y_tr, X_val, y_val, patience, max_epochs, lr):
    import torch
    import torch.nn.functional as F
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    history = {"train_loss": [], "val_loss": [], "best_epoch": -1, "stopped_epoch": -1}
    best_loss, waited = float("inf"), 0
    for epoch in range(max_epochs):
        model.train()
        opt.zero_grad()
        loss = F.cross_entropy(model(X_tr), y_tr)
        loss.backward()
        opt.step()
        model.eval()
        with torch.no_grad():
            val_loss = F.cross_entropy(model(X_val), y_val).item()
        history["train_loss"].append(loss.item())
        history["val_loss"].append(val_loss)
        history["stopped_epoch"] = epoch
        if val_loss < best_loss:
            best_loss, waited = val_loss, 0
            history["best_epoch"] = epoch
        else:
            waited += 1
            if waited >= patience:
                break
    return history
""",
        ),
        (
            "off by one: waits patience + 1 epochs without improvement",
            """
def fit_early_stopping(model, X_tr, y_tr, X_val, y_val, patience, max_epochs, lr):
    import copy
    import torch
    import torch.nn.functional as F
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    history = {"train_loss": [], "val_loss": [], "best_epoch": -1, "stopped_epoch": -1}
    best_loss, waited = float("inf"), 0
    best_state = copy.deepcopy(model.state_dict())
    for epoch in range(max_epochs):
        model.train()
        opt.zero_grad()
        loss = F.cross_entropy(model(X_tr), y_tr)
        loss.backward()
        opt.step()
        model.eval()
        with torch.no_grad():
            val_loss = F.cross_entropy(model(X_val), y_val).item()
        history["train_loss"].append(loss.item())
        history["val_loss"].append(val_loss)
        history["stopped_epoch"] = epoch
        if val_loss < best_loss:
            best_loss, waited = val_loss, 0
            best_state = copy.deepcopy(model.state_dict())
            history["best_epoch"] = epoch
        else:
            waited += 1
            if waited > patience:
                break
    model.load_state_dict(best_state)
    return history
""",
        ),
    ],
    "training.plot_history": [
        (
            "plots the curves but never labels the axes",
            """
def plot_history(history, path):
    from matplotlib.figure import Figure
    fig = Figure(figsize=(6, 4))
    ax = fig.add_subplot()
    ax.plot(history["train_loss"], label="train loss")
    if history.get("val_loss"):
        ax.plot(history["val_loss"], label="validation loss")
    ax.legend()
    fig.savefig(path, format="png")
""",
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
