"""Graded: the course's rule that a task may not call the built-in it asks you to write."""

from __future__ import annotations

import pytest

from autograder.checks.forbidden import forbidden_uses

AUTOGRAD = ("backward", "grad", "autograd", "vjp", "jacobian")
OPTIM = ("optim", "SGD", "Adam", "Adagrad", "RMSprop", "Adadelta")
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "activations.sigmoid": ("sigmoid", "expit", "logistic"),
    "activations.tanh": ("tanh",),
    "activations.relu": ("relu", "relu_", "ReLU"),
    "activations.leaky_relu": ("leaky_relu", "LeakyReLU"),
    "activations.elu": ("elu", "ELU"),
    "activations.softmax": ("softmax", "log_softmax", "Softmax"),
    "activations.sigmoid_grad": AUTOGRAD,
    "activations.tanh_grad": AUTOGRAD,
    "activations.relu_grad": AUTOGRAD,
    "activations.leaky_relu_grad": AUTOGRAD,
    "activations.elu_grad": AUTOGRAD,
    "activations.softmax_backward": AUTOGRAD,
    "losses.mse_loss": ("mse_loss", "MSELoss"),
    "losses.mae_loss": ("l1_loss", "L1Loss"),
    "losses.smooth_l1_loss": ("smooth_l1_loss", "huber_loss", "SmoothL1Loss"),
    "losses.bce_loss": ("binary_cross_entropy", "binary_cross_entropy_with_logits", "BCELoss"),
    "losses.cross_entropy_loss": (
        "cross_entropy",
        "nll_loss",
        "log_softmax",
        "softmax",
        "CrossEntropyLoss",
    ),
    "losses.hinge_loss": ("hinge_embedding_loss", "soft_margin_loss"),
    "losses.multiclass_hinge_loss": ("multi_margin_loss", "MultiMarginLoss"),
    **{
        f"losses.{n}_grad": AUTOGRAD
        for n in (
            "mse_loss",
            "mae_loss",
            "smooth_l1_loss",
            "bce_loss",
            "cross_entropy_loss",
            "hinge_loss",
            "multiclass_hinge_loss",
        )
    },
    "gradient_descent.mse_grad": AUTOGRAD,
    **{f"backprop.{n}": AUTOGRAD for n in ("linear_backward", "mlp_backward", "train_manual")},
    **{
        f"optimizers.{n}": (*OPTIM, *AUTOGRAD)
        for n in ("sgd_step", "adagrad_step", "rmsprop_step", "adam_step", "adadelta_step")
    },
}


@pytest.mark.parametrize(
    "task", [pytest.param(t, marks=pytest.mark.task(t), id=t) for t in FORBIDDEN]
)
def test_does_not_call_the_builtin_it_replaces(student, check, task):
    unit, function = task.split(".", 1)
    source = student.source(unit)
    if source is None:
        check.fail(f"{unit}.py is missing from the submission", call=task)
    try:
        uses = forbidden_uses(source, function, FORBIDDEN[task])
    except SyntaxError as exc:
        check.fail(f"{unit}.py does not parse (line {exc.lineno}: {exc.msg})", call=task)
    if uses:
        where = ", ".join(f"line {u.line}: {u.text}" for u in uses[:3])
        check.fail(
            f"uses {where}; the task is to write this yourself "
            f"(not allowed here: {', '.join(FORBIDDEN[task])})",
            call=task,
        )
