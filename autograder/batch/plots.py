"""The class at a glance (matplotlib, PNG): the grade distribution, the pass rate per
task (which tasks the class struggled with) and the score per unit."""

from __future__ import annotations

from pathlib import Path

from matplotlib.ticker import MaxNLocator

from autograder.batch.gradebook import Row, task_ids

NAMES = ("grades.png", "tasks.png", "units.png")


def _figure(width: float, height: float):  # noqa: ANN202 - matplotlib's Figure
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=110, layout="constrained")


def grade_distribution(table: list[Row], path: Path) -> None:
    totals = [r.total for r in table if r.total is not None]
    top = max([r.max_total or 0.0 for r in table] + [100.0])
    fig = _figure(7, 4)
    ax = fig.add_subplot()
    ax.hist(totals, bins=20, range=(0, top), color="#4c72b0", edgecolor="white")
    ax.set_xlabel(f"total points (of {top:g})")
    ax.set_ylabel("students")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(f"Grade distribution ({len(totals)} graded)")
    fig.savefig(path)


def pass_rate_per_task(table: list[Row], path: Path, max_points: dict[str, float]) -> None:
    """Share of graded students with full points on each task, hardest at the top."""
    graded = [r for r in table if r.total is not None]
    ids = [t for t in max_points if t in set(task_ids(graded))]
    rates = {
        t: sum(r.tasks.get(t, 0.0) >= max_points[t] for r in graded) / max(1, len(graded))
        for t in ids
    }
    order = sorted(rates, key=lambda t: (rates[t], t), reverse=True)
    fig = _figure(8, max(3.0, 0.22 * len(order) + 1.2))
    ax = fig.add_subplot()
    bars = ax.barh(range(len(order)), [100 * rates[t] for t in order], color="#55a868")
    ax.bar_label(bars, fmt="%.0f%%", fontsize=7, padding=2)
    ax.set_yticks(range(len(order)), order, fontsize=8)
    ax.set_xlim(0, 100)
    ax.set_xlabel("students with full points (%)")
    ax.set_title("Pass rate per task")
    fig.savefig(path)


def score_per_unit(table: list[Row], path: Path, max_points: dict[str, float]) -> None:
    """Each unit's points as a share of the unit's total, one box per unit."""
    units = list(dict.fromkeys(t.split(".", 1)[0] for t in max_points))
    graded = [r for r in table if r.total is not None]
    shares = []
    for unit in units:
        most = sum(p for t, p in max_points.items() if t.startswith(unit + "."))
        got = [sum(v for t, v in r.tasks.items() if t.startswith(unit + ".")) for r in graded]
        shares.append([100 * g / most for g in got] if most else [])
    fig = _figure(8, 4)
    ax = fig.add_subplot()
    if any(shares):
        ax.boxplot(shares, tick_labels=units)
    ax.set_ylim(-5, 105)
    ax.set_ylabel("points of the unit (%)")
    ax.set_xlabel("unit")
    ax.set_title("Score per unit")
    ax.tick_params(axis="x", labelrotation=20)
    fig.savefig(path)


def write_all(table: list[Row], folder: Path, max_points: dict[str, float]) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    grade_distribution(table, folder / NAMES[0])
    pass_rate_per_task(table, folder / NAMES[1], max_points)
    score_per_unit(table, folder / NAMES[2], max_points)
    return list(NAMES)
