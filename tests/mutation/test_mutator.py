"""The mutator: every operator fires, every mutant compiles and differs, ids are stable."""

from __future__ import annotations

import ast
from collections import Counter

import pytest

from tests.mutation.mutator import BEGIN, END, mutants, solution_regions
from tests.mutation.operators import OPERATORS

SOURCE = '''"""A unit."""

import torch


def helper(x, y):
    return torch.where(x > y, x + 1, y - 1)  # outside any region: never mutated


def f(x, y, dim=-1):
    """Docstring."""
    ### BEGIN SOLUTION
    z = x.clone()
    z = z * y
    m = torch.where(z >= 0, z, -z)
    s = torch.abs(m).mean(dim=dim, keepdim=True)
    t = torch.amax(x, dim=1) / 2.0
    ok = (x > 0) & (y < 1) and True
    for i in range(3):
        s = s - x[0] ** 2 // 1
    x = x + 1
    w = torch.clamp(s, min=0.0)
    return torch.maximum(z, w + t[1:3])
    ### END SOLUTION
'''


def _by_operator(source: str = SOURCE) -> dict[str, list]:
    found: dict[str, list] = {name: [] for name in OPERATORS}
    for mutant in mutants("unit", source):
        found[mutant.operator].append(mutant)
    return found


@pytest.mark.parametrize("operator", list(OPERATORS))
def test_every_operator_yields_mutants_of_a_small_source(operator):
    assert _by_operator()[operator], f"{operator} made no mutant of the sample source"


def test_every_mutant_compiles_and_differs_from_the_source_and_the_others():
    found = mutants("unit", SOURCE)
    dumps = [ast.dump(ast.parse(m.source)) for m in found]
    assert ast.dump(ast.parse(SOURCE)) not in dumps
    assert len(set(dumps)) == len(dumps)
    for mutant in found:
        compile(mutant.source, "unit.py", "exec")


def test_only_the_solution_region_changes():
    head, tail = SOURCE.split(BEGIN)[0], SOURCE.split(END)[1]
    for mutant in mutants("unit", SOURCE):
        assert mutant.source.startswith(head) and mutant.source.endswith(END + tail), mutant.id
        assert mutant.function == "f"


def test_ids_are_unique_and_name_unit_function_operator_and_change():
    found = mutants("unit", SOURCE)
    assert not [i for i, n in Counter(m.id for m in found).items() if n > 1]
    compare = [m.id for m in found if m.operator == "compare"]
    assert "unit.f/compare#0/'>=' -> '>'" in compare
    assert "unit.f/compare#0/'>=' -> '<'" in compare


def test_ids_are_stable_under_unrelated_edits():
    g = "def g(a):\n    ### BEGIN SOLUTION\n    return a - 1\n    ### END SOLUTION\n\n\n"
    edited = SOURCE.replace("def f(", g + "def f(")
    edited = edited.replace('"""Docstring."""', '"""Docstring,\n\n    now longer."""')
    before = {m.id: m.after for m in mutants("unit", SOURCE)}
    after = {m.id: m.after for m in mutants("unit", edited) if m.function == "f"}
    assert after == before


def test_an_edit_inside_the_function_keeps_the_ids_of_other_operators():
    edited = SOURCE.replace("    z = z * y\n", "    z = z * y\n    z = torch.exp(z)\n")
    keep = {"compare", "reduction", "where_swap", "max_min", "mean_sum", "drop_abs"}
    before = {m.id for m in mutants("unit", SOURCE) if m.operator in keep}
    after = {m.id for m in mutants("unit", edited) if m.operator in keep}
    assert after == before


def test_in_place_rewrites_only_parameters():
    descs = [m.desc for m in _by_operator()["inplace"]]
    assert "'x = x + …' -> 'x += …'" in descs
    assert not any(d.startswith("'z = z") for d in descs)  # z is a fresh local
    assert "drop .clone()" in descs


def test_the_diff_names_the_line_and_both_versions():
    mutant = next(m for m in mutants("unit", SOURCE) if m.operator == "where_swap")
    assert mutant.before == "m = torch.where(z >= 0, z, -z)"
    assert mutant.after == "m = torch.where(z >= 0, -z, z)"
    assert mutant.diff.startswith(f"line {mutant.line}: ")


def test_solution_regions_are_found_between_the_markers():
    assert solution_regions(SOURCE) == [(12, 24)]


def test_identical_mutants_are_skipped():
    source = SOURCE.replace("return torch.maximum(z, w + t[1:3])", "return torch.maximum(z, z)")
    swaps = [m.desc for m in mutants("unit", source) if m.operator == "swap_args"]
    assert "swap args 0,1 of torch.maximum" not in swaps
