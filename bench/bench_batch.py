"""Benchmark: a realistic class graded by `autograder batch`, against plain
`nbgrader autograde` on the same code.

    python bench/bench_batch.py [--size 200] [--nbgrader-size 4] [--jobs 2] [--keep DIR]
                                [--max-examples N]

The class (tests/classes.py) mixes correct, partly wrong, stub, crashing and hanging
submissions, a tenth of them as zips. Prints the wall time, submissions per minute,
machine seconds per submission (busy CPU time of the whole machine over the run, so
keep it otherwise idle), and the peak memory of the batch's process tree (PSS: pages
shared by forked workers count once). Then the peer: the same students' code as
notebooks from `autograder notebooks`, graded by plain `nbgrader autograde` (a
kernel per notebook), timed on the first --nbgrader-size students; and the ratio of
the two throughputs. Targets (issue 11, this 2-core machine): 200 submissions in at
most 4 minutes (1.2 s each), peak memory at most 2 GiB, at least 10x nbgrader.
--max-examples N grades with a copy of the course whose grading.yml draws N examples
per property test instead of its own count: what that trade buys, and (in the count of
scores that differ from the expected ones) what it costs.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder.suite import HIDDEN  # noqa: E402
from tests.classes import make_class  # noqa: E402

GIB = 2**30


def busy_seconds() -> float:
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:9]]
    return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


def tree_pss(root: int) -> int:
    """Bytes of PSS of `root` and every process below it."""
    children: dict[int, list[int]] = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            children.setdefault(int(stat[stat.rfind(")") + 2 :].split()[1]), []).append(int(pid))
        except OSError:
            continue
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def timed(command: list[str], cwd: Path) -> tuple[float, float, int, str]:
    """(wall s, machine busy s, peak PSS bytes, output) of `command`."""
    busy0, start = busy_seconds(), time.perf_counter()
    proc = subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    peak = [0]

    def sample() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], tree_pss(proc.pid))
            time.sleep(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = proc.communicate()
    sampler.join(2)
    if proc.returncode not in (0, 1):  # 1: `batch` graded, but some entry failed to grade
        sys.exit(f"{' '.join(command)} failed ({proc.returncode}):\n{out[-3000:]}")
    return time.perf_counter() - start, busy_seconds() - busy0, peak[0], out


def notebook_sources(student: Path, unit: str) -> dict[str, str]:
    """Function name → its source in the student's unit file; module-level statements
    other than imports and defs (a crash at import) go with the first function."""
    text = (student / f"{unit}.py").read_text()
    tree = ast.parse(text)
    found, extra = {}, []
    for node in tree.body:
        segment = ast.get_source_segment(text, node) or ""
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            found[node.name] = segment
        elif not isinstance(node, (ast.Import, ast.ImportFrom)):
            extra.append(segment)
    if found and extra:
        first = next(iter(found))
        found[first] += "\n\n" + "\n".join(extra)
    return found


def nbgrader_course(top: Path, students: list[Path]) -> Path:
    import nbformat

    course = top / "course"
    subprocess.run(
        [sys.executable, "-m", "autograder.cli", "notebooks", str(course)], cwd=ROOT, check=True
    )
    nbgrader = [sys.executable, "-m", "nbgrader"]
    subprocess.run([*nbgrader, "generate_assignment", "homework", "--force"], cwd=course,
                   check=True, capture_output=True)  # fmt: skip
    for student in students:
        folder = course / "submitted" / student.name / "homework"
        folder.mkdir(parents=True)
        for released in sorted((course / "release" / "homework").glob("*.ipynb")):
            notebook = nbformat.read(released, 4)
            code = notebook_sources(student, released.stem)
            for cell in notebook.cells:
                meta = cell.metadata.get("nbgrader", {})
                name = meta.get("grade_id", "").removeprefix(f"{released.stem}-")
                name = name.removesuffix("-answer")
                if meta.get("solution") and name in code:
                    cell.source = code[name]
            nbformat.write(notebook, folder / released.name)
    return course


def course_with_examples(top: Path, max_examples: int) -> Path:
    """A course folder (solutions/, hidden/ and pyproject.toml linked where present) whose
    grading.yml is ours with `max_examples` examples per property test; its grading.yml's
    path."""
    import yaml

    course = top / "course-examples"
    course.mkdir()
    config = yaml.safe_load((ROOT / "grading.yml").read_text())
    config["hypothesis"]["grading"]["max_examples"] = max_examples
    (course / "grading.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    for name in ("solutions", HIDDEN, "pyproject.toml"):
        if (ROOT / name).exists():
            (course / name).symlink_to(ROOT / name)
    return course / "grading.yml"


def by_kind(out: Path, students: list) -> None:
    """Per kind of submission: how many, mean and slowest grading time (as the results
    record it), and how many scores differ from the expected one."""
    kind = {s.name: s for s in students}
    seconds: dict[str, list[float]] = {}
    wrong = []
    for path in (out / "results").glob("*.json"):
        result = json.loads(path.read_text())
        student = kind.get(result["student"])
        if student is None:
            continue
        seconds.setdefault(student.kind, []).append(result["seconds"])
        score = (result.get("report") or {}).get("score")
        if student.expected is not None and score != student.expected:
            wrong.append(f"{student.name} ({student.kind}): {score} != {student.expected}")
    for name, values in sorted(seconds.items()):
        print(
            f"  {name:<13} {len(values):4d}  mean {sum(values) / len(values):5.2f} s  "
            f"slowest {max(values):5.2f} s  total {sum(values):6.1f} s"
        )
    print(f"scores different from the expected ones: {len(wrong)} {wrong[:5]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=200)
    parser.add_argument("--nbgrader-size", type=int, default=4)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--keep", type=Path, default=None, help="leave the files in DIR")
    parser.add_argument("--max-examples", type=int, default=None, help="see above")
    args = parser.parse_args()
    top = args.keep or Path(tempfile.mkdtemp(prefix="bench-batch-"))
    top.mkdir(parents=True, exist_ok=True)
    try:
        students = make_class(top / "class", args.size, seed=11, zips=0.1)
        kinds = Counter(s.kind for s in students)
        print(f"class of {args.size}: {dict(kinds)}")
        command = [sys.executable, "-m", "autograder.cli", "batch", str(top / "class"),
                   "--out", str(top / "out"), "--jobs", str(args.jobs)]  # fmt: skip
        if args.max_examples is not None:
            config = course_with_examples(top, args.max_examples)
            command += ["--config", str(config)]
            print(f"grading with {config} (max_examples {args.max_examples})")
        wall, busy, peak, out = timed(command, ROOT)
        print(out.strip().splitlines()[-1])
        ours = args.size / wall
        print(
            f"autograder batch: {args.size} in {wall:.0f} s ({60 * ours:.1f}/min, "
            f"{wall / args.size:.2f} s wall and {busy / args.size:.2f} machine-s per "
            f"submission; target 1.2 s), peak memory {peak / GIB:.2f} GiB (target 2 GiB)"
        )
        print("grading time per submission by kind (first per warm grader includes its start):")
        by_kind(top / "out", students)
        if args.nbgrader_size <= 0:
            return
        folders = sorted(p for p in (top / "class").iterdir() if p.is_dir())[: args.nbgrader_size]
        course = nbgrader_course(top, folders)
        nb_command = [sys.executable, "-m", "nbgrader", "autograde", "homework", "--create"]
        nb_wall, nb_busy, _, _ = timed(nb_command, course)
        theirs = len(folders) / nb_wall
        print(
            f"plain nbgrader autograde: {len(folders)} in {nb_wall:.0f} s ({60 * theirs:.2f}/min,"
            f" {nb_wall / len(folders):.1f} s and {nb_busy / len(folders):.1f} machine-s per "
            "submission)"
        )
        print(f"ratio: autograder batch is {ours / theirs:.1f}x plain nbgrader (target 10x)")
    finally:
        if args.keep is None:
            shutil.rmtree(top, ignore_errors=True)


if __name__ == "__main__":
    main()
