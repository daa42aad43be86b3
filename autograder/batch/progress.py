"""Progress a person can watch: a tqdm bar (count, rate, ETA) on a terminal, plain log
lines with the same figures elsewhere (CI logs, files).

tqdm rather than rich: one small dependency that draws a single line and needs no
terminal features beyond a carriage return; rich would bring a layout engine this
one line does not need.
"""

from __future__ import annotations

import sys
import time
from typing import IO, Any

from autograder import safe_text

LINE_LIMIT = 300  # characters of a progress line's own text


class Progress:
    def __init__(self, total: int, stream: IO[str] | None = None) -> None:
        self.total, self.count = total, 0
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self.bar: Any = None
        if total and self.stream.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, file=self.stream, unit="submission", smoothing=0.1)

    def advance(self, line: str) -> None:
        """One more submission done; `line` says which and how it went (a student id is
        the student's text: shown as one safe line)."""
        self.count += 1
        line = safe_text.line(line, LINE_LIMIT)
        if self.bar is not None:
            self.bar.set_postfix_str(line[:40], refresh=False)
            self.bar.update(1)
            return
        elapsed = time.monotonic() - self.started
        pace = ""
        if elapsed >= 1.0:
            rate = self.count / elapsed
            pace = f"; {60 * rate:.1f}/min, about {_span((self.total - self.count) / rate)} left"
        print(f"[{self.count}/{self.total}] {line}{pace}", file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _span(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min"
