"""`autograder batch`: its arguments, what it prints and its exit code (the work is in
batch.run): 0 every submission graded, 1 some failed to grade (their rows say why), 2 a
usage or configuration error found before grading anything, 130 interrupted."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autograder import safe_text
from autograder.batch.preflight import ALLOW_SHARED_UID
from autograder.errors import UsageError
from autograder.worker.isolation import CHOICES

FAILED_TO_GRADE = 1
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
    batch.add_argument(
        "--isolation",
        choices=CHOICES,
        default="auto",
        help="sandbox for the students' code (default auto: the strongest available); "
        "basic and none need --allow-shared-uid",
    )
    batch.add_argument(
        ALLOW_SHARED_UID,
        action="store_true",
        help="grade at basic or none, where every student's workers run as one uid and "
        "one student's process can signal or kill another's (every result records it)",
    )
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
        args.allow_shared_uid,
    )
    try:
        outcome = run(options)
    except KeyboardInterrupt:
        print("interrupted: rerun the same command to grade the rest", file=sys.stderr)
        return INTERRUPTED
    for note in outcome.skipped:
        print(f"note: {safe_text.line(note, 500)}")  # entry names are the students' text
    print(
        f"{outcome.summary.line()} ({outcome.graded_now} graded now, {outcome.resumed} "
        f"already done); see {options.out / 'index.html'}"
    )
    if outcome.interrupted:
        print("interrupted: rerun the same command to grade the rest", file=sys.stderr)
        return INTERRUPTED
    if outcome.summary.failed:
        print(
            f"failed to grade {outcome.summary.failed}: the status column of "
            f"{options.out / 'gradebook.csv'} says why; a rerun grades again those that "
            "failed for another reason than their files",
            file=sys.stderr,
        )
        return FAILED_TO_GRADE
    return 0


def _dask_available() -> None:
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise UsageError(
            "--dask needs dask.distributed: pip install 'dl-autograder[dask]'"
        ) from None
