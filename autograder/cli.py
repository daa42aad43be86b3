"""The `autograder` command: parse arguments, call the library, print, exit."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autograder.errors import AutograderError, SubmissionError, UsageError
from autograder.grade_argv import PYTEST_OK, grade_argv
from autograder.worker.isolation import CHOICES

DESCRIPTION = """\
Grade deep-learning homework without trusting it: student code runs only in a
sandboxed worker, and every check and score is computed in a process it cannot touch.

exit codes: 0 grading (or release) done, whatever the score; 1 `release --check`
found drift, or `batch` could not grade some submission (its gradebook row says why);
2 a usage or configuration error (an isolation level not available here included), or
grading could not run (then no score file is written, and `batch` changes no result)."""


def _grade(args: argparse.Namespace) -> int:
    import pytest

    from autograder.config import load_config

    config = Path(args.config).resolve()
    if not Path(args.submission).is_dir():
        raise SubmissionError(
            f"{args.submission}: no such folder; pass a folder shaped like "
            "assignments/ (e.g. with activations.py)"
        )
    grading = load_config(config)  # a bad grading.yml stops here with its file, key and fix
    for unit in args.unit or []:
        _known_unit(unit, grading.units)
    argv = grade_argv(Path(args.submission), config, profile=args.profile, isolation=args.isolation)
    if args.json:
        argv.append(f"--autograder-json={Path(args.json).resolve()}")
    if args.format == "github":
        argv.append("--github")
    if args.junit:
        argv.append(f"--junit={Path(args.junit).resolve()}")
    if args.gradescope:
        argv.append(f"--gradescope-json={Path(args.gradescope).resolve()}")
    if args.unit:
        argv += ["-m", " or ".join(args.unit)]
    if args.grading_seed is not None:
        argv.append(f"--grading-seed={args.grading_seed}")
    argv += [f"--task={task}" for task in args.task or []]
    argv += args.pytest_arg or []
    code = int(pytest.main(argv))
    return 0 if code in PYTEST_OK else 2


def _known_unit(unit: str, units: tuple[str, ...]) -> None:
    import difflib

    if unit not in units:
        match = difflib.get_close_matches(unit, units, n=1)
        hint = f"; did you mean '{match[0]}'?" if match else ""
        raise UsageError(f"--unit {unit}: no such unit; the units are {', '.join(units)}{hint}")


def _release(args: argparse.Namespace) -> int:
    from autograder import release

    solutions, out = Path(args.solutions), Path(args.out)
    if args.check:
        problems = release.drift(solutions, out)
        for line in problems:
            print(line)
        if problems:
            print(f"run 'autograder release' to regenerate {out}/ from {solutions}/")
            return 1
        print(f"{out}/ matches {solutions}/")
        return 0
    for name in release.write(solutions, out, force=args.force):
        print(f"wrote {out / name}")
    return 0


def _gradescope_bundle(args: argparse.Namespace) -> int:
    from autograder import gradescope_bundle

    out = Path(args.out)
    names = gradescope_bundle.build(Path.cwd(), out)
    print(f"wrote {out}: setup.sh, run_autograder and {len(names) - 2} course files")
    return 0


def _notebooks(args: argparse.Namespace) -> int:
    from autograder import notebooks
    from autograder.config import load_config

    grading = load_config(Path("grading.yml"))
    for unit in args.unit or []:
        _known_unit(unit, grading.units)
    units = tuple(args.unit or ())
    for path in notebooks.write_course(Path.cwd(), Path(args.out), args.assignment, grading, units):
        print(f"wrote {path}")
    return 0


def _nbgrader_autograde(args: argparse.Namespace) -> int:
    from autograder import nbgrader_grade

    course = Path(args.course)
    scores = nbgrader_grade.autograde(course, args.assignment, args.student, args.isolation)
    for student, score in scores.items():
        print(f"{student}: {score:g}")
    print(f"graded {len(scores)} submission(s) into {course / 'gradebook.db'}")
    return 0


def _student_release(args: argparse.Namespace) -> int:
    from autograder import student_release

    out = Path(args.out)
    grader = args.grader or student_release.default_grader()
    for name in student_release.build(Path.cwd(), out, grader):
        print(f"wrote {out / name}")
    print(
        f"the workflow installs {grader}; keep {out / student_release.MANIFEST} to check "
        "student repositories against it (autograder verify-release REPO --manifest ...)"
    )
    return 0


def _verify_release(args: argparse.Namespace) -> int:
    from autograder import student_release

    repo = Path(args.repo)
    manifest = Path(args.manifest) if args.manifest else repo / student_release.MANIFEST
    lines = student_release.differences(repo, manifest)
    for line in lines:
        name, _, why = line.partition(": ")
        print(f"::warning file={name},title=Protected file::{why}" if args.github else line)
    if not lines:
        print(f"{repo}: the protected files match the release")
    return 1 if lines else 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="autograder",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = top.add_subparsers(dest="command", required=True)
    grade = sub.add_parser("grade", help="grade a submission folder")
    grade.add_argument(
        "submission",
        nargs="?",
        default="assignments",
        help="folder shaped like assignments/ (default: assignments)",
    )
    grade.add_argument("--json", metavar="PATH", help="write scores as JSON to PATH")
    grade.add_argument("--junit", metavar="PATH", help="write JUnit XML to PATH")
    grade.add_argument(
        "--format",
        choices=("terminal", "github"),
        default="terminal",
        help="github: also annotations, GitHub Classroom's points and a job summary",
    )
    grade.add_argument(
        "--gradescope", metavar="PATH", help="write Gradescope's results.json to PATH"
    )
    grade.add_argument("--config", default="grading.yml", help="grading.yml (default: ./)")
    grade.add_argument("--unit", action="append", help="grade only this unit (repeatable)")
    grade.add_argument("--task", action="append", help="grade only this task (repeatable)")
    grade.add_argument(
        "--profile",
        choices=("student", "grading"),
        default="grading",
        help="profile of generated examples (default: grading: seeds from the course secret "
        "AUTOGRADER_SECRET or AUTOGRADER_SECRET_FILE and the submission, else fixed)",
    )
    grade.add_argument(
        "--grading-seed",
        type=int,
        metavar="N",
        help='replay a run from the base seed its JSON report names ("seeds")',
    )
    grade.add_argument(
        "--isolation",
        choices=CHOICES,
        default="auto",
        help="sandbox for the student's code: strict (namespaces), basic (own uid), none; "
        "auto takes the strongest available and the report names it",
    )
    grade.add_argument(
        "--pytest-arg",
        action="append",
        metavar="ARG",
        help="pass ARG on to pytest, e.g. --pytest-arg=-x (repeatable)",
    )
    grade.set_defaults(run=_grade)
    rel = sub.add_parser("release", help="generate student stubs from solutions/")
    rel.add_argument("--solutions", default="solutions")
    rel.add_argument("--out", default="assignments")
    rel.add_argument("--check", action="store_true", help="fail if the stubs have drifted")
    rel.add_argument(
        "--force",
        action="store_true",
        help="overwrite files in which a function has been filled in (a student's work)",
    )
    rel.set_defaults(run=_release)
    bundle = sub.add_parser(
        "gradescope-bundle", help="build the autograder zip Gradescope takes (run in the course)"
    )
    bundle.add_argument("out", metavar="OUT.zip")
    bundle.set_defaults(run=_gradescope_bundle)
    books = sub.add_parser(
        "notebooks", help="write nbgrader notebooks (OUT/source/ASSIGNMENT/) from solutions/"
    )
    books.add_argument("out", metavar="OUT", help="the nbgrader course folder")
    books.add_argument("--assignment", default="homework", help="(default: homework)")
    books.add_argument("--unit", action="append", help="only this unit (repeatable)")
    books.set_defaults(run=_notebooks)
    nbg = sub.add_parser(
        "nbgrader-autograde",
        help="grade an nbgrader course's submissions without running the notebooks",
    )
    nbg.add_argument("course", metavar="COURSE_DIR")
    nbg.add_argument("assignment", metavar="ASSIGNMENT")
    nbg.add_argument("--student", action="append", help="only this student (repeatable)")
    nbg.add_argument("--isolation", choices=CHOICES, default="auto")
    nbg.set_defaults(run=_nbgrader_autograde)
    student = sub.add_parser(
        "student-release", help="write the student template repository (run in the course)"
    )
    student.add_argument("out", metavar="OUT")
    student.add_argument(
        "--grader",
        metavar="REQUIREMENT",
        help="pip requirement the workflow installs (default: this version, pinned); e.g. "
        "'dl-autograder @ git+https://github.com/ORG/grader@COMMIT'",
    )
    student.set_defaults(run=_student_release)
    verify = sub.add_parser(
        "verify-release", help="list protected files of a student repository that changed"
    )
    verify.add_argument("repo", metavar="REPO")
    verify.add_argument("--manifest", help="the release's manifest (default: REPO's own copy)")
    verify.add_argument("--github", action="store_true", help="as GitHub warning annotations")
    verify.set_defaults(run=_verify_release)
    from autograder.batch.command import add_parser as add_batch

    add_batch(sub)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.run(args))
    except AutograderError as exc:
        print(f"autograder: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
