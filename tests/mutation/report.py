"""Kill rate per unit, measured against the survivors judged equivalent (equivalent.yml).

Kill rate = killed / (mutants − equivalent). An entry of equivalent.yml is stale when it
no longer names a generated mutant of a unit that was run, or when that mutant was killed
(then it was not equivalent).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from tests.mutation.mutator import Mutant
from tests.mutation.runner import Outcome

TARGET = 0.95
EQUIVALENTS = Path(__file__).resolve().parent / "equivalent.yml"


@dataclass(frozen=True)
class UnitRow:
    unit: str
    mutants: int
    killed: int
    equivalent: int
    survived: int
    suspicious: int  # killed by a timeout or a run without scores

    @property
    def kill_rate(self) -> float:
        judged = self.mutants - self.equivalent
        return self.killed / judged if judged else 1.0


def load_equivalents(path: Path = EQUIVALENTS) -> dict[str, str]:
    """{mutant id: why it is equivalent}; every entry must give a reason."""
    data = yaml.safe_load(path.read_text()) if path.is_file() else None
    entries = (data or {}).get("equivalent") or {}
    if not isinstance(entries, dict):
        raise ValueError(f"{path}: 'equivalent' must map mutant ids to reasons")
    for key, reason in entries.items():
        if not isinstance(reason, str) or not reason.strip():
            raise ValueError(f"{path}: equivalent[{key!r}] needs a reason (a non-empty string)")
    return {str(k): v.strip() for k, v in entries.items()}


def rows(
    units: Iterable[str], outcomes: Iterable[Outcome], equivalents: Mapping[str, str]
) -> list[UnitRow]:
    outcomes = list(outcomes)
    out = []
    for unit in units:
        mine = [o for o in outcomes if o.unit == unit]
        killed = sum(o.killed for o in mine)
        equivalent = sum(not o.killed and o.id in equivalents for o in mine)
        suspicious = sum(o.suspicious for o in mine)
        survived = len(mine) - killed - equivalent
        out.append(UnitRow(unit, len(mine), killed, equivalent, survived, suspicious))
    return out


def stale(
    units: Iterable[str],
    mutants: Iterable[Mutant],
    outcomes: Iterable[Outcome],
    equivalents: Mapping[str, str],
) -> list[str]:
    """Problems with equivalent.yml for the units that were run."""
    units, ids = set(units), {m.id for m in mutants}
    killed = {o.id for o in outcomes if o.killed}
    problems = []
    for key in equivalents:
        if key.split(".", 1)[0] not in units:
            continue
        if key not in ids:
            problems.append(f"stale: {key!r} matches no mutant any more")
        elif key in killed:
            problems.append(f"stale: {key!r} is listed as equivalent but was killed")
    return problems


def render(
    table: list[UnitRow],
    mutants: Iterable[Mutant],
    outcomes: Iterable[Outcome],
    equivalents: Mapping[str, str],
    problems: list[str],
) -> str:
    by_id = {m.id: m for m in mutants}
    lines = [
        f"{'unit':<18} {'mutants':>7} {'killed':>7} {'equiv':>6} {'survived':>8} {'kill rate':>9}",
    ]
    for row in table:
        flag = "" if row.kill_rate >= TARGET else f"  < {TARGET:.0%}"
        lines.append(
            f"{row.unit:<18} {row.mutants:>7} {row.killed:>7} {row.equivalent:>6} "
            f"{row.survived:>8} {row.kill_rate:>9.1%}{flag}"
        )
    survivors = [o for o in outcomes if not o.killed and o.id not in equivalents]
    if survivors:
        lines += ["", f"surviving mutants ({len(survivors)}):"]
        lines += [f"  {o.id}\n      {by_id[o.id].diff}" for o in survivors if o.id in by_id]
    odd = [o for o in outcomes if o.suspicious]
    if odd:
        lines += ["", f"killed by a timeout or a run without scores ({len(odd)}; rerun them):"]
        lines += [f"  {o.id}: {o.how}" for o in odd]
    if problems:
        lines += ["", "equivalent.yml:", *(f"  {p}" for p in problems)]
    return "\n".join(lines)


def passed(table: list[UnitRow], problems: list[str]) -> bool:
    return not problems and all(row.kill_rate >= TARGET for row in table)
