"""Texts written as typed, whatever they look like.

xlsxwriter writes a text that starts with "<r>" and ends with "</r>" as rich-text XML, without
escaping it (its way of passing rich strings through): a narrative or unit name of that shape,
typed by a township or carried over from last year, would be read as markup and could leave
a workbook that no program opens (a district's merge broken by one unit's text). Every sheet
this project writes is a LiteralWorksheet, which writes such a text as one rich run holding
the text itself, escaped: every reader reads it back as the text typed.
"""
from __future__ import annotations

from xml.sax.saxutils import escape

import xlsxwriter
from xlsxwriter.utility import _utf16_len   # how xlsxwriter measures a text against the cell's limit
from xlsxwriter.worksheet import Worksheet


class LiteralWorksheet(Worksheet):

    def _write_string(self, row: int, col: int, string: str, cell_format=None):
        if string.startswith("<r>") and string.endswith("</r>"):
            string = self._literal(string)
        return super()._write_string(row, col, string, cell_format)

    def _literal(self, text: str) -> str:
        """The text as one rich run; shortened (as xlsxwriter shortens any text) only when the
        run would pass the cell's 32,767 characters, since a cut run would be markup again.
        Escaping lengthens a text unevenly, so the longest start of it that fits is searched for."""
        if _utf16_len(_run(text)) <= self.xls_strmax:
            return _run(text)
        fits, over = 0, len(text)
        while over - fits > 1:
            middle = (fits + over) // 2
            fits, over = (middle, over) if _utf16_len(_run(text[:middle])) <= self.xls_strmax else (fits, middle)
        return _run(text[:fits])


def _run(text: str) -> str:
    return f'<r><t xml:space="preserve">{escape(text)}</t></r>'


class LiteralWorkbook(xlsxwriter.Workbook):
    worksheet_class = LiteralWorksheet
