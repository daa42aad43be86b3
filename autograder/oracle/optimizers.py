"""Oracle for unit 6 (optimizers): one step of the torch.optim built-ins, made functional."""

from __future__ import annotations

from typing import Any

import torch


def _optim_step(
    cls: type[torch.optim.Optimizer], p: torch.Tensor, g: torch.Tensor, state: dict, **hyper: Any
) -> tuple[torch.Tensor, dict]:
    """Clone p, set .grad, load a copy of state into a fresh `cls(**hyper)`, step once."""
    param = p.detach().clone().requires_grad_(True)
    param.grad = g.detach().clone()
    opt = cls([param], **hyper)
    if state:
        loaded = {
            k: (
                torch.tensor(float(v), dtype=torch.float32)
                if k == "step"
                else v.detach().clone()
                if isinstance(v, torch.Tensor)
                else v
            )
            for k, v in state.items()
        }
        sd = opt.state_dict()
        sd["state"] = {0: loaded}
        opt.load_state_dict(sd)
    opt.step()
    new_state: dict[str, Any] = {}
    for k, v in opt.state[param].items():
        if v is None:
            continue
        if k == "step":
            new_state[k] = int(v.item()) if isinstance(v, torch.Tensor) else int(v)
        else:
            new_state[k] = v.detach().clone()
    return param.detach().clone(), new_state


def sgd_step(
    p: torch.Tensor,
    g: torch.Tensor,
    state: dict,
    lr: float,
    momentum: float = 0.0,
    weight_decay: float = 0.0,
    nesterov: bool = False,
) -> tuple[torch.Tensor, dict]:
    """One torch.optim.SGD step (dampening 0)."""
    return _optim_step(
        torch.optim.SGD,
        p,
        g,
        state,
        lr=lr,
        momentum=momentum,
        weight_decay=weight_decay,
        nesterov=nesterov,
    )


def adagrad_step(
    p: torch.Tensor, g: torch.Tensor, state: dict, lr: float = 0.01, eps: float = 1e-10
) -> tuple[torch.Tensor, dict]:
    """One torch.optim.Adagrad step (lr_decay 0, initial_accumulator_value 0)."""
    return _optim_step(torch.optim.Adagrad, p, g, state, lr=lr, eps=eps)


def rmsprop_step(
    p: torch.Tensor,
    g: torch.Tensor,
    state: dict,
    lr: float = 0.01,
    alpha: float = 0.99,
    eps: float = 1e-8,
) -> tuple[torch.Tensor, dict]:
    """One torch.optim.RMSprop step (not centered, no momentum)."""
    return _optim_step(torch.optim.RMSprop, p, g, state, lr=lr, alpha=alpha, eps=eps)


def adam_step(
    p: torch.Tensor,
    g: torch.Tensor,
    state: dict,
    lr: float = 1e-3,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0.0,
) -> tuple[torch.Tensor, dict]:
    """One torch.optim.Adam step (L2 weight decay, amsgrad off)."""
    return _optim_step(
        torch.optim.Adam, p, g, state, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay
    )


def adadelta_step(
    p: torch.Tensor,
    g: torch.Tensor,
    state: dict,
    lr: float = 1.0,
    rho: float = 0.9,
    eps: float = 1e-6,
) -> tuple[torch.Tensor, dict]:
    """One torch.optim.Adadelta step (no weight decay)."""
    return _optim_step(torch.optim.Adadelta, p, g, state, lr=lr, rho=rho, eps=eps)
