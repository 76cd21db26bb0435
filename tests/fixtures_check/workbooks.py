"""A minimal stand-in writer for reader tests that must not depend on the real writer's
layout choices: labels, inputs, total formulas, protection and metadata, from the Form."""
from __future__ import annotations

import xlsxwriter

from xlsx_reports.form import a1
from xlsx_reports.meta import META_SHEET, Metadata
from xlsx_reports.model import Report


def formula(report: Report, key: str) -> str:
    f = report.form.field(key)
    parts = []
    for t in f.terms:
        cell = report.form.field(t)
        parts.append(("-" if t.startswith("-") else "+") + a1(cell.row, cell.col))
    return "=" + "".join(parts).lstrip("+")


def plain_workbook(report: Report, path, metadata: Metadata, *, protect: bool = True) -> None:
    wb = xlsxwriter.Workbook(str(path))
    unlocked = wb.add_format({"locked": False})
    for sheet in report.form.sheets:
        ws = wb.add_worksheet(sheet.name)
        for lb in sheet.labels:
            if lb.merged:
                ws.merge_range(lb.row, lb.col, lb.bottom, lb.right, lb.text)
            else:
                ws.write_string(lb.row, lb.col, lb.text)
        for f in sheet.fields:
            if f.kind == "total":
                ws.write_formula(f.row, f.col, formula(report, f.key), None, report.value(f.key))
                continue
            value = report.values.get(f.key)
            fmt = unlocked if f.kind == "input" else None
            if value is None:
                ws.write_blank(f.row, f.col, None, fmt)
            elif isinstance(value, str):
                ws.write_string(f.row, f.col, value, fmt)
            else:
                ws.write_number(f.row, f.col, value, fmt)
        if protect:
            ws.protect("secret")
    meta = wb.add_worksheet(META_SHEET)
    for i, (k, v) in enumerate(metadata.rows()):
        meta.write_string(i, 0, k)
        meta.write_string(i, 1, v)
    meta.hide()
    wb.close()
