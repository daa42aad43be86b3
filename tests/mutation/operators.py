"""Mutation operators: each maps one AST node to the variants it can be rewritten into.

An operator is a pure function `(node, scope) -> list[Variant]`; a variant names the node
whose source text is replaced, the node that replaces it and a short description. The
description is part of a mutant's id, so it names what changed, never a line number.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Variant:
    target: ast.AST  # the node whose source span is replaced
    new: ast.AST  # what replaces it (unparsed)
    desc: str


@dataclass(frozen=True)
class Scope:
    params: frozenset[str]  # the enclosing function's parameters
    parents: Mapping[ast.AST, ast.AST]


Operator = Callable[[ast.AST, Scope], list[Variant]]

SYMBOLS: dict[type, str] = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**",
    ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.BitAnd: "&", ast.BitOr: "|",
    ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=",
    ast.Is: "is", ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in",
    ast.And: "and", ast.Or: "or",
}  # fmt: skip
ARITH: dict[type, type] = {
    ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult,
    ast.Pow: ast.Mult, ast.FloorDiv: ast.Div, ast.Mod: ast.FloorDiv, ast.MatMult: ast.Mult,
}  # fmt: skip
# each comparison: its boundary shift, then its negation
COMPARE: dict[type, tuple[type, ...]] = {
    ast.Lt: (ast.LtE, ast.GtE), ast.LtE: (ast.Lt, ast.Gt), ast.Gt: (ast.GtE, ast.LtE),
    ast.GtE: (ast.Gt, ast.Lt), ast.Eq: (ast.NotEq,), ast.NotEq: (ast.Eq,),
    ast.Is: (ast.IsNot,), ast.IsNot: (ast.Is,), ast.In: (ast.NotIn,), ast.NotIn: (ast.In,),
}  # fmt: skip
BOOLEAN: dict[type, type] = {
    ast.And: ast.Or, ast.Or: ast.And, ast.BitAnd: ast.BitOr, ast.BitOr: ast.BitAnd,
}  # fmt: skip
EXTREMES = {"max": "min", "amax": "amin", "argmax": "argmin", "maximum": "minimum", "fmax": "fmin"}
EXTREMES |= {v: k for k, v in EXTREMES.items()}
MEAN_SUM = {"mean": "sum", "sum": "mean", "nanmean": "nansum", "nansum": "nanmean"}
AXIS_KEYWORDS = ("dim", "axis")
KEEPDIM_KEYWORDS = ("keepdim", "keepdims")
# calls that build or convert a value: negating their result is not a likely slip
CONVERSIONS = frozenset(
    "asarray array tensor as_tensor zeros ones zeros_like ones_like full_like unravel_index".split()
)
# out-of-place tensor methods whose in-place twin (`name_`) would write into the receiver
HAS_INPLACE = frozenset(
    "add sub mul div clamp clamp_min clamp_max scatter masked_fill pow exp abs neg sqrt "
    "sign zero fill addcmul addcdiv lerp copy".split()
)


def _with(node: ast.AST, **fields: object) -> ast.AST:
    new = copy.copy(node)
    for name, value in fields.items():
        setattr(new, name, value)
    return new


def _sym(op: ast.AST) -> str:
    return SYMBOLS[type(op)]


def _int_value(node: ast.AST) -> int | None:
    """The int a node spells (`3`, `-1`), else None."""
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _int_value(node.operand)
        return None if inner is None else -inner
    return None


def _number(node: ast.AST) -> object:
    """The number or bool a node spells (`2.0`, `-1`, `True`), else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (bool, int, float)):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = node.operand
        if isinstance(inner, ast.Constant) and type(inner.value) in (int, float):
            return -inner.value
    return None


def _number_node(value: object) -> ast.expr:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
        return ast.UnaryOp(ast.USub(), ast.Constant(-value))
    return ast.Constant(value)


def _int_node(value: int) -> ast.expr:
    return ast.Constant(value) if value >= 0 else ast.UnaryOp(ast.USub(), ast.Constant(-value))


def _shift(node: ast.expr, by: int) -> ast.expr:
    """`node ± 1`, folded when node is an int literal."""
    value = _int_value(node)
    if value is not None:
        return _int_node(value + by)
    return ast.BinOp(node, ast.Add() if by > 0 else ast.Sub(), ast.Constant(abs(by)))


def _is_bound(node: ast.AST, parents: Mapping[ast.AST, ast.AST]) -> bool:
    """Whether `node` is an index, a slice bound or a range() argument (off_by_one's job)."""
    parent = parents.get(node)
    while isinstance(parent, ast.UnaryOp):
        node, parent = parent, parents.get(parent)
    if isinstance(parent, ast.Tuple):
        node, parent = parent, parents.get(parent)
    if isinstance(parent, ast.Slice):
        return True
    if isinstance(parent, ast.Subscript):
        return parent.slice is node
    return isinstance(parent, ast.Call) and _func_name(parent) == "range"


def _keyword_of(node: ast.AST, parents: Mapping[ast.AST, ast.AST]) -> str | None:
    parent = parents.get(node)
    while isinstance(parent, ast.UnaryOp):
        parent = parents.get(parent)
    return parent.arg if isinstance(parent, ast.keyword) else None


def _func_name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _short(node: ast.AST, limit: int = 40) -> str:
    text = ast.unparse(node).splitlines()[0]
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---- the operators ----


def arith(node: ast.AST, scope: Scope) -> list[Variant]:
    """Swap an arithmetic operator (`+`↔`-`, `*`↔`/`, `**`→`*`, `//`→`/`), also in `x op= y`."""
    if not isinstance(node, (ast.BinOp, ast.AugAssign)) or type(node.op) not in ARITH:
        return []
    new_op = ARITH[type(node.op)]()
    eq = "=" if isinstance(node, ast.AugAssign) else ""
    return [Variant(node, _with(node, op=new_op), f"'{_sym(node.op)}{eq}' -> '{_sym(new_op)}{eq}'")]


def compare(node: ast.AST, scope: Scope) -> list[Variant]:
    """Shift a comparison's boundary (`<`→`<=`) or negate it (`<`→`>=`, `==`→`!=`)."""
    if not isinstance(node, ast.Compare):
        return []
    out = []
    for i, op in enumerate(node.ops):
        where = f" (#{i})" if len(node.ops) > 1 else ""
        for new_type in COMPARE.get(type(op), ()):
            ops = [*node.ops[:i], new_type(), *node.ops[i + 1 :]]
            desc = f"'{_sym(op)}' -> '{SYMBOLS[new_type]}'{where}"
            out.append(Variant(node, _with(node, ops=ops), desc))
    return out


def boolean(node: ast.AST, scope: Scope) -> list[Variant]:
    """`and`↔`or`, `&`↔`|` (masks), drop `not` / `~`."""
    if isinstance(node, (ast.BoolOp, ast.BinOp)) and type(node.op) in BOOLEAN:
        new_op = BOOLEAN[type(node.op)]()
        return [Variant(node, _with(node, op=new_op), f"'{_sym(node.op)}' -> '{_sym(new_op)}'")]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.Invert)):
        word = "not" if isinstance(node.op, ast.Not) else "~"
        return [Variant(node, node.operand, f"drop '{word}'")]
    return []


def unary(node: ast.AST, scope: Scope) -> list[Variant]:
    """Drop a unary minus, or negate the value a statement returns or assigns."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        if _int_value(node) is not None and _is_bound(node, scope.parents):
            return []  # x[-1]: off_by_one's job
        return [Variant(node, node.operand, f"drop '-' of '{_short(node.operand)}'")]
    if isinstance(node, (ast.Return, ast.Assign)) and isinstance(node.value, ast.expr):
        value = node.value
        if isinstance(value, (ast.Tuple, ast.Constant)) or (
            isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.USub)
        ):
            return []
        if isinstance(value, ast.Call) and _func_name(value) in CONVERSIONS:
            return []  # `x = -np.asarray(x)`: drop_statement covers a missing conversion
        return [Variant(value, ast.UnaryOp(ast.USub(), value), f"negate '{_short(value, 30)}'")]
    return []


def constant(node: ast.AST, scope: Scope) -> list[Variant]:
    """0↔1, 1→2, -1→0 or 1, n→n±1, a float c→c+1 (1.0→0.0 or 2.0), True↔False.

    `-1` counts as one constant. Indices, slice bounds and dim= values are left to
    off_by_one and reduction.
    """
    if _is_bound(node, scope.parents) or _keyword_of(node, scope.parents) in (
        *AXIS_KEYWORDS,
        *KEEPDIM_KEYWORDS,
    ):
        return []
    if isinstance(node, ast.Constant) and isinstance(scope.parents.get(node), ast.UnaryOp):
        return []  # the `1` of `-1`: mutated as part of -1
    value = _number(node)
    if isinstance(value, bool):
        news: list[object] = [not value]
    elif isinstance(value, int):
        table = {0: [1], 1: [0, 2], -1: [0, 1]}
        news = table.get(value, [value - 1, value + 1])
    elif isinstance(value, float):
        news = [1.0] if value == 0.0 else [0.0, 2.0] if value == 1.0 else [value + 1.0]
    else:
        return []
    return [Variant(node, _number_node(new), f"{value!r} -> {new!r}") for new in news]


def off_by_one(node: ast.AST, scope: Scope) -> list[Variant]:
    """Move an index, a slice bound or a range() argument by one."""
    parts: list[tuple[str, ast.expr]] = []
    if isinstance(node, ast.Subscript):
        index = node.slice
        items = index.elts if isinstance(index, ast.Tuple) else [index]
        for item in items:
            if isinstance(item, ast.Slice):
                parts += [(w, b) for w, b in (("lower", item.lower), ("upper", item.upper)) if b]
            elif _int_value(item) is not None:
                parts.append(("index", item))
    elif isinstance(node, ast.Call) and _func_name(node) == "range":
        parts = [("range arg", arg) for arg in node.args]
    return [
        Variant(part, _shift(part, by), f"{where} {_short(part)} -> {_short(_shift(part, by))}")
        for where, part in parts
        for by in (1, -1)
    ]


def swap_args(node: ast.AST, scope: Scope) -> list[Variant]:
    """Swap two neighbouring positional arguments of a call."""
    if not isinstance(node, ast.Call) or any(isinstance(a, ast.Starred) for a in node.args):
        return []
    out = []
    for i in range(len(node.args) - 1):
        args = list(node.args)
        if ast.dump(args[i]) == ast.dump(args[i + 1]):
            continue
        args[i], args[i + 1] = args[i + 1], args[i]
        desc = f"swap args {i},{i + 1} of {_short(node.func)}"
        out.append(Variant(node, _with(node, args=args), desc))
    return out


def drop_statement(node: ast.AST, scope: Scope) -> list[Variant]:
    """Replace a statement with `pass`."""
    if not isinstance(node, ast.stmt) or isinstance(node, (ast.Pass, ast.FunctionDef)):
        return []
    return [Variant(node, ast.Pass(), f"drop '{_short(node)}'")]


def inplace(node: ast.AST, scope: Scope) -> list[Variant]:
    """In place vs copy: drop `.clone()`/`.copy()`, `p = p + y`↔`p += y`, `.m(`↔`.m_(`."""
    if isinstance(node, ast.AugAssign):
        value = ast.BinOp(_with(node.target, ctx=ast.Load()), node.op, node.value)
        new = ast.Assign(targets=[node.target], value=value, lineno=0)
        t, op = _short(node.target), _sym(node.op)
        return [Variant(node, new, f"'{t} {op}= …' -> '{t} = {t} {op} …'")]
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        target, value = node.targets[0], node.value
        if (
            isinstance(target, ast.Name)
            and target.id in scope.params
            and isinstance(value, ast.BinOp)
            and type(value.op) in ARITH
            and isinstance(value.left, ast.Name)
            and value.left.id == target.id
        ):
            new = ast.AugAssign(target=target, op=value.op, value=value.right)
            t, op = target.id, _sym(value.op)
            return [Variant(node, new, f"'{t} = {t} {op} …' -> '{t} {op}= …'")]
        return []
    if not isinstance(node, ast.Call):
        return []
    func, name = node.func, _func_name(node)
    if name in ("clone", "copy") and isinstance(func, ast.Attribute) and not node.args:
        return [Variant(node, func.value, f"drop .{name}()")]
    if name in ("clone", "copy") and isinstance(func, ast.Attribute) and len(node.args) == 1:
        return [Variant(node, node.args[0], f"drop {_short(func)}()")]
    if not isinstance(func, ast.Attribute):
        return []
    if name.endswith("_") and not name.startswith("_"):
        new_func = _with(func, attr=name[:-1])
        return [Variant(node, _with(node, func=new_func), f"'.{name}' -> '.{name[:-1]}'")]
    if name in HAS_INPLACE and isinstance(func.value, ast.Name) and func.value.id in scope.params:
        new_func = _with(func, attr=name + "_")
        return [Variant(node, _with(node, func=new_func), f"'.{name}' -> '.{name}_'")]
    return []


def reduction(node: ast.AST, scope: Scope) -> list[Variant]:
    """Change a `dim=`/`axis=` value, flip `keepdim`, or drop both (reduce over everything)."""
    if not isinstance(node, ast.Call):
        return []
    out = []
    for kw in node.keywords:
        if kw.arg in AXIS_KEYWORDS:
            value = _int_value(kw.value)
            news = [value - 1, value + 1] if value is not None else [-1, 0]
            for new in news:
                desc = f"{kw.arg}={_short(kw.value)} -> {kw.arg}={new}"
                out.append(Variant(kw.value, _int_node(new), desc))
        elif kw.arg in KEEPDIM_KEYWORDS and isinstance(kw.value, ast.Constant):
            desc = f"{kw.arg}={kw.value.value!r} -> {kw.arg}={not kw.value.value!r}"
            out.append(Variant(kw.value, ast.Constant(not kw.value.value), desc))
    if any(kw.arg in AXIS_KEYWORDS for kw in node.keywords):
        kept = [kw for kw in node.keywords if kw.arg not in (*AXIS_KEYWORDS, *KEEPDIM_KEYWORDS)]
        desc = f"reduce all of {_short(node.func)} (drop dim)"
        out.append(Variant(node, _with(node, keywords=kept), desc))
    return out


def _rename_call(node: ast.AST, table: Mapping[str, str]) -> list[Variant]:
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
        return []
    name = node.func.attr
    if name not in table:
        return []
    new_func = _with(node.func, attr=table[name])
    return [Variant(node.func, new_func, f"{name} -> {table[name]}")]


def mean_sum(node: ast.AST, scope: Scope) -> list[Variant]:
    """`mean`↔`sum`."""
    return _rename_call(node, MEAN_SUM)


def max_min(node: ast.AST, scope: Scope) -> list[Variant]:
    """`max`↔`min` (amax, argmax, maximum too), and clamp's `min=`↔`max=` keywords."""
    out = _rename_call(node, EXTREMES)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in EXTREMES:
        new_func = ast.Name(EXTREMES[node.func.id], ast.Load())
        out.append(Variant(node.func, new_func, f"{node.func.id} -> {new_func.id}"))
    if isinstance(node, ast.Call) and any(kw.arg in ("min", "max") for kw in node.keywords):
        swap = {"min": "max", "max": "min"}
        keywords = [_with(kw, arg=swap.get(kw.arg or "", kw.arg)) for kw in node.keywords]
        desc = f"swap min=/max= of {_short(node.func)}"
        out.append(Variant(node, _with(node, keywords=keywords), desc))
    return out


def drop_abs(node: ast.AST, scope: Scope) -> list[Variant]:
    """`abs(x)`, `torch.abs(x)`, `x.abs()` -> `x`."""
    if not isinstance(node, ast.Call) or _func_name(node) not in ("abs", "fabs", "absolute"):
        return []
    if len(node.args) == 1 and not node.keywords:
        return [Variant(node, node.args[0], f"drop {_short(node.func)}()")]
    if not node.args and isinstance(node.func, ast.Attribute):
        return [Variant(node, node.func.value, "drop .abs()")]
    return []


def where_swap(node: ast.AST, scope: Scope) -> list[Variant]:
    """`where(c, a, b)` -> `where(c, b, a)`."""
    if not isinstance(node, ast.Call) or _func_name(node) != "where" or len(node.args) != 3:
        return []
    cond, a, b = node.args
    return [Variant(node, _with(node, args=[cond, b, a]), "swap where branches")]


# in priority order: where two operators make the same mutant, the first one names it
OPERATORS: dict[str, Operator] = {
    "where_swap": where_swap,
    "mean_sum": mean_sum,
    "max_min": max_min,
    "drop_abs": drop_abs,
    "reduction": reduction,
    "inplace": inplace,
    "compare": compare,
    "boolean": boolean,
    "arith": arith,
    "unary": unary,
    "off_by_one": off_by_one,
    "constant": constant,
    "swap_args": swap_args,
    "drop_statement": drop_statement,
}
