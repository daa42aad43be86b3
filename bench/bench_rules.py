"""Benchmark: what issue 20's checks cost a grading, and the grader's memory at worst.

    python bench/bench_rules.py [--repeat N] [--memory]

Prints, for solutions/ and for the stubs:
- the static rules over every declared file (language rules and forbidden built-ins for
  all 51 tasks), parsed afresh each time: milliseconds per submission;
- the wall time of `autograder grade DIR` at isolation strict and none, and the ratio
  (issue 20: strict within 15% of none), and the rules' share of a grading.
With --memory, the grader's peak resident memory grading a submission whose every call
returns as much as the replies a test may hold allow (wire.MAX_REQUEST_BYTES together),
against its peak on the stubs: the bound the reply cap puts on the grader.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIG_FORWARD = """

def forward(x, w, b=0.0):
    import numpy as np

    return np.ones(3 * 2**20)  # 24 MiB a call: past the cap in three
"""


def rules_ms(folder: Path, repeat: int) -> float:
    """Median milliseconds to judge every task of `folder` (nothing cached between runs)."""
    from autograder.checks.source_rules import SourceRules
    from autograder.config import load_config

    config = load_config(ROOT / "grading.yml")
    files = {n: (folder / n).read_text() for n in config.files if (folder / n).is_file()}
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        rules = SourceRules(files, {n: config.allowed_imports(n) for n in files})
        for spec in config.tasks:
            rules.refused(spec.unit, spec.function)
            rules.forbidden(spec.unit, spec.function, spec.forbidden)
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def grade_s(folder: Path, level: str, *extra: str) -> float:
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, "-m", "autograder.cli", "grade", str(folder)]
        command += ["--isolation", level, "--json", str(Path(tmp) / "r.json"), *extra]
        subprocess.run(command, cwd=ROOT, capture_output=True, check=True)
    return time.perf_counter() - start


def peak_mb(folder: Path) -> float:
    """The grading process's peak resident memory (it is this process's only child)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    grade_s(folder, "strict", "--unit", "linear_model")
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(before, after) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--memory", action="store_true")
    args = parser.parse_args()
    import torch  # noqa: F401 - the grader has torch loaded when it judges

    for name in ("solutions", "assignments"):
        folder = ROOT / name
        ms = rules_ms(folder, args.repeat)
        strict = statistics.median(grade_s(folder, "strict") for _ in range(args.repeat))
        none = statistics.median(grade_s(folder, "none") for _ in range(args.repeat))
        print(
            f"{name}: rules {ms:.0f} ms per submission; grade strict {strict:.2f} s, "
            f"none {none:.2f} s (strict/none {strict / none:.2f}x; target <= 1.15x); "
            f"rules {100 * ms / 1000 / strict:.1f}% of a grading"
        )
    if args.memory:
        with tempfile.TemporaryDirectory() as tmp:
            big = Path(tmp) / "big"
            big.mkdir()
            for path in (ROOT / "assignments").glob("*.py"):
                (big / path.name).write_text(path.read_text())
            with (big / "linear_model.py").open("a") as f:
                f.write(BIG_FORWARD)
            stubs = peak_mb(ROOT / "assignments")
            heavy = peak_mb(big)
        print(json.dumps({"peak_mb_stubs": round(stubs), "peak_mb_big_replies": round(heavy)}))
        print(f"grader peak: stubs {stubs:.0f} MB, every reply as large as allowed {heavy:.0f} MB")


if __name__ == "__main__":
    main()
