"""Texts written as typed, whatever they look like.

xlsxwriter writes a text that starts with "<r>" and ends with "</r>" as rich-text XML, without
escaping it (its way of passing rich strings through): a narrative or unit name of that shape,
typed by a township or carried over from last year, would be read as markup and could leave
a workbook that no program opens (a district's merge broken by one unit's text). Every sheet
this project writes is a LiteralWorksheet, which writes such a text as one rich run holding
the text itself, escaped: every reader reads it back as the text typed.
"""
from __future__ import annotations

import threading
import zipfile
from xml.sax.saxutils import escape

import xlsxwriter
import xlsxwriter.workbook
from xlsxwriter.utility import _utf16_len   # how xlsxwriter measures a text against the cell's limit
from xlsxwriter.worksheet import Worksheet

from xlsx_reports.core.zlibs import WRITE_LEVEL, zlib


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

    def _store_workbook(self) -> None:
        """xlsxwriter's own packaging, its zip deflated by core.zlibs: a merged workbook of
        10,000 units is ~80 MB of XML, which zlib's default level took ~0.75 s to deflate
        and zlib-ng's level 3 takes ~0.2 s. xlsxwriter names its zip class at the call, and
        offers no other way in, so the name points at ours for the call only (under a lock: two
        threads writing at once must not restore each other's)."""
        with _STORING:
            theirs = xlsxwriter.workbook.ZipFile
            xlsxwriter.workbook.ZipFile = DeflatingZipFile
            try:
                super()._store_workbook()
            finally:
                xlsxwriter.workbook.ZipFile = theirs


_STORING = threading.Lock()


class DeflatingZipFile(zipfile.ZipFile):
    """zipfile writing its deflated members with core.zlibs at WRITE_LEVEL."""

    def _open_to_write(self, zinfo: zipfile.ZipInfo, force_zip64: bool = False):
        # zipfile's own step (3.6 on) between a member's header and its compressor; not in its stubs
        member = super()._open_to_write(zinfo, force_zip64)   # type: ignore[misc]
        if zinfo.compress_type == zipfile.ZIP_DEFLATED:
            # the compressor zipfile made has seen no data yet
            member._compressor = zlib.compressobj(WRITE_LEVEL, zlib.DEFLATED, -15)
        return member
