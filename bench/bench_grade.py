"""Benchmark: wall time of grading on this machine, split into start-up and checking.

    python bench/bench_grade.py [--repeat N] [--units linear_model,activations,...]

Prints, for `autograder grade solutions` and for a student `pytest` run (stubs and
solutions): total wall time, pytest's own session time (collection + checks) and the
start-up before it (interpreter, torch import, plugin). Then the cost of one isolated
worker: a fork from the zygote vs a fresh interpreter that imports torch (the peer:
a grader that isolates by spawning a new Python per submission).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def wall(cmd: list[str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout[-2000:]}")
    return seconds


def report(label: str, cmd: list[str], repeat: int) -> None:
    """Start-up = the same command with --collect-only (interpreter, plugin, torch and
    hypothesis imports, collection); checking = the rest."""
    total = statistics.median(wall(cmd) for _ in range(repeat))
    only = "--pytest-arg=--collect-only" if "autograder.cli" in cmd else "--collect-only"
    startup = statistics.median(wall([*cmd, only]) for _ in range(repeat))
    print(
        f"{label:<46} wall {total:6.2f} s   start-up {startup:5.2f} s   "
        f"checking {total - startup:5.2f} s"
    )


def worker_costs(repeat: int) -> None:
    from autograder.worker.client import Worker

    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "unit.py").write_text("def f(x):\n    return x\n")
        worker = Worker(Path(tmp), 1024)
        request = {"op": "call", "unit": "unit", "func": "f", "args": [1]}
        worker.call(request, 60)  # the zygote imports torch once
        forks = []
        for _ in range(repeat * 5):
            worker.stop()
            start = time.perf_counter()
            worker.call(request, 60)
            forks.append(time.perf_counter() - start)
        calls = []
        for _ in range(200):
            start = time.perf_counter()
            worker.call(request, 60)
            calls.append(time.perf_counter() - start)
        worker.stop()
    spawns = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import torch"], check=True)
        spawns.append(time.perf_counter() - start)
    fork, spawn = statistics.median(forks), statistics.median(spawns)
    print(f"{'fresh worker: fork from the zygote':<44} {fork * 1000:8.1f} ms")
    print(
        f"{'peer: new interpreter + import torch':<44} {spawn * 1000:8.1f} ms   "
        f"ratio peer/zygote {spawn / fork:6.1f}x"
    )
    print(f"{'one call round trip (median of 200)':<44} {statistics.median(calls) * 1e6:8.0f} us")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--units", default="", help="comma-separated units (default: all)")
    args = parser.parse_args()
    units = [u for u in args.units.split(",") if u]
    unit_args = [a for u in units for a in ("--unit", u)]
    marker = ["-m", " or ".join(units)] if units else []
    print(f"python {sys.version.split()[0]}, {sys.platform}, units: {units or 'all'}")
    print("(start-up = the same command with --collect-only: interpreter, torch, collection)")
    report(
        "autograder grade solutions",
        [sys.executable, "-m", "autograder.cli", "grade", "solutions", *unit_args],
        args.repeat,
    )
    report(
        "student pytest on solutions (grading profile)",
        [
            sys.executable,
            "-m",
            "pytest",
            "--submission=solutions",
            "-q",
            "--grading-profile=grading",
            *marker,
        ],
        args.repeat,
    )
    report(
        "student pytest on the stubs (student profile)",
        [sys.executable, "-m", "pytest", "-q", "--grading-profile=student", *marker],
        args.repeat,
    )
    worker_costs(args.repeat)


if __name__ == "__main__":
    main()
