"""grading.yml → frozen, validated dataclasses (parsed once per run)."""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from autograder.errors import ConfigError

TASK_ID = re.compile(r"^[a-z][a-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$")
REFERENCES = ("auto", "solutions", "oracle")
# What every submission file may import when grading.yml says nothing (`imports: all`);
# a unit may add more (`imports: {training: [matplotlib, pathlib]}`).
DEFAULT_IMPORTS = (
    "torch",
    "numpy",
    "math",
    "typing",
    "__future__",
    "dataclasses",
    "collections",
    "itertools",
    "functools",
    "copy",
)
HELPER = re.compile(r"^[a-z_][a-z0-9_]*\.py$")
DEVICES = ("cpu", "cuda")
DTYPES = ("float32", "float64")


@dataclass(frozen=True)
class Tolerance:
    rtol: float
    atol: float


@dataclass(frozen=True)
class Limits:
    """Per call: CPU seconds (a floor, raised to `cpu_factor` × the reference's own cost
    of the same call when that is higher), a wall-clock backstop of `wall_factor` × the
    CPU limit, and memory beyond what torch itself takes. Per submission: `submission_s`
    seconds of wall time spent in calls into it, all calls together (code that sleeps
    just under the per-call limit on every call would otherwise hold a batch for hours)."""

    cpu_s: float = 10.0
    cpu_factor: float = 20.0
    wall_factor: float = 3.0
    memory_mb: int = 4096
    submission_s: float = 900.0


@dataclass(frozen=True)
class HypothesisProfile:
    name: str
    max_examples: int
    derandomize: bool


@dataclass(frozen=True)
class TaskSpec:
    id: str
    points: float
    tolerances: Mapping[str, Tolerance] = field(default_factory=dict)
    cpu_s: float | None = None
    forbidden: tuple[str, ...] = ()  # built-ins the task may not call
    hidden: bool = False  # graded by the instructor's hidden/ tests only; never released

    @property
    def unit(self) -> str:
        return self.id.split(".", 1)[0]

    @property
    def function(self) -> str:
        return self.id.split(".", 1)[1]


@dataclass(frozen=True)
class GradingConfig:
    source: str
    reference: str
    devices: tuple[str, ...]
    limits: Limits
    tolerances: Mapping[str, Tolerance]
    hypothesis: Mapping[str, HypothesisProfile]
    tasks: tuple[TaskSpec, ...]
    imports: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # unit → extra
    common_imports: tuple[str, ...] = DEFAULT_IMPORTS
    helpers: tuple[str, ...] = ()  # .py files a submission may hold beside its units
    seeds: str = "per-submission"  # or per-class: one set of inputs for a whole class

    def task(self, task_id: str) -> TaskSpec:
        for spec in self.tasks:
            if spec.id == task_id:
                return spec
        raise ConfigError(
            f"{self.source}: no task '{task_id}' under 'tasks'; add it with its points"
        )

    def tolerance(self, task_id: str, dtype: str) -> Tolerance:
        own = self.task(task_id).tolerances.get(dtype)
        return own if own is not None else self.tolerances[dtype]

    def cpu_limit(self, task_id: str) -> float:
        """The CPU-seconds floor of one call for `task_id`."""
        own = self.task(task_id).cpu_s
        return own if own is not None else self.limits.cpu_s

    @property
    def units(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(spec.unit for spec in self.tasks))

    @property
    def files(self) -> tuple[str, ...]:
        """Every file a submission may hold that the worker can import: the units' files,
        then the course's helper files."""
        return (*(f"{unit}.py" for unit in self.units), *self.helpers)

    def allowed_imports(self, file: str) -> frozenset[str]:
        """The top-level modules `file` may import: the common list and its unit's own (a
        helper file, which any unit may import, gets every unit's)."""
        unit = file.removesuffix(".py")
        if unit in self.units:
            extra = self.imports.get(unit, ())
        else:
            extra = tuple(name for names in self.imports.values() for name in names)
        return frozenset((*self.common_imports, *extra))

    @property
    def max_score(self) -> float:
        return sum(spec.points for spec in self.tasks)


class _Reader:
    """Reads typed values out of nested mappings, naming the key on error."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, key: str, value: Any, fix: str) -> ConfigError:
        return ConfigError(f"{self.source}: {key}={value!r} {fix}")

    def mapping(self, raw: Any, key: str) -> Mapping[str, Any]:
        if raw is None:
            return {}
        if not isinstance(raw, Mapping):
            raise self.fail(key, raw, "must be a mapping of names to values")
        return raw

    def number(self, raw: Any, key: str, *, minimum: float = 0.0, strict: bool = False) -> float:
        if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not math.isfinite(raw):
            raise self.fail(key, raw, "must be a finite number")
        if raw < minimum or (strict and raw == minimum):
            sign = ">" if strict else ">="
            raise self.fail(key, raw, f"must be {sign} {minimum:g}")
        return float(raw)

    def boolean(self, raw: Any, key: str) -> bool:
        if not isinstance(raw, bool):
            raise self.fail(key, raw, "must be true or false")
        return raw

    def names(self, raw: Any, key: str) -> tuple[str, ...]:
        if not isinstance(raw, list) or not all(
            isinstance(n, str) and n.isidentifier() for n in raw
        ):
            raise self.fail(key, raw, "must be a list of names such as [sigmoid, expit]")
        return tuple(raw)

    def choice(self, raw: Any, key: str, options: tuple[str, ...]) -> str:
        if raw not in options:
            raise self.fail(key, raw, f"must be one of {', '.join(options)}")
        return str(raw)

    def unknown(self, raw: Mapping[str, Any], key: str, known: tuple[str, ...]) -> None:
        for name in raw:
            if name not in known:
                where = f"{key}.{name}" if key else str(name)
                renamed = RENAMED.get(str(name))
                hint = (
                    f"; it is now '{renamed}' (CPU seconds per call, not wall time)"
                    if renamed in known
                    else f"; expected one of {', '.join(known)}"
                )
                raise ConfigError(f"{self.source}: unknown key '{where}'{hint}")


RENAMED = {"call_timeout_s": "cpu_s", "timeout_s": "cpu_s"}  # old key → its successor


def _tolerances(r: _Reader, raw: Any, key: str) -> dict[str, Tolerance]:
    table = r.mapping(raw, key)
    out: dict[str, Tolerance] = {}
    for dtype, spec in table.items():
        r.choice(dtype, f"{key} dtype", DTYPES)
        spec = r.mapping(spec, f"{key}.{dtype}")
        r.unknown(spec, f"{key}.{dtype}", ("rtol", "atol"))
        out[dtype] = Tolerance(
            rtol=r.number(spec.get("rtol", 0.0), f"{key}.{dtype}.rtol"),
            atol=r.number(spec.get("atol", 0.0), f"{key}.{dtype}.atol"),
        )
    return out


def _task(r: _Reader, task_id: Any, raw: Any) -> TaskSpec:
    if not isinstance(task_id, str) or not TASK_ID.match(task_id):
        raise r.fail("tasks", task_id, "is not a task id; write '<unit>.<function>'")
    key = f"tasks.{task_id}"
    spec = {"points": raw} if isinstance(raw, (int, float)) and not isinstance(raw, bool) else raw
    spec = r.mapping(spec, key)
    r.unknown(spec, key, ("points", "tolerances", "cpu_s", "forbidden", "hidden"))
    if "points" not in spec:
        raise ConfigError(f"{r.source}: {key} has no 'points'; add e.g. 'points: 2'")
    cpu = spec.get("cpu_s")
    return TaskSpec(
        id=task_id,
        points=r.number(spec["points"], f"{key}.points"),
        tolerances=_tolerances(r, spec.get("tolerances"), f"{key}.tolerances"),
        cpu_s=None if cpu is None else r.number(cpu, f"{key}.cpu_s", strict=True),
        forbidden=r.names(spec.get("forbidden", []), f"{key}.forbidden"),
        hidden=r.boolean(spec.get("hidden", False), f"{key}.hidden"),
    )


def _profiles(r: _Reader, raw: Any) -> dict[str, HypothesisProfile]:
    table = r.mapping(raw, "hypothesis")
    r.unknown(table, "hypothesis", ("student", "grading"))
    out = {}
    for name in ("student", "grading"):
        key = f"hypothesis.{name}"
        spec = r.mapping(table.get(name), key)
        r.unknown(spec, key, ("max_examples", "derandomize"))
        examples = r.number(spec.get("max_examples", 25), f"{key}.max_examples", minimum=1)
        if examples != int(examples):
            raise r.fail(f"{key}.max_examples", spec["max_examples"], "must be a whole number")
        derandomize = r.boolean(spec.get("derandomize", name == "grading"), f"{key}.derandomize")
        out[name] = HypothesisProfile(name, int(examples), derandomize)
    return out


def _devices(r: _Reader, raw: Any) -> tuple[str, ...]:
    if not isinstance(raw, list) or not raw:
        raise r.fail("devices", raw, "must be a non-empty list such as [cpu, cuda]")
    return tuple(r.choice(d, "devices", DEVICES) for d in raw)


def _limits(r: _Reader, raw: Any) -> Limits:
    spec = r.mapping(raw, "limits")
    r.unknown(spec, "limits", ("cpu_s", "cpu_factor", "wall_factor", "memory_mb", "submission_s"))
    memory = r.number(spec.get("memory_mb", 4096), "limits.memory_mb", minimum=256)
    return Limits(
        cpu_s=r.number(spec.get("cpu_s", 10), "limits.cpu_s", strict=True),
        cpu_factor=r.number(spec.get("cpu_factor", 20), "limits.cpu_factor", minimum=1),
        wall_factor=r.number(spec.get("wall_factor", 3), "limits.wall_factor", minimum=1),
        memory_mb=int(memory),
        submission_s=r.number(spec.get("submission_s", 900), "limits.submission_s", strict=True),
    )


def _modules(r: _Reader, raw: Any, key: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(
        isinstance(n, str) and all(part.isidentifier() for part in n.split(".")) for n in raw
    ):
        raise r.fail(key, raw, "must be a list of module names such as [torch, numpy]")
    return tuple(n.split(".", 1)[0] for n in raw)


def _imports(
    r: _Reader, raw: Any, units: tuple[str, ...]
) -> tuple[tuple[str, ...], dict[str, tuple[str, ...]]]:
    """`imports: {all: [...], <unit>: [...]}`: the modules every submission file may
    import, and what each unit's file may import besides."""
    table = r.mapping(raw, "imports")
    r.unknown(table, "imports", ("all", *units))
    common = _modules(r, table["all"], "imports.all") if "all" in table else DEFAULT_IMPORTS
    extra = {u: _modules(r, names, f"imports.{u}") for u, names in table.items() if u != "all"}
    return common, extra


def _helpers(r: _Reader, raw: Any, units: tuple[str, ...]) -> tuple[str, ...]:
    """`helpers: [utils.py]`: files a submission may hold besides its units' own."""
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(n, str) and HELPER.match(n) for n in raw):
        raise r.fail("helpers", raw, "must be a list of file names such as [utils.py]")
    for name in raw:
        if name.removesuffix(".py") in units:
            raise r.fail("helpers", name, "is a unit's own file; list only extra files")
    return tuple(raw)


DEFAULT_TOLERANCES = {
    "float32": Tolerance(rtol=1e-5, atol=1e-6),
    "float64": Tolerance(rtol=1e-9, atol=1e-12),
}
TOP_KEYS = (
    "version",
    "reference",
    "devices",
    "limits",
    "tolerances",
    "hypothesis",
    "forbidden_sets",
    "imports",
    "helpers",
    "seeds",
    "tasks",
)
SEED_SCOPES = ("per-submission", "per-class")


def parse_config(raw: Any, source: str = "grading.yml") -> GradingConfig:
    """Validate a loaded grading.yml document and freeze it."""
    r = _Reader(source)
    doc = r.mapping(raw, "(top level)")
    r.unknown(doc, "", TOP_KEYS)
    for name, names in r.mapping(doc.get("forbidden_sets"), "forbidden_sets").items():
        r.names(names, f"forbidden_sets.{name}")  # YAML anchors the tasks refer to
    tasks = r.mapping(doc.get("tasks"), "tasks")
    if not tasks:
        raise ConfigError(f"{source}: 'tasks' is empty; list each task id with its points")
    units = tuple(dict.fromkeys(str(task_id).split(".", 1)[0] for task_id in tasks))
    common, extra = _imports(r, doc.get("imports"), units)
    return GradingConfig(
        source=source,
        imports=extra,
        common_imports=common,
        helpers=_helpers(r, doc.get("helpers"), units),
        reference=r.choice(doc.get("reference", "auto"), "reference", REFERENCES),
        devices=_devices(r, doc.get("devices", ["cpu", "cuda"])),
        limits=_limits(r, doc.get("limits")),
        tolerances={**DEFAULT_TOLERANCES, **_tolerances(r, doc.get("tolerances"), "tolerances")},
        hypothesis=_profiles(r, doc.get("hypothesis")),
        seeds=r.choice(doc.get("seeds", "per-submission"), "seeds", SEED_SCOPES),
        tasks=tuple(_task(r, task_id, spec) for task_id, spec in tasks.items()),
    )


def load_config(path: str | Path) -> GradingConfig:
    """Read and validate grading.yml; every problem names the file and the key. The file
    is read every time; the same text at the same path is parsed once per process (a warm
    grader grades submission after submission with one grading.yml)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the grading config ({exc.strerror})") from exc
    return _parsed(str(path), text)


@functools.lru_cache(maxsize=8)
def _parsed(path: str, text: str) -> GradingConfig:
    try:
        raw = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}: not valid YAML{where}: {exc}") from exc
    return parse_config(raw, path)
