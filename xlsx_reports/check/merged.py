"""A merged workbook (a 汇总) against its own trail, the 分单位明细 sheet: AGG-SUM, AGG-UNITS.

Every numeric input must equal the 合计 row of 分单位明细 and the sum of its unit rows, and
those rows must be the units the metadata says were merged. The sheet is found through its
texts (the 单位 header, the row of field keys, the 合计 row), never through fixed
addresses, so a workbook that LibreOffice or Excel saved again reads the same.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterator

from xlsx_reports.core.findings import Finding
from xlsx_reports.core.a1 import a1
from xlsx_reports.form.model import Field
from xlsx_reports.xlsx.rawsheet import RawSheet
from xlsx_reports.xlsx.meta import DETAIL_HEAD, DETAIL_SHEET, META_SHEET, TOTAL_ROW, Metadata, source_label
from xlsx_reports.check.context import Context
from xlsx_reports.check.totals import TERMS_SHOWN, as_number
from xlsx_reports.core.numbers import number_text

# The 合计 row holds the spreadsheet's binary floating-point sum of the unit rows; a sum of
# decimals may differ from the exact one in the last bits, never by a real amount.
TOLERANCE = Decimal("1e-9")
REMERGE = "请不要在汇总表中改数：如某单位数字有误，请该单位更正后用 xlsx-reports merge 重新汇总。"


@dataclass
class Detail:
    """分单位明细 as found: a column per field key, the unit rows and the 合计 row."""
    raw: RawSheet
    columns: dict[str, int]
    name_col: int
    rows: list[int]
    total_row: int

    def name(self, row: int) -> str:
        return self.raw.text(row, self.name_col)


def locate_detail(raw: RawSheet, keys: set[str]) -> Detail | None:
    """The header row is the row holding the most field keys; None when a part is missing."""
    by_row: dict[int, dict[str, int]] = {}
    for (r, c) in raw.values:
        if raw.text(r, c) in keys:
            by_row.setdefault(r, {})[raw.text(r, c)] = c
    if not by_row:
        return None
    key_row = max(by_row, key=lambda r: (len(by_row[r]), -r))
    name_col = min((c for (r, c) in raw.values if r <= key_row and raw.text(r, c) == DETAIL_HEAD[0]),
                   default=None)
    if name_col is None:
        return None
    named = sorted(r for (r, c) in raw.values if c == name_col and r > key_row and raw.text(r, c))
    totals = [r for r in named if raw.text(r, name_col) == TOTAL_ROW]
    if not totals:
        return None
    total_row = totals[-1]
    return Detail(raw, by_row[key_row], name_col, [r for r in named if r < total_row], total_row)


def merged_findings(ctx: Context) -> Iterator[Finding]:
    meta = ctx.reading.metadata
    if meta is None or meta.kind != "merged":
        return
    raw = ctx.reading.extra.get(DETAIL_SHEET)
    if raw is None:
        yield ctx.sheet_finding("AGG-DETAIL", "warning",
                                f"汇总工作簿中没有“{DETAIL_SHEET}”工作表，无法核对汇总数是否等于各单位之和", "",
                                advice="请用 xlsx-reports merge 重新汇总，不要删除汇总工作簿中的工作表。")
        return
    detail = locate_detail(raw, {f.key for f in ctx.form.numeric_inputs})
    if detail is None:
        yield _detail_structure(ctx, f"“{DETAIL_SHEET}”中找不到表头（“{DETAIL_HEAD[0]}”列、字段键一行）"
                                     f"或“{TOTAL_ROW}”行，无法核对汇总数")
        return
    yield from unit_findings(ctx, detail, meta)
    fields = [f for f in ctx.form.numeric_inputs if f.key in ctx.reading.cells]
    lost = [f.key for f in fields if f.key not in detail.columns]
    if lost:
        yield _detail_structure(ctx, f"“{DETAIL_SHEET}”缺少 {len(lost)} 个数字的列（{'、'.join(lost[:6])}"
                                     f"{' 等' if len(lost) > 6 else ''}），这些汇总数无法核对")
    for f in fields:
        if f.key in detail.columns:
            yield from _sum_findings(ctx, detail, f)
    yield from blank_findings(ctx, detail, fields)


def blank_findings(ctx: Context, detail: Detail, fields: list[Field]) -> Iterator[Finding]:
    """BLANK: a unit row of 分单位明细 with blank cells — the unit's blanks, summed as 0."""
    for r in detail.rows:
        blank = [f for f in fields if f.key in detail.columns
                 and detail.raw.values.get((r, detail.columns[f.key])) in (None, "")]
        if not blank:
            continue
        shown = "、".join(f"{f.sheet}!{f.a1}" for f in blank[:8]) + (" 等" if len(blank) > 8 else "")
        cells = [a1(r, detail.columns[f.key]) for f in blank]
        yield ctx.sheet_finding(
            "BLANK", "warning",
            f"“{detail.name(r)}”有 {len(blank)} 个单元格未填，汇总时按 0 计入：{shown}",
            DETAIL_SHEET, cells, expected=0, actual=None,
            advice="空白不等于 0：请该单位补填后重新汇总，或确认这些项目确实为 0。")


def _detail_structure(ctx: Context, message: str) -> Finding:
    return ctx.sheet_finding("STRUCTURE", "error", message, DETAIL_SHEET,
                             advice="请用 xlsx-reports merge 重新汇总，不要改动“分单位明细”。")


def _same(a: Decimal | int, b: Decimal | int) -> bool:
    return abs(Decimal(a) - Decimal(b)) <= TOLERANCE * max(Decimal(1), abs(Decimal(b)))


def _sum_findings(ctx: Context, detail: Detail, f: Field) -> Iterator[Finding]:
    col, raw = detail.columns[f.key], detail.raw
    parts = [as_number(raw.shown(r, col)) or 0 for r in detail.rows]   # text counts 0, like SUM
    units = sum(parts, Decimal(0))
    total = as_number(raw.shown(detail.total_row, col))   # None: never calculated
    merged = ctx.report.number(f.key)
    if _same(merged, units) and (total is None or _same(total, merged)):
        return
    total_at = f"{DETAIL_SHEET}!{a1(detail.total_row, col)}（{TOTAL_ROW}）"
    total_text = "没有保存计算结果" if total is None else f"为 {number_text(total)}"
    span = f"{a1(detail.rows[0], col)}:{a1(detail.rows[-1], col)}" if detail.rows else "（无单位行）"
    terms = "+".join(number_text(p) for p in parts) + " = " if 1 < len(parts) <= TERMS_SHOWN else ""
    message = (f"{ctx.where(f.key)}（{ctx.path(f)}）的汇总数为 {number_text(merged)}，但{total_at}"
               f"{total_text}，{span} 各单位之和为 {terms}{number_text(units)}；汇总数应等于各单位之和")
    yield ctx.finding("AGG-SUM", "error", message, [f.key], expected=units, actual=merged,
                      advice=REMERGE)


def unit_findings(ctx: Context, detail: Detail, meta: Metadata) -> Iterator[Finding]:
    """The unit rows are the metadata's sources (a total merged again shows as one row)."""
    contained = list(dict.fromkeys(u for s in meta.sources for u in s.get("units", [s["unit"]])))
    if meta.sources and sorted(contained) != sorted(meta.units):
        yield ctx.sheet_finding("AGG-UNITS", "error",
                                "元数据中的单位名单与其来源文件所含的单位不一致（元数据被修改）", META_SHEET,
                                expected=contained, actual=list(meta.units), advice=REMERGE)
    expected = [source_label(s) for s in meta.sources] if meta.sources else list(meta.units)
    listed = [detail.name(r) for r in detail.rows]
    extra, missing = Counter(listed) - Counter(expected), Counter(expected) - Counter(listed)
    if not (extra or missing):
        return
    said = []
    if extra:
        said.append("多出" + "、".join(f"“{n}”" for n in extra.elements()))
    if missing:
        said.append("缺少" + "、".join(f"“{n}”" for n in missing.elements()))
    cells = [a1(r, detail.name_col) for r in detail.rows if detail.name(r) in extra]
    yield ctx.sheet_finding("AGG-UNITS", "error",
                            f"“{DETAIL_SHEET}”列出的单位与元数据记录的汇总单位不一致：{'；'.join(said)}",
                            DETAIL_SHEET, cells, expected=expected, actual=listed, advice=REMERGE)
