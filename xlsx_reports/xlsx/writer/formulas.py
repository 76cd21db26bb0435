"""Spreadsheet formula text built from the form: totals from Field.terms, checks from Check.

Pure functions over the form (no xlsxwriter), so the formula a township sees is derived
from the same definition the checker evaluates in Python.
"""
from __future__ import annotations

from xlsx_reports.core.a1 import a1
from xlsx_reports.form.definitions import LEVEL_KEY
from xlsx_reports.form.model import Check, Field, Form


def quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def ref(field: Field, *, sheet: bool = False, absolute: bool = False) -> str:
    cell = a1(field.row, field.col, absolute=absolute)
    return f"{quote_sheet(field.sheet)}!{cell}" if sheet else cell


def ranges(cells: list[tuple[int, int]]) -> list[tuple[int, int, int, int]]:
    """Group cells into rectangles (r0, c0, r1, c1): runs along a row, then equal runs down.

    Order of first appearance is kept so a formula reads like the table.
    """
    runs: list[list[int]] = []
    for r, c in cells:
        if runs and runs[-1][0] == r and runs[-1][2] == c - 1:
            runs[-1][2] = c
        else:
            runs.append([r, c, c])
    rects: list[list[int]] = []
    for r, c0, c1 in runs:
        prev = next((x for x in rects if x[1] == c0 and x[3] == c1 and x[2] == r - 1), None)
        if prev:
            prev[2] = r
        else:
            rects.append([r, c0, r, c1])
    return [(r0, c0, r1, c1) for r0, c0, r1, c1 in rects]


def _rect_text(rect: tuple[int, int, int, int], prefix: str, absolute: bool) -> str:
    r0, c0, r1, c1 = rect
    first, last = a1(r0, c0, absolute=absolute), a1(r1, c1, absolute=absolute)
    return prefix + (first if (r0, c0) == (r1, c1) else f"{first}:{last}")


def range_list(fields: list[Field], *, sheet: bool = False, absolute: bool = False) -> list[str]:
    """A1 ranges covering the fields' top-left cells (merged tails are never counted)."""
    by_sheet: dict[str, list[tuple[int, int]]] = {}
    for f in fields:
        by_sheet.setdefault(f.sheet, []).append((f.row, f.col))
    out = []
    for name, cells in by_sheet.items():
        prefix = quote_sheet(name) + "!" if sheet else ""
        out += [_rect_text(rect, prefix, absolute) for rect in ranges(cells)]
    return out


def sum_expr(form: Form, terms: tuple[str, ...], *, sheet: bool = False,
             absolute: bool = False) -> str:
    """Σ terms as a formula expression; a leading "-" on a term subtracts it."""
    plus = [form.field(t) for t in terms if not t.startswith("-")]
    minus = [form.field(t) for t in terms if t.startswith("-")]
    expr = ""
    if plus:
        expr = "SUM(" + ",".join(range_list(plus, sheet=sheet, absolute=absolute)) + ")"
    if minus:
        expr += "-SUM(" + ",".join(range_list(minus, sheet=sheet, absolute=absolute)) + ")"
    return expr or "0"


def total_formula(form: Form, total: Field) -> str:
    return "=" + sum_expr(form, total.terms)


def check_condition(form: Form, check: Check, *, sheet: bool, absolute: bool = False) -> str:
    """The check as a boolean expression that is TRUE when the rule holds."""
    left = sum_expr(form, check.left, sheet=sheet, absolute=absolute)
    right = (sum_expr(form, check.right, sheet=sheet, absolute=absolute)
             if check.right else str(check.const if check.const is not None else 0))
    if check.op == "eq":
        return f"{left}={right}"
    if check.op == "ge":
        return f"{left}>={right}"
    if check.op == "le":
        return f"{left}<={right}"
    if check.op == "lt":
        return f"{left}<{right}"
    if check.op == "zero_iff_zero":
        return f"({left}=0)=({right}=0)"
    if check.op == "zero_or_ne":
        return f"OR({left}=0,{left}<>{right})"
    if check.op == "decimals_le":
        digits = int(check.const or 0)
        cells = [ref(form.field(k), sheet=sheet, absolute=absolute) for k in check.left]
        return "AND(" + ",".join(f"ROUND(N({c}),{digits})=N({c})" for c in cells) + ")"
    raise ValueError(f"unknown check operator {check.op!r}")


def input_leaves(form: Form, keys: tuple[str, ...]) -> list[Field]:
    """The input cells behind keys: a total stands for the inputs it sums."""
    out: dict[str, Field] = {}
    for key in keys:
        f = form.field(key)
        if f.kind == "total":
            out.update((g.key, g) for g in input_leaves(form, f.terms))
        else:
            out[f.key] = f
    return list(out.values())


def any_blank(form: Form, keys: tuple[str, ...], *, sheet: bool, absolute: bool = False) -> str:
    """TRUE while any input behind the keys is still empty (the rule cannot be judged yet)."""
    areas = range_list(input_leaves(form, keys), sheet=sheet, absolute=absolute)
    return "(" + "+".join(f"COUNTBLANK({a})" for a in areas) + ")>0"


def level_applies(form: Form, check: Check, *, sheet: bool, absolute: bool = False) -> str:
    """TRUE when the unit's chosen level is one the check is for (see Check.levels)."""
    cell = ref(form.by_key[LEVEL_KEY], sheet=sheet, absolute=absolute)
    return "OR(" + ",".join(f'{cell}="{lv}"' for lv in check.levels) + ")"


def check_status(form: Form, check: Check) -> str:
    """✓ / ✗ / 待填 for the 校验 sheet: a rule is judged only once all its cells are filled."""
    blank = any_blank(form, check.keys, sheet=True)
    cond = check_condition(form, check, sheet=True)
    if check.levels:
        cond = f"OR(NOT({level_applies(form, check, sheet=True)}),{cond})"
    return f'=IF({blank},"待填",IF({cond},"✓","✗"))'


def check_violated(form: Form, check: Check) -> str:
    """Conditional-format formula on the table sheet: TRUE when filled and violated."""
    blank = any_blank(form, check.keys, sheet=False, absolute=True)
    cond = check_condition(form, check, sheet=False, absolute=True)
    if check.levels:
        cond = f"OR(NOT({level_applies(form, check, sheet=True, absolute=True)}),{cond})"
    return f"=AND(NOT({blank}),NOT({cond}))"


def totals_mismatch(form: Form, totals: list[Field]) -> str:
    """How many total cells differ from the sum of their terms (a typed-over or broken total)."""
    parts = [f"({ref(t, sheet=True)}<>{sum_expr(form, t.terms, sheet=True)})" for t in totals]
    return "=" + "+".join(parts) if parts else "=0"
