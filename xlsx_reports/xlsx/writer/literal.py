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
from xlsxwriter.worksheet import Worksheet


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class LiteralWorksheet(Worksheet):

    def _write_string(self, row: int, col: int, string: str, cell_format=None):
        if string.startswith("<r>") and string.endswith("</r>"):
            string = self._literal(string)
        return super()._write_string(row, col, string, cell_format)

    def _literal(self, text: str) -> str:
        """The text as one rich run; shortened (as xlsxwriter shortens any text) only when the
        run would pass the cell's 32,767 characters, since a cut run would be markup again."""
        run = f'<r><t xml:space="preserve">{escape(text)}</t></r>'
        while _utf16_len(run) > self.xls_strmax:
            text = text[: len(text) - (_utf16_len(run) - self.xls_strmax)]
            run = f'<r><t xml:space="preserve">{escape(text)}</t></r>'
        return run


class LiteralWorkbook(xlsxwriter.Workbook):
    worksheet_class = LiteralWorksheet
