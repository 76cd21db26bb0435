"""Lays out one sheet of the form: labels, input/fixed/total cells, validation, printing.

Everything positional comes from the Sheet (labels, fields, widths, heights, freeze,
header rows); this module only decides how it looks.
"""
from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Iterable, Mapping

from xlsx_reports.core.numbers import excel_number
from xlsx_reports.form.model import Field, Form, Label, Sheet
from xlsx_reports.form.values import Report
from xlsx_reports.xlsx.writer.formulas import total_formula, unchanged
from xlsx_reports.xlsx.writer.narrative import write_paragraphs
from xlsx_reports.xlsx.writer.styles import FONT_SIZE, Styles
from xlsx_reports.xlsx.writer.validation import add_validation

LINE_PT = 15.0      # one wrapped line of 11 pt CJK text
PAD_PT = 5.0
MIN_TABLE_ROW = 20.0
TITLE_PT = 16
PROTECT_OPTIONS = {"format_columns": True, "format_rows": True,
                   "select_locked_cells": False, "select_unlocked_cells": True}
PREFILL_NOTE = "此格已根据上年报表预填，请核对；如有出入可直接修改。"
# An annotated input's mark: ("value", v) while the cell still holds v; ("rule", None) when the
# 校验 highlight of a broken form check marks it (see xlsx/annotate.py).
Mark = tuple[str, Any]


def text_units(text: str) -> float:
    """Width of text in column-width units: a CJK character is a little over two Latin ones
    (more under LibreOffice's font fallback), so estimates err on the tall side."""
    wide = 0
    if not text.isascii():
        rest = _WIDE.sub("", text)   # what the wide blocks leave: counted by its length
        wide = len(text) - len(rest)
        if not rest.isascii():   # neither ASCII nor in those blocks: “”…—, rarely more
            wide += sum(1 for ch in _ASCII.sub("", rest) if unicodedata.east_asian_width(ch) in "WF")
    return (215 * wide + 105 * (len(text) - wide)) / 100


# blocks of Chinese (and Japanese, Korean) text whose every character East Asian Width calls wide
# or full-width (a test holds them to unicodedata): counted at once, so that sizing the rows of a
# merge's narratives, thousands of characters a unit, does not ask unicodedata character by
# character; any other character is still asked
_WIDE = re.compile("[\u2e80-\u303e\u3040-\u3247\u3250-\u4dbf\u4e00-\ua4cf\uabfa-\ud7af"
                   "\uf900-\ufaff\ufe10-\ufe1f\ufe30-\ufe6f\uff00-\uff60]+")
_ASCII = re.compile("[\x00-\x7f]+")


def _lines(text: str, width: float, scale: float = 1.0) -> int:
    usable = max(width - 0.5, 2.0)
    return sum(max(1, math.ceil(text_units(part) * scale / usable)) for part in text.split("\n"))


def row_heights(sheet: Sheet) -> dict[int, float]:
    """Row heights that show every wrapped label in full; the sheet's own heights win."""
    need: dict[int, float] = {}

    def width(c0: int, c1: int) -> float:
        return sum(sheet.widths[c] if c < len(sheet.widths) else 8.43 for c in range(c0, c1 + 1))

    for lb in sheet.labels:
        scale = TITLE_PT / FONT_SIZE if lb.role == "title" else 1.0
        if lb.role == "hint":
            continue
        height = _lines(lb.text, width(lb.col, lb.right), scale) * LINE_PT * scale + PAD_PT
        rows = lb.bottom - lb.row + 1
        floor = MIN_TABLE_ROW if sheet.role == "table" else 0
        for r in range(lb.row, lb.bottom + 1):
            need[r] = max(need.get(r, floor), height / rows, floor)
    if sheet.role == "table":
        for f in sheet.fields:
            need[f.row] = max(need.get(f.row, MIN_TABLE_ROW), MIN_TABLE_ROW)
    need.update(dict(sheet.heights))
    return need




class SheetWriter:
    """`summed`: the numbers are sums over units (a merged workbook): the numeric inputs are
    locked and shown like computed cells, so a total can never drift from its units; the
    texts stay open for the district's own words."""

    def __init__(self, ws, sheet: Sheet, form: Form, report: Report, styles: Styles, *,
                 prefilled: set[str], annotations: Mapping[str, str],
                 marks: Mapping[str, Mark] | None = None, summed: bool = False):
        self.ws, self.sheet, self.form, self.report = ws, sheet, form, report
        self.styles, self.prefilled, self.annotations = styles, prefilled, annotations
        self.marks = marks or {}
        self.summed = summed

    def write(self, password: str | None) -> None:
        ws, sheet = self.ws, self.sheet
        for i, w in enumerate(sheet.widths):
            ws.set_column(i, i, w)
        for r, h in sorted(row_heights(sheet).items()):
            ws.set_row(r, h)
        for lb in sheet.labels:
            self._label(lb)
        for f in sheet.fields:
            self._field(f)
        self._stray_notes()
        self._print_setup()
        if sheet.freeze:
            ws.freeze_panes(*sheet.freeze)
        ws.protect(password or "", PROTECT_OPTIONS)

    def _label(self, lb: Label) -> None:
        note = self.annotations.get(lb.a1)
        fmt = self.styles.label(lb.role, bordered=lb.role != "title", flagged=note is not None)
        if lb.merged:
            self.ws.merge_range(lb.row, lb.col, lb.bottom, lb.right, "", fmt)
        self.ws.write_string(lb.row, lb.col, lb.text, fmt)
        if note:
            self._comment(lb.row, lb.col, note)

    def _comment(self, row: int, col: int, text: str) -> None:
        self.ws.write_comment(row, col, text, {"x_scale": 2, "y_scale": 1.5})

    def _stray_notes(self) -> None:
        """Annotations on cells that are neither label nor field (e.g. a row someone added)."""
        taken = {lb.a1 for lb in self.sheet.labels} | {f.a1 for f in self.sheet.fields}
        for cell, text in self.annotations.items():
            if cell not in taken:
                self.ws.write_blank(cell, None, self.styles.cell("fixed", "text", flagged=True))
                self.ws.write_comment(cell, text, {"x_scale": 2, "y_scale": 1.5})

    def _field(self, f: Field) -> None:
        value = self.report.value(f.key) if f.kind == "total" else self.report.values.get(f.key)
        note = self.annotations.get(f.a1)
        editable = f.kind == "input" and not (self.summed and f.numeric)
        kind = "summed" if f.kind == "input" and not editable else f.kind
        mark = self.marks.get(f.a1)
        fmt = self.styles.cell(kind, f.type, prefilled=f.key in self.prefilled,
                               flagged=note is not None and mark is None)
        if mark is not None and mark[0] == "value":
            self.ws.conditional_format(f.row, f.col, f.row, f.right, {
                "type": "formula", "criteria": unchanged(f, mark[1]), "format": self.styles.flag()})
        if f.right != f.col:
            self.ws.merge_range(f.row, f.col, f.row, f.right, "", fmt)
        if f.bottom != f.row:
            width = self.sheet.widths[f.col]
            write_paragraphs(self.ws, f, value, fmt, self.styles,
                             lambda text: _lines(text, width) * LINE_PT + PAD_PT)
        else:
            self._value(f, value, fmt)
        if editable:  # a locked sum gets no typing prompt: nobody types there
            add_validation(self.ws, f)
        comment = note or (PREFILL_NOTE if f.key in self.prefilled else None)
        if comment:
            self._comment(f.row, f.col, comment)

    def _value(self, f: Field, value: Any, fmt) -> None:
        ws, row, col = self.ws, f.row, f.col
        if f.kind == "total":
            ws.write_formula(row, col, total_formula(self.form, f), fmt, excel_number(value))
        elif value is None or value == "":
            ws.write_blank(row, col, None, fmt)
        elif f.numeric and isinstance(value, (int, Decimal)) and not isinstance(value, bool):
            ws.write_number(row, col, excel_number(value), fmt)
        elif f.type == "date" and isinstance(value, (date, datetime)):
            # a text cell keeps what was typed (see form/types.py): the date goes in as text
            ws.write_string(row, col, value.strftime("%Y-%m-%d"), fmt)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            ws.write_number(row, col, value, fmt)
        else:
            ws.write_string(row, col, str(value), fmt)

    def _print_setup(self) -> None:
        ws, sheet = self.ws, self.sheet
        ws.set_paper(9)  # A4
        if sheet.landscape:
            ws.set_landscape()
        else:
            ws.set_portrait()
        ws.fit_to_pages(1, 0)
        if sheet.header_rows:
            ws.repeat_rows(*sheet.header_rows)
        ws.center_horizontally()
        ws.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.75)
        # "&" starts a code in a page header (&G a picture, &B bold), and xlsxwriter takes even a
        # doubled "&&G" for a picture: a name's own "&" is printed as the full-width "＆"
        unit = self.report.unit.replace("&", "＆")
        ws.set_header(f"&L&8{unit} {self.report.year} 年度&R&8{sheet.name}")
        ws.set_footer("&C&8第 &P 页，共 &N 页")


def write_form_sheets(workbook, form: Form, report: Report, styles: Styles, *,
                      password: str | None, prefilled: Iterable[str],
                      annotations: Mapping[tuple[str, str], str],
                      marks: Mapping[tuple[str, str], Mark] | None = None, summed: bool = False
                      ) -> dict[str, Any]:
    """Adds one worksheet per form sheet, in form order; returns them by name."""
    keep = set(prefilled)
    out = {}
    for sheet in form.sheets:
        ws = workbook.add_worksheet(sheet.name)
        notes = {cell: text for (name, cell), text in annotations.items() if name == sheet.name}
        own = {cell: m for (name, cell), m in (marks or {}).items() if name == sheet.name}
        SheetWriter(ws, sheet, form, report, styles, prefilled=keep,
                    annotations=notes, marks=own, summed=summed).write(password)
        out[sheet.name] = ws
    return out
