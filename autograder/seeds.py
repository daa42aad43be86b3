"""Grading seeds: unpredictable to a student, the same for the same submission (trust rule 6).

In the `grading` profile, when the course has a secret (the environment variable
AUTOGRADER_SECRET, or a file named by AUTOGRADER_SECRET_FILE; neither is ever in the
repository or the student release), the run's base seed is HMAC-SHA256(secret, digest of
every file of the submission the worker can import), or, where grading.yml says
`seeds: per-class`, HMAC-SHA256(secret, the assignment's task ids): one set of inputs for
the whole class, never shown to a student, which lets a warm grader compute what does not
depend on the student once for all (autograder.reference_cache). Every seeded input
(`strategies.randn`, initial weights, the training runs' torch seeds) and every test's
generated examples (hypothesis, seeded per test) then draw from a seed mixed from that base and
its own fixed number: a student cannot know the inputs in advance, and a regrade of the
same files gets the same inputs, so the same grade. Without a secret the fixed seeds are
used, and the run says so. No report shows the base (see `SeedPlan.to_dict`); a regrade
with the same secret draws the same inputs, and `--grading-seed N` replays a base that
staff computed with `plan_for`.

The plan in force is process-wide (the graded suite calls `mixed` deep inside its input
builders); the pytest plugin activates one per session and puts the fixed plan back after.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from autograder.errors import ConfigError
from autograder.nofollow import Refused, read_file

SECRET_ENV = "AUTOGRADER_SECRET"
SECRET_FILE_ENV = "AUTOGRADER_SECRET_FILE"
MASK = 2**31 - 1  # mixed seeds fit every generator (torch, numpy, hypothesis)


@dataclass(frozen=True)
class SeedPlan:
    """`base` None: the fixed seeds written in the graded suite."""

    base: int | None = None
    source: str = "fixed"  # fixed | course secret | replayed

    def mix(self, seed: int) -> int:
        """The seed to use where the graded suite wrote `seed`."""
        if self.base is None:
            return seed
        digest = hashlib.sha256(f"{self.base}:{seed}".encode()).digest()
        return int.from_bytes(digest[:8], "big") & MASK

    def for_test(self, name: str) -> int | None:
        """The seed of a hypothesis test `name` (one in a course's hidden/ folder; None:
        hypothesis' own rule)."""
        if self.base is None:
            return None
        return self.mix(int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "big"))

    def describe(self) -> str:
        if self.base is None:
            return (
                f"fixed (no course secret: inputs can be known in advance; set {SECRET_ENV} "
                f"or {SECRET_FILE_ENV} for staff grading)"
            )
        return (
            f"from the {self.source} (unknowable in advance; the same files always draw the "
            "same inputs)"
        )

    def to_dict(self) -> dict[str, object]:
        """What every report may say of the seeds: their source, and a fingerprint that
        tells two runs' seeds apart. Never the base: reports reach students (GitHub,
        Gradescope, feedback), and staff replay a run by grading the same files with the
        same secret (or with --grading-seed, from `plan_for`)."""
        return {"source": self.source, "base": None, "fingerprint": self.fingerprint()}

    def fingerprint(self) -> str | None:
        if self.base is None:
            return None
        return hashlib.sha256(f"fingerprint:{self.base}".encode()).hexdigest()[:12]


FIXED = SeedPlan()
_current: list[SeedPlan] = [FIXED]


def activate(plan: SeedPlan) -> None:
    _current[0] = plan


def current() -> SeedPlan:
    return _current[0]


def mixed(seed: int) -> int:
    """`seed` mixed with the plan in force (itself when the seeds are fixed)."""
    return _current[0].mix(seed)


def read_secret(env: Mapping[str, str] | None = None) -> bytes | None:
    """The course secret from the environment or the file it names; None when unset."""
    env = os.environ if env is None else env
    if env.get(SECRET_ENV):
        return env[SECRET_ENV].encode()
    name = env.get(SECRET_FILE_ENV)
    if not name:
        return None
    try:
        text = Path(name).read_bytes().strip()
    except OSError as exc:
        raise ConfigError(
            f"{SECRET_FILE_ENV}={name}: cannot read the course secret ({exc.strerror}); "
            "point it at a readable file, or unset it"
        ) from None
    if not text:
        raise ConfigError(f"{SECRET_FILE_ENV}={name}: the file is empty; put the secret in it")
    return text


def submission_digest(folder: Path, files: tuple[str, ...]) -> bytes:
    """SHA-256 over every file of the submission the worker can import (name and bytes;
    a missing file counts): the units' files and the course's helpers
    (`GradingConfig.files`; a bare unit name means its `.py`). A file outside them is
    never imported, so it cannot carry answers fitted to a seed."""
    digest = hashlib.sha256()
    for name in sorted(n if n.endswith(".py") else f"{n}.py" for n in files):
        try:
            data = read_file(folder / name, folder)
        except (OSError, Refused):  # missing, a link, not a regular file: never imported
            data = b"\0missing"
        digest.update(f"{name}\0{len(data)}\0".encode() + data)
    return digest.digest()


def class_digest(task_ids: Sequence[str]) -> bytes:
    """What `seeds: per-class` keys the base seed on: the assignment (its task ids), the
    same for every submission of a class, so the inputs, the reference's values on them
    and the examples drawn are the same for all (and are computed once per warm grader)."""
    return hashlib.sha256(("class\0" + "\0".join(sorted(task_ids))).encode()).digest()


def plan_for(
    profile: str, secret: bytes | None, digest: bytes, replay: int | None = None
) -> SeedPlan:
    """The seeds of one grading run (see the module docstring); `digest` is the
    submission's (`submission_digest`) or, under `seeds: per-class`, the class's
    (`class_digest`)."""
    if replay is not None:
        return SeedPlan(replay, "replayed")
    if profile != "grading" or secret is None:
        return FIXED
    base = int.from_bytes(hmac.new(secret, digest, hashlib.sha256).digest()[:8], "big") & MASK
    return SeedPlan(base, "course secret")
