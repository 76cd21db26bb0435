"""Totals and the form's checks: FORMULA, CACHED, the sum rules of totals, Form.checks.

Every total is recomputed from the inputs (Report.value). A total cell must still hold a
formula over exactly its terms; formulas are compared by the cells they add up, so what
LibreOffice rewrites ($, spaces, case, sheet-name quotes, SUM vs +) does not matter.
"""
from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from typing import Any, Collection, Container, Iterator

from xlsx_reports.core.findings import Finding
from xlsx_reports.form.definitions import LEVEL_KEY
from xlsx_reports.form.compiled import derived
from xlsx_reports.form.model import Check, Field, Form, a1
from xlsx_reports.form.operators import OPERATORS, evaluate, holds
from xlsx_reports.check.context import Context
from xlsx_reports.check.values import number_text
from xlsx_reports.xlsx.rawsheet import ADDRESSES

TOKEN = re.compile(
    r"(?P<ref>(?:(?P<sheet>'(?:[^']|'')+'|[^'!+\-,()=:*/^&<>\s]+)!)?"
    r"(?P<c0>[A-Z]{1,3})(?P<r0>\d+)(?::(?P<c1>[A-Z]{1,3})(?P<r1>\d+))?)"
    r"|(?P<func>[A-Z][A-Z0-9.]*\()|(?P<op>[+\-,()])")
TERMS_SHOWN = 6      # longer sums are shown by their non-zero terms


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


MAX_RANGE_CELLS = 10_000   # a form's longest SUM covers a few dozen cells; each one is visited


def formula_terms(formula: str, own_sheet: str, index: dict[tuple[str, str], str],
                  filled: Container[tuple[str, str]] = frozenset()) -> dict[str, int] | None:
    """{key: coefficient} of a formula that only adds and subtracts form cells, else None.

    `index` maps (upper-cased sheet name, A1) to form keys; a reference to a cell that is
    not a form cell is harmless while that cell is empty (a row inserted inside a SUM range)
    and makes the formula foreign once something is in it (`filled`).
    """
    refs = _references(formula, own_sheet)
    if refs is None:
        return None
    coef: dict[str, int] = {}
    for spot, c in refs:
        key = index.get(spot)
        if key is not None:
            coef[key] = coef.get(key, 0) + c
        elif spot in filled:
            return None
    return _nonzero(coef)


_PARSED: dict[tuple[str, str], tuple[tuple[tuple[str, str], int], ...] | None] = {}
PARSED_KEPT, REFS_KEPT = 1024, 64   # every workbook holds the same few dozen total formulas


def _references(formula: str, own_sheet: str) -> tuple[tuple[tuple[str, str], int], ...] | None:
    """Each cell a formula refers to, (upper-cased sheet, A1), with the coefficient it is
    added with (0 kept: a cell added and subtracted is still referred to); None when the
    formula does anything but add and subtract cells, SUM and parentheses."""
    found = _PARSED.get((formula, own_sheet), ())
    if found == ():
        found = _parse(formula, own_sheet)
        if len(_PARSED) < PARSED_KEPT and (found is None or len(found) <= REFS_KEPT):
            _PARSED[(formula, own_sheet)] = found
    return found


def _parse(formula: str, own_sheet: str) -> tuple[tuple[tuple[str, str], int], ...] | None:
    text = re.sub(r"[\s$]", "", formula.lstrip("=")).upper()
    coef: dict[tuple[str, str], int] = {}
    stack, sign, pos = [1], 1, 0
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m:
            return None
        pos = m.end()
        if m.group("ref"):
            if _size(m) > MAX_RANGE_CELLS:   # SUM(A1:XFD1048576) typed in: not a form total
                return None
            sheet = (m.group("sheet") or own_sheet.upper()).strip("'").replace("''", "'")
            for cell in _cells(m):
                coef[(sheet, cell)] = coef.get((sheet, cell), 0) + stack[-1] * sign
            sign = 1
        elif m.group("func"):
            if m.group("func") != "SUM(":
                return None
            stack.append(stack[-1] * sign)
            sign = 1
        elif m.group("op") in "+-":
            sign = -sign if m.group("op") == "-" else sign
        elif m.group("op") == "(":
            stack.append(stack[-1] * sign)
            sign = 1
        elif m.group("op") == ")":
            if len(stack) == 1:
                return None
            stack.pop()
        elif m.group("op") == "," and len(stack) == 1:
            return None
    return tuple(coef.items()) if len(stack) == 1 else None


def _size(m: re.Match) -> int:
    c0, r0 = _col_index(m.group("c0")), int(m.group("r0"))
    c1 = _col_index(m.group("c1")) if m.group("c1") else c0
    r1 = int(m.group("r1")) if m.group("r1") else r0
    return (abs(c1 - c0) + 1) * (abs(r1 - r0) + 1)


def _cells(m: re.Match) -> Iterator[str]:
    c0, r0 = _col_index(m.group("c0")), int(m.group("r0")) - 1
    c1 = _col_index(m.group("c1")) if m.group("c1") else c0
    r1 = int(m.group("r1")) - 1 if m.group("r1") else r0
    for r in range(min(r0, r1), max(r0, r1) + 1):
        for c in range(min(c0, c1), max(c0, c1) + 1):
            yield a1(r, c)


def _expected_terms(f: Field) -> dict[str, int]:
    coef: Counter = Counter()
    for t in f.terms:
        coef[t.lstrip("-")] += -1 if t.startswith("-") else 1
    return _nonzero(coef)


@derived
def _expected(form: Form) -> dict[str, dict[str, int]]:
    """Each total's terms as a formula over exactly them gives them (formula_terms)."""
    return {f.key: _expected_terms(f) for f in form.totals}


class _Filled:
    """The non-empty cells of the located sheets as (upper-cased sheet, A1), gathered only
    when a formula refers to a cell that is not a form cell (an intact workbook's never do)."""

    def __init__(self, filled: dict[str, Collection[tuple[int, int]]]):
        self.filled = filled
        self.cells: set[tuple[str, str]] | None = None

    def __contains__(self, spot) -> bool:
        if self.cells is None:
            self.cells = {(s.upper(), ADDRESSES[at]) for s, cells in self.filled.items() for at in cells}
        return spot in self.cells


def _nonzero(coef: dict[str, int]) -> dict[str, int]:
    """Counter's unary + would also drop negative coefficients (subtracted cells)."""
    return {k: v for k, v in coef.items() if v}


def as_number(v: Any) -> Decimal | None:
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, (int, Decimal)):
        return Decimal(v)
    if isinstance(v, float):
        return Decimal(repr(v))
    return None


def total_findings(ctx: Context) -> Iterator[Finding]:
    index = _index(ctx)
    filled = _Filled(ctx.reading.filled)
    totals = [f for f in ctx.form.totals if f.key in ctx.reading.cells]
    broken = {f.key for f in totals if not _intact(ctx, f, index, filled)}
    if not ctx.warnings:   # only a broken total's findings are errors; a stale one's (CACHED) warn
        totals = [f for f in totals if f.key in broken]
    stale: dict[str, list[tuple[str, Any, Any]]] = {}
    recomputed_of = ctx.sums.totals if totals else {}
    for f in totals:
        cell = ctx.reading.cells[f.key]
        recomputed = recomputed_of[f.key]
        if f.key in broken:
            yield _formula_finding(ctx, f, cell, recomputed)
            shown = as_number(cell.value)
            if shown is not None and shown != recomputed:
                yield _sum_finding(ctx, f, shown, recomputed)
        elif not _same(cell.cached, recomputed) and not broken.intersection(f.terms):
            # a total over a typed-over total follows that cell: reported there already
            stale.setdefault(cell.sheet, []).append((f.key, cell.cached, recomputed))
    formulas = [c for c in ctx.reading.cells.values() if c.formula] if ctx.warnings else []
    if formulas and all(c.cached is None for c in formulas):
        yield _never_calculated(ctx, len(formulas))
        return
    for sheet, items in stale.items():
        yield _cached_finding(ctx, sheet, items)


def _index(ctx: Context) -> dict[tuple[str, str], str]:
    """(upper-cased sheet, A1) -> key of every cell where it was found; the form's own index
    (whose answers _terms keeps) when every cell is where the form puts it."""
    own = _own_index(ctx.form)
    if ctx.reading.laid_out and len(ctx.reading.cells) == len(own):   # and none dropped since
        return own
    upper = {s.name: s.name.upper() for s in ctx.reading.sheets}
    index = {(upper.get(c.sheet) or c.sheet.upper(), c.a1): k for k, c in ctx.reading.cells.items()}
    return own if index == own else index


def _same(cached: Any, recomputed: Any) -> bool:
    """Whether a formula's stored result is the number recomputed (whole numbers, the usual
    case, compared as they are)."""
    if cached.__class__ is int and recomputed.__class__ is int:
        return cached == recomputed
    return as_number(cached) == recomputed


def _intact(ctx: Context, f: Field, index, filled) -> bool:
    cell = ctx.reading.cells[f.key]
    if not cell.formula:
        return False
    own = index is _own_index(ctx.form)
    verdicts = _own_verdicts(ctx.form)
    spot = (cell.formula, cell.sheet, f.key)
    if own and spot in verdicts:
        return verdicts[spot]
    verdict = _terms(ctx, cell, index, filled) == _expected(ctx.form)[f.key]
    if own and (cell.formula, cell.sheet) in _own_terms(ctx.form):   # the same in every such workbook
        verdicts[spot] = verdict
    return verdict


@derived
def _own_index(form: Form) -> dict[tuple[str, str], str]:
    """(upper-cased sheet, A1) -> key of every cell where the form puts it."""
    return {(f.sheet.upper(), f.a1): f.key for f in form.fields}


@derived
def _own_terms(form: Form) -> dict[tuple[str, str], dict[str, int] | None]:
    return {}


@derived
def _own_verdicts(form: Form) -> dict[tuple[str, str, str], bool]:
    """(formula, sheet, total's key) -> whether the formula sums the total's terms, for the
    formulas whose terms _terms keeps."""
    return {}


def _terms(ctx: Context, cell, index, filled) -> dict[str, int] | None:
    """formula_terms of a total's cell; in a workbook laid out as the form is, the same
    formula always gives the same terms unless it refers to a cell outside the form (then
    whether that cell is filled decides), so those answers are kept."""
    if index is not _own_index(ctx.form):
        return formula_terms(cell.formula, cell.sheet, index, filled)
    known = _own_terms(ctx.form)
    spot = (cell.formula, cell.sheet)
    if spot in known:
        return known[spot]
    found = formula_terms(cell.formula, cell.sheet, index, filled)
    refs = _references(cell.formula, cell.sheet)
    if len(known) < PARSED_KEPT and (refs is None or all(s in index for s, _ in refs)):
        known[spot] = found
    return found


def _never_calculated(ctx: Context, count: int) -> Finding:
    return ctx.sheet_finding(
        "CACHED", "warning",
        f"工作簿中 {count} 个合计公式都没有保存计算结果（文件是用不计算公式的程序保存的）；"
        "已按输入重新计算合计", "",
        advice="请在 Excel、WPS 或 LibreOffice 中打开后保存一次，使合计格显示计算结果。")


def _formula_finding(ctx: Context, f: Field, cell, recomputed) -> Finding:
    where = f"{ctx.where(f.key)}（{ctx.path(f)}）"
    would = number_text(recomputed)
    if cell.formula:
        msg = f"{where}的合计公式被改为 {cell.formula}，不再是各项之和；按原公式应为 {would}"
    elif cell.value is None:
        msg = f"{where}的合计公式被删除，该格为空；按公式应为 {would}"
    else:
        shown = cell.value if isinstance(cell.value, str) else number_text(as_number(cell.value) or 0)
        msg = f"{where}的合计公式被改成了直接填写的“{shown}”；按公式应为 {would}"
    return ctx.finding("FORMULA", "error", msg, [f.key], expected=recomputed,
                       actual=cell.formula or cell.value,
                       advice="合计格由公式自动计算，请不要改写；请使用下发的原表重新填写，"
                              "或在该格恢复求和公式。")


def _sum_finding(ctx: Context, f: Field, shown: Decimal, recomputed) -> Finding:
    terms = f.terms
    rest = ""
    if len(terms) > TERMS_SHOWN:   # a long column of zeros hides the numbers that matter
        terms = tuple(t for t in f.terms if ctx.report.number(t)) or f.terms[:1]
        rest = "（其余各项为 0 或空白）"
    parts = "+".join(ctx.a1(t) for t in terms)
    values = "+".join(number_text(ctx.report.number(t)) for t in terms)
    msg = (f"{ctx.where(f.key)}（{ctx.path(f)}）显示 {number_text(shown)}，"
           f"但 {parts} = {values} = {number_text(recomputed)}{rest}")
    return ctx.finding(f.rule or "FORMULA", "error", msg, [f.key] + list(f.terms),
                       expected=recomputed, actual=shown,
                       advice="请核对各分项数字；合计格应由公式自动计算。")


def _cached_finding(ctx: Context, sheet: str, items) -> Finding:
    shown = "；".join(
        f"{ctx.a1(k)} 保存的是 {'空' if c is None else c}，应为 {number_text(r)}" for k, c, r in items[:6])
    more = f" 等 {len(items)} 格" if len(items) > 6 else ""
    msg = (f"{sheet} 的合计公式保存的计算结果与重新计算的不一致（文件修改后没有重新计算就保存了）："
           f"{shown}{more}")
    return ctx.finding("CACHED", "warning", msg, [k for k, _, _ in items],
                       expected=[r for _, _, r in items], actual=[c for _, c, _ in items],
                       advice="公式本身完好，按输入重新计算的数字为准；请在 Excel/WPS 中打开后按 F9"
                              "（LibreOffice：Ctrl+Shift+F9）重新计算再保存。")


# --- the form's checks --------------------------------------------------------------------

def check_findings(ctx: Context) -> Iterator[Finding]:
    level = ctx.report.values.get(LEVEL_KEY)
    cells = ctx.reading.cells
    for check, keys in _check_keys(ctx.form):
        if not all(k in cells for k in keys) or not check.applies(level):
            continue
        if check.severity == "warning" and not ctx.warnings:
            continue
        yield from _evaluate(ctx, check)


@derived
def _check_keys(form: Form) -> tuple[tuple[Check, tuple[str, ...]], ...]:
    return tuple((c, c.keys) for c in form.checks)


def _evaluate(ctx: Context, check: Check) -> Iterator[Finding]:
    if holds(check, ctx.report, ctx.sums.total):
        return
    outcome = evaluate(check, ctx.report, ctx.sums.total)
    op = OPERATORS[check.op]
    if op.per_cell:
        for key in outcome.failing:
            v = ctx.value(key)
            yield ctx.finding(check.code, check.severity,
                              f"{check.text}：{ctx.where(key)} 填的是 {number_text(v)}",
                              [key], expected=int(check.const or 0), actual=v, advice=check.advice)
        return
    left, right = outcome.left, outcome.right
    lhs = _side(ctx, check.left)
    if not op.text:   # a relation between the two sides (zero_iff_zero): both are shown
        msg = f"{check.text}：{lhs}，{_side(ctx, check.right)}"
    else:
        rhs = _side(ctx, check.right) if check.right else number_text(right)
        msg = f"{check.text}：{lhs}，{op.text} {rhs}"
    blanks = [ctx.a1(k) for k in outcome.blanks if k in ctx.reading.cells]
    if blanks:
        msg += f"（其中 {'、'.join(blanks)} 空白，按 0 计）"
    yield ctx.finding(check.code, check.severity, msg, list(check.keys), expected=right,
                      actual=left, advice=check.advice)


def _side(ctx: Context, keys: tuple[str, ...]) -> str:
    total = number_text(ctx.report.total(keys))
    if len(keys) == 1:
        return f"{ctx.a1(keys[0])} = {total}"
    cells = "".join(("-" if k.startswith("-") else "+") + ctx.a1(k) for k in keys).lstrip("+")
    nums = "".join(("-" if k.startswith("-") else "+") + number_text(ctx.report.number(k.lstrip("-")))
                   for k in keys).lstrip("+")
    return f"{cells} = {nums} = {total}"
