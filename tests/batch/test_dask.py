"""`autograder batch --dask`: the same rows from a real dask.distributed LocalCluster of
two workers, also when one of them is killed in the middle of the batch."""

from __future__ import annotations

import csv
import json
import os
import random
import signal
import time
from pathlib import Path

import pytest

from autograder.batch.run import Options, run
from tests.batch.test_batch import UNITS, course  # noqa: F401 - the fixture
from tests.classes import write_student

pytest.importorskip("distributed", reason="dask.distributed is not installed (the dask extra)")


def _class(top: Path, size: int) -> None:
    rng = random.Random(7)
    kinds = ["correct", "partly wrong", "stub"]
    for k in range(size):
        write_student(top / f"s{k:02d}", f"s{k:02d}", kinds[k % 3], rng)


def _totals(out: Path) -> dict[str, str]:
    with (out / "gradebook.csv").open() as f:
        return {row["student"]: row["total"] for row in csv.DictReader(f)}


def test_a_dask_batch_gives_the_local_rows_and_survives_a_killed_worker(tmp_path, course):  # noqa: F811
    from distributed import Client, LocalCluster

    top = tmp_path / "class"
    _class(top, 8)
    local = tmp_path / "local"
    run(Options(top, local, course, jobs=2, units=UNITS))

    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    client = Client(cluster)
    out = tmp_path / "dask"
    killed_with: list[int] = []  # how many results were written when a worker was killed
    try:
        import threading

        def kill_one_worker_mid_batch() -> None:
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline:
                if len(list((out / "results").glob("*.json"))) >= 2:
                    break
                time.sleep(0.2)
            pids = client.run(os.getpid)
            killed_with.append(len(list((out / "results").glob("*.json"))))
            os.kill(next(iter(pids.values())), signal.SIGKILL)

        killer = threading.Thread(target=kill_one_worker_mid_batch, daemon=True)
        killer.start()
        outcome = run(Options(top, out, course, jobs=2, dask=cluster.scheduler_address,
                              units=UNITS))  # fmt: skip
        killer.join(30)
    finally:
        client.close()
        cluster.close()
    assert killed_with and 2 <= killed_with[0] < 8, killed_with
    assert outcome.summary.graded == 8 and outcome.summary.failed == 0
    assert _totals(out) == _totals(local)
    records = [json.loads(p.read_text()) for p in (out / "results").glob("*.json")]
    assert sorted(r["student"] for r in records) == sorted(_totals(local))
