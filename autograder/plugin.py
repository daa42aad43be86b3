"""The pytest plugin (pytest11 entry point): graded tests, fixtures, points table.

Imports torch and hypothesis lazily, reads options once in pytest_configure,
keeps its state in config.stash, and turns each failure into one short line.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from autograder.config import GradingConfig
    from autograder.results import TestOutcome
    from autograder.worker.probe import Decision

UNITS = (
    "linear_model",
    "gradient_descent",
    "activations",
    "losses",
    "backprop",
    "optimizers",
    "training",
)
NOTE_LIMIT = 400
FIXTURES = frozenset({"student", "reference", "check", "device", "dtype", "name", "self"})
ALLOWED_BY_DEFAULT = ("numpy", "torch", "matplotlib", "pathlib")  # + the course's, in Submission
GRADER_MODULES = (
    "autograder.calibration",
    "autograder.checks.checker",
    "autograder.checks.compare",
    "autograder.checks.describe",
    "autograder.results",
    "autograder.scoring",
    "autograder.reporters.atomic",
    "autograder.reporters.gradescope",
    "autograder.reporters.github",
    "autograder.reporters.junit",
    "autograder.source_lines",
    "autograder.reporters.json_report",
    "autograder.reporters.terminal",
    "autograder.submission",
    "autograder.suite",
    "autograder.worker.isolation",
)


@dataclass
class State:
    root: Path
    config_path: Path
    submission: Path
    profile: str
    json_path: Path | None
    gradescope_path: Path | None = None
    github: bool = False
    junit_path: Path | None = None
    places: dict[str, tuple[str, int]] = field(default_factory=dict)  # task → file, line
    started: float = field(default_factory=time.monotonic)
    isolation_requested: str = "auto"
    isolation: str = ""  # the level used, decided once the graded suite is collected
    isolation_decision: Decision | None = None  # the level, and why auto passed others over
    graded: bool = False
    units: set[str] = field(default_factory=set)
    collected: int = 0  # graded tests collected, before -k/-m/--lf deselect some
    whole_suite: bool = False  # every module of the graded suite was collected
    hidden_collected: bool = False  # tests from the course's hidden/ folder were collected
    selected: set[str] = field(default_factory=set)  # node ids of the graded tests to run
    finished: set[str] = field(default_factory=set)  # node ids that reported a result
    outcomes: list[TestOutcome] = field(default_factory=list)
    blocked: dict[str, BaseException] = field(default_factory=dict)
    notes: dict[str, set[str]] = field(default_factory=dict)
    seeds: Any = None  # the run's autograder.seeds.SeedPlan, once grading is decided
    torch_threads: int = 0  # the process's torch thread count before this run (0: unchanged)
    seeded_tests: list[Any] = field(default_factory=list)  # hypothesis tests given a seed
    example_seed: int | None = None  # --hypothesis-seed in force where examples are random
    chose_example_seed: bool = False  # this run chose it (no --hypothesis-seed was given)
    integrity: dict[str, list[str]] | None = None  # what the rules refused, files left out
    _config: GradingConfig | None = None

    def grading_config(self) -> GradingConfig:
        if self._config is None:
            from autograder.config import load_config
            from autograder.errors import ConfigError

            try:
                self._config = load_config(self.config_path)
            except ConfigError as exc:
                raise pytest.UsageError(str(exc)) from None
        return self._config

    @property
    def partial(self) -> bool:
        """Whether only part of the graded suite ran (deselected, or stopped early)."""
        return (
            not self.whole_suite
            or len(self.selected) < self.collected
            or not self.selected <= self.finished
        )


STATE = pytest.StashKey[State]()
RERUN = pytest.StashKey[tuple[list[str], dict[str, str]]]()  # a clean rerun's args and env


def pytest_addoption(parser: pytest.Parser) -> None:
    from autograder.worker.isolation import CHOICES

    group = parser.getgroup("autograder", "grading of deep-learning homework")
    group.addoption(
        "--submission",
        metavar="DIR",
        default=None,
        help="folder with the student's files (default: assignments/)",
    )
    group.addoption(
        "--grading-config",
        metavar="PATH",
        default=None,
        help="grading.yml to use (default: grading.yml in the rootdir)",
    )
    group.addoption(
        "--grading-profile",
        choices=("student", "grading"),
        default=None,
        help="hypothesis profile (default: grading when CI=true, else student)",
    )
    group.addoption(
        "--task",
        action="append",
        metavar="ID",
        default=None,
        help="grade only this task, e.g. activations.sigmoid (repeatable; a partial run)",
    )
    group.addoption(
        "--grading-seed",
        type=int,
        metavar="N",
        default=None,
        help="replay a grading run from the base seed its JSON report names",
    )
    group.addoption(
        "--isolation",
        choices=CHOICES,
        default="auto",
        help="sandbox for the student's code (default auto: the strongest available; "
        "see the README's threat model)",
    )
    group.addoption(
        "--github",
        action="store_true",
        default=False,
        help="also report for GitHub Actions: annotations at failing functions, "
        "GitHub Classroom's points and a job summary ($GITHUB_STEP_SUMMARY)",
    )
    group.addoption(
        "--junit",
        metavar="PATH",
        default=None,
        help="also write the tasks as JUnit XML to PATH (points in each testcase's properties)",
    )
    group.addoption(
        "--gradescope-json",
        metavar="PATH",
        default=None,
        help="also write Gradescope's results.json to PATH",
    )
    group.addoption(
        "--autograder-json",
        metavar="PATH",
        default=None,
        help="also write the scores as JSON to PATH",
    )


def _spaced_submission(args: list[str]) -> list[str] | None:
    """`args` with `--submission DIR` written `--submission=DIR`, or None when no such
    pair is there. pytest picks its rootdir and configuration file (pyproject.toml,
    pytest.ini, ...) before any plugin's options are known, so it takes DIR for a test
    path and reads the configuration it finds from DIR up: the submission's own."""
    joined, k = [], 0
    while k < len(args):
        if args[k] == "--submission" and k + 1 < len(args):
            joined.append(f"--submission={args[k + 1]}")
            k += 2
            continue
        joined.append(args[k])
        k += 1
    return joined if len(joined) < len(args) else None


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    """With `--submission DIR` (a space), grade in a clean rerun (`pytest_cmdline_main`)
    and load no conftest.py here: this process read its configuration from DIR."""
    import shlex

    given = [str(a) for a in early_config.invocation_params.args]
    args = _spaced_submission(given)
    addopts = _spaced_submission(shlex.split(os.environ.get("PYTEST_ADDOPTS", "")))
    if args is None and addopts is None:
        return
    early_config.known_args_namespace.noconftest = True
    env = dict(os.environ)
    if addopts is not None:
        env["PYTEST_ADDOPTS"] = shlex.join(addopts)
    early_config.stash[RERUN] = (given if args is None else args, env)


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> int | None:
    """Grade a `--submission DIR` run (a space) in a fresh pytest given
    `--submission=DIR`, so the course's own configuration is the only one read."""
    import subprocess
    import sys

    rerun = config.stash.get(RERUN, None)
    if rerun is None:
        return None
    args, env = rerun
    command = [sys.executable, "-m", "pytest", *args]
    return subprocess.call(command, cwd=config.invocation_params.dir, env=env)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "task(id): the graded task a test belongs to")
    config.addinivalue_line(
        "markers",
        "uses(*units): earlier units the student's code may "
        "call; on failure, retry with reference versions",
    )
    for unit in UNITS:
        config.addinivalue_line("markers", f"{unit}: graded tests of the {unit} unit")
    opt = config.option
    root = _course_root(config)
    profile = (
        opt.grading_profile
        or _hypothesis_profile_option(config)
        or ("grading" if os.environ.get("CI", "").lower() == "true" else "student")
    )
    if opt.submission and not Path(opt.submission).is_dir():
        raise pytest.UsageError(
            f"--submission {opt.submission}: no such folder; pass a folder "
            "shaped like assignments/ (e.g. with activations.py)"
        )
    config.stash[STATE] = State(
        root=root,
        config_path=Path(opt.grading_config) if opt.grading_config else root / "grading.yml",
        submission=Path(opt.submission) if opt.submission else root / "assignments",
        profile=profile,
        json_path=Path(opt.autograder_json) if opt.autograder_json else None,
        isolation_requested=opt.isolation,
        gradescope_path=Path(opt.gradescope_json) if opt.gradescope_json else None,
        github=opt.github,
        junit_path=Path(opt.junit) if opt.junit else None,
    )
    _early_hypothesis_profile(config, config.stash[STATE])
    config.pluginmanager.register(_StudentReports(), "autograder-student-reports")
    if _will_grade(config):
        from autograder.worker import zygote

        _load_before_any_worker()
        _plan_seeds(config.stash[STATE], opt.grading_seed)
        zygote.shared()  # imports torch in parallel with collection
        _one_torch_thread(config.stash[STATE])


def _one_torch_thread(state: State) -> None:
    """The grader's own tensors are small too: one thread, as in the workers (see
    isolation.worker_environment); pytest_unconfigure puts the old count back."""
    import torch

    state.torch_threads = torch.get_num_threads()
    torch.set_num_threads(1)


def _plan_seeds(state: State, replay: int | None) -> None:
    """The run's seeds (autograder.seeds), from the course secret and the submission's
    files as they are now, before any student code runs."""
    from autograder import seeds
    from autograder.errors import ConfigError

    try:
        secret = seeds.read_secret()
    except ConfigError as exc:
        raise pytest.UsageError(str(exc)) from None
    grading = state.grading_config()
    digest = (
        seeds.class_digest([spec.id for spec in grading.tasks])
        if grading.seeds == "per-class"
        else seeds.submission_digest(state.submission, grading.files)
    )
    state.seeds = seeds.plan_for(state.profile, secret, digest, replay)
    seeds.activate(state.seeds)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Put the fixed seeds and torch's thread count back: a process may run several
    grading sessions."""
    state = config.stash.get(STATE, None)
    if state is not None and state.torch_threads:
        import torch

        torch.set_num_threads(state.torch_threads)
    if state is not None and state.chose_example_seed:
        from hypothesis import core

        core.global_force_seed = None
    if state is None or state.seeds is None:
        return
    from hypothesis import seed

    from autograder import seeds

    for test in state.seeded_tests:
        seed(None)(test)
    seeds.activate(seeds.FIXED)


def _load_before_any_worker() -> None:
    """Import now every grader module used after student code has run (trust rule 1:
    nothing imported later may be a file a worker could have written)."""
    import importlib

    for name in GRADER_MODULES:
        importlib.import_module(name)
    for name in ALLOWED_BY_DEFAULT:  # what the static rules resolve student names against
        try:
            importlib.import_module(name)
        except ImportError:
            pass


def _will_grade(config: pytest.Config) -> bool:
    """Whether this run collects the graded suite (then start the zygote right away)."""
    graded = Path(__file__).resolve().parent / "graded"
    if config.option.submission or not config.args:
        return True
    for arg in config.args:
        path = Path(str(arg).split("::")[0]).resolve()
        if path == graded or graded in path.parents or path in graded.parents:
            return True
    return False


def _course_root(config: pytest.Config) -> Path:
    """The course repository: pytest's rootdir, unless `--submission DIR` (with a space)
    made pytest take DIR for the project (it reads the command line before this plugin's
    options are known). Then it is the nearest folder with grading.yml from where pytest
    was started, and with no test paths given, the graded suite is what runs."""
    if config.inipath is not None or config.option.submission is None:
        _graded_suite_by_default(config)
        return config.rootpath
    start = config.invocation_params.dir
    for folder in (start, *start.parents):
        if (folder / "grading.yml").is_file():
            if not config.option.file_or_dir:
                from autograder.suite import GRADED

                config.args = [str(GRADED)]
            return folder
    raise pytest.UsageError(
        f"--submission {config.option.submission}: no grading.yml in {start} or above; "
        "run pytest from the course repository"
    )


def _graded_suite_by_default(config: pytest.Config) -> None:
    """A student repository (a release: grading.yml, no tests of its own) runs the
    installed graded suite when `pytest` is given no paths."""
    if config.option.file_or_dir or config.getini("testpaths"):
        return
    if (config.rootpath / "grading.yml").is_file() and not (config.rootpath / "tests").is_dir():
        from autograder.suite import GRADED

        config.args = [str(GRADED)]


def _hypothesis_profile_option(config: pytest.Config) -> str | None:
    """`--hypothesis-profile student|grading`: the grading.yml profile of that name."""
    name = getattr(config.option, "hypothesis_profile", None)
    return name if name in ("student", "grading") else None


def _early_hypothesis_profile(config: pytest.Config, state: State) -> None:
    """Load the profile before test modules import (@given captures settings then) and,
    where its examples are random, fix the run's --hypothesis-seed so it can be replayed."""
    if not state.config_path.is_file():
        return
    profile = state.grading_config().hypothesis[state.profile]
    _load_hypothesis_profile(state.grading_config(), state.profile)
    if profile.derandomize:
        return
    from hypothesis import core

    given = getattr(config.option, "hypothesis_seed", None)
    if given is not None and str(given).lstrip("-").isdigit():
        state.example_seed = int(given)
    elif given is None:
        import random

        state.example_seed, state.chose_example_seed = random.SystemRandom().getrandbits(31), True
        config.option.hypothesis_seed = str(state.example_seed)
    if state.example_seed is not None:
        core.global_force_seed = state.example_seed


def _task_of(item: pytest.Item) -> str | None:
    marker = item.get_closest_marker("task")
    return str(marker.args[0]) if marker and marker.args else None


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "device" not in metafunc.fixturenames:
        return
    import torch

    state = metafunc.config.stash[STATE]
    params = []
    for device in state.grading_config().devices:
        marks = []
        if device == "cuda" and not torch.cuda.is_available():
            marks = [
                pytest.mark.skip(
                    reason="cuda: CUDA is not available on this machine "
                    "(torch.cuda.is_available() is False)"
                )
            ]
        params.append(pytest.param(device, id=device, marks=marks))
    metafunc.parametrize("device", params)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Before -k/-m deselect anything: check grading.yml against the graded suite."""
    from autograder.errors import ConfigError
    from autograder.suite import HIDDEN, check_tasks, evidence, graded_files

    state = config.stash[STATE]
    graded = {item: task for item in items if (task := _task_of(item))}
    if not graded:
        return
    files = {Path(path).resolve() for path in {str(item.path) for item in graded}}
    state.whole_suite = graded_files() <= files
    hidden = (state.root / HIDDEN).resolve()
    state.hidden_collected = any(hidden in path.parents for path in files)
    try:
        tasks = {task for item, task in graded.items() if evidence(item)}
        check_tasks(state.grading_config(), tasks, state.whole_suite, state.hidden_collected)
    except ConfigError as exc:
        raise pytest.UsageError(str(exc)) from None
    if not config.option.collectonly:  # nothing runs: no worker, no level to decide
        _decide_isolation(config, state)
    for item, task in graded.items():
        item.add_marker(task.split(".", 1)[0])
    _only_tasks(config, items, graded)
    state.graded, state.collected = True, len(graded)  # usage errors come before this
    _quiet_failures(config)
    _seed_hypothesis(state, list(graded))


def _decide_isolation(config: pytest.Config, state: State) -> None:
    """The level this run grades at, decided before any grading: a level asked for that
    is not available here is a usage error (no score), and where `auto` fell back the
    run says so at once."""
    decision = _isolation_decision(state.isolation_requested)
    state.isolation_decision, state.isolation = decision, decision.level
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"isolation: {decision.summary()}")


def _seed_hypothesis(state: State, items: list[pytest.Item]) -> None:
    """Under a course secret, each hypothesis test draws from its own mixed seed."""
    if state.seeds is None or state.seeds.base is None:
        return
    from hypothesis import seed

    tests = {
        id(f): f
        for item in items
        if getattr(f := getattr(item, "obj", None), "is_hypothesis_test", False)
    }
    for test in tests.values():
        seed(state.seeds.for_test(f"{test.__module__}.{test.__qualname__}"))(test)
        state.seeded_tests.append(test)


def _only_tasks(config: pytest.Config, items: list[pytest.Item], graded: dict) -> None:
    """`--task ID`: deselect the graded tests of every other task (a partial run)."""
    wanted = set(config.option.task or ())
    if not wanted:
        return
    unknown = wanted - {spec.id for spec in config.stash[STATE].grading_config().tasks}
    if unknown:
        raise pytest.UsageError(f"--task {sorted(unknown)[0]}: no such task in grading.yml")
    dropped = [item for item in items if item in graded and graded[item] not in wanted]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if item not in dropped]


def _quiet_failures(config: pytest.Config) -> None:
    """One line per failing task comes in the points table; skip pytest's per-test dumps."""
    args = [str(a) for a in config.invocation_params.args]
    if not any(a.startswith("--tb") for a in args):
        config.option.tbstyle = "no"
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and not any(a.startswith("-r") for a in args):
        reporter.reportchars = ""


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    state = session.config.stash[STATE]
    graded = {item.nodeid: task for item in session.items if (task := _task_of(item))}
    state.selected = set(graded)
    state.units = {task.split(".", 1)[0] for task in graded.values()}


def _load_hypothesis_profile(grading: GradingConfig, name: str) -> None:
    """grading.yml's profile `name` as hypothesis' profile of that name, loaded: the graded
    suite's property tests (autograder.batching counts it in batches) and those a course's
    hidden/ folder may hold."""
    from hypothesis import HealthCheck, settings

    profile = grading.hypothesis[name]
    settings.register_profile(
        name,
        max_examples=profile.max_examples,
        derandomize=profile.derandomize,
        deadline=None,
        database=None if profile.derandomize else settings.default.database,
        print_blob=False,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
            HealthCheck.large_base_example,
        ],
    )
    settings.load_profile(name)


@pytest.fixture(scope="session")
def student(request: pytest.FixtureRequest, reference: Any) -> Any:
    """The submission: `student.activations.sigmoid(x)` runs in the sandboxed worker."""
    from autograder.calibration import Calibrator
    from autograder.errors import SubmissionError
    from autograder.submission import Submission

    state = request.config.stash[STATE]
    grading = state.grading_config()
    if state.isolation_decision is None:  # graded tests that were not collected as such
        _decide_isolation(request.config, state)
    calibrator = Calibrator(reference.folder, grading.limits.memory_mb, state.isolation)
    try:
        submission = Submission(state.submission, grading, calibrator, state.isolation)
    except SubmissionError as exc:
        raise pytest.UsageError(str(exc)) from None
    try:  # however the session ends (SIGTERM included), the copies and workers go
        state.places = _places(state.submission, submission.sources)
        yield submission
        state.integrity = submission.integrity()
    finally:
        submission.close()
        calibrator.close()


def _places(folder: Path, sources: dict[str, str]) -> dict[str, tuple[str, int]]:
    """Task id → (file relative to the working folder, line of its `def`)."""
    from autograder.source_lines import definitions

    places = {}
    for unit, source in sources.items():
        path = os.path.relpath(folder / f"{unit}.py")
        for name, line in definitions(source).items():
            places[f"{unit}.{name}"] = (path, line)
    return places


def _isolation_decision(requested: str) -> Decision:
    from autograder.worker import probe, zygote
    from autograder.worker.isolation import IsolationError

    try:
        return probe.decide(requested, zygote.shared().levels())
    except IsolationError as exc:
        raise pytest.UsageError(str(exc)) from None


@pytest.fixture(scope="session")
def reference(request: pytest.FixtureRequest) -> Any:
    """The trusted reference: solutions/ where present, else the built-in oracle."""
    from autograder.reference import Reference

    state = request.config.stash[STATE]
    grading = state.grading_config()
    reference = Reference(grading.reference, state.root / "solutions")
    reference.load(grading.units)  # before the first worker runs any student code
    return reference


@pytest.fixture
def check(request: pytest.FixtureRequest) -> Any:
    """Judge values for the test's task, with that task's tolerances."""
    from autograder.checks.checker import Checker

    task = _task_of(request.node)
    if task is None:
        raise pytest.UsageError(f"{request.node.nodeid}: uses `check` without @pytest.mark.task")
    return Checker(task, request.config.stash[STATE].grading_config())


def _leaf(exc: BaseException) -> BaseException:
    """The first real exception inside (nested) exception groups, or the failure a
    `NotShrunk` carried out of hypothesis."""
    from autograder.batching import NotShrunk

    if isinstance(exc, NotShrunk):
        return exc.error
    inner = getattr(exc, "exceptions", None)
    while isinstance(inner, tuple) and inner:
        exc = inner[0]
        inner = getattr(exc, "exceptions", None)
    return exc


def _notes(exc: BaseException) -> str:
    """The generated arguments of the failing example (or the failing case of a test run
    on several cases), without the fixtures."""
    generated, what = [], "failing example"
    notes = getattr(exc, "__notes__", [])
    mine = [n for n in notes if n.startswith(("Failing example:", "Failing case:"))]
    for note in mine or notes:  # ours name the example; hypothesis' would name the batch
        lines = note.splitlines()
        ours = bool(lines) and lines[0] in ("Failing example:", "Failing case:")
        if not lines or not (ours or "Falsifying" in lines[0] or "Failing test case" in lines[0]):
            continue
        what = "failing case" if lines[0] == "Failing case:" else what
        for line in lines[1:]:
            name, _, value = line.strip().rstrip(",").partition("=")
            if value and (ours or name not in FIXTURES):  # hypothesis lists fixtures too
                generated.append(f"{name}={value}")
    if not generated:
        return ""
    text = re.sub(r"\s+", " ", f"{what}: " + ", ".join(generated))
    return text if len(text) <= NOTE_LIMIT else text[: NOTE_LIMIT - 3] + "..."


def _judge(exc: BaseException) -> tuple[str, str, str, bool]:
    """(status, message, detail, student-facing) for an exception raised by a graded test."""
    from autograder.checks.compare import CheckFailure
    from autograder.worker.client import StudentFailure

    leaf = _leaf(exc)
    notes = _notes(leaf) or _notes(exc)
    if isinstance(leaf, StudentFailure):
        return leaf.status, leaf.message, leaf.detail, True
    if isinstance(leaf, CheckFailure):
        message = str(leaf).strip()
        return "failed", f"{message} [{notes}]" if notes else message, "", True
    return "error", f"grader error {type(leaf).__name__}: {leaf} (tell your instructor)", "", False


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_call(item: pytest.Item) -> Any:
    """Run a graded test, with two grading rules around it.

    A task that failed a test fails its later tests at once, with the same message: it
    has lost its points (scoring is all or nothing per task), and running the rest would
    only cost time. Partial credit follows dependencies: a test marked `uses("activations")`
    that fails is run once more with reference versions of those units in place of
    the student's; if it passes then, the task keeps its points and says so.
    """
    task = _task_of(item)
    blocked = item.config.stash[STATE].blocked.get(task) if task else None
    if blocked is not None:
        raise blocked
    student = getattr(item, "funcargs", {}).get("student")
    if student is not None:
        student.new_test()
    try:
        return (yield)
    except Exception as first:
        marker = item.get_closest_marker("uses")
        if marker is None or task is None or not _worth_retrying(first):
            raise
        return _retry_with_reference(item, task, tuple(marker.args), first)


class _StudentReports:
    """A failure meant for the student is reported with its message as it is: pytest's own
    report would first format the traceback (the grader's frames, a few milliseconds a
    failing test), only for the message to replace it. Registered beside this plugin,
    since the plugin wraps the same hook."""

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
        if call.when != "call" or call.excinfo is None or _task_of(item) is None:
            return None
        _status, message, detail, short = _judge(call.excinfo.value)
        if not short:
            return None
        text = "\n".join(filter(None, [message, detail]))
        plain = SimpleNamespace(  # what from_item_and_call reads; a text excinfo is the repr
            when=call.when, start=call.start, stop=call.stop, duration=call.duration, excinfo=text
        )
        return pytest.TestReport.from_item_and_call(item, plain)  # type: ignore[arg-type]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    task = _task_of(item)
    if task is None or not (report.when == "call" or report.skipped or report.failed):
        return report
    from autograder.results import TestOutcome

    state = item.config.stash[STATE]
    state.finished.add(item.nodeid)
    if report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else "skipped"
        outcome = TestOutcome(task, item.nodeid, "skipped", "skipped", str(reason))
    elif report.failed and call.excinfo is not None:
        status, message, detail, short = _judge(call.excinfo.value)
        _remember_blocking(state, task, call.excinfo.value)
        outcome = TestOutcome(task, item.nodeid, "failed", status, message, detail)
        if short:
            report.longrepr = "\n".join(filter(None, [message, detail]))
    else:
        note = "; ".join(sorted(state.notes.pop(task, set())))
        outcome = TestOutcome(task, item.nodeid, "passed", "passed", note)
    state.outcomes.append(outcome)
    return report


def _worth_retrying(exc: BaseException) -> bool:
    from autograder.checks.compare import CheckFailure
    from autograder.worker.client import StudentFailure

    leaf = _leaf(exc)
    return isinstance(leaf, CheckFailure) or (
        isinstance(leaf, StudentFailure) and leaf.kind in ("exception", "memory")
    )


def _retry_with_reference(
    item: pytest.Item, task: str, units: tuple[str, ...], first: BaseException
) -> None:
    student = item.funcargs.get("student")  # type: ignore[attr-defined]
    if student is None:
        raise first
    student.substitute, student.swapped = units, set()
    student.new_test()
    try:
        item.runtest()
    except Exception:
        raise first from None
    finally:
        student.substitute = ()
    if not student.swapped:
        raise first  # nothing of the earlier units was used: the failure stands
    names = ", ".join(sorted(student.swapped))
    item.config.stash[STATE].notes.setdefault(task, set()).add(
        f"passed with the reference {names} in place of yours (yours made this test fail)"
    )


def _remember_blocking(state: State, task: str, exc: BaseException) -> None:
    """The task's first failure (after any retry with reference units) fails its later
    tests at once."""
    state.blocked.setdefault(task, exc)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    state = config.stash[STATE]
    if not state.graded or config.option.collectonly:  # nothing graded, nothing to score
        return
    from autograder import scoring
    from autograder.reporters import gradescope, json_report, terminal
    from autograder.worker.isolation import describe

    grading = state.grading_config()
    report = scoring.grade(
        state.outcomes, grading, state.units, state.partial, state.hidden_collected
    )
    terminalreporter.section("autograder: points")
    for line in terminal.render(report):
        terminalreporter.write_line(line)
    left_out = [t for t in grading.tasks if t.hidden and not state.hidden_collected]
    if left_out and state.units & {t.unit for t in left_out}:
        points = sum(t.points for t in left_out)
        terminalreporter.write_line(
            f"hidden tasks left out: {len(left_out)} ({points:g} points); "
            "`autograder grade` in the course repository runs them"
        )
    if state.integrity and state.integrity["left_out"]:
        terminalreporter.write_line(
            "left out (the worker can import only the course's files): "
            + ", ".join(state.integrity["left_out"])
        )
    decision = state.isolation_decision
    if decision is not None:
        terminalreporter.write_line(f"isolation: {describe(decision.level)}")
        if decision.unavailable:
            terminalreporter.write_line(f"isolation: {decision.summary()}")
    if state.seeds is not None and (state.profile == "grading" or state.seeds.base is not None):
        terminalreporter.write_line(f"seeds: {state.seeds.describe()}")
    _describe_examples(terminalreporter, state)
    facts = decision.facts() if decision is not None else {}
    if state.json_path is not None:
        seeds = state.seeds.to_dict() if state.seeds is not None else None
        run = {
            "isolation": state.isolation or None,
            **facts,
            "seeds": seeds,
            "integrity": state.integrity,
        }
        json_report.write(report, state.json_path, run)
    if state.gradescope_path is not None:
        elapsed = time.monotonic() - state.started
        shown = decision.summary() if decision is not None else None
        gradescope.write(report, state.gradescope_path, elapsed, {"isolation": shown})
    if state.junit_path is not None:
        from autograder.reporters import atomic, junit

        atomic.write_text(state.junit_path, junit.to_xml(report))
    if state.github:
        _report_to_github(terminalreporter, report, state)


def _describe_examples(terminalreporter: Any, state: State) -> None:
    """Where generated examples are drawn at random each run, the seed that replays them."""
    if state.example_seed is None:
        return
    how = "drawn at random this run" if state.chose_example_seed else "from --hypothesis-seed"
    terminalreporter.write_line(
        f"examples: {how} (replay them: pytest --hypothesis-seed {state.example_seed})"
    )


def _report_to_github(terminalreporter: Any, report: Any, state: State) -> None:
    from autograder.reporters import atomic, github

    for line in github.annotations(report, state.places) + github.classroom_notices(report):
        terminalreporter.write_line(line)
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        terminalreporter.write_line("no job summary: GITHUB_STEP_SUMMARY is not set")
        return
    path = Path(target)
    before = path.read_text(encoding="utf-8") if path.is_file() else ""
    decision = state.isolation_decision
    shown = decision.summary() if decision is not None else None
    atomic.write_text(path, before + github.summary(report, shown))
