"""Run-time watch, in the worker, for the built-ins a task may not call.

The static check (autograder/checks/forbidden.py) reads the source; this one sees what
actually runs while the task's function is called: every torch function and tensor
method (a TorchFunctionMode), the autograd engine (so `torch.autograd.grad`,
`.backward()` and the torch.func transforms built on them are seen however they were
imported), forward-mode and functional autograd helpers, and any torch.optim
optimizer being built. A use counts unless the nearest caller outside torch and the
standard library is one of the grader's harnesses (which are real files the student
cannot name: the static rules refuse compile and exec): it does not depend on the
student's file names. While a watch is on, a process the task forks ends at once: its
findings could not come back. What it finds is
reported with the caller's file and line.

This runs in the student's process, so it can be switched off by determined code; it
adds to the static check done in the grader, it does not replace it.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from types import FrameType, ModuleType
from typing import Any

import torch
from torch.overrides import TorchFunctionMode, resolve_name

TORCH_DIR = os.path.dirname(torch.__file__) + os.sep
HERE = os.path.realpath(__file__)
# The grader's code that runs beside the student's: its harnesses (reference units are
# never in a worker: autograder.worker.remote computes them in the grader).
PACKAGE_DIR = os.path.dirname(os.path.dirname(HERE)) + os.sep
GRADER_DIRS = (PACKAGE_DIR + "harness" + os.sep,)
STDLIB_DIR = os.path.dirname(os.__file__) + os.sep  # where os.py is, not the venv's
SITE_DIRS = tuple(STDLIB_DIR + name + os.sep for name in ("site-packages", "dist-packages"))
AUTOGRAD = frozenset({"backward", "grad", "autograd", "vjp", "jvp", "jacobian", "jacrev"})
TRANSFORMS = {
    "torch.func": ("grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian"),
    "torch.autograd.functional": ("jacobian", "hessian", "vjp", "jvp", "vhp", "hvp"),
    "torch.autograd.forward_ad": ("make_dual", "dual_level"),
}


@dataclass
class Watch:
    """The forbidden names, the student's folder, and the uses seen so far."""

    names: frozenset[str]
    submission: str
    uses: list[str] = field(default_factory=list)
    patched: list[tuple[Any, str, Any]] = field(default_factory=list)  # (where, name, ours)
    mode: Any = None

    def intact(self) -> bool:
        """Whether the watch is still in place (a call may have switched it off, which
        would leave the calls after it unwatched): its mode on top of torch's function
        mode stack, and every patch it made still there."""
        from torch.overrides import _get_current_function_mode_stack

        stack = _get_current_function_mode_stack()
        if not stack or stack[-1] is not self.mode:
            return False
        return all(getattr(where, name, None) is ours for where, name, ours in self.patched)

    def forbids(self, dotted: str) -> bool:
        return any(part in self.names for part in dotted.split("."))

    def note(self, what: str) -> None:
        where = self._student_line()
        if where is not None and len(self.uses) < 10:
            self.uses.append(f"{what} ({where})")

    def _student_line(self) -> str | None:
        """Where the use comes from: the nearest caller outside torch, this module and the
        standard library. A use counts unless that caller is the grader's own code (a
        harness, or a reference unit swapped in for an earlier one): code under any other
        file name, a library calling back, or code made from a string all count as the
        student's (the student's files can name no grader file: a submission is its
        declared files, and the static rules refuse compile and exec)."""
        frame: FrameType | None = sys._getframe(2)
        while frame is not None and _passes_through(frame.f_code.co_filename):
            frame = frame.f_back
        if frame is None:
            return None
        path = frame.f_code.co_filename
        if _grader_file(path):
            return None
        return f"{os.path.basename(path)}, line {frame.f_lineno}"


def _passes_through(path: str) -> bool:
    """Frames a use is looked past: torch's own, this module's, the standard library's and
    the interpreter's frozen modules."""
    if path.startswith(STDLIB_DIR) and not path.startswith(SITE_DIRS):
        return True
    return path.startswith((TORCH_DIR, "<frozen ")) or os.path.realpath(path) == HERE


def _grader_file(path: str) -> bool:
    """A harness; the worker's own frames (which call the student's function) count as
    the student's, so a task bound straight to a built-in is seen."""
    return os.path.isabs(path) and os.path.realpath(path).startswith(GRADER_DIRS)


class _Mode(TorchFunctionMode):
    def __init__(self, watch: Watch) -> None:
        super().__init__()
        self.watch = watch
        self.verdicts: dict[Any, bool] = {}  # function → whether the watch forbids it

    def __torch_function__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
        try:
            forbidden = self.verdicts[func]
        except KeyError:
            forbidden = self.verdicts[func] = self.watch.forbids(_name(func))
        except TypeError:  # an unhashable callable: judged every time
            forbidden = self.watch.forbids(_name(func))
        if forbidden:
            self.watch.note(_name(func))
        return func(*args, **(kwargs or {}))


_NAMES: dict[Any, str] = {}


def _name(func: Any) -> str:
    """torch's dotted name of `func` ('torch.Tensor.backward'), looked up once per function
    (resolve_name builds a table and a warnings filter each time: 40 µs a torch call)."""
    try:
        return _NAMES[func]
    except (KeyError, TypeError):
        pass
    name = (resolve_name(func) or getattr(func, "__qualname__", "") or "").removesuffix(".__get__")
    try:
        _NAMES[func] = name
    except TypeError:  # an unhashable callable: resolved every time
        pass
    return name


class _Engine:
    """Stands in for torch's autograd engine: notes the use, then runs the real one."""

    def __init__(self, engine: Any, watch: Watch) -> None:
        self._engine, self._watch = engine, watch

    def run_backward(self, *args: Any, **kwargs: Any) -> Any:
        self._watch.note("torch.autograd (backward / grad)")
        return self._engine.run_backward(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._engine, name)


def _noting(func: Callable[..., Any], what: str, watch: Watch) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        watch.note(what)
        return func(*args, **kwargs)

    return wrapper


@contextlib.contextmanager
def _patched(target: Any, name: str, value: Any, watch: Watch) -> Iterator[None]:
    original = getattr(target, name)
    setattr(target, name, value)
    watch.patched.append((target, name, value))
    try:
        yield
    finally:
        setattr(target, name, original)


def _modules() -> dict[str, ModuleType]:
    import importlib

    return {name: importlib.import_module(name) for name in TRANSFORMS}


_active: list[Watch] = []  # the watch in force, if any (seen by the fork handler)


def _no_children_while_watched() -> None:
    """In a child forked while a watch is on (a DataLoader worker, say): end at once, so
    that no forbidden call runs where the watch cannot report it."""
    if _active:
        os._exit(70)


os.register_at_fork(after_in_child=_no_children_while_watched)


@contextlib.contextmanager
def watching(names: Collection[str], submission: str) -> Iterator[Watch]:
    """Within the block, uses of `names` from the student's files are noted in the Watch."""
    watch = Watch(frozenset(names), os.path.realpath(submission))
    _active.append(watch)
    with contextlib.ExitStack() as stack:
        stack.callback(_active.remove, watch)
        if watch.names & AUTOGRAD:
            from torch.autograd.variable import Variable

            engine = Variable._execution_engine
            stack.enter_context(
                _patched(Variable, "_execution_engine", _Engine(engine, watch), watch)
            )
            for module_name, module in _modules().items():
                for attr in TRANSFORMS[module_name]:
                    what = f"{module_name}.{attr}"
                    stack.enter_context(
                        _patched(module, attr, _noting(getattr(module, attr), what, watch), watch)
                    )
        if watch.forbids("torch.optim.Optimizer"):
            init = torch.optim.Optimizer.__init__
            stack.enter_context(
                _patched(
                    torch.optim.Optimizer,
                    "__init__",
                    _noting(init, "torch.optim (an optimizer was created)", watch),
                    watch,
                )
            )
        watch.mode = stack.enter_context(_mode_on(watch))
        yield watch


@contextlib.contextmanager
def _mode_on(watch: Watch) -> Iterator[_Mode]:
    """The watch's mode on torch's function mode stack; taken off at the end only if it is
    still on top (a call that took it off must not make the grader pop another mode)."""
    from torch.overrides import _get_current_function_mode_stack

    mode = _Mode(watch)
    mode.__enter__()
    try:
        yield mode
    finally:
        stack = _get_current_function_mode_stack()
        if stack and stack[-1] is mode:
            mode.__exit__(None, None, None)
