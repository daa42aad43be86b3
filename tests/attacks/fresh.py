"""Fresh attacks (issue 20, part 12), written for this corpus and not variants of the 48 in
tests/attacks/corpus.py: each is a real submission, graded by the real CLI in
tests/test_attacks.py exactly as the attacks there are (same `Attack`, same places, same
checks; see corpus.py's docstring for the format).

They are grouped by the root causes the issue names:

1. routes around the forbidden-built-in rule: built-ins that compute the same thing under
   another name, names the reader resolves wrongly (a comprehension variable, an import
   under `global`, a match capture), helpers reached by a constant `getattr` on a unit's
   own module, a container filled by a task that may hold the built-in, a `__main__` block
   that runs, strings run by allowed libraries (functools.singledispatch's annotations,
   torch.utils.benchmark), stdlib modules reached as attributes of allowed ones
   (`typing.sys`, `dataclasses.builtins`, `torch.threading`); and routes the reach must
   keep seeing (decorators, defaults, class attributes, closures, walrus, lambdas,
   re-exports);
2. the run-time watch: code compiled under a grader file name, threads, DataLoader worker
   processes, grad_fn nodes called by hand, a TorchFunctionMode of one's own, forward-mode
   AD captured before the watch starts, a private autograd engine, calls laundered through
   the grader's own harness frames, torch.optim's functional API, callbacks from numpy and
   the standard library;
3. the reference: the oracle in the worker that builds the student's MLP, the module of a
   model the harness built, oracle code passed through shared folders, a worker rewriting
   its own copy after the static check, another student's files;
4. seeds: an undeclared helper carrying the answers;
5. student text: control characters, forged console lines and workflow commands, in
   messages, exception class names, notes, returned values and source lines;
7. replies that are each under the cap but large together;
8. links: a unit file that is a relative link through a linked folder.

Attacks that need several students, a batch, memory measurements or other writers are
ordinary tests in tests/test_fresh_attacks.py.
"""

from __future__ import annotations

from tests.attacks.corpus import Attack

# ---- shared pieces ---------------------------------------------------------------------

# The builtins module and sys.modules, reached as attributes of modules the course allows
# (dataclasses imports builtins, typing imports sys): every name can then be computed.
RUN_TIME_NAMES = r"""

import dataclasses as _dc
import typing as _ty

_B = _dc.builtins
_MODULES = _ty.sys.modules


def _named(module, *parts):
    return _B.getattr(_MODULES[module], "".join(parts))
"""

AS_TENSOR = r"""


def _back(array, like):
    return torch.as_tensor(array, dtype=like.dtype, device=like.device)
"""

# ---- 1. routes around the forbidden-built-in rule ---------------------------------------

RENAMED_ACTIVATIONS = r"""

import torch.nn.functional as _F


def sigmoid(x):  # glu(a, b) = a * sigmoid(b)
    return _F.glu(torch.stack([torch.ones_like(x), x]), dim=0)[0]


def tanh(x):  # tanhshrink(x) = x - tanh(x)
    return x - _F.tanhshrink(x)


def relu(x):  # threshold(x, 0, 0) is relu
    return _F.threshold(x, 0.0, 0.0)


def leaky_relu(x, alpha=0.01):  # rrelu in eval mode uses the slope (lower + upper) / 2
    return _F.rrelu(x, alpha, alpha, training=False)


def elu(x, alpha=1.0):  # celu(a * x, a) = a * (exp(x) - 1) for x < 0
    return torch.where(x > 0, x, _F.celu(alpha * x, alpha))


def softmax(x, dim=-1):  # softmin(-x) is softmax(x)
    return _F.softmin(-x, dim=dim)
"""

RENAMED_LOSSES = r"""

import torch.nn.functional as _F


def mse_loss(pred, target):  # huber with an infinite delta is half the squared error
    return 2 * _F.huber_loss(pred, target, delta=float("inf"))


def mae_loss(pred, target):  # smooth L1 with beta 0 is the L1 loss
    return _F.smooth_l1_loss(pred, target, beta=0.0)


def hinge_loss(scores, labels):  # mean(max(0, -y * (s - 0) + 1))
    y = labels.to(scores.dtype)
    return _F.margin_ranking_loss(scores, torch.zeros_like(scores), y, margin=1.0)
"""

COMPREHENSION_SHADOW = (
    AS_TENSOR
    + r"""
import numpy

[numpy for numpy in ()]  # binds nothing in Python 3; the reader takes it for a second binding


class _Layer:  # an attribute named tanh of the student's own: x.tanh() is "theirs"
    def tanh(self, x):
        return x


def tanh(x):
    return _back(numpy.tanh(x.detach().cpu().numpy()), x)
"""
)

CONTAINER_FILLED_BY_ANOTHER_TASK = (
    AS_TENSOR
    + r"""
import numpy

_SHELF = []


def sigmoid(x):  # graded before tanh, in the same worker; numpy's tanh is allowed here
    _SHELF.append(numpy.tanh)
    raise NotImplementedError("activations.sigmoid: left for later")


def tanh(x):
    if not _SHELF:
        raise NotImplementedError("activations.tanh: sigmoid has not run yet")
    return _back(_SHELF[-1](x.detach().cpu().numpy()), x)
"""
)

HELPER_IN_ANOTHER_UNIT = r"""

import losses


def tanh(x):
    return getattr(losses, "tanh_by_numpy")(x)
"""

HELPER_IN_ANOTHER_UNIT_LOSSES = (
    AS_TENSOR
    + r"""
import numpy


def tanh_by_numpy(x):
    return _back(numpy.tanh(x.detach().cpu().numpy()), x)
"""
)

GLOBAL_IMPORT = (
    AS_TENSOR
    + r"""


def sigmoid(x):  # graded before tanh: binds a module-level name the reader never records
    global _tanh_of_numpy
    from numpy import tanh as _tanh_of_numpy

    raise NotImplementedError("activations.sigmoid: left for later")


def tanh(x):
    return _back(_tanh_of_numpy(x.detach().cpu().numpy()), x)
"""
)

MATCH_CAPTURE = (
    AS_TENSOR
    + r"""
import numpy


def sigmoid(x):  # graded before tanh: a match capture binds a module-level name
    global _captured
    match (numpy.tanh,):
        case (_captured,):
            pass
    raise NotImplementedError("activations.sigmoid: left for later")


def tanh(x):
    return _back(_captured(x.detach().cpu().numpy()), x)
"""
)

MAIN_BLOCK_RUNS = (
    AS_TENSOR
    + r"""
MAIN = "__main__"

from activations import MAIN as __name__  # noqa: E402 - rebinds __name__ by an import

if __name__ == "__main__":  # never read by the rules: "it never runs in grading"
    import numpy

    def tanh(x):
        return _back(numpy.tanh(x.detach().cpu().numpy()), x)
"""
)

SINGLEDISPATCH_ANNOTATION = (
    AS_TENSOR
    + r"""
import functools

import numpy

_FOUND = []


@functools.singledispatch
def _dispatch(arg):
    return arg


def _carrier(arg: "_FOUND.append(numpy.tanh) or int"):  # evaluated by register()
    return arg


def tanh(x):
    if not _FOUND:
        _dispatch.register(_carrier)
    return _back(_FOUND[-1](x.detach().cpu().numpy()), x)
"""
)

BENCHMARK_TIMER = (
    AS_TENSOR
    + r"""
import torch.utils.benchmark


def tanh(x):
    box = []
    timer = torch.utils.benchmark.Timer(
        stmt="box.append(numpy.tanh(v))",
        setup="import numpy",
        globals={{"box": box, "v": x.detach().cpu().numpy()}},
    )
    timer.timeit(1)
    return _back(box[-1], x)
"""
)

STDLIB_THROUGH_ALLOWED_MODULES = (
    AS_TENSOR
    + r"""
import dataclasses
import typing


def tanh(x):
    numpy_module = typing.sys.modules["num" + "py"]
    ufunc = dataclasses.builtins.getattr(numpy_module, "tan" + "h")
    return _back(ufunc(x.detach().cpu().numpy()), x)
"""
)

REACH_ROUTES = (
    AS_TENSOR
    + r"""
import numpy

from losses import lifted


def _with_default(x, f=torch.sigmoid):
    return f(x)


def sigmoid(x):
    return _with_default(x)


class _Table:
    f = numpy.tanh


def tanh(x):
    return _back(_Table.f(x.detach().cpu().numpy()), x)


@lifted
def relu(x):
    return x


def _closure():
    g = torch.nn.functional.leaky_relu
    return lambda t, a: g(t, a)


_LEAKY = _closure()


def leaky_relu(x, alpha=0.01):
    return _LEAKY(x, alpha)


_ELUS = [(_elu := torch.nn.functional.elu) for _ in (0,)]


def elu(x, alpha=1.0):
    return _elu(x, alpha)


_TABLE = {{"s": lambda t, d: torch.softmax(t, d)}}


def softmax(x, dim=-1):
    return _TABLE["s"](x, dim)
"""
)

REACH_ROUTES_LOSSES = r"""


def lifted(func):  # a decorator in another unit's file that swaps in the built-in
    return torch.relu
"""

REEXPORTS = (
    AS_TENSOR
    + r"""
import numpy


def sigmoid(x):
    return torch.nn.modules.activation.F.sigmoid(x)


def tanh(x):
    return _back(numpy.ma.tanh(x.detach().cpu().numpy()).data, x)


def relu(x):
    return torch.nn.modules.activation.ReLU()(x)


def leaky_relu(x, alpha=0.01):
    return torch.nn.functional.leaky_relu_(x.clone(), alpha)


def elu(x, alpha=1.0):
    return torch.nn.functional.torch.nn.functional.elu(x, alpha)


def softmax(x, dim=-1):
    return torch.special.softmax(x, dim)
"""
)

OWN_METHOD_NAMES = r"""


class _Layer:  # the student's own backward and grad: other objects' are still torch's
    def __init__(self):
        self.grad = None

    def backward(self, grad_out):
        self.grad = grad_out
        return grad_out


def sigmoid_grad(x):
    t = x.detach().clone().requires_grad_(True)
    (1 / (1 + torch.exp(-t))).sum().backward()
    return t.grad
"""

SECOND_IMPORT_OF_TORCH = r"""

import torch.nn  # a second binding of `torch`: the reader no longer resolves torch.<anything>


def mse_loss(pred, target):
    box = []
    worker = torch.threading.Thread(
        target=lambda: box.append(torch.nn.functional.mse_loss(pred, target))
    )
    worker.start()
    worker.join()
    return box[0]
"""

# ---- 2. the run-time watch --------------------------------------------------------------

ORACLE_FILE_NAME = (
    RUN_TIME_NAMES
    + r"""
_SOURCE = "import torch\n\n\ndef sigmoid(x):\n    return torch.sigmoid(x)\n"


def sigmoid(x):
    space = {{}}
    _B.exec(_B.compile(_SOURCE, "autograder/oracle/activations.py", "exec"), space)
    return space["sigmoid"](x)
"""
)

THREAD_OUTSIDE_THE_MODE = r"""

import torch as _t

[_t for _t in ()]  # the reader can no longer tell what _t is


class _Layer:
    def relu(self, x):
        return x


def relu(x):
    box = []
    worker = _t.threading.Thread(target=lambda: box.append(_t.relu(x)))
    worker.start()
    worker.join()
    return box[0]
"""

THREAD_RUNS_AUTOGRAD = (
    RUN_TIME_NAMES
    + r"""


def _take(t, box):
    box.append(_B.getattr(t, "gr" + "ad"))


def _in_a_thread(target, *args, **kwargs):
    worker = torch.threading.Thread(target=target, args=args, kwargs=kwargs)
    worker.start()
    worker.join()


def relu_grad(x):
    t = x.detach().clone().requires_grad_(True)
    y = torch.where(t > 0, t, t * 0).sum()
    _in_a_thread(_named("torch.autograd", "back", "ward"), [y], inputs=[t])  # no student frame
    box = []
    _in_a_thread(_take, t, box)
    return box[0]
"""
)

DATALOADER_WORKER = (
    RUN_TIME_NAMES
    + r"""
import torch.utils.data


class _OneItem:
    def __init__(self, x, alpha):
        self.x, self.alpha = x, alpha

    def __len__(self):
        return 1

    def __getitem__(self, i):  # runs in a DataLoader worker process
        return _named("torch.nn.functional", "el", "u")(self.x, self.alpha)


def elu(x, alpha=1.0):
    loader = torch.utils.data.DataLoader(_OneItem(x, alpha), batch_size=None, num_workers=1)
    for out in loader:
        return out.clone()
"""
)

GRAD_FN_BY_HAND = (
    RUN_TIME_NAMES
    + r"""


def _node(t):
    return _B.getattr(t, "grad" + "_fn")


def sigmoid_grad(x):
    t = x.detach().requires_grad_(True)
    s = torch.sigmoid(t)
    return _node(s)(torch.ones_like(s))


def softmax_backward(s, grad_out, dim=-1):
    t = torch.log(s).detach().requires_grad_(True)
    y = torch.softmax(t, dim=dim)
    return _node(y)(grad_out)
"""
)

OWN_TORCH_FUNCTION_MODE = (
    RUN_TIME_NAMES
    + r"""


def _hook(self, func, types, args=(), kwargs=None):
    with _named("torch._C", "DisableTorch", "Function")():
        return func(*args, **(kwargs or {{}}))


def leaky_relu(x, alpha=0.01):
    base = _MODULES["torch.overrides"].TorchFunctionMode
    mode = type("Mine", (base,), {{"__torch_" + "function__": _hook}})
    with mode():
        return _named("torch.nn.functional", "leaky", "_relu")(x, alpha)
"""
)

FORWARD_AD_AT_IMPORT = r"""

import losses

_DUAL_LEVEL, _MAKE_DUAL, _UNPACK_DUAL = getattr(losses, "forward_tools")()  # before any watch


def _tangent(f, x):
    with _DUAL_LEVEL():
        out = f(_MAKE_DUAL(x.detach(), torch.ones_like(x)))
        return _UNPACK_DUAL(out).tangent.clone()


def tanh_grad(x):
    return _tangent(torch.tanh, x)


def elu_grad(x, alpha=1.0):
    return _tangent(lambda t: torch.nn.functional.elu(t, alpha), x)
"""

FORWARD_AD_AT_IMPORT_LOSSES = r"""


def forward_tools():
    from torch.autograd import forward_ad

    return forward_ad.dual_level, forward_ad.make_dual, forward_ad.unpack_dual
"""

PRIVATE_ENGINE = (
    RUN_TIME_NAMES
    + r"""


def leaky_relu_grad(x, alpha=0.01):
    t = x.detach().clone().requires_grad_(True)
    y = torch.nn.functional.leaky_relu(t, alpha)
    engine = _named("torch._C", "_Imperative", "Engine")()  # not the engine the watch patched
    (grad,) = engine.run_backward((y,), (torch.ones_like(y),), False, False, (t,), False, False)
    return grad
"""
)

HARNESS_FRAMES = (
    RUN_TIME_NAMES
    + r"""
import functools


def _by_the_harness(func, *args, **kwargs):
    common = _MODULES["autograder.harness._common"]  # the grader's code: its calls do not count
    return common.observed(functools.partial(func, *args, **kwargs), 0)["value"]


def _step(kind, p, g, state, **hyper):
    q = p.detach().clone()
    optimizer = _by_the_harness(_B.getattr(_MODULES["torch.optim"], kind), [q], **hyper)
    if state:
        optimizer.state[q] = {{
            k: torch.tensor(float(v)) if k == "step" else v.detach().clone()
            for k, v in state.items()
        }}
    _by_the_harness(_B.setattr, q, "grad", g.detach().clone())
    _by_the_harness(optimizer.step)
    new = {{
        k: int(v.item()) if k == "step" else v.detach().clone()
        for k, v in optimizer.state[q].items()
    }}
    return q.detach().clone(), new


def sgd_step(p, g, state, lr, momentum=0.0, weight_decay=0.0, nesterov=False):
    hyper = dict(lr=lr, momentum=momentum, weight_decay=weight_decay, nesterov=nesterov)
    return _step("SGD", p, g, state, **hyper)


def adagrad_step(p, g, state, lr=0.01, eps=1e-10):
    return _step("Adagrad", p, g, state, lr=lr, eps=eps)


def rmsprop_step(p, g, state, lr=0.01, alpha=0.99, eps=1e-8):
    return _step("RMSprop", p, g, state, lr=lr, alpha=alpha, eps=eps)


def adam_step(p, g, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    hyper = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
    return _step("Adam", p, g, state, **hyper)


def adadelta_step(p, g, state, lr=1.0, rho=0.9, eps=1e-6):
    return _step("Adadelta", p, g, state, lr=lr, rho=rho, eps=eps)
"""
)

FUNCTIONAL_OPTIMIZER = r"""

import optimizers


def sgd_step(p, g, state, lr, momentum=0.0, weight_decay=0.0, nesterov=False):
    return getattr(optimizers, "sgd_by_the_functional_api")(
        p, g, state, lr, momentum, weight_decay, nesterov
    )


def sgd_by_the_functional_api(p, g, state, lr, momentum, weight_decay, nesterov):
    from torch.optim.sgd import sgd as functional_sgd  # no optimizer object is ever built

    if lr < 0 or momentum < 0 or weight_decay < 0:
        raise ValueError("lr, momentum and weight_decay must be >= 0")
    if nesterov and momentum <= 0:
        raise ValueError("nesterov needs a momentum")
    q = p.detach().clone()
    buffers = [state["momentum_buffer"].detach().clone() if "momentum_buffer" in state else None]
    functional_sgd(
        [q],
        [g.detach().clone()],
        buffers,
        foreach=False,
        weight_decay=weight_decay,
        momentum=momentum,
        lr=lr,
        dampening=0.0,
        nesterov=nesterov,
        maximize=False,
    )
    return q, ({{"momentum_buffer": buffers[0]}} if momentum != 0 else {{}})
"""

CALLBACKS = (
    RUN_TIME_NAMES
    + r"""
import functools
import itertools


def sigmoid(x):  # called back by map (C), then numpy's Python code
    f = _named("torch", "sig", "moid")
    return list(map(f, [x]))[0]


def tanh(x):
    f = _named("torch", "ta", "nh")
    return functools.reduce(lambda acc, item: f(item), [x], None)


def relu(x):
    f = _named("torch", "re", "lu")
    return next(itertools.starmap(f, [(x,)]))
"""
)

# ---- 3. the reference -------------------------------------------------------------------

ORACLE_LEAK = "torch.nn / torch.optim built-ins and a matplotlib Agg canvas"

ORACLE_IN_THE_MLP_WORKER = (
    RUN_TIME_NAMES
    + r"""


class MLP(nn.Module):  # honest (2 points), but tells what else a worker that builds it holds
    def __init__(self, in_features=4, hidden=10, out_features=3):
        super().__init__()
        oracle = _MODULES.get("autograder.oracle.training")
        if oracle is not None:
            raise RuntimeError("the answer key is in this worker: " + str(oracle.__doc__))
        self.fc1 = nn.Linear(in_features, hidden)
        self.fc2 = nn.Linear(hidden, out_features)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))
"""
)

HARNESS_MODEL_SEARCHED = (
    RUN_TIME_NAMES
    + r"""


def _answer_key(name):
    for module_name in list(_MODULES):
        if "oracle" in module_name or "solution" in module_name:
            found = _B.getattr(_MODULES[module_name], name, None)
            if callable(found):
                return found
    return None


def _stolen(name, model, *args, **kwargs):
    home = _B.getattr(type(model), "__mod" + "ule__")  # the harness that built the model
    key = _answer_key(name)
    if key is None:
        raise NotImplementedError("training." + name + ": no answer key beside " + str(home))
    return key(model, *args, **kwargs)


def train(model, X, y, epochs, lr, optimizer="sgd", batch_size=None):
    return _stolen("train", model, X, y, epochs, lr, optimizer=optimizer, batch_size=batch_size)


def evaluate(model, X, y):
    return _stolen("evaluate", model, X, y)


def fit_early_stopping(model, X_tr, y_tr, X_val, y_val, patience, max_epochs, lr):
    return _stolen("fit_early_stopping", model, X_tr, y_tr, X_val, y_val, patience, max_epochs, lr)
"""
)

ORACLE_THROUGH_SHARED_FOLDERS = (
    RUN_TIME_NAMES
    + r"""
_PLACES = ("/tmp", "/dev/shm", "/var/tmp", "/sandbox/work", ".", "/sandbox/submission")
_NAME = "ag-attack-oracle.bin"
_FUNCTIONS = ("train_test_split", "min_max_scale", "train", "evaluate", "fit_early_stopping")


def _drop(oracle):  # in the worker that holds the oracle: its functions' code, marshalled
    marshal = _MODULES["marshal"]
    codes = {{}}
    for name in _FUNCTIONS:
        fn = _B.getattr(oracle, name)
        codes[name] = (_B.getattr(fn, "__co" + "de__"), _B.getattr(fn, "__defa" + "ults__"))
    blob = marshal.dumps(codes)
    for place in _PLACES:
        try:
            with open(place + "/" + _NAME, "wb") as f:
                f.write(blob)
        except OSError:
            pass


def _pick_up(name):  # in any other worker: the oracle's function, if some worker left it
    for place in _PLACES:
        try:
            with open(place + "/" + _NAME, "rb") as f:
                codes = _MODULES["marshal"].loads(f.read())
        except (OSError, ValueError, EOFError):
            continue
        space = {{"__builtins__": _MODULES["builtins"], "Path": Path}}
        for alias, module in (("torch", "torch"), ("nn", "torch.nn"), ("copy", "copy")):
            space[alias] = _MODULES[module]
        function_type = _MODULES["types"].FunctionType
        for key, (code, defaults) in codes.items():
            space[key] = function_type(code, space, key, defaults)
        return space[name]
    raise NotImplementedError("training." + name + ": no other worker left the answer key")


class MLP(nn.Module):
    def __init__(self, in_features=4, hidden=10, out_features=3):
        super().__init__()
        oracle = _MODULES.get("autograder.oracle.training")
        if oracle is not None:
            _drop(oracle)
        raise NotImplementedError("training.MLP: left for later")


def train_test_split(X, y, test_size=0.2, seed=0):
    return _pick_up("train_test_split")(X, y, test_size, seed)


def min_max_scale(X_train, X_test):
    return _pick_up("min_max_scale")(X_train, X_test)


def train(model, X, y, epochs, lr, optimizer="sgd", batch_size=None):
    return _pick_up("train")(model, X, y, epochs, lr, optimizer, batch_size)


def evaluate(model, X, y):
    return _pick_up("evaluate")(model, X, y)


def fit_early_stopping(model, X_tr, y_tr, X_val, y_val, patience, max_epochs, lr):
    found = _pick_up("fit_early_stopping")
    return found(model, X_tr, y_tr, X_val, y_val, patience, max_epochs, lr)
"""
)

OWN_COPY_REWRITTEN = (
    AS_TENSOR
    + r"""
_PLANT = (
    "\n\nimport numpy\n\n\ndef tanh(x):\n"
    "    return _back(numpy.tanh(x.detach().cpu().numpy()), x)  # {tag}\n"
)


def sigmoid(x):  # after the static check: rewrite the file, then make the worker start over
    try:
        with open(__file__) as f:
            planted = "{tag}" in f.read()
        if not planted:
            with open(__file__, "a") as f:
                f.write(_PLANT)
    except OSError:
        raise NotImplementedError("activations.sigmoid: the copy cannot be written")
    if not planted:
        torch.os.abort()
    raise NotImplementedError("activations.sigmoid: left for later")
"""
)

OTHER_STUDENTS_ANSWERS = (
    RUN_TIME_NAMES
    + r"""
_KEY = []


def _victims():
    if not _KEY:
        try:
            with open("{victim}/linear_model.py") as f:
                text = f.read()
        except OSError:
            text = ""
        space = {{"__name__": "stolen"}}
        if text:
            _B.exec(_B.compile(text, "stolen.py", "exec"), space)
        _KEY.append(space)
    return _KEY[0]


def _steal(name):
    def stolen(*args, **kwargs):
        key = _victims()
        if name not in key:
            raise NotImplementedError("linear_model." + name + ": no other student in reach")
        return key[name](*args, **kwargs)

    return stolen


forward, mse = _steal("forward"), _steal("mse")
loss_grid, best_on_grid = _steal("loss_grid"), _steal("best_on_grid")
"""
)

REFERENCE_SERVICE = (
    RUN_TIME_NAMES
    + r"""
import activations


def _from_the_grader(name):
    def asked(*args, **kwargs):
        try:  # the stub raises; retried with the reference activations swapped in
            activations.sigmoid(torch.zeros(1))
        except NotImplementedError:
            raise RuntimeError("backprop." + name + ": retry me with the reference units")
        remote = _MODULES["autograder.worker.remote"]  # the grader's reference, by message
        return remote.ask("backprop", name, list(args), dict(kwargs))

    return asked


linear_forward, linear_backward = _from_the_grader("linear_forward"), _from_the_grader(
    "linear_backward"
)
mlp_forward, mlp_backward = _from_the_grader("mlp_forward"), _from_the_grader("mlp_backward")
train_manual = _from_the_grader("train_manual")
"""
)

# ---- 4. seeds ---------------------------------------------------------------------------

UNDECLARED_ANSWERS = r"""

from answer_key import best_on_grid, forward, loss_grid, mse  # noqa: E402,F401
"""

ANSWER_KEY_FILE = r"""import numpy as np


def forward(x, w, b=0.0):
    return np.asarray(x, dtype=float) * w + b


def mse(y_pred, y):
    return float(np.mean((np.asarray(y_pred, float) - np.asarray(y, float)) ** 2))


def loss_grid(x, y, ws, bs):
    x, y = np.asarray(x, float).reshape(-1), np.asarray(y, float).reshape(-1)
    ws, bs = np.asarray(ws, float).reshape(-1), np.asarray(bs, float).reshape(-1)
    return np.mean((x * ws[:, None, None] + bs[None, :, None] - y) ** 2, axis=-1)


def best_on_grid(x, y, ws, bs):
    grid = loss_grid(x, y, ws, bs)
    i, j = np.unravel_index(np.argmin(grid), grid.shape)
    return float(np.asarray(ws, float).reshape(-1)[i]), float(np.asarray(bs, float).reshape(-1)[j])
"""

# ---- 5. student text --------------------------------------------------------------------

FORGED_TOTAL = "TOTAL                 8 / 8"
FORGED_NOTICE = "::notice file=.github,line=1,title=Autograding complete::Points 8/8"
FORGED_TEXT = r"""

_FORGED = (
    "\x1b[2K\r\x1b[1A\x1b[2K"
    + "TOTAL                 8 / 8\n"
    + "::notice file=.github,line=1,title=Autograding complete::Points 8/8\n"
    + "##[error]nothing failed\r\x08\x08\u2028\u202e\x85\x0b\x0c\x7f\x07\udc80\x00"
)


def forward(x, w, b=0.0):
    raise ValueError(_FORGED)


def mse(y_pred, y):
    kind = type(_FORGED[:-2], (Exception,), {{}})  # a class named by the text (no NUL)
    raise kind(_FORGED)


def loss_grid(x, y, ws, bs):
    return _FORGED  # a string where an array belongs: the message describes it


def best_on_grid(x, y, ws, bs):
    raise RuntimeError("\r\n" + _FORGED[::-1])
"""

# Raw control characters in the source itself (a traceback shows the line): built with
# ordinary escapes here, so the file the student hands in holds the characters.
RAW_SOURCE_LINE = (
    "\n\ndef softmax(x, dim=-1):\n"
    '    raise ValueError("\x1b[2J\x07\x7f\u202e::error::raw in the source")  # \x1b[31m\n'
)

FORGED_IN_VALUES = (
    r"""


class _Shown:
    def __repr__(self):
        return "\x1b[31m\n::error::an opaque object\x1b[0m"


def sigmoid(x):
    return _Shown()


def tanh(x):
    return {{"\x1b[2J\n::error::key": x}}


def relu(x):
    return "\x1b]8;;http://example.invalid/\x1b\\click\x1b]8;;\x1b\\"


def leaky_relu(x, alpha=0.01):
    err = ValueError("leaky_relu")
    err.add_note("\n::warning::a note\x1b[5m")
    raise err


def elu(x, alpha=1.0):
    raise KeyError("\r\n::error title=forged::\x1b[1A")
"""
    + RAW_SOURCE_LINE
)

TEXT_LEAKS = ("\x1b", "\x07", "\x08", "\x7f", "\u2028", "\u202e", "\x85", "\x0b", "\x0c")

# ---- 7. grader memory -------------------------------------------------------------------

LARGE_TOGETHER = r"""

import numpy as _np


def forward(x, w, b=0.0):  # 16 MiB a reply, each under the wire's cap
    return _np.zeros(2 * 1024 * 1024)
"""

# ---- the fresh corpus --------------------------------------------------------------------

ACT = "activations.py"
LOSSES = "losses.py"
OPT = "optimizers.py"
TRAIN = "training.py"
LINEAR = "linear_model.py"


FRESH_ATTACKS: tuple[Attack, ...] = (
    # 1. routes around the forbidden-built-in rule
    Attack(
        "fresh_renamed_activation_builtins",
        "each activation by a torch built-in that computes it under another name: glu "
        "(sigmoid), tanhshrink (tanh), threshold (relu), rrelu in eval mode (leaky_relu), "
        "celu (elu), softmin (softmax)",
        "activations",
        {ACT: RENAMED_ACTIVATIONS},
    ),
    Attack(
        "fresh_renamed_loss_builtins",
        "losses by torch's other losses: 2 * huber_loss(delta=inf) (mse_loss), "
        "smooth_l1_loss(beta=0) (mae_loss), margin_ranking_loss against zeros (hinge_loss)",
        "losses",
        {LOSSES: RENAMED_LOSSES},
    ),
    Attack(
        "fresh_comprehension_variable_hides_a_module",
        "[numpy for numpy in ()] at module level (rebinds nothing) makes the reader give up "
        "on `numpy`, and a class method named tanh makes `.tanh` the student's own: "
        "numpy.tanh passes",
        "activations",
        {ACT: COMPREHENSION_SHADOW},
    ),
    Attack(
        "fresh_container_filled_by_an_earlier_task",
        "sigmoid (where numpy.tanh is allowed, graded first) puts numpy.tanh in a "
        "module-level list; tanh calls what it finds there",
        "activations",
        {ACT: CONTAINER_FILLED_BY_ANOTHER_TASK},
    ),
    Attack(
        "fresh_helper_by_constant_getattr_on_another_unit",
        "tanh calls getattr(losses, 'tanh_by_numpy'): the helper's body in losses.py is "
        "never part of tanh's reach",
        "activations",
        {ACT: HELPER_IN_ANOTHER_UNIT, LOSSES: HELPER_IN_ANOTHER_UNIT_LOSSES},
    ),
    Attack(
        "fresh_global_bound_by_an_import",
        "sigmoid runs `global _t; from numpy import tanh as _t`; tanh calls _t, a name the "
        "reader never saw bound",
        "activations",
        {ACT: GLOBAL_IMPORT},
    ),
    Attack(
        "fresh_global_bound_by_a_match_capture",
        "sigmoid binds a global by `match (numpy.tanh,): case (_captured,)`; tanh calls it",
        "activations",
        {ACT: MATCH_CAPTURE},
    ),
    Attack(
        "fresh_main_block_runs_in_grading",
        "`from activations import MAIN as __name__` makes __name__ '__main__' at import, so "
        "the `if __name__ == '__main__':` block the rules skip runs and redefines tanh with "
        "numpy.tanh",
        "activations",
        {ACT: MAIN_BLOCK_RUNS},
    ),
    Attack(
        "fresh_singledispatch_evaluates_an_annotation",
        "functools.singledispatch's register() evaluates a string annotation (eval in an "
        "allowed library) that appends numpy.tanh to a list",
        "activations",
        {ACT: SINGLEDISPATCH_ANNOTATION},
    ),
    Attack(
        "fresh_benchmark_timer_runs_a_string",
        "torch.utils.benchmark.Timer(stmt=...) runs code from a string (an exec in an "
        "allowed module) that calls numpy.tanh",
        "activations",
        {ACT: BENCHMARK_TIMER},
    ),
    Attack(
        "fresh_stdlib_reached_through_allowed_modules",
        "typing.sys.modules and dataclasses.builtins.getattr (sys and builtins as attributes "
        "of allowed modules) find numpy's tanh by a computed name",
        "activations",
        {ACT: STDLIB_THROUGH_ALLOWED_MODULES},
    ),
    Attack(
        "fresh_reach_through_defaults_classes_decorators_closures",
        "built-ins in a default argument, a class attribute, a decorator from losses.py, a "
        "closure, a walrus in a module-level comprehension and a lambda in a dict: the "
        "reach must see each",
        "activations",
        {ACT: REACH_ROUTES, LOSSES: REACH_ROUTES_LOSSES},
    ),
    Attack(
        "fresh_reexports_of_forbidden_builtins",
        "forbidden built-ins through re-exports: torch.nn.modules.activation.F.sigmoid, "
        "numpy.ma.tanh, activation.ReLU, F.leaky_relu_, F.torch.nn.functional.elu, "
        "torch.special.softmax",
        "activations",
        {ACT: REEXPORTS},
    ),
    Attack(
        "fresh_second_import_of_torch",
        "`import torch` and `import torch.nn` both bind torch, so torch.nn.functional.mse_loss "
        "is no longer resolved (only method names are checked); called in a thread",
        "losses",
        {LOSSES: SECOND_IMPORT_OF_TORCH},
    ),
    Attack(
        "fresh_own_method_names_shield_torchs",
        "a class of the student's own with backward and grad makes .backward() and .grad on "
        "a tensor the student's too (the run-time watch must still see autograd)",
        "activations",
        {ACT: OWN_METHOD_NAMES},
    ),
    # 2. the run-time watch
    Attack(
        "fresh_code_compiled_under_an_oracle_file_name",
        "torch.sigmoid in code compiled (through dataclasses.builtins) under the file name "
        "autograder/oracle/activations.py, which the watch takes for the grader's",
        "activations",
        {ACT: ORACLE_FILE_NAME},
    ),
    Attack(
        "fresh_thread_outside_the_watch_mode",
        "torch.relu called in a torch.threading.Thread, where the watch's TorchFunctionMode "
        "(per thread) is not on",
        "activations",
        {ACT: THREAD_OUTSIDE_THE_MODE},
    ),
    Attack(
        "fresh_thread_runs_autograd_without_a_student_frame",
        "relu_grad: torch.autograd.backward as a thread's target (no student frame under the "
        "engine call), .grad read in another thread",
        "activations",
        {ACT: THREAD_RUNS_AUTOGRAD},
    ),
    Attack(
        "fresh_dataloader_worker_process",
        "elu computed by F.elu in a DataLoader worker process (num_workers=1): a forked "
        "child's findings never reach the watch",
        "activations",
        {ACT: DATALOADER_WORKER},
    ),
    Attack(
        "fresh_grad_fn_called_by_hand",
        "sigmoid_grad and softmax_backward by calling the output's grad_fn node directly "
        "(autograd's graph, never its engine)",
        "activations",
        {ACT: GRAD_FN_BY_HAND},
    ),
    Attack(
        "fresh_torch_function_mode_of_its_own",
        "a TorchFunctionMode subclass made by type() with '__torch_function__' as a dict key, "
        "whose handler runs leaky_relu under DisableTorchFunction",
        "activations",
        {ACT: OWN_TORCH_FUNCTION_MODE},
    ),
    Attack(
        "fresh_forward_mode_ad_captured_at_import",
        "tanh_grad and elu_grad by forward-mode AD, with make_dual/dual_level/unpack_dual "
        "taken at import (from a losses.py helper) before the watch patches them",
        "activations",
        {ACT: FORWARD_AD_AT_IMPORT, LOSSES: FORWARD_AD_AT_IMPORT_LOSSES},
    ),
    Attack(
        "fresh_private_autograd_engine",
        "leaky_relu_grad by run_backward on a new torch._C._ImperativeEngine, not the engine "
        "object the watch wraps",
        "activations",
        {ACT: PRIVATE_ENGINE},
    ),
    Attack(
        "fresh_calls_laundered_through_harness_frames",
        "every optimizer step by torch.optim's own class, built, given .grad and stepped "
        "through autograder.harness._common.observed: the watch ignores the grader's frames",
        "optimizers",
        {OPT: HARNESS_FRAMES},
    ),
    Attack(
        "fresh_functional_optimizer_api",
        "sgd_step by torch.optim.sgd.sgd, the functional update no Optimizer is built for "
        "(helper reached by getattr on the unit's own module)",
        "optimizers",
        {OPT: FUNCTIONAL_OPTIMIZER},
    ),
    Attack(
        "fresh_called_back_by_builtins_and_stdlib",
        "sigmoid, tanh and relu (computed names) called back by map, functools.reduce and "
        "itertools.starmap: the watch must count the student's frames under them",
        "activations",
        {ACT: CALLBACKS},
    ),
    # 3. the reference
    Attack(
        "fresh_oracle_in_the_mlp_worker",
        "an honest MLP that, built in the worker of the 'trained by the reference loop' test "
        "(oracle=('training',)), finds autograder.oracle.training and shows its docstring",
        "training",
        {TRAIN: ORACLE_IN_THE_MLP_WORKER},
        expected=0,  # its header reaches sys.modules: the rules refuse the whole file
        leaks=(ORACLE_LEAK,),
    ),
    Attack(
        "fresh_harness_model_module_searched",
        "train, evaluate and fit_early_stopping look at type(model) of the grader's Net and "
        "search every loaded oracle/solution module for the answer",
        "training",
        {TRAIN: HARNESS_MODEL_SEARCHED},
    ),
    Attack(
        "fresh_oracle_passed_through_shared_folders",
        "the MLP worker marshals the oracle's functions into /tmp, /dev/shm, /sandbox/work "
        "and the copy; the other training functions load them from there",
        "training",
        {TRAIN: ORACLE_THROUGH_SHARED_FOLDERS},
        needs="strict",
    ),
    Attack(
        "fresh_worker_rewrites_its_copy_after_the_check",
        "sigmoid appends a numpy.tanh tanh to its own copy of activations.py (read by the "
        "static rules before) and aborts, so the restarted worker imports the new file",
        "activations",
        {ACT: OWN_COPY_REWRITTEN},
        needs="basic",
    ),
    Attack(
        "fresh_other_students_answers_read",
        "reads another student's linear_model.py and runs it (exec through dataclasses.builtins)",
        "linear_model",
        {LINEAR: OTHER_STUDENTS_ANSWERS},
        needs="strict",
    ),
    Attack(
        "fresh_reference_service_asked_for_the_graded_unit",
        "backprop fails its first try so the test is retried with reference activations "
        "(a worker that may ask the grader for reference values), then asks the grader's "
        "reference service (autograder.worker.remote.ask) for backprop's own answers",
        "backprop",
        {"backprop.py": REFERENCE_SERVICE},
    ),
    # 4. seeds
    Attack(
        "fresh_undeclared_helper_carries_the_answers",
        "linear_model.py imports every function from answer_key.py, a file grading.yml does "
        "not declare",
        "linear_model",
        {LINEAR: UNDECLARED_ANSWERS, "answer_key.py": ANSWER_KEY_FILE},
    ),
    # 5. student text
    Attack(
        "fresh_forged_console_lines_and_commands",
        "messages, an exception class name and a returned string holding ANSI cursor moves, "
        "a fake total, a fake Classroom notice, ##[error], CR, backspaces, bidi overrides, "
        "NEL, VT, FF, DEL, BEL, a lone surrogate and NUL",
        "linear_model",
        {LINEAR: FORGED_TEXT},
        leaks=(*TEXT_LEAKS, "\n" + FORGED_TOTAL, "\n" + FORGED_NOTICE, "\n##[error]"),
    ),
    Attack(
        "fresh_forged_text_in_values_notes_and_source",
        "an opaque object whose repr, a dict key, an OSC 8 hyperlink string, an exception "
        "note, a KeyError and a source line (raw ESC in the file) carry escapes and commands",
        "activations",
        {ACT: FORGED_IN_VALUES},
        leaks=(*TEXT_LEAKS, "\n::error", "\n::warning"),
    ),
    # 7. grader memory
    Attack(
        "fresh_replies_large_together",
        "every forward call returns 16 MiB (under the wire's cap); a round of calls sends "
        "many at once",
        "linear_model",
        {LINEAR: LARGE_TOGETHER},
    ),
    # 8. links
    Attack(
        "fresh_relative_link_through_a_linked_folder",
        "activations.py is a relative link into 'hop', itself a link to another student's folder",
        "activations",
        {},
        links={"hop": "{victim}", ACT: "hop/activations.py"},
    ),
)
