"""Graded: unit 7, part 4: the loss-curve plot.

The worker records what every saved figure showed (axis labels, each line's label and x
and y data, legends) and sends back the file's bytes; the grader judges the PNG and the
figure against the history it passed in.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pytest

from autograder.batching import cases
from autograder.seeds import mixed


def _task(name: str) -> pytest.MarkDecorator:
    return pytest.mark.task(f"training.{name}")


def _curve(n: int, seed: int) -> list[float]:
    """A falling loss curve of n epochs, different under every grading seed."""
    rng = np.random.default_rng(mixed(seed))
    rate, floor = rng.uniform(0.8, 0.95), rng.uniform(0.02, 0.1)
    return [float(1.2 * rate**k + floor + rng.uniform(0.0, 0.01)) for k in range(n)]


def _history(kind: str) -> dict[str, Any]:
    if kind == "train":
        return {"train_loss": _curve(12, 2)}
    curve = _curve(30, 1)
    return {
        "train_loss": curve,
        "val_loss": [v + 0.1 + 0.002 * k for k, v in enumerate(curve)],
        "best_epoch": 24,
        "stopped_epoch": 29,
    }


HISTORIES = [("train+val", "history.png", False), ("train", "curve.png", True)]
# history key → a word its legend label must hold
CURVES = {"train_loss": "train", "val_loss": "val"}


def _check_png(check: Any, png: Any, name: str, call: str) -> None:
    check.that(png is not None, f"no file was written at {name!r}", call=call)
    data = bytes(png.tobytes())
    check.that(
        data[:8] == b"\x89PNG\r\n\x1a\n",
        f"the file is not a PNG (it starts with {data[:8]!r}); save with format='png'",
        call=call,
    )
    width, height = (int.from_bytes(data[k : k + 4], "big") for k in (16, 20))
    check.that(
        data[12:16] == b"IHDR" and width > 100 and height > 100,
        f"expected an image over 100×100 pixels, received {width}×{height}",
        call=call,
    )
    check.that(_has_contrast(data), "the PNG cannot be decoded or is blank", call=call)


def _check_line(
    check: Any,
    lines: list[dict[str, Any]],
    key: str,
    values: list[float],
    call: str,
) -> None:
    """A line shows history[key] against the epochs 0 … n−1, named in a legend."""
    shows = [ln for ln in lines if len(ln["y"]) == len(values) and np.allclose(ln["y"], values)]
    check.that(bool(shows), f"no line shows history[{key!r}] (its y data)", call=call)
    epochs = list(range(len(values)))
    line = next((ln for ln in shows if ln["x"] == epochs), shows[0])
    check.that(
        line["x"] == epochs,
        f"the line of history[{key!r}] has x = {line['x'][:3]} …, expected the epochs "
        f"{epochs[:3]} … {epochs[-1]} (plot it against range(len(values)))",
        call=call,
    )
    label = line["legend"]
    check.that(
        label is not None,
        f"no legend names the line of history[{key!r}]: plot it with a label "
        "(e.g. label='train loss') and call ax.legend()",
        call=call,
    )
    check.that(
        CURVES[key] in label.lower(),
        f"the legend calls history[{key!r}] {label!r}: its label must say "
        f"{CURVES[key]!r} (e.g. {'train loss' if key == 'train_loss' else 'validation loss'!r})",
        call=call,
    )


@_task("plot_history")
@cases(*[{"kind": kind, "name": name, "as_path": as_path} for kind, name, as_path in HISTORIES])
def test_plot_history_writes_a_labelled_png(student, check, kind, name, as_path):
    history = _history(kind)
    target = f"Path({name!r})" if as_path else repr(name)
    call = f"plot_history(history with {sorted(history)}, {target})"
    run = yield student.harness(
        "training.run_plot", history, name, as_path=as_path, task="training.plot_history"
    )
    _check_png(check, run["png"], name, call)
    check.that(
        bool(run["saved"]), "no matplotlib figure was saved (use fig.savefig(path))", call=call
    )
    axes = run["saved"][-1]["axes"]
    for axis, example in (("x", "epoch"), ("y", "loss")):
        check.that(
            any(a[f"{axis}label"].strip() for a in axes),
            f"the {axis} axis has no label (e.g. ax.set_{axis}label({example!r}))",
            call=call,
        )
    lines = [ln for a in axes for ln in a["lines"]]
    for key in CURVES:
        if key in history:
            _check_line(check, lines, key, history[key], call)
    check.that(
        run["left_open"] == 0,
        f"{run['left_open']} pyplot figure(s) left open: close it with plt.close(fig)",
        call=call,
    )


def _has_contrast(data: bytes) -> bool:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            return len(set(image.convert("L").getextrema())) > 1
    except Exception:  # noqa: BLE001 - any decoding error means a broken file
        return False
