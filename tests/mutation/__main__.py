"""`python -m tests.mutation`: mutate solutions/, grade each mutant with its unit, report.

Exit status: 0 when every unit run kills at least 95% of its non-equivalent mutants and
equivalent.yml has no stale entry; 1 otherwise; 2 when the unmutated solutions/ do not get
full marks (the grader itself is broken, so no kill means anything).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

from autograder.plugin import UNITS
from tests.mutation import report
from tests.mutation.mutator import Mutant, mutants
from tests.mutation.runner import SOLUTIONS, Campaign, Job, Outcome


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m tests.mutation", description=__doc__)
    top.add_argument("--unit", action="append", choices=UNITS, help="repeatable; default: all")
    top.add_argument("--jobs", type=int, default=1, help="mutants graded at once (default 1)")
    top.add_argument("--list", action="store_true", help="list the mutants, grade nothing")
    top.add_argument("--json", metavar="PATH", help="write every outcome and the table as JSON")
    top.add_argument(
        "--only", action="append", metavar="TEXT", help="only mutants whose id contains TEXT"
    )
    top.add_argument("--timeout", type=float, default=600.0, help="seconds per mutant")
    top.add_argument("--fresh", action="store_true", help="a new interpreter per mutant")
    top.add_argument(
        "--forked",
        action="store_true",
        help="a forked `autograder grade` per mutant (no warm graders)",
    )
    top.add_argument("--equivalents", type=Path, default=report.EQUIVALENTS)
    return top


def collect(units: list[str], only: list[str] | None) -> list[Mutant]:
    found = [m for u in units for m in mutants(u, (SOLUTIONS / f"{u}.py").read_text())]
    return [m for m in found if not only or any(text in m.id for text in only)]


def _progress(total: int) -> Callable[[Outcome], None]:
    done = [0]

    def show(outcome: Outcome) -> None:
        done[0] += 1
        word = "killed  " if outcome.killed else "SURVIVED"
        print(f"[{done[0]:>4}/{total}] {word} {outcome.seconds:5.1f}s {outcome.id}", flush=True)

    return show


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    units = args.unit or list(UNITS)
    found = collect(units, args.only)
    if args.list:
        for m in found:
            print(f"{m.id}\n    {m.diff}")
        print(f"{len(found)} mutants")
        return 0
    equivalents = report.load_equivalents(args.equivalents)
    start = time.monotonic()
    with Campaign(args.fresh, args.timeout, warm=not args.forked) as campaign:
        baseline = campaign.grade([Job(f"{u} (unmutated)", u, None) for u in units], args.jobs)
        for o in baseline:
            if o.killed:
                print(f"solutions/ do not get full marks in {o.unit}: {o.how}", file=sys.stderr)
        if any(o.killed for o in baseline):
            return 2
        jobs = [Job.of(m) for m in found]
        outcomes = campaign.grade(jobs, args.jobs, _progress(len(found)))
    wall = time.monotonic() - start
    table = report.rows(units, outcomes, equivalents)
    problems = [] if args.only else report.stale(units, found, outcomes, equivalents)
    print()
    print(report.render(table, found, outcomes, equivalents, problems))
    print(f"\n{len(outcomes)} mutants graded in {wall:.0f} s with --jobs {args.jobs}")
    if args.json:
        _write_json(Path(args.json), table, found, outcomes, problems, wall)
    return 0 if report.passed(table, problems) else 1


def _write_json(
    path: Path,
    table: list[report.UnitRow],
    found: list[Mutant],
    outcomes: list[Outcome],
    problems: list[str],
    wall: float,
) -> None:
    diffs = {m.id: m.diff for m in found}
    data = {
        "wall_s": round(wall, 1),
        "units": {
            r.unit: {
                "mutants": r.mutants,
                "killed": r.killed,
                "equivalent": r.equivalent,
                "survived": r.survived,
                "kill_rate": round(r.kill_rate, 4),
            }
            for r in table
        },
        "mutants": [
            {
                "id": o.id,
                "killed": o.killed,
                "how": o.how,
                "seconds": round(o.seconds, 2),
                "diff": diffs.get(o.id),
            }
            for o in outcomes
        ],
        "stale": problems,
    }
    path.write_text(json.dumps(data, indent=2) + "\n")


if __name__ == "__main__":
    sys.exit(main())
