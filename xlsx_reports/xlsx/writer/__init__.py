"""Writes the fill-in workbook a township receives (xlsxwriter lives only in this package).

    write_workbook(report, path, *, password=None, metadata=None, deadline=None,
                   prefilled=(), annotations=None, marks=None, extra=None) -> Metadata

Sheet order: 填报说明, the form's sheets (基本信息, 一 … 六), 校验, _meta, then whatever
`extra` adds. The file is written atomically. A workbook whose metadata is of kind "merged"
(a 汇总) has its numeric inputs locked and a 填报说明 that says what it is.
"""
from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from typing import Callable, Iterable, Iterator, Mapping

import xlsxwriter

from xlsx_reports.core.atomic import atomic_path
from xlsx_reports.xlsx.meta import CHECK_SHEET, GUIDE_SHEET, META_SHEET, Metadata
from xlsx_reports.form.values import Report
from xlsx_reports.xlsx.writer.checksheet import write_check_sheet
from xlsx_reports.xlsx.writer.guide import write_guide
from xlsx_reports.xlsx.writer.literal import LiteralWorkbook
from xlsx_reports.xlsx.writer.metasheet import fresh_metadata, set_properties, write_meta
from xlsx_reports.xlsx.writer.sheets import Mark, write_form_sheets
from xlsx_reports.xlsx.writer.styles import FONT, FONT_SIZE, Styles

__all__ = ["Mark", "write_workbook"]


def write_workbook(report: Report, path: str | os.PathLike, *, password: str | None = None,
                   metadata: Metadata | None = None, deadline: str | None = None,
                   prefilled: Iterable[str] = (),
                   annotations: Mapping[tuple[str, str], str] | None = None,
                   marks: Mapping[tuple[str, str], Mark] | None = None,
                   extra: Callable[[xlsxwriter.Workbook], None] | None = None,
                   in_memory: bool = True,
                   pinned: Callable[[xlsxwriter.Workbook], None] | None = None) -> Metadata:
    """`in_memory=False`: each part is assembled in a temporary file, not a string, for a
    workbook whose `extra` sheets are large (a merge of thousands of units). `pinned` runs
    first: the formats it numbers have the same numbers in every workbook written so."""
    metadata = metadata or fresh_metadata(report)
    summed = metadata.kind == "merged"   # the numbers are sums over units: locked
    prefilled = [k for k in prefilled if k in report.form.by_key]
    with atomic_path(path) as tmp, _scratch(in_memory) as scratch:
        workbook = new_workbook(str(tmp), in_memory, scratch)
        try:
            if pinned is not None:
                pinned(workbook)
            styles = Styles(workbook)
            guide = workbook.add_worksheet(GUIDE_SHEET)
            sheets = write_form_sheets(workbook, report.form, report, styles, password=password,
                                       prefilled=prefilled, annotations=annotations or {},
                                       marks=marks or {}, summed=summed)
            check = workbook.add_worksheet(CHECK_SHEET)
            meta = workbook.add_worksheet(META_SHEET)
            write_guide(guide, report, styles, deadline=deadline, prefilled=prefilled, password=password,
                        metadata=metadata)
            write_check_sheet(check, report, styles, sheets, password=password)
            write_meta(meta, metadata, password=password)
            set_properties(workbook, report, metadata)
            if extra is not None:
                extra(workbook)
            workbook.close()
        finally:
            _close_row_files(workbook)
    return metadata


def new_workbook(path: str, in_memory: bool, tmpdir: str | None) -> LiteralWorkbook:
    """A workbook as this project writes them: its default font, texts kept as texts."""
    return LiteralWorkbook(path, {
        "default_format_properties": {"font_name": FONT, "font_size": FONT_SIZE},
        "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False,
        "in_memory": in_memory,   # a workbook is ~100 KB: temporary files would only cost time
        "tmpdir": tmpdir,
    })


@contextmanager
def _scratch(in_memory: bool) -> Iterator[str | None]:
    """Where xlsxwriter keeps the parts and the row-by-row sheets it writes to temporary files
    (in_memory=False): a folder of this write's own, removed with whatever a failed write
    left in it (xlsxwriter removes its files only when the workbook is closed)."""
    if in_memory:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="xlsx-reports-write-", ignore_cleanup_errors=True) as folder:
        yield folder


def _close_row_files(workbook: xlsxwriter.Workbook) -> None:
    """A sheet written row by row holds its temporary file open until the workbook is closed;
    after a failed write it is closed here, so that Windows lets the folder be removed."""
    for sheet in workbook.worksheets():
        handle = getattr(sheet, "row_data_fh", None)
        if handle is not None and not handle.closed:
            handle.close()
