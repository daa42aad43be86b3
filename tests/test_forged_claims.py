"""A worker's word is not evidence: forging what the worker could once report earns nothing.

Student code runs in the same process as the grader's worker-side harness, so it can
reach every frame, list and module there. Each submission below breaks one rule
(changes its inputs in place, returns shared memory, leaves a global setting changed,
trains in eval mode, evaluates with grad on, validates in train mode) and then forges
what the worker used to report about that rule: it puts pristine copies back into the
argument lists it was called with (found with gc or sys._getframe), patches
torch.is_grad_enabled, torch.get_default_dtype or torch.get_rng_state to answer what
the grader wants, or rewrites the recorded forward passes and the model's mode flag.
The rules are now judged from values the grader computes itself, so each forgery loses
its task's points, and only those.
"""

from __future__ import annotations

from pathlib import Path

from tests.helpers import RUN_REFUSED, by_id, grade, lost, make_submission

# Put pristine copies wherever a list or dict (such as the argument list a call came
# from) holds an object the call changed, found through gc and the callers' frames.
PUT_BACK = """

def _put_back(swaps):
    import gc
    import sys

    def swap(holder, old, new):
        if isinstance(holder, list):
            for i, item in enumerate(holder):
                if item is old:
                    holder[i] = new
        elif isinstance(holder, dict) and "__name__" not in holder:
            for key, item in list(holder.items()):
                if item is old:
                    holder[key] = new

    frame = sys._getframe(1)
    while frame is not None:
        for value in list(frame.f_locals.values()):
            for old, new in swaps:
                swap(value, old, new)
        frame = frame.f_back
    for old, new in swaps:
        for holder in gc.get_referrers(old):
            swap(holder, old, new)
"""

OPTIMIZERS = {
    # changes p in place, then puts a pristine p back into every list that holds it
    "optimizers.adagrad_step": """
def adagrad_step(p, g, state, lr=0.01, eps=1e-10):
    import torch
    if lr < 0 or eps < 0:
        raise ValueError(f"invalid lr={lr} or eps={eps}")
    pristine = p.clone()
    s = (state["sum"] if "sum" in state else torch.zeros_like(p)) + g * g
    p -= lr * g / (torch.sqrt(s) + eps)
    _put_back([(p, pristine)])
    return p, {"step": int(state.get("step", 0)) + 1, "sum": s}
""",
    # the momentum buffer is g itself; the report of shared memory is patched away
    "optimizers.sgd_step": """
def sgd_step(p, g, state, lr, momentum=0.0, weight_decay=0.0, nesterov=False):
    import sys
    if lr < 0 or momentum < 0 or weight_decay < 0 or (nesterov and momentum <= 0):
        raise ValueError("invalid hyper-parameter")
    common = sys.modules.get("autograder.harness._common")
    if common is not None:
        common.shared_memory = lambda outputs, inputs: []
    d = g + weight_decay * p if weight_decay != 0 else g
    state_new = {}
    if momentum != 0:
        buf = momentum * state["momentum_buffer"] + d if "momentum_buffer" in state else d
        state_new["momentum_buffer"] = buf
        d = d + momentum * buf if nesterov else buf
    return p - lr * d, state_new
""",
    # reseeds torch's generator; the snapshot of the global settings is patched to a constant
    "optimizers.rmsprop_step": """
def rmsprop_step(p, g, state, lr=0.01, alpha=0.99, eps=1e-8):
    import sys
    import torch
    if lr < 0 or alpha < 0 or eps < 0:
        raise ValueError(f"invalid lr={lr}, alpha={alpha} or eps={eps}")
    common = sys.modules.get("autograder.harness._common")
    if common is not None and hasattr(common, "snapshot"):
        first = common.snapshot()
        common.snapshot = lambda: first
    torch.manual_seed(0)
    v = state["square_avg"] if "square_avg" in state else torch.zeros_like(p)
    v = alpha * v + (1.0 - alpha) * g * g
    return p - lr * g / (torch.sqrt(v) + eps), {"step": int(state.get("step", 0)) + 1,
                                                 "square_avg": v}
""",
}

BACKPROP = {
    # switches the default dtype and lets torch.get_default_dtype report float32
    "backprop.linear_forward": """
def linear_forward(x, W, b):
    import torch
    torch.set_default_dtype(x.dtype)
    torch.get_default_dtype = lambda: torch.float32
    return x @ W.T + b
""",
    # switches gradients off for good and lets torch.is_grad_enabled report them on
    "backprop.mlp_forward": """
def mlp_forward(x, params, activation="sigmoid"):
    import torch
    acts = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}
    if activation not in acts:
        raise ValueError(f"unknown activation {activation!r}")
    torch.set_grad_enabled(False)
    torch.is_grad_enabled = lambda: True
    layers, a = [], x
    for W, b in params:
        z = a @ W.T + b
        layers.append({"x": a, "W": W, "z": z, "a": acts[activation](z)})
        a = layers[-1]["a"]
    return a, {"activation": activation, "layers": layers}
""",
    # updates the caller's W and b in place, then puts pristine pairs back into its lists
    "backprop.train_manual": """
def train_manual(params, x, y, lr, epochs):
    import torch
    pristine = [(W.clone(), b.clone()) for W, b in params]
    originals = list(params)
    losses = []
    for _ in range(epochs):
        xs, acts, a = [], [], x
        for W, b in originals:
            xs.append(a)
            a = torch.sigmoid(a @ W.T + b)
            acts.append(a)
        diff = a - y
        losses.append(float((diff * diff).mean()))
        g, grads = 2.0 * diff / diff.numel(), []
        for (W, b), a_in, a_out in zip(reversed(originals), reversed(xs), reversed(acts)):
            delta = g * a_out * (1.0 - a_out)
            grads.append((delta.T @ a_in, delta.sum(dim=0)))
            g = delta @ W
        for (W, b), (dW, db) in zip(originals, reversed(grads)):
            W -= lr * dW
            b -= lr * db
    trained = [(W.clone(), b.clone()) for W, b in originals]
    _put_back(list(zip(originals, pristine)))
    return trained, losses
""",
}

TRAINING = {
    # scales in place, then puts pristine copies back into every list that holds them
    "training.min_max_scale": """
def min_max_scale(X_train, X_test):
    import torch
    pristine = [(X_train, X_train.clone()), (X_test, X_test.clone())]
    lo = X_train.min(dim=0).values
    span = X_train.max(dim=0).values - lo
    span = torch.where(span > 0, span, torch.ones_like(span))
    X_test.sub_(lo).div_(span)
    X_train.sub_(lo).div_(span)
    _put_back(pristine)
    return X_train.clone(), X_test.clone()
""",
    # reseeds torch's generator; torch.get_rng_state reports the old state once afterwards
    "training.train_test_split": """
def train_test_split(X, y, test_size=0.2, seed=0):
    import torch
    real, saved = torch.get_rng_state, torch.get_rng_state()

    def forged():
        torch.get_rng_state = real
        return saved

    torch.manual_seed(seed)
    n = X.shape[0]
    perm = torch.randperm(n).to(X.device)
    torch.get_rng_state = forged
    n_test = int(round(n * test_size))
    return X[perm[n_test:]], X[perm[:n_test]], y[perm[n_test:]], y[perm[:n_test]]
""",
    # never calls model.train(); rewrites the recorded passes and the mode flag afterwards
    "training.train": """
def train(model, X, y, epochs, lr, optimizer="sgd", batch_size=None):
    import gc
    if optimizer == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=lr)
    elif optimizer == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=lr)
    else:
        raise ValueError(f"unknown optimizer {optimizer!r}")
    n = X.shape[0]
    size = n if batch_size is None else batch_size
    history = []
    for _ in range(epochs):
        total = 0.0
        for start in range(0, n, size):
            xb, yb = X[start : start + size], y[start : start + size]
            opt.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            total += loss.item() * xb.shape[0]
        history.append(total / n)
    for record in gc.get_objects():
        if isinstance(record, list) and len(record) == 3 and isinstance(record[1], bool):
            record[1] = True
    model.training = True
    return history
""",
    # no torch.no_grad(); torch.is_grad_enabled says False while it runs
    "training.evaluate": """
def evaluate(model, X, y):
    real = torch.is_grad_enabled
    torch.is_grad_enabled = lambda: False
    try:
        model.eval()
        logits = model(X)
        loss = F.cross_entropy(logits, y).item()
        accuracy = (logits.argmax(dim=1) == y).sum().item() / y.shape[0]
    finally:
        torch.is_grad_enabled = real
    return loss, accuracy
""",
    # validates in train mode (Dropout active) with only the top module flagged as eval
    "training.fit_early_stopping": """
def fit_early_stopping(model, X_tr, y_tr, X_val, y_val, patience, max_epochs, lr):
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    history = {"train_loss": [], "val_loss": [], "best_epoch": -1, "stopped_epoch": -1}
    best_loss, best_state, waited = float("inf"), copy.deepcopy(model.state_dict()), 0
    for epoch in range(max_epochs):
        model.train()
        opt.zero_grad()
        loss = F.cross_entropy(model(X_tr), y_tr)
        loss.backward()
        opt.step()
        model.training = False
        with torch.no_grad():
            val_loss = F.cross_entropy(model(X_val), y_val).item()
        history["train_loss"].append(loss.item())
        history["val_loss"].append(val_loss)
        history["stopped_epoch"] = epoch
        if val_loss < best_loss:
            best_loss, best_state, waited = val_loss, copy.deepcopy(model.state_dict()), 0
            history["best_epoch"] = epoch
        else:
            waited += 1
            if waited >= patience:
                break
    model.load_state_dict(best_state)
    return history
""",
}


def _forged(tmp_path: Path, unit: str, changes: dict[str, str]) -> dict:
    submission = make_submission(tmp_path / "sub", changes)
    path = submission / f"{unit}.py"
    path.write_text(path.read_text() + PUT_BACK)
    return grade(submission, tmp_path / "out.json", "--unit", unit, env=RUN_REFUSED)


def test_forged_reports_of_optimizer_steps_earn_nothing(tmp_path):
    result = _forged(tmp_path, "optimizers", OPTIMIZERS)
    assert lost(result) == set(OPTIMIZERS), result["stdout"][-4000:]
    tasks = by_id(result)
    assert "p afterwards" in tasks["optimizers.adagrad_step"]["message"]
    assert "share no memory" in tasks["optimizers.sgd_step"]["message"]
    assert "random" in tasks["optimizers.rmsprop_step"]["message"]


def test_forged_reports_of_backprop_functions_earn_nothing(tmp_path):
    result = _forged(tmp_path, "backprop", BACKPROP)
    assert lost(result) == set(BACKPROP), result["stdout"][-4000:]
    tasks = by_id(result)
    assert "default dtype" in tasks["backprop.linear_forward"]["message"]
    assert "gradients off" in tasks["backprop.mlp_forward"]["message"]
    assert "afterwards" in tasks["backprop.train_manual"]["message"]


def test_forged_reports_of_the_training_loop_earn_nothing(tmp_path):
    result = _forged(tmp_path, "training", TRAINING)
    assert lost(result) == set(TRAINING), result["stdout"][-4000:]
    tasks = by_id(result)
    assert "afterwards" in tasks["training.min_max_scale"]["message"]
    assert "random" in tasks["training.train_test_split"]["message"]
    assert "eval mode" in tasks["training.train"]["message"]
    assert "torch.no_grad" in tasks["training.evaluate"]["message"]
    assert "fit_early_stopping" in tasks["training.fit_early_stopping"]["message"]
