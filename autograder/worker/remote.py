"""Reference units that stay in the grader: called from the worker by message.

When a later unit is graded with reference versions of earlier ones (partial credit,
autograder.worker.substitute), the reference's code never enters the student's process:
each call of a stand-in function sends its arguments to the grader on the worker's own
connection, in the middle of the call being graded, and waits for the value the grader's
reference computed. Only plain data crosses, as for every call.

Autograd goes through a stand-in as through the function it replaces: where the input
requires a gradient, the backward pass asks the grader for the reference's own
derivative (`<name>_grad` of the course's API, or `softmax_backward` for `softmax`), so
a student's training loop that calls `losses.cross_entropy_loss(...).backward()` works.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from multiprocessing.connection import Connection
from typing import Any

import torch

from autograder.worker import wire

_channel: list[Connection] = []  # the worker's connection to the grader, set by `connect`


class ReferenceFailed(RuntimeError):
    """The grader's reference could not compute a value for these arguments."""


def connect(conn: Connection) -> None:
    """Called once by the worker's server: stand-ins ask the grader on `conn`."""
    _channel[:] = [conn]


def ask(unit: str, func: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """The value of the grader's reference `unit.func(*args, **kwargs)`."""
    if not _channel:
        raise ReferenceFailed("no grader to ask for the reference")
    request = {"op": "reference", "unit": unit, "func": func, "args": args, "kwargs": kwargs}
    with torch._C.DisableTorchFunction():  # inside the grader's watch: not the student's
        _channel[0].send_bytes(wire.encode(request))
        reply = wire.decode(_channel[0].recv_bytes())
    if not isinstance(reply, dict) or reply.get("ok") is not True:
        message = reply.get("message") if isinstance(reply, dict) else "no answer"
        raise ReferenceFailed(f"the reference {unit}.{func} failed: {message}")
    return reply.get("value")


def _plain(value: Any) -> Any:
    """Tensors without their autograd history (only values cross)."""
    if isinstance(value, torch.Tensor):
        return value.detach()
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(v) for v in value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def stand_in(unit: str, name: str, names: Collection[str]) -> Callable[..., Any]:
    """A function that computes the grader's reference `unit.name` (`names`: every
    function the reference unit has, to find its derivative)."""
    derivative = _derivative(name, names)

    def call(*args: Any, **kwargs: Any) -> Any:
        first = args[0] if args else None
        tracked = isinstance(first, torch.Tensor) and first.requires_grad
        if derivative is not None and tracked and torch.is_grad_enabled():
            return _Tracked.apply(unit, name, derivative, kwargs, *args)
        return ask(unit, name, _plain(list(args)), _plain(kwargs))

    call.__name__ = name
    return call


def _derivative(name: str, names: Collection[str]) -> str | None:
    if name == "softmax" and "softmax_backward" in names:
        return "softmax_backward"
    if f"{name}_grad" in names:
        return f"{name}_grad"
    return None


class _Tracked(torch.autograd.Function):
    """A stand-in on an input that requires a gradient: the value and, in backward, the
    derivative with respect to the first argument, both from the grader's reference."""

    @staticmethod
    def forward(  # type: ignore[override]
        ctx: Any, unit: str, name: str, derivative: str, kwargs: dict[str, Any], *args: Any
    ) -> Any:
        plain = _plain(list(args))
        out = ask(unit, name, plain, _plain(kwargs))
        ctx.meta = (unit, derivative, plain, _plain(kwargs), out)
        ctx.count = len(args)
        return out

    @staticmethod
    def backward(ctx: Any, grad_out: torch.Tensor) -> Any:  # type: ignore[override]
        unit, derivative, args, kwargs, out = ctx.meta
        if derivative == "softmax_backward":
            dim = kwargs.get("dim", args[1] if len(args) > 1 else -1)
            grad = ask(unit, derivative, [out, grad_out.detach()], {"dim": dim})
        else:
            grad = grad_out.detach() * ask(unit, derivative, args, kwargs)
        return (None, None, None, None, grad, *([None] * (ctx.count - 1)))
