"""Spreadsheet formula text built from the form: totals from Field.terms, checks from Check.

Pure functions over the form (no xlsxwriter), so the formula a township sees is derived
from the same definition the checker evaluates in Python.
"""
from __future__ import annotations

from decimal import Decimal

from xlsx_reports.core.a1 import a1
from xlsx_reports.form.definitions import LEVEL_KEY
from xlsx_reports.form.model import Check, Field, Form
from xlsx_reports.form.operators import FAIL, OPERATORS, PASS, PENDING, input_leaves


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
    """The check as a boolean expression that is TRUE when the rule holds (the operator
    table's formula, the same entry whose predicate `check` evaluates)."""
    op = OPERATORS[check.op]
    const = str(check.const if check.const is not None else 0)
    if op.per_cell:
        cells = [ref(form.field(k), sheet=sheet, absolute=absolute) for k in check.left]
        cond = "AND(" + ",".join(op.formula.format(cell=c, const=const) for c in cells) + ")"
        return _for_level(form, check, cond, sheet, absolute)
    left = sum_expr(form, check.left, sheet=sheet, absolute=absolute)
    right = sum_expr(form, check.right, sheet=sheet, absolute=absolute) if check.right else const
    return _for_level(form, check, op.formula.format(left=left, right=right), sheet, absolute)


def _for_level(form: Form, check: Check, cond: str, sheet: bool, absolute: bool) -> str:
    """A rule for some levels holds for every other level, and while no level is chosen."""
    if not check.levels:
        return cond
    return f"OR(NOT({level_applies(form, check, sheet=sheet, absolute=absolute)}),{cond})"


def any_blank(form: Form, keys: tuple[str, ...], *, sheet: bool, absolute: bool = False) -> str:
    """TRUE while any input behind the keys is still empty."""
    areas = range_list(input_leaves(form, keys), sheet=sheet, absolute=absolute)
    return "(" + "+".join(f"COUNTBLANK({a})" for a in areas) + ")>0"


def level_applies(form: Form, check: Check, *, sheet: bool, absolute: bool = False) -> str:
    """TRUE when the unit's chosen level is one the check is for (see Check.levels)."""
    cell = ref(form.by_key[LEVEL_KEY], sheet=sheet, absolute=absolute)
    return "OR(" + ",".join(f'{cell}="{lv}"' for lv in check.levels) + ")"


def check_status(form: Form, check: Check) -> str:
    """✓ / ✗ / 待填 for the 校验 sheet, as `operators.evaluate` decides: blanks count as 0;
    a rule that holds while cells are blank is 待填."""
    blank = any_blank(form, check.keys, sheet=True)
    cond = check_condition(form, check, sheet=True)
    return f'=IF({cond},IF({blank},"{PENDING}","{PASS}"),"{FAIL}")'


def check_violated(form: Form, check: Check) -> str:
    """Conditional-format formula on the table sheet: TRUE while the rule is broken."""
    return f"=NOT({check_condition(form, check, sheet=False, absolute=True)})"


def totals_mismatch(form: Form, totals: list[Field]) -> str:
    """How many total cells differ from the sum of their terms (a typed-over or broken total)."""
    parts = [f"({ref(t, sheet=True)}<>{sum_expr(form, t.terms, sheet=True)})" for t in totals]
    return "=" + "+".join(parts) if parts else "=0"


TEXT_COMPARED = 100   # characters of a long text compared (a formula's text is at most 255)


def unchanged(field: Field, value) -> str:
    """Conditional-format formula, TRUE while the cell still holds `value` (as read)."""
    cell = ref(field, absolute=True)
    if value is None or value == "":
        return f"=LEN({cell})=0"
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return f"=AND(ISNUMBER({cell}),{cell}={format(Decimal(value), 'f')})"
    text = str(value)
    if field.bottom != field.row:   # a narrative: its first paragraph cell is compared
        text = text.strip().split("\n")[0].strip()
    head = text[:TEXT_COMPARED]
    quoted = head.replace('"', '""')
    return f'=AND(ISTEXT({cell}),LEN({cell})={len(text)},LEFT({cell},{len(head)})="{quoted}")'
