"""`autograder batch`: its arguments and what it prints (the work is in batch.run)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autograder.errors import UsageError
from autograder.worker.isolation import CHOICES

INTERRUPTED = 130


def add_parser(sub: argparse._SubParsersAction) -> None:
    from autograder.batch.run import default_jobs

    batch = sub.add_parser(
        "batch",
        help="grade a whole class: a folder of student folders, of zips, or nbgrader's "
        "submitted/ tree",
    )
    batch.add_argument("submissions", metavar="SUBMISSIONS")
    batch.add_argument("--out", required=True, metavar="DIR", help="results, gradebook, plots")
    batch.add_argument(
        "--jobs",
        type=int,
        default=default_jobs(),
        metavar="N",
        help="warm graders working at once (default: one per core); with --dask local, "
        "the number of Dask workers",
    )
    batch.add_argument("--config", default="grading.yml", help="grading.yml (default: ./)")
    batch.add_argument("--isolation", choices=CHOICES, default="auto")
    batch.add_argument(
        "--assignment",
        metavar="NAME",
        help="grade only the files under each student's NAME/ folder (nbgrader's layout)",
    )
    batch.add_argument("--unit", action="append", help="grade only this unit (repeatable)")
    batch.add_argument(
        "--dask",
        metavar="ADDRESS",
        help="run each submission as a task on the dask.distributed scheduler at ADDRESS "
        "(or 'local' for a LocalCluster of --jobs workers)",
    )
    batch.set_defaults(run=_batch)


def _batch(args: argparse.Namespace) -> int:
    from autograder.batch.run import Options, run

    submissions, config = Path(args.submissions), Path(args.config).resolve()
    if not submissions.is_dir():
        raise UsageError(f"{submissions}: no such folder (a folder of submissions)")
    if args.jobs < 1:
        raise UsageError(f"--jobs {args.jobs}: give 1 or more")
    if args.dask:
        _dask_available()
    options = Options(
        submissions,
        Path(args.out),
        config,
        args.jobs,
        args.isolation,
        args.dask,
        args.assignment,
        tuple(args.unit or ()),
    )
    outcome = run(options)
    for note in outcome.skipped:
        print(f"note: {note}")
    print(
        f"{outcome.summary.line()} ({outcome.graded_now} graded now, {outcome.resumed} "
        f"already done); see {options.out / 'index.html'}"
    )
    if outcome.interrupted:
        print("interrupted: rerun the same command to grade the rest", file=sys.stderr)
        return INTERRUPTED
    return 0


def _dask_available() -> None:
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise UsageError(
            "--dask needs dask.distributed: pip install 'dl-autograder[dask]'"
        ) from None
