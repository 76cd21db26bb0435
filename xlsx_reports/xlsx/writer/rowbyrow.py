"""A worksheet written a row at a time, for the merged workbook's sheets with a row per unit.

xlsxwriter keeps every cell of a sheet until the file is closed (~35 KB per 分单位明细 row);
in its constant_memory mode a sheet goes out row by row into a temporary file instead. The
mode is workbook-wide in xlsxwriter, and the form's sheets are not written in row order, so
RowByRow turns it on for its own sheet only. Rules of the mode: rows come in order, and
merge_range cannot span rows (merge_block merges cells already written in row order).

A unit's row of numbers is ~170 cells, and xlsxwriter spends ~7 µs on each; write_numbers
renders the row's cells at once, exactly as xlsxwriter writes them (tests compare the XML).
write_texts does the same for a row of texts (各单位文字材料: four texts a row, a row per narrative section).
"""
from __future__ import annotations

import os
import re
import shutil
from decimal import Decimal
from functools import cache
from typing import Any, Sequence

from xlsx_reports.core.a1 import col_letter
from xlsx_reports.core.numbers import excel_number
from xlsx_reports.xlsx.writer.literal import LiteralWorksheet


_letter = cache(col_letter)
_BLOCK = 1 << 20   # copied at a time
# the counts a unit reports, as text: looked up, not printed (half of rendering a row of them)
_COUNTED = 10_000
_COUNTS = {n: str(n) for n in range(_COUNTED)}
_INT = frozenset((int,))   # a bool is a count by its hash, but is written blank
# what xlsxwriter's _escape_control_characters changes: an "_xHHHH_" (found by its "_x"), the
# control characters of its re_control_chars_2 and the two non-characters. Most texts hold
# none of them, and a substring search and one character class cost less than its four passes
# (an alternation of the three, tried at every character, took as long as the escaping)
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff]")
# text_cells renders a short text once per column and format, its row number left as _ROW
# (a control character: escaped away in any text, so never in a rendered cell)
_SHORT, _SHORT_KEPT, _ROW = 64, 4096, "\x00"


def _printable(text: str) -> bool:
    """True when the text has none of _CONTROL's characters (all are unprintable), asked
    without the regular expression, which looks at every character of a narrative at ~60
    instructions each; a newline, in most narratives, is the one unprintable character allowed."""
    return text.isprintable() or text.replace("\n", "").isprintable()


def _places(items: list, item: Any) -> list[int]:
    """Where `item` is in `items`: list.index (C) asked again from each place found."""
    found, at = [], -1
    try:
        while True:
            at = items.index(item, at + 1)
            found.append(at)
    except ValueError:
        return found


class _Rendered:
    """Cells already rendered as XML, stored where the first of them goes."""
    __slots__ = ("xml",)
    format = None

    def __init__(self, xml: str) -> None:
        self.xml = xml


class RowByRow(LiteralWorksheet):
    row_data_fh: Any   # xlsxwriter's row file, reopened by _initialize
    fh: Any

    def _initialize(self, init_data: dict) -> None:
        super()._initialize(dict(init_data, constant_memory=True))
        # xlsxwriter's row file buffers 8 KB: a unit's row of numbers (~6 KB) or narratives
        # was a write call of its own; reopened with a larger buffer, before anything is in it
        self.row_data_fh.close()
        self.row_data_fh = self.fh = open(self.row_data_filename, mode="w+", encoding="utf-8",  # noqa: SIM115
                                          buffering=_BLOCK)
        self._spliced: tuple[int, RowByRow] | None = None
        # (its part's file, where in it, the sheet whose rows go there): read in by the zip
        self.insertion: tuple[str, int, RowByRow] | None = None
        self.deflated: Any = None   # its rows deflated ahead (literal.Deflated), when they were
        self._short_cells: dict[tuple[int, str, Any], str] = {}   # text_cells' short texts

    def splice(self, first_row: int, rows: "RowByRow") -> None:
        """The rows of another sheet of this kind (rows drafted in a scratch workbook, as
        writer/drafts.py does), from first_row on: put here as they are, after the rows
        written so far, and before any written afterwards."""
        rows.finish_rows()
        self._write_single_row(first_row)   # and so does the last row above them here
        self.row_data_fh.flush()
        self._spliced = (self.row_data_fh.buffer.tell(), rows)
        self._check_dimensions(first_row, rows.dim_colmin)
        self._check_dimensions(rows.dim_rowmax, rows.dim_colmax)
        self.previous_row = rows.dim_rowmax   # written there: nothing of it is held here

    def finish_rows(self) -> None:
        """No more rows: the last, if still held, goes out to the file, which is flushed."""
        self._write_single_row(self.dim_rowmax + 1)
        self.row_data_fh.flush()

    def _write_optimized_sheet_data(self) -> None:
        """xlsxwriter's, the rows copied as bytes (it decodes and encodes each, in the merged
        workbook tens of MB), the spliced rows where they go."""
        if self.dim_rowmin is None or not hasattr(self.fh, "buffer"):
            super()._write_optimized_sheet_data()
            return
        self._xml_start_tag("sheetData")
        self.fh.flush()
        self.row_data_fh.close()
        with open(self.row_data_filename, "rb") as own:
            if self._spliced is not None:
                at, rows = self._spliced
                self.fh.buffer.write(own.read(at))   # the rows above them: a few header rows
                if getattr(self, "splice_in_zip", False):   # LiteralWorkbook's zip reads them in
                    self.fh.buffer.flush()
                    self.insertion = (self.fh.name, self.fh.buffer.tell(), rows)
                else:
                    with open(rows.row_data_filename, "rb") as spliced:
                        shutil.copyfileobj(spliced, self.fh.buffer, _BLOCK)
            shutil.copyfileobj(own, self.fh.buffer, _BLOCK)
        self.fh.buffer.flush()
        os.unlink(self.row_data_filename)
        self._xml_end_tag("sheetData")

    def merge_block(self, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
        self.merge.append([first_row, first_col, last_row, last_col])

    def number_columns(self, first_col: int, formats: Sequence[Any]) -> None:
        """The columns write_numbers fills from now on: from first_col, one format each."""
        columns = [(_letter(first_col + i), fmt._get_xf_index()) for i, fmt in enumerate(formats)]
        self._first_number = first_col
        # a row as five pieces a cell, its row number and values left empty, filled by slices:
        # a row renders in two thirds of the time a cell at a time takes
        self._number_row = [piece for letter, xf in columns
                            for piece in (f'<c r="{letter}', "", f'" s="{xf}"><v>', "", "</v></c>")]
        self._blank_end = [f'" s="{xf}"/>' for _col, xf in columns]   # a blank cell's end
        self._all_int = [int] * len(columns)
        self._odd_types: list[type] = []   # the last row's types, where not all were int,
        self._odd_at: list[int] = []       # and the places of those that were not

    def write_numbers(self, row: int, values: Sequence[Any]) -> bool:
        """Numbers (int or Decimal; blank for None or a boolean) in the number columns. False,
        and nothing written, when a value is anything else (text typed in a numeric cell):
        the caller writes that row cell by cell."""
        cells = self.number_cells(row, values)
        return cells is not None and self._place(row, self._first_number, min(len(values), len(self._blank_end)), cells)

    def number_cells(self, row: int, values: Sequence[Any]) -> str | None:
        """write_numbers' cells rendered, not written; None when a value is not a number."""
        values = values[:len(self._blank_end)]
        n = len(values)
        pieces = self._number_row[:5 * n]
        pieces[1::5] = [str(row + 1)] * n
        counts = list(map(_COUNTS.get, values))
        pieces[3::5] = counts  # type: ignore[assignment]  # a miss: written below
        types = list(map(type, values))
        if types != self._all_int[:n]:   # compared by identity: a bool or a Decimal is no int
            # written here: a Decimal (a form's money; one equal to a count was looked up by its
            # hash) or anything else not an int, at the places the last such row had them
            if types != self._odd_types:
                self._odd_types = types
                self._odd_at = sorted(set().union(*(_places(types, t) for t in set(types) - _INT)))
            if not self._fill(pieces, values, self._odd_at):
                return None
        try:
            return "".join(pieces)   # the usual row: every count looked up
        except TypeError:   # a value not looked up (a blank, an int past the table): its None
            return "".join(pieces) if self._fill(pieces, values, _places(counts, None)) else None

    def _fill(self, pieces: list[str], values: Sequence[Any], places: Sequence[int]) -> bool:
        """number_cells' cells at these places written from their values; False when one is
        not a number."""
        for i in places:
            value = values[i]
            if value is None or isinstance(value, bool):
                pieces[5 * i + 2:5 * i + 5] = (self._blank_end[i], "", "")
            elif isinstance(value, (int, Decimal)):
                pieces[5 * i + 3] = f"{excel_number(value):.16G}"
            else:
                return False
        return True

    def write_texts(self, row: int, first_col: int, texts: Sequence[str], formats: Sequence[Any]) -> bool:
        """Texts in the cells from first_col on, rendered at once as xlsxwriter writes each in
        this mode. False, and nothing written, when a text needs what only write_string does:
        the caller writes that row cell by cell."""
        cells = self.text_cells(row, first_col, texts, formats)
        return cells is not None and self._place(row, first_col, len(texts), cells)

    def text_cells(self, row: int, first_col: int, texts: Sequence[str], formats: Sequence[Any],
                   *, once: bool = False) -> str | None:
        """Texts as xlsxwriter writes each in this mode (an inline string, its control
        characters escaped by xlsxwriter's function, its markup as its function escapes it),
        rendered, not written. None when a text needs what only write_string does (one that
        may pass the cell's limit, or one shaped like rich-text markup). `once`: texts met
        once (a file's name and fingerprint), not kept for other rows however short."""
        r, cells, short = str(row + 1), [], -1 if once else _SHORT
        for col, (text, fmt) in enumerate(zip(texts, formats), first_col):
            cell = self._text_cell(col, r, text, fmt) if len(text) > short else self._short_cell(col, text, fmt, r)
            if not cell:
                return None
            cells.append(cell)
        return "".join(cells)

    def _short_cell(self, col: int, text: str, fmt: Any, r: str) -> str:
        """A short text's cell (a unit's name on each of its rows, a section's heading on every
        unit's), rendered once per column and format."""
        kept = self._short_cells
        cell = kept.get((col, text, fmt))
        if cell is None:
            if len(kept) >= _SHORT_KEPT:
                kept.clear()
            cell = kept[col, text, fmt] = self._text_cell(col, _ROW, text, fmt)
        return cell.replace(_ROW, r)

    def _text_cell(self, col: int, r: str, text: str, fmt: Any) -> str:
        """One cell of text_cells, in row `r`; "" when only write_string can write it."""
        if len(text) > self.xls_strmax // 2 or (text.startswith("<r>") and text.endswith("</r>")):
            return ""
        if "_x" in text or not _printable(text) and _CONTROL.search(text):
            text = self._escape_control_characters(text)
        # xlsxwriter's test (r"^\s" or r"\s$"): the same characters as str.isspace, and a
        # "$" before a final newline matches only where the newline is whitespace anyway
        space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
        if "&" in text or "<" in text or ">" in text:   # as _escape_data, whose search costs more
            text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return (f'<c r="{_letter(col)}{r}" s="{fmt._get_xf_index()}" t="inlineStr">'
                f'<is><t{space}>{text}</t></is></c>')

    def put_row(self, row: int, first_col: int, last_col: int, cells: str, height: float | None = None) -> bool:
        """A whole row at once, its cells rendered (number_cells, text_cells) from first_col to
        last_col, `height` in points: as xlsxwriter writes the row in this mode after set_row,
        but without holding it. False, and nothing written, when the row is begun or written
        already or falls outside the sheet: the caller writes it cell by cell."""
        start = self._row_start(row, height)
        if (start is None or row < self.previous_row or (row == self.previous_row and (
                self.table.get(row) or row in self.row_info or row in self.comments))
                or self._check_dimensions(row, first_col, ignore_row=True, ignore_col=True)
                or self._check_dimensions(row, last_col, ignore_row=True, ignore_col=True)):
            return False
        if row > self.previous_row:
            self._write_single_row(row)   # the row held before it goes out
        self._check_dimensions(row, first_col)
        self._check_dimensions(row, last_col)
        self.fh.write(f"{start}{cells}</row>")
        self.previous_row = row + 1   # the row held next, nothing in it yet: this one is written
        return True

    def _row_start(self, row: int, height: float | None) -> str | None:
        """The <row> tag _write_row writes after set_row(row, height); None where it would
        write more than a height (a hidden row, Excel 2010 attributes)."""
        if self.excel_version == 2010:
            return None
        if height is None:
            return f'<row r="{row + 1}">'
        pixels = int(height * 4.0 / 3.0 + 0.5)   # set_row's conversion
        if pixels == 0:
            return None
        if pixels == self.original_row_height == self.default_row_height:
            return f'<row r="{row + 1}">'
        return f'<row r="{row + 1}" ht="{pixels * 0.75:.16g}" customHeight="1">'

    def _place(self, row: int, first_col: int, count: int, xml: str) -> bool:
        """`count` rendered cells stored where the first of them goes, as xlsxwriter stores a
        cell in this mode (the row before written out); False when they would fall outside the sheet."""
        if self._check_dimensions(row, first_col) or self._check_dimensions(row, first_col + count - 1):
            return False
        if row > self.previous_row:
            self._write_single_row(row)
        self.table[row][first_col] = _Rendered(xml)
        return True

    def _write_cell(self, row: int, col: int, cell: Any) -> None:
        if isinstance(cell, _Rendered):
            self.fh.write(cell.xml)
        else:
            super()._write_cell(row, col, cell)
