"""The trusted reference: solutions/ where present, else the torch built-in oracle."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

from autograder.errors import ConfigError


class Reference:
    """`reference.activations.sigmoid(x)`: runs in the grader process, never student code."""

    def __init__(self, mode: str, solutions: Path) -> None:
        self.mode, self.solutions = mode, solutions
        self._modules: dict[str, ModuleType] = {}
        self._kinds: dict[str, str] = {}

    def kind(self, unit: str) -> str:
        """ "solutions" or "oracle" for `unit`, decided once (at `load`) and kept."""
        if unit not in self._kinds:
            present = (self.solutions / f"{unit}.py").is_file()
            auto = "solutions" if present else "oracle"
            self._kinds[unit] = auto if self.mode == "auto" else self.mode
        return self._kinds[unit]

    def load(self, units: Iterable[str]) -> None:
        """Load every unit now, and decide solutions-vs-oracle now, not later."""
        for unit in units:
            getattr(self, unit)

    def folder(self, unit: str) -> Path:
        """The folder that holds the reference's `<unit>.py` (solutions/ or the oracle)."""
        if self.kind(unit) == "oracle":
            return Path(__file__).resolve().parent / "oracle"
        return self.solutions.resolve()

    def __getattr__(self, unit: str) -> ModuleType:
        if unit.startswith("_"):
            raise AttributeError(unit)
        if unit not in self._modules:
            self._modules[unit] = self._load(unit)
        return self._modules[unit]

    def _load(self, unit: str) -> ModuleType:
        if self.kind(unit) == "oracle":
            return importlib.import_module(f"autograder.oracle.{unit}")
        path = self.solutions / f"{unit}.py"
        if not path.is_file():
            raise ConfigError(
                f"reference: solutions: {path} is missing; set "
                "'reference: auto' in grading.yml to fall back to the oracle"
            )
        spec = importlib.util.spec_from_file_location(f"_autograder_reference.{unit}", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
