"""Finds a form's cells on the sheets of a returned workbook, following its labels.

A workbook is matched against a Form by the label texts the Form prints: each labelled row
is looked up by its texts, each labelled column by its headers. Rows or columns inserted or
deleted shift the mapping and are reported; a cell is read only where its position is
certain (its own labels found, or enclosed by found rows with the same shift), so a value
is never taken from a neighbouring row. Works on plain data (RawSheet), not on openpyxl.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from xlsx_reports.form.compiled import derived
from xlsx_reports.form.legacy import all_forms
from xlsx_reports.core.findings import Finding
from xlsx_reports.core.a1 import a1, col_letter
from xlsx_reports.form.model import Form, Label, Sheet
from xlsx_reports.xlsx.rawsheet import RawSheet, address
from xlsx_reports.xlsx.meta import CHECK_SHEET, DETAIL_SHEET, GUIDE_SHEET, META_SHEET, SUMMARY_SHEET, TEXTS_SHEET

TOOL_SHEETS = (GUIDE_SHEET, CHECK_SHEET, META_SHEET, DETAIL_SHEET, TEXTS_SHEET, SUMMARY_SHEET)
SEARCH = 60          # how far a shifted row or column is looked for
MIN_SCORE = 0.5      # share of a form's labels that must be found to recognise it


def tool_sheet(name: str) -> bool:
    return name in TOOL_SHEETS


@dataclass(frozen=True)
class LabelReading:
    """A form label as found: `found` is what the workbook holds at the label's place."""
    sheet: str
    a1: str
    expected: str
    found: Any
    range: str = ""          # the merged range the form prints, "" for a single cell
    merged: bool = True      # whether that range is still merged
    located: bool = True     # False: its row or column was not found, `a1` is a guess


@dataclass
class SheetMatch:
    sheet: Sheet
    raw: RawSheet
    rows: dict[int, int]        # form row -> workbook row, where certain
    cols: dict[int, int]
    labels: list[LabelReading]
    found: int                # labels found with their exact text
    exact: bool = False       # every label at the form's own place: nothing moved, every cell placed


@dataclass
class Located:
    form: Form
    score: float
    cells: dict[str, tuple[str, int, int]] = field(default_factory=dict)
    labels: list = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    sheet_of: dict[str, str] = field(default_factory=dict)   # workbook sheet -> form sheet


def locate_form(raws: list[RawSheet], fmt: str | None, file: str,
                fingerprint: str | None = None) -> Located | None:
    """The form the workbook holds: the metadata's (format, and layout by its fingerprint:
    an earlier season's layout is still read), unless the labels clearly say otherwise."""
    forms = all_forms()
    for form in forms:   # the metadata's own layout, every label found: no other form can win
        if form.format == fmt and fingerprint in form.fingerprints:
            own = _locate(raws, form, file)
            if own.score == 1.0:
                return own
    tries = [_locate(raws, form, file) for form in forms]
    best = max(tries, key=lambda t: t.score)
    same = [t for t in tries if t.form.format == fmt]
    chosen = next((t for t in same if fingerprint in t.form.fingerprints), None)
    if chosen is None:
        chosen = max(same, key=lambda t: t.score) if same else best
    if best.score > chosen.score + 0.1:
        chosen = best
    return chosen if chosen.score >= MIN_SCORE else None


def _locate(raws: list[RawSheet], form: Form, file: str) -> Located:
    matches = _match_sheets(raws, form)
    total = sum(len(s.labels) for s in form.sheets)
    located = Located(form, sum(m.found for m in matches.values()) / total)
    report = _Reporter(file, located.findings)
    for sheet in form.sheets:
        m = matches.get(sheet.name)
        if m is None:
            report.add(sheet.name, (), f"缺少工作表“{sheet.name}”，其中的数据无法读取",
                       expected=sheet.name)
            continue
        located.sheet_of[m.raw.name] = sheet.name
        located.labels.extend(m.labels)
        if m.raw.name != sheet.name:
            report.add(m.raw.name, (), f"工作表“{sheet.name}”被改名为“{m.raw.name}”",
                       expected=sheet.name, actual=m.raw.name)
        _shift_findings(m, report)
        _label_findings(m, report)
        _place_fields(m, located, report)
    for raw in raws:
        if raw.name not in located.sheet_of and not tool_sheet(raw.name):
            report.add(raw.name, (), f"多出工作表“{raw.name}”（填报表中不应增加工作表）",
                       actual=raw.name)
    return located


def _match_sheets(raws, form: Form) -> dict[str, SheetMatch]:
    by_name = {r.name: r for r in raws}
    matches: dict[str, SheetMatch] = {}
    for sheet in form.sheets:
        if sheet.name in by_name:
            matches[sheet.name] = _match(sheet, by_name[sheet.name])
    used = {m.raw.name for m in matches.values()}
    for sheet in form.sheets:
        if sheet.name in matches:
            continue
        spare = [r for r in raws if r.name not in used and not tool_sheet(r.name)]
        tries = [_match(sheet, r) for r in spare]
        tries = [t for t in tries if t.found >= MIN_SCORE * len(sheet.labels)]
        if tries:
            best = max(tries, key=lambda t: t.found)
            matches[sheet.name] = best
            used.add(best.raw.name)
    return matches


@dataclass(frozen=True)
class _Plan:
    """A sheet as the form prints it, for checking a workbook's sheet label by label."""
    labels: tuple[tuple[tuple[int, int], str, tuple[int, int, int, int] | None], ...]
    readings: tuple[LabelReading, ...]   # the labels as found on an untouched sheet of its name
    cells: tuple[tuple[str, tuple[str, int, int]], ...]   # each field at its place on that sheet
    rows: dict[int, int]                 # identity over the rows the form uses (never mutated)
    cols: dict[int, int]


@derived
def _plan(sheet: Sheet) -> _Plan:
    labels = tuple(((lb.row, lb.col), lb.text,
                    (lb.row, lb.col, lb.bottom, lb.right) if lb.merged else None)
                   for lb in sheet.labels)
    readings = tuple(LabelReading(sheet.name, lb.a1, lb.text, lb.text, lb.range if lb.merged else "")
                     for lb in sheet.labels)
    cells = tuple((f.key, (sheet.name, f.row, f.col)) for f in sheet.fields)
    return _Plan(labels, readings, cells, {r: r for r in range(_span(sheet, "row"))},
                 {c: c for c in range(_span(sheet, "col"))})


def _exact(sheet: Sheet, raw: RawSheet) -> SheetMatch | None:
    """The sheet when every label is where the form prints it, checked with one look-up per
    label; None otherwise. The search in _match would then map every row and column to
    itself (each is tried at its own place first), so its result is this one."""
    plan = _plan(sheet)
    if not plan.labels:
        return None
    values, merged = raw.values, raw.merged
    untouched = raw.name == sheet.name
    for spot, text, box in plan.labels:
        v = values.get(spot)
        if v != text:
            if v is None or str(v).strip() != text:
                return None
            untouched = False
        if box is not None and box not in merged:
            untouched = False
    if untouched:
        labels = list(plan.readings)
    else:
        labels = [LabelReading(raw.name, address(*spot), text, values.get(spot),
                               f"{address(*spot)}:{address(*box[2:])}" if box else "",
                               box is None or box in merged)
                  for spot, text, box in plan.labels]
    return SheetMatch(sheet, raw, plan.rows, plan.cols, labels, len(labels), exact=True)


def _match(sheet: Sheet, raw: RawSheet) -> SheetMatch:
    return _exact(sheet, raw) or _search(sheet, raw)


def _search(sheet: Sheet, raw: RawSheet) -> SheetMatch:
    """The form's rows and columns found on the sheet by their labels, wherever they moved."""
    row_texts: dict[int, set[str]] = {}
    for (r, _c) in raw.values:
        row_texts.setdefault(r, set()).add(raw.text(r, _c))
    by_row = _group(sheet.labels, lambda lb: lb.row)
    rows = _map_axis(by_row, lambda lbs, q: all(lb.text in row_texts.get(q, ()) for lb in lbs))
    rows = _fill(rows, by_row, _span(sheet, "row"))
    by_col = _group(sheet.labels, lambda lb: lb.col)

    def col_ok(lbs: list[Label], q: int) -> bool:
        hits = sum(raw.text(rows[lb.row], q) == lb.text for lb in lbs if lb.row in rows)
        return hits * 2 > len(lbs)

    cols = _fill(_map_axis(by_col, col_ok), by_col, _span(sheet, "col"))
    labels, found = [], 0
    for lb in sheet.labels:
        r, c = rows.get(lb.row, lb.row), cols.get(lb.col, lb.col)
        text = raw.values.get((r, c))
        rng = ""
        if lb.merged:
            rng = f"{a1(r, c)}:{a1(rows.get(lb.bottom, r), cols.get(lb.right, c))}"
        still = (r, c, rows.get(lb.bottom, -1), cols.get(lb.right, -1)) in raw.merged
        known = lb.row in rows and lb.col in cols
        labels.append(LabelReading(raw.name, a1(r, c), lb.text, text, rng,
                                   still or not lb.merged, known))
        found += raw.text(r, c) == lb.text
    return SheetMatch(sheet, raw, rows, cols, labels, found)


def _group(labels, key: Callable[[Label], int]) -> dict[int, list[Label]]:
    out: dict[int, list[Label]] = {}
    for lb in labels:
        out.setdefault(key(lb), []).append(lb)
    return out


def _span(sheet: Sheet, axis: str) -> int:
    """One past the last row (or column) the form uses on this sheet."""
    if axis == "row":
        ends = [lb.bottom for lb in sheet.labels] + [f.bottom for f in sheet.fields]
    else:
        ends = [lb.right for lb in sheet.labels] + [f.right for f in sheet.fields]
    return max(ends) + 1


def _map_axis(groups: dict[int, list[Label]], ok: Callable[[list[Label], int], bool]) -> dict[int, int]:
    """Form position -> workbook position for every labelled row/column that was found.

    The expected place (same shift as the previous one) is tried first, then the next
    places in order, so repeated header rows (二's blocks) map in sequence.
    """
    mapping: dict[int, int] = {}
    hit: int | None
    delta, floor = 0, 0
    for pos in sorted(groups):
        lbs = groups[pos]
        want = pos + delta
        if want >= floor and ok(lbs, want):
            hit = want
        else:
            hit = next((q for q in range(floor, max(want, floor) + SEARCH) if ok(lbs, q)), None)
        if hit is not None:
            mapping[pos] = hit
            delta, floor = hit - pos, hit + 1
    return mapping


def _fill(mapping: dict[int, int], groups: dict[int, list[Label]], span: int) -> dict[int, int]:
    """Positions without a found label of their own: certain only between found neighbours
    with the same shift (a changed label), or when the form prints no label there."""
    out = dict(mapping)
    known = sorted(mapping)
    for pos in range(span):
        if pos in out:
            continue
        before = max((k for k in known if k < pos), default=None)
        after = min((k for k in known if k > pos), default=None)
        d_before = None if before is None else mapping[before] - before
        d_after = None if after is None else mapping[after] - after
        if pos in groups:
            if d_before is not None and d_before == d_after:
                out[pos] = pos + d_before
        elif d_before is not None or d_after is not None:
            out[pos] = pos + (d_before if d_before is not None else d_after or 0)
    return out


class _Reporter:
    def __init__(self, file: str, sink: list[Finding]):
        self.file, self.sink = file, sink

    def add(self, sheet: str, cells: tuple[str, ...], message: str, *, expected=None, actual=None,
            advice: str = "请使用下发的原表重新填写，不要增删、改名或移动工作表、行、列和标签。"):
        self.sink.append(Finding("STRUCTURE", "error", message, file=str(Path(self.file)),
                                 sheet=sheet, cells=cells, expected=expected, actual=actual,
                                 advice=advice))


def _shift_findings(m: SheetMatch, report: _Reporter) -> None:
    if m.exact:
        return
    for axis, mapping, unit in (("row", m.rows, "行"), ("col", m.cols, "列")):
        moved = sorted(p for p, q in mapping.items() if p != q)
        if not moved:
            continue
        p = moved[0]
        q = mapping[p]
        lb = next((lb for lb in m.sheet.labels if (lb.row if axis == "row" else lb.col) == p), None)
        where = a1(q, m.cols.get(lb.col, lb.col)) if axis == "row" and lb else (
            a1(m.rows.get(lb.row, lb.row), q) if lb else "")
        name = f"“{lb.text}”" if lb else "表格内容"
        old = p + 1 if axis == "row" else _col_name(p)
        new = q + 1 if axis == "row" else _col_name(q)
        kind = "插入" if q > p else "删除"
        report.add(m.raw.name, (where,) if where else (),
                   f"{name}原在第 {old} {unit}，现在第 {new} {unit}：表格中{kind}了{unit}",
                   expected=old, actual=new)


def _col_name(col: int) -> str:
    return col_letter(col)


def _absent_optional(m: SheetMatch, row: int) -> bool:
    """An optional row (added to the form later) missing from an older workbook: it could
    not be located and nothing stands below the last located row before it."""
    if row in m.rows or not any(f.optional and f.row == row for f in m.sheet.fields):
        return False
    before = max((p for p in m.rows if p < row), default=None)
    last = m.rows[before] if before is not None else -1
    return not any(r > last for r, _ in m.raw.values)


def _label_findings(m: SheetMatch, report: _Reporter) -> None:
    for lb, spec in zip(m.labels, m.sheet.labels):
        if m.exact and lb.merged:   # found at its place with its text: only a split can be said
            continue
        if _absent_optional(m, spec.row):
            continue
        found = "" if lb.found is None else str(lb.found).strip()
        if not lb.located and found != lb.expected:
            report.add(m.raw.name, (lb.a1,), f"找不到标签“{lb.expected}”：所在的行或列被删除或移动了",
                       expected=lb.expected, actual=lb.found)
        elif found != lb.expected:
            shown = f"“{found}”" if found else "空白"
            report.add(m.raw.name, (lb.a1,), f"标签被修改：应为“{lb.expected}”，现为{shown}",
                       expected=lb.expected, actual=lb.found)
        elif not lb.merged:
            report.add(m.raw.name, (lb.a1,), f"合并单元格 {lb.range}（“{lb.expected}”）被拆分",
                       expected=lb.range)


def _place_fields(m: SheetMatch, located: Located, report: _Reporter) -> None:
    if m.exact:   # every field lies within the rows and columns mapped to themselves
        if m.raw.name == m.sheet.name:
            located.cells.update(_plan(m.sheet).cells)
        else:
            located.cells.update((f.key, (m.raw.name, f.row, f.col)) for f in m.sheet.fields)
        return
    lost = []
    for f in m.sheet.fields:
        if f.optional and _absent_optional(m, f.row):
            continue
        if f.row in m.rows and f.col in m.cols:
            located.cells[f.key] = (m.raw.name, m.rows[f.row], m.cols[f.col])
        else:
            lost.append(f.a1)
    if lost:
        report.add(m.raw.name, tuple(lost),
                   f"表格结构被改动，以下 {len(lost)} 个单元格无法可靠定位，未读取也未校验")
