"""Write a report so that a reader never sees half of it and a planted file or link at
its path is replaced, never followed (a worker at a weak isolation level could plant one).

Text is written as UTF-8; a lone surrogate that slipped past `safe_text` is written as
its escape (`\\ud800`) instead of ending the run with a traceback."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as f:
            f.write(text)
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
