"""Graded: unit 5, full-batch gradient descent on a sigmoid MLP with every gradient by hand.

train_manual must follow the grader's own loop (torch's layers, F.mse_loss,
loss.backward() and torch.optim.SGD) step for step, on nets with one output and several,
one layer to three, a batch of one, and no epochs at all. That it leaves its inputs alone
and returns new tensors is judged from values: a second call on the very same tensors
must give the same result, and results must not change when the grader then changes
those tensors in place.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from autograder.batching import batched, cases
from autograder.graded.contract import check_reused
from autograder.graded.nets import LOOSE32, Params, net, task
from autograder.seeds import mixed

pytestmark = pytest.mark.uses("activations", "losses")

# name → (layer sizes, batch, lr, epochs)
RUNS = {
    "4-3-2-1": ((4, 3, 2, 1), 8, 0.5, 10),
    "3-5-4-2": ((3, 5, 4, 2), 6, 0.3, 6),
    "2-3 batch 1": ((2, 3), 1, 1.0, 4),
    "4-3-2-1 epochs 0": ((4, 3, 2, 1), 5, 0.5, 0),
}


def _autograd_sgd(
    params: Params, x: torch.Tensor, y: torch.Tensor, lr: float, epochs: int
) -> tuple[Params, list[float]]:
    """The grader's own loop: sigmoid MLP, F.mse_loss, loss.backward(), torch.optim.SGD."""
    leaves = [
        (W.detach().clone().requires_grad_(True), b.detach().clone().requires_grad_(True))
        for W, b in params
    ]
    opt = torch.optim.SGD([t for pair in leaves for t in pair], lr=lr)
    losses = []
    for _ in range(epochs):
        opt.zero_grad()
        a = x
        for W, b in leaves:
            a = torch.sigmoid(F.linear(a, W, b))
        loss = F.mse_loss(a, y)
        losses.append(loss.item())
        loss.backward()
        opt.step()
    return [(W.detach(), b.detach()) for W, b in leaves], losses


def _cases() -> list[object]:
    """Every run in float64; the course's 4-3-2-1 net in float32 as well."""
    cases = [pytest.param(name, torch.float64, id=f"{name}-float64") for name in RUNS]
    return [pytest.param("4-3-2-1", torch.float32, id="4-3-2-1-float32"), *cases]


@task("train_manual")
@pytest.mark.parametrize(("name", "dtype"), _cases())
@batched
def test_train_manual_follows_autograd_and_sgd(student, reference, check, device, name, dtype):
    sizes, batch, lr, epochs = RUNS[name]
    x, params = net(sizes, seed=71, dtype=dtype, device=device, batch=batch)
    gen = torch.Generator().manual_seed(mixed(72))
    y = torch.rand(batch, sizes[-1], generator=gen, dtype=torch.float64).to(dtype).to(device)
    call = f"train_manual(params, x, y, lr={lr}, epochs={epochs}) on a {name} sigmoid net"
    tol = {"float32": LOOSE32, "float64": LOOSE32} if dtype == torch.float32 else None
    inputs = {"x": x, "y": y}
    got = yield student.backprop.train_manual(params, x, y, lr, epochs)
    check.close(
        got,
        reference.backprop.train_manual(params, x, y, lr, epochs),
        call=f"{call} vs the reference",
        inputs=inputs,
        seed=71,
        names=("params", "losses"),
        tolerances=tol,
    )
    check.close(
        got,
        _autograd_sgd(params, x, y, lr, epochs),
        call=f"{call} vs loss.backward() + torch.optim.SGD",
        inputs=inputs,
        seed=71,
        names=("params", "losses"),
        tolerances=tol,
    )


@task("train_manual")
@cases(epochs=[0, 2])
def test_train_manual_leaves_its_inputs_alone_and_returns_new_tensors(
    student, reference, check, device, epochs
):
    x, params = net((4, 3, 2, 1), seed=75, device=device)
    gen = torch.Generator().manual_seed(mixed(76))
    y = torch.rand(8, 1, generator=gen, dtype=torch.float64).to(device)
    call = f"train_manual(params, x, y, lr=0.5, epochs={epochs})"
    inputs = {"params": params, "x": x, "y": y, "lr": 0.5, "epochs": epochs}
    run = yield student.harness(
        "backprop.reused",
        "train_manual",
        list(inputs.values()),
        [[0, 1, 2, 3, 4]] * 2,
        task="backprop.train_manual",
    )
    want = reference.backprop.train_manual(params, x, y, 0.5, epochs)
    again = f"{call} again on the same params, x and y (the first call must leave them alone)"
    check_reused(check, run, inputs, [want, want], [call, again], names=("params", "losses"))
