"""The sheets a merged workbook adds after the form: the trail back to every unit.

分单位明细: one row per merged workbook, one column per numeric input (headed by the
field's statutory labels and its key), and a 合计 row of SUM formulas equal to the merged
values. 各单位文字材料: each unit's narrative sections, for the district's own text.
汇总说明: the summary (merged, left out, missing, key figures) and every source file's
fingerprint. The sheets are locked (no password): they are a record, not a form.

The three sheets have a row per unit, and a city merges thousands: they are written row by
row straight to temporary files (rowbyrow.py), each unit's values read back from the merge's
spool once, so the writer's memory does not grow with the number of units. A unit's rows on the
first two are written by write_detail_row and write_text_rows: here, or as the unit arrives,
while the workers still read (drafts.py), the merged workbook then taking the drafted rows.
"""
from __future__ import annotations

import math
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, NamedTuple, Sequence

from xlsx_reports.core.a1 import a1, col_letter
from xlsx_reports.core.numbers import excel_number
from xlsx_reports.form.model import Field, Form
from xlsx_reports.xlsx.meta import DETAIL_HEAD, DETAIL_SHEET, SUMMARY_SHEET, TEXTS_SHEET, TOTAL_ROW, Metadata
from xlsx_reports.xlsx.writer import write_workbook
from xlsx_reports.xlsx.writer.rowbyrow import RowByRow
from xlsx_reports.xlsx.writer.sheets import text_units
from xlsx_reports.xlsx.writer.styles import NUM_FORMATS, Styles

if TYPE_CHECKING:
    from xlsx_reports.merge.workbooks import MergeResult, Source
    from xlsx_reports.xlsx.writer.drafts import Drafts

TEXTS_HEAD = ("单位", "文件", "部分", "内容")
SOURCES_HEAD = ("单位", "文件", "工作簿编号", "SHA-256")
DETAIL_FIRST_ROW = 4        # title, section, labels, key; then one row per workbook
TEXTS_FIRST_ROW = 2         # title, head; then a row per unit and narrative section
TEXT_WIDTH = 90
LINE_PT = 15.0
MAX_ROW_PT = 409.0          # Excel's largest row height
SCOPE_NOTE = ("说明：本工作簿是上列单位报表的汇总，不是{unit}本级的政府信息公开工作年度报告；"
              "文字部分请参阅“各单位文字材料”另行撰写。")


def write_merged(result: "MergeResult", path: str | Path, *, password: str | None = None,
                 drafts: "Drafts | None" = None) -> Metadata:
    """Write the merged workbook (the form with the summed values, plus the three sheets);
    `drafts`: the units' rows rendered as they arrived (drafts.py), taken when they fit."""
    return write_workbook(result.report, path, password=password, metadata=result.metadata,
                          extra=merged_sheets(result, drafts), in_memory=False, pinned=pin_unit_formats)


def merged_sheets(result: "MergeResult", drafts: "Drafts | None" = None) -> Callable[[Any], None]:
    def extra(workbook) -> None:
        styles = Styles(workbook)
        formats = unit_formats(styles, result.report.form)
        _detail_sheet(workbook.add_worksheet(DETAIL_SHEET, RowByRow), result, styles, formats, drafts)
        _texts_sheet(workbook.add_worksheet(TEXTS_SHEET, RowByRow), result, styles, formats, drafts)
        _summary_sheet(workbook.add_worksheet(SUMMARY_SHEET, RowByRow), result, styles)
    return extra


# --- a unit's rows ------------------------------------------------------------------------

class UnitFormats(NamedTuple):
    """The formats of a unit's rows on 分单位明细 and 各单位文字材料."""
    name: Any                 # its name and file
    values: tuple[Any, ...]   # per numeric input of the form
    text: Any                 # a narrative


def pin_unit_formats(workbook) -> None:
    """Number the formats of a unit's rows before any other, so that they have the same
    numbers in every workbook written this way: rows drafted in another workbook fit."""
    unit_formats(Styles(workbook), None)


def unit_formats(styles: Styles, form: Form | None) -> UnitFormats:
    name = styles.label("row")
    by_type = {t: styles.get(num_format=NUM_FORMATS[t], align="right", border=1)
               for t in ("count", "signed", "money")}
    text = styles.get(text_wrap=True, valign="top", align="left", border=1)
    for fmt in (name, *by_type.values(), text):
        fmt._get_xf_index()
    return UnitFormats(name, tuple(by_type[f.type] for f in form.numeric_inputs) if form else (), text)


def write_detail_row(ws: RowByRow, row: int, source: "Source", values: Sequence[Any],
                     formats: UnitFormats) -> None:
    """A unit's row on 分单位明细: its name, its file, its numeric inputs as entered."""
    texts, text_formats = (source.label, source.file.name), (formats.name, formats.name)
    # its name and file are on no other row of this sheet: not kept for other rows
    names, numbers = ws.text_cells(row, 0, texts, text_formats, once=True), ws.number_cells(row, values)
    if names is not None and numbers is not None and ws.put_row(
            row, 0, len(texts) + min(len(values), len(formats.values)) - 1, names + numbers):
        return
    _held_texts(ws, row, texts, text_formats)
    if not ws.write_numbers(row, values):
        first = len(DETAIL_HEAD)
        for i, value in enumerate(values):
            _write_value(ws, row, first + i, value, formats.values[i])


def write_text_rows(ws: RowByRow, row: int, source: "Source", headings: Sequence[str],
                    texts: Sequence[Any], formats: UnitFormats) -> None:
    """A unit's rows on 各单位文字材料, one per narrative section, from `row` on."""
    label, name = source.label, source.file.name
    cells = (formats.name, formats.name, formats.name, formats.text)
    for heading, value in zip(headings, texts):
        text = "" if value is None else str(value)
        _write_texts(ws, row, (label, name, heading, text), cells, _text_height(text))
        row += 1


def _finish(ws, *, fit_width: bool) -> None:
    """Lock the sheet (a record, no password) and print it on A4 landscape."""
    ws.protect("", {"select_locked_cells": True, "format_columns": True, "format_rows": True})
    ws.set_paper(9)
    ws.set_landscape()
    if fit_width:
        ws.fit_to_pages(1, 0)


def _write_value(ws, row: int, col: int, value: Any, fmt) -> None:
    if isinstance(value, bool) or value is None:
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, (int, Decimal)):
        ws.write_number(row, col, excel_number(value), fmt)
    else:  # text typed in a numeric cell (only with --allow-errors): kept as the unit typed it
        ws.write_string(row, col, str(value), fmt)


# --- 分单位明细 ----------------------------------------------------------------------------

def _detail_sheet(ws, result: "MergeResult", styles: Styles, formats: UnitFormats,
                  drafts: "Drafts | None") -> None:
    form: Form = result.report.form
    fields = form.numeric_inputs
    first = len(DETAIL_HEAD)
    last_col = first + len(fields) - 1
    ws.merge_range(0, 0, 0, min(last_col, 9), f"{result.report.unit}{result.report.year}年度汇总："
                   f"{DETAIL_SHEET}", styles.label("title", bordered=False))
    ws.set_row(0, 30)
    _detail_header(ws, fields, first, styles)
    ws.number_columns(first, formats.values)
    if drafts is None or not drafts.adopt(ws, DETAIL_SHEET, result, formats):
        for at, source in enumerate(result.included):
            write_detail_row(ws, DETAIL_FIRST_ROW + at, source, source.values(fields), formats)
    _total_row(ws, result, fields, DETAIL_FIRST_ROW + len(result.included), styles)
    ws.set_column(0, 0, 24)
    ws.set_column(1, 1, 22)
    ws.set_column(first, last_col, 14)
    ws.freeze_panes(DETAIL_FIRST_ROW, first)
    ws.repeat_rows(0, DETAIL_FIRST_ROW - 1)
    ws.repeat_columns(0, first - 1)
    _finish(ws, fit_width=False)


def _detail_header(ws: RowByRow, fields: tuple[Field, ...], first: int, styles: Styles) -> None:
    """Rows 2-4, in row order: 单位 and 文件 each in a block over the three rows, then per
    numeric input the form sheet (row 2), its statutory labels (row 3) and its key (row 4)."""
    header = styles.label("header")
    key_fmt = styles.get(font_size=9, align="center", border=1, font_color="#595959")
    for col, text in enumerate(DETAIL_HEAD):
        ws.write_string(1, col, text, header)
    _section_row(ws, fields, first, header)
    for col in range(first):
        ws.write_blank(2, col, None, header)
    for i, f in enumerate(fields):
        ws.write_string(2, first + i, "／".join(f.labels), header)
    ws.set_row(2, _header_height(fields))
    for col in range(first):
        ws.write_blank(3, col, None, header)
    for i, f in enumerate(fields):
        ws.write_string(3, first + i, f.key, key_fmt)
    for col in range(first):
        ws.merge_block(1, col, 3, col)


def _section_row(ws, fields: tuple[Field, ...], first: int, fmt) -> None:
    """Row 2 names the form sheet each block of columns comes from."""
    start = 0
    for i in range(1, len(fields) + 1):
        if i == len(fields) or fields[i].sheet != fields[start].sheet:
            if i - 1 > start:
                ws.merge_range(1, first + start, 1, first + i - 1, fields[start].sheet, fmt)
            else:
                ws.write_string(1, first + start, fields[start].sheet, fmt)
            start = i


def _header_height(fields: tuple[Field, ...]) -> float:
    lines = max(math.ceil(text_units("／".join(f.labels)) / 12) for f in fields)
    return min(MAX_ROW_PT, lines * LINE_PT + 5)


def _total_row(ws, result: "MergeResult", fields: tuple[Field, ...], row: int, styles: Styles) -> None:
    first = len(DETAIL_HEAD)
    fmt = styles.label("header")
    ws.write_string(row, 0, TOTAL_ROW, fmt)
    ws.write_string(row, 1, f"{len(result.included)} 个工作簿，{len(result.units)} 个单位", fmt)
    for i, f in enumerate(fields):
        col = first + i
        cells = f"{a1(DETAIL_FIRST_ROW, col)}:{a1(row - 1, col)}"
        ws.write_formula(row, col, f"=SUM({cells})", styles.cell("total", f.type),
                         excel_number(result.report.value(f.key)))


def detail_column(form: Form, key: str) -> str:
    """The column letter of an input on 分单位明细 (for tests and for people reading the trail)."""
    index = [f.key for f in form.numeric_inputs].index(key)
    return col_letter(len(DETAIL_HEAD) + index)


# --- 各单位文字材料 -------------------------------------------------------------------------

def narrative_columns(form: Form) -> tuple[list[str], tuple[Field, ...]]:
    """The heading of every narrative section, and its field, in form order."""
    heading = {s.sheet: s.heading for s in form.sections}
    fields = tuple(f for f in form.inputs if f.type == "longtext")
    return [heading.get(f.sheet, f.sheet) for f in fields], fields


def _texts_sheet(ws, result: "MergeResult", styles: Styles, formats: UnitFormats,
                 drafts: "Drafts | None") -> None:
    ws.merge_range(0, 0, 0, 3, f"{result.report.unit}{result.report.year}年度汇总：{TEXTS_SHEET}",
                   styles.label("title", bordered=False))
    ws.set_row(0, 30)
    for col, text in enumerate(TEXTS_HEAD):
        ws.write_string(1, col, text, styles.label("header"))
    headings, narratives = narrative_columns(result.report.form)
    if drafts is None or not drafts.adopt(ws, TEXTS_SHEET, result, formats):
        for at, source in enumerate(result.included):   # each unit's texts read back once
            write_text_rows(ws, TEXTS_FIRST_ROW + at * len(headings), source, headings,
                            source.values(narratives), formats)
    ws.set_column(0, 0, 24)
    ws.set_column(1, 1, 22)
    ws.set_column(2, 2, 22)
    ws.set_column(3, 3, TEXT_WIDTH)
    ws.freeze_panes(2, 0)
    ws.repeat_rows(1)
    _finish(ws, fit_width=True)


CAP_LINES = math.ceil((MAX_ROW_PT - 5) / LINE_PT)   # a text of as many lines gets Excel's largest row


def _text_height(text: str) -> float:
    parts = text.split("\n")
    # every character is at least 1.05 units wide (text_units): a text that fills the largest row
    # even so (a published report's section does, twice over) need not be measured. So counted
    # it has at most (newlines + 1 + its length at 1.05) lines: most texts need not be counted
    if text.count("\n") + 1 + 105 * len(text) / (100 * (TEXT_WIDTH - 2)) >= CAP_LINES and sum(
            max(1, -(-105 * len(part) // (100 * (TEXT_WIDTH - 2)))) for part in parts) >= CAP_LINES:
        return MAX_ROW_PT
    lines = sum(max(1, math.ceil(text_units(part) / (TEXT_WIDTH - 2))) for part in parts)
    return min(MAX_ROW_PT, lines * LINE_PT + 5)


# --- 汇总说明 ------------------------------------------------------------------------------

def _summary_sheet(ws, result: "MergeResult", styles: Styles) -> None:
    ws.merge_range(0, 0, 0, 3, f"{result.report.unit}{result.report.year}年度汇总：{SUMMARY_SHEET}",
                   styles.label("title", bordered=False))
    ws.set_row(0, 30)
    line_fmt = styles.get(align="left", text_wrap=False)
    row = 1
    for line in result.summary_lines() + ["", SCOPE_NOTE.format(unit=result.report.unit),
                                          f"生成时间：{result.metadata.generated}"]:
        _write_texts(ws, row, (line,), (line_fmt,), once=True)   # a line per source file: thousands
        row += 1
    row += 1
    ws.write_string(row, 0, "来源文件：", line_fmt)
    row += 1
    for col, text in enumerate(SOURCES_HEAD):
        ws.write_string(row, col, text, styles.label("header"))
    fmt = styles.label("row")
    for source in result.included:
        row += 1
        _source_row(ws, row, source, fmt)
    ws.set_column(0, 0, 30)
    ws.set_column(1, 1, 26)
    ws.set_column(2, 2, 34)
    ws.set_column(3, 3, 70)
    _finish(ws, fit_width=True)


def _source_row(ws, row: int, source: "Source", fmt) -> None:
    _write_texts(ws, row, (source.label, source.file.name, source.workbook_id, source.sha256), (fmt,) * 4,
                 once=True)


def _write_texts(ws: RowByRow, row: int, texts: tuple[str, ...], formats: tuple,
                 height: float | None = None, once: bool = False) -> None:
    """A row of texts from column A on (`height` in points): rendered and written at once,
    or cell by cell when one needs it. `once`: as RowByRow.text_cells (汇总说明's rows, each
    about one file, would fill the memory of short cells with texts never met again)."""
    cells = ws.text_cells(row, 0, texts, formats, once=once)
    if cells is not None and ws.put_row(row, 0, len(texts) - 1, cells, height):
        return
    _held_texts(ws, row, texts, formats)
    if height is not None:
        ws.set_row(row, height)


def _held_texts(ws: RowByRow, row: int, texts: tuple[str, ...], formats: tuple) -> None:
    """Texts from column A on, the row held for more cells."""
    if not ws.write_texts(row, 0, texts, formats):
        for col, (text, fmt) in enumerate(zip(texts, formats)):
            ws.write_string(row, col, text, fmt)
