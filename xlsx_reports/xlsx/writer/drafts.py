"""A merge's rows per unit on 分单位明细 and 各单位文字材料, written as the units arrive.

Writing those two sheets was most of a merge's serial end, with the workers done and a CPU
idle (10,000 units: 0.5 s and 0.4 s of 1.6 s). A unit's rows need only its own values and its
place, and in the usual merge every unit summed is in the total, in the order it arrived:
so each is rendered when it arrives, while the workers still read, into the sheets of a
scratch workbook whose unit formats have the numbers the merged workbook gives them
(merged.pin_unit_formats). The merged workbook then takes those rows as they are. When the
units in the total are not exactly the ones drafted, in that order (a unit twice, another
year chosen, a draft that failed to write), the drafts are dropped and the rows are written
at the end as before.
"""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xlsx_reports.form.definitions import get_form
from xlsx_reports.merge.rows import Row, values_in
from xlsx_reports.merge.selection import Kind
from xlsx_reports.xlsx.meta import DETAIL_HEAD, DETAIL_SHEET, TEXTS_SHEET
from xlsx_reports.xlsx.writer import new_workbook
from xlsx_reports.xlsx.writer.literal import SPLICEABLE, Deflated
from xlsx_reports.xlsx.writer.merged import (DETAIL_FIRST_ROW, TEXTS_FIRST_ROW, UnitFormats, narrative_columns,
                                             pin_unit_formats, unit_formats, write_detail_row, write_text_rows)
from xlsx_reports.xlsx.writer.rowbyrow import RowByRow
from xlsx_reports.xlsx.writer.styles import Styles

if TYPE_CHECKING:
    from xlsx_reports.merge.workbooks import MergeResult, Source

class Drafts:
    """The rows of the units summed into the first kind (year, format) that arrives."""

    def __init__(self) -> None:
        self.kind: Kind | None = None
        self.files: list[Path] = []   # the units drafted, in order
        self.failed = False
        self._folder: tempfile.TemporaryDirectory | None = None
        self._sheets: dict[str, RowByRow] = {}

    def take(self, kind: Kind, source: "Source", row: Row) -> None:
        """A unit summed into `kind`, its row of values as the merge keeps it."""
        if self.failed or (self.kind is not None and kind != self.kind):
            return
        try:
            if self.kind is None:
                self._open(kind)
            self._write(kind[1], source, row)
        except OSError:   # a full disk, say: the rows are written at the end instead
            self.failed = True
            return
        self.files.append(source.file)

    def adopt(self, ws: RowByRow, sheet: str, result: "MergeResult", formats: UnitFormats) -> bool:
        """Put the drafted rows of `sheet` into the merged workbook's sheet `ws`, whose rows
        above them are written: True when they are the rows of exactly result.included."""
        if not self._fit(result, formats):
            return False
        draft = self._sheets[sheet]
        if draft.dim_rowmax is not None:   # none: a form without narratives
            ws.splice(DETAIL_FIRST_ROW if sheet == DETAIL_SHEET else TEXTS_FIRST_ROW, draft)
        return True

    def seal(self) -> None:
        """Every unit is drafted: each sheet's rows are deflated in a thread while the merged
        workbook's other parts are written (a core is idle then); its zip takes them as they are."""
        if self.failed or not SPLICEABLE:
            return
        for ws in self._sheets.values():
            if ws.dim_rowmax is not None:
                ws.finish_rows()
                ws.deflated = Deflated(ws.row_data_filename, ws.row_data_filename + ".deflated")

    def close(self) -> None:
        """After the merged workbook is written (its sheets read the drafted rows then)."""
        for ws in self._sheets.values():
            if ws.deflated is not None:
                ws.deflated.ready()   # its thread done before its files go
            if not ws.row_data_fh.closed:
                ws.row_data_fh.close()
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None

    # --- inside ---------------------------------------------------------------------------

    def _open(self, kind: Kind) -> None:
        self.kind = kind
        self.form = get_form(kind[1])
        self._folder = tempfile.TemporaryDirectory(prefix="xlsx-reports-drafts-", ignore_cleanup_errors=True)
        book = new_workbook(str(Path(self._folder.name) / "unused.xlsx"), False, self._folder.name)
        pin_unit_formats(book)   # never closed: only its sheets' row files are used
        self.formats = unit_formats(Styles(book), self.form)
        self._sheets = {name: book.add_worksheet(name, RowByRow) for name in (DETAIL_SHEET, TEXTS_SHEET)}
        self._sheets[DETAIL_SHEET].number_columns(len(DETAIL_HEAD), self.formats.values)
        self._headings, self._narratives = narrative_columns(self.form)

    def _write(self, fmt: str, source: "Source", row: Row) -> None:
        at = len(self.files)
        write_detail_row(self._sheets[DETAIL_SHEET], DETAIL_FIRST_ROW + at, source,
                         values_in(fmt, row, self.form.numeric_inputs), self.formats)
        write_text_rows(self._sheets[TEXTS_SHEET], TEXTS_FIRST_ROW + at * len(self._headings), source,
                        self._headings, values_in(fmt, row, self._narratives), self.formats)

    def _fit(self, result: "MergeResult", formats: UnitFormats) -> bool:
        """Whether the drafts are the rows of exactly the units in the total, in its order,
        with the formats numbered as the merged workbook numbers them."""
        return (not self.failed and self.kind == (result.report.year, result.report.form.format)
                and [s.file for s in result.included] == self.files
                and _numbers(formats) == _numbers(self.formats))


def _numbers(formats: UnitFormats) -> tuple[int, ...]:
    return tuple(f._get_xf_index() for f in (formats.name, *formats.values, formats.text))
