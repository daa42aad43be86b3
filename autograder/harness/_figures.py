"""Worker-side record of the matplotlib figures a student function saves (not a harness).

Everything recorded is plain data: axis labels, every line's label and x and y data and
the legend text that names it (matched by label, or by colour, line style and marker for
`ax.legend(["train", "val"])`), and how many pyplot figures stayed open.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from typing import Any

import numpy as np


def _numbers(values: Any) -> list[float] | None:
    try:
        return [float(v) for v in np.asarray(values, float).ravel()]
    except (TypeError, ValueError):
        return None


def _style(artist: Any) -> tuple[Any, ...] | None:
    """Colour, line style and marker: how a legend entry is matched to its line."""
    from matplotlib.colors import to_rgba

    try:
        return (to_rgba(artist.get_color()), artist.get_linestyle(), artist.get_marker())
    except (AttributeError, TypeError, ValueError):
        return None


def _entries(figure: Any) -> list[tuple[str, tuple[Any, ...] | None]]:
    """(text, style of its handle) of every entry of every legend, the axes' and the figure's."""
    legends = [ax.get_legend() for ax in figure.get_axes()] + list(figure.legends)
    return [
        (str(text.get_text()), _style(handle))
        for legend in legends
        if legend is not None
        for handle, text in zip(legend.legend_handles, legend.get_texts(), strict=False)
    ]


def _named(line: Any, entries: list[tuple[str, tuple[Any, ...] | None]]) -> str | None:
    """The legend text that names `line`: an entry with its label, else one drawn like it."""
    label, style = str(line.get_label()), _style(line)
    for text, drawn in entries:
        if text == label or (drawn is not None and drawn == style):
            return text
    return None


def figure_info(figure: Any) -> dict[str, Any]:
    """What a figure shows: per axes its labels and lines (data, label, the legend text
    naming the line or None)."""
    entries = _entries(figure)
    axes = []
    for ax in figure.get_axes():
        lines = []
        for line in ax.get_lines():
            x, y = _numbers(line.get_xdata()), _numbers(line.get_ydata())
            if x is not None and y is not None:
                lines.append(
                    {
                        "label": str(line.get_label()),
                        "x": x,
                        "y": y,
                        "legend": _named(line, entries),
                    }
                )
        axes.append(
            {"xlabel": str(ax.get_xlabel()), "ylabel": str(ax.get_ylabel()), "lines": lines}
        )
    return {"axes": axes}


@contextlib.contextmanager
def recording_figures() -> Iterator[dict[str, Any]]:
    """Record every figure saved inside the block ("saved") and count the pyplot figures
    it left open ("left_open"); closes all pyplot figures afterwards."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.backend_bases import FigureCanvasBase
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    record: dict[str, Any] = {"saved": [], "left_open": 0}
    inside: list[bool] = []  # within a print_figure, whose own print_png is not counted

    def recorder(original: Any, outer: bool) -> Any:
        @functools.wraps(original)  # matplotlib passes on only what its signature takes
        def recording(self: Any, *args: Any, **kwargs: Any) -> Any:
            if outer or not inside:
                record["saved"].append(figure_info(self.figure))
            inside.append(True)
            try:
                return original(self, *args, **kwargs)
            finally:
                inside.pop()

        return recording

    # savefig goes through print_figure; a canvas's own print_png (also a valid way to
    # write the PNG the contract asks for) does not
    patched = [(FigureCanvasBase, "print_figure", True), (FigureCanvasAgg, "print_png", False)]
    originals = [getattr(owner, name) for owner, name, _ in patched]
    before = set(plt.get_fignums())
    for (owner, name, outer), original in zip(patched, originals, strict=True):
        setattr(owner, name, recorder(original, outer))
    try:
        yield record
    finally:
        for (owner, name, _), original in zip(patched, originals, strict=True):
            setattr(owner, name, original)
        record["left_open"] = len(set(plt.get_fignums()) - before)
        plt.close("all")
