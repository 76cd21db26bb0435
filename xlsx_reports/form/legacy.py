"""Layouts of earlier seasons, so that returns made on them are still read.

The 2025 season's workbooks (generated up to commit 557a8e3) held each narrative in one
large merged cell; the current layout has a column of paragraph cells. Both formats'
legacy forms differ only there: the keys are the same, so everything after reading treats
a legacy return like any other.
"""
from __future__ import annotations

from dataclasses import replace
from functools import cache

from xlsx_reports.form.definitions import FORMATS, get_form
from xlsx_reports.form.layout import narrative_sheet_v1
from xlsx_reports.form.model import Form, Sheet


def _v1(sheet: Sheet) -> Sheet:
    return narrative_sheet_v1(sheet) if sheet.role == "narrative" else sheet


@cache
def legacy_form(fmt: str) -> Form:
    form = get_form(fmt)
    return replace(form, sheets=tuple(_v1(s) for s in form.sheets))


def all_forms() -> list[Form]:
    """Every layout a workbook may be in: the current ones first."""
    return [get_form(f) for f in FORMATS] + [legacy_form(f) for f in FORMATS]
