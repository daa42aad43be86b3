"""Benchmark: what each isolation level costs, per worker start, per call, per grading.

    python bench/bench_isolation.py [--repeat N] [--grade]

For each level available here (strict, basic, none): the median time to start a
worker and get its first answer (fork from the zygote, enter the sandbox, import a
one-line unit), and the median round trip of a call to a warm worker. The figures
before any sandbox existed (issue 8) were 8.5 ms per start and 147 µs per call.
With --grade, also the wall time of `autograder grade solutions` at each level and
the ratio to the weakest level measured (target: strict at most 15% slower than basic,
and at most 50 ms more per submission).
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
BEFORE = {"start_ms": 8.5, "call_us": 147.0}


def worker_costs(levels: list[str], repeat: int) -> dict[str, tuple[float, float]]:
    """level → (median start in ms, median call in µs), the levels measured in turn so
    that a busy moment on the machine falls on all of them alike."""
    from autograder.worker.client import Budget, Worker

    budget = Budget(60.0, 120.0)
    request = {"op": "call", "unit": "unit", "func": "f", "args": [1], "kwargs": {}}
    starts: dict[str, list[float]] = {level: [] for level in levels}
    calls: dict[str, list[float]] = {level: [] for level in levels}
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp).chmod(0o755)
        Path(tmp, "unit.py").write_text("def f(x):\n    return x\n")
        workers = {level: Worker(Path(tmp), 1024, level) for level in levels}
        for worker in workers.values():
            worker.call(request, budget)
        for _ in range(repeat):
            for level, worker in workers.items():
                worker.stop()
                start = time.perf_counter()
                worker.call(request, budget)
                starts[level].append(time.perf_counter() - start)
                for _ in range(20):
                    start = time.perf_counter()
                    worker.call(request, budget)
                    calls[level].append(time.perf_counter() - start)
        for worker in workers.values():
            worker.stop()
    return {
        level: (statistics.median(starts[level]) * 1e3, statistics.median(calls[level]) * 1e6)
        for level in levels
    }


COUNT_STARTS = """
import sys
from autograder import cli
from autograder.worker import client
started = client.Worker._start
count = [0]
def counted(self):
    count[0] += 1
    return started(self)
client.Worker._start = counted
sys.argv = ["autograder", "grade", "solutions", "--isolation=none"]
try:
    cli.main()
finally:
    print("STARTS", count[0])
"""


def starts_per_grading() -> int:
    """How many workers `autograder grade solutions` starts (one per unit, and more
    after failures)."""
    proc = subprocess.run(
        [sys.executable, "-c", COUNT_STARTS], cwd=ROOT, capture_output=True, text=True
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("STARTS ")]
    if not lines:
        sys.exit(f"counting worker starts failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    return int(lines[-1].split()[1])


def grading_wall(level: str, repeat: int) -> float:
    cmd = [sys.executable, "-m", "autograder.cli", "grade", "solutions", f"--isolation={level}"]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        if proc.returncode != 0 or "TOTAL                          100 / 100" not in proc.stdout:
            sys.exit(f"grading at {level} failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--grade", action="store_true", help="also time whole gradings")
    args = parser.parse_args()
    from autograder.worker import zygote

    why_not = zygote.shared().levels()
    levels = [level for level, why in why_not.items() if not why]
    for level, why in why_not.items():
        if why:
            print(f"{level:<7} unavailable here: {why}")
    print(f"before sandboxing: start {BEFORE['start_ms']} ms, call {BEFORE['call_us']} µs")
    costs = worker_costs(levels, args.repeat)
    for level, (start_ms, call_us) in costs.items():
        print(
            f"{level:<7} start {start_ms:6.1f} ms ({start_ms / BEFORE['start_ms']:.2f}x before)"
            f"   call {call_us:6.0f} µs ({call_us / BEFORE['call_us']:.2f}x before)"
        )
    weakest = levels[-1]
    starts = starts_per_grading()
    for level in levels[:-1]:
        extra_ms = (costs[level][0] - costs[weakest][0]) * starts
        print(
            f"{level} adds {extra_ms:.0f} ms per submission over {weakest} "
            f"({starts} worker starts grading solutions; target at most 50 ms)"
        )
    if args.grade:
        walls = {level: grading_wall(level, max(1, args.repeat // 10)) for level in levels}
        for level, seconds in walls.items():
            print(
                f"grade solutions at {level:<7} {seconds:6.2f} s "
                f"({seconds / walls[weakest]:.3f}x {weakest})"
            )


if __name__ == "__main__":
    main()
