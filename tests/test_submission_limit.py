"""A submission that sleeps just under the per-call limit on every call is stopped by
its whole-submission budget (limits.submission_s), and says so."""

from __future__ import annotations

import time

import yaml

from tests.helpers import ROOT, RUN_REFUSED, SOLUTIONS, by_id, grade, make_submission

SLEEPY = """

import functools as _functools
import time as _time


def _slow(fn):
    @_functools.wraps(fn)
    def wrapper(*args, **kwargs):
        _time.sleep(0.8)  # under the 3 s backstop of every call
        return fn(*args, **kwargs)

    return wrapper


for _name, _value in list(globals().items()):
    if callable(_value) and getattr(_value, "__module__", None) == __name__:
        if not _name.startswith("_"):
            globals()[_name] = _slow(_value)
"""


def test_sleeping_under_the_call_limit_every_time_costs_the_submission_its_budget(tmp_path):
    config = yaml.safe_load((ROOT / "grading.yml").read_text())
    config["limits"].update(cpu_s=1, submission_s=4)
    (tmp_path / "grading.yml").write_text(yaml.safe_dump(config))
    source = (SOLUTIONS / "linear_model.py").read_text() + SLEEPY
    sub = make_submission(tmp_path / "sub", files={"linear_model.py": source})
    started = time.monotonic()
    result = grade(
        sub,
        tmp_path / "out.json",
        "--unit",
        "linear_model",
        "--config",
        str(tmp_path / "grading.yml"),
        env=RUN_REFUSED,  # the sleepy code imports time: run it all the same
    )
    assert time.monotonic() - started < 120
    tasks = by_id(result)
    stopped = [t for t in tasks.values() if "used up its time" in t["message"]]
    assert stopped and all(t["status"] == "timeout" and t["score"] == 0 for t in stopped)
    assert "limits.submission_s = 4" in stopped[0]["message"]
    assert result["score"] < result["max_score"]
