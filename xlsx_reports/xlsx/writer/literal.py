"""Texts written as typed, whatever they look like.

xlsxwriter writes a text that starts with "<r>" and ends with "</r>" as rich-text XML, without
escaping it (its way of passing rich strings through): a narrative or unit name of that shape,
typed by a township or carried over from last year, would be read as markup and could leave
a workbook that no program opens (a district's merge broken by one unit's text). Every sheet
this project writes is a LiteralWorksheet, which writes such a text as one rich run holding
the text itself, escaped: every reader reads it back as the text typed.

xlsxwriter also tries each of its 155 substitutions for newer functions ("_xlfn.") on every
formula it writes, ~390 in a form: writing one took 25–28 ms of CPU with them, 17–19 without. A
LiteralWorksheet skips them for a formula none of them can match (see _untouched).
"""
from __future__ import annotations

import functools
import linecache
import os
import re
import shutil
import threading
import zipfile
from typing import Any

import xlsxwriter
import xlsxwriter.workbook
from xlsxwriter.utility import _utf16_len   # how xlsxwriter measures a text against the cell's limit
from xlsxwriter.worksheet import Worksheet

from xlsx_reports.core.zlibs import WRITE_LEVEL, zlib


class LiteralWorksheet(Worksheet):

    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
        plain = _stripped(formula)
        if _untouched(plain):
            return plain
        return super()._prepare_formula(formula, expand_future_functions)

    def _write_string(self, row: int, col: int, string: str, cell_format=None):
        if string.startswith("<r>") and string.endswith("</r>"):
            string = self._literal(string)
        return super()._write_string(row, col, string, cell_format)

    def _literal(self, text: str) -> str:
        """The text as one rich run; shortened (as xlsxwriter shortens any text) only when the
        run would pass the cell's 32,767 characters, since a cut run would be markup again.
        Escaping lengthens a text unevenly, so the longest start of it that fits is searched for."""
        if _utf16_len(self._run(text)) <= self.xls_strmax:
            return self._run(text)
        fits, over = 0, len(text)
        while over - fits > 1:
            middle = (fits + over) // 2
            fits, over = (middle, over) if _utf16_len(self._run(text[:middle])) <= self.xls_strmax else (fits, middle)
        return self._run(text[:fits])

    def _run(self, text: str) -> str:
        # xlsxwriter's own escaping: xml.sax.saxutils's import pulls in urllib, http.client and ssl
        return f'<r><t xml:space="preserve">{self._escape_data(text)}</t></r>'


def _stripped(formula: str) -> str:
    """The formula without its leading "{" and "=" and trailing "}", as xlsxwriter strips them."""
    if formula.startswith("{"):
        formula = formula[1:]
    if formula.startswith("="):
        formula = formula[1:]
    if formula.endswith("}"):
        formula = formula[:-1]
    return formula


def _substitutions(prepare=Worksheet._prepare_formula) -> dict[str, re.Pattern] | None:
    """The patterns xlsxwriter's _prepare_formula substitutes, read from its source, by what
    ends the function each names: each is r"\\b" or r"\\S", a name ("." matching any
    character), then r"\\(", so it can match only where a "(" follows a run of word characters
    ending in the name's last part. None (every formula goes through xlsxwriter) when its
    source is not at hand or does anything else to a formula."""
    source = _source(prepare)
    if source is None:
        return None
    patterns = re.findall(r're\.sub\(\s*r"([^"]*)"', source)
    assigned = re.findall(r"formula = (.*)", re.sub(r"formula = re\.sub\([^)]*\)", "", source))
    if not patterns or len(patterns) != source.count("re.sub(") or \
            set(assigned) - {"formula[1:]", "formula[:-1]"}:
        return None
    by_tail: dict[str, list[str]] = {}
    for pattern in patterns:
        name = re.fullmatch(r"\\[bS]([A-Z0-9.]*[A-Z0-9])\\\(", pattern)
        if name is None:
            return None
        by_tail.setdefault(name.group(1).rsplit(".", 1)[-1], []).append(pattern)
    return {tail: re.compile("|".join(found)) for tail, found in by_tail.items()}


def _source(function) -> str | None:
    """The function's lines, as its code names them (inspect.getsource tokenizes the module to
    find where a function ends: 6 ms of a process that writes one workbook, against 1 here)."""
    code = getattr(function, "__code__", None)
    if code is None:
        return None
    lines = linecache.getlines(code.co_filename)
    last = max((line for _start, _end, line in code.co_lines() if line), default=0)
    if not lines or last < code.co_firstlineno:
        return None
    return "".join(lines[code.co_firstlineno - 1:last])


_SUBSTITUTED = _substitutions()
_LONGEST = max(map(len, _SUBSTITUTED or ()), default=0)
_CALLED = re.compile(r"(\w*)\(")   # the run of word characters before each "("


def _untouched(formula: str) -> bool:
    """Whether no substitution of xlsxwriter's matches the formula: then xlsxwriter leaves it
    as it is, and trying all 155 is skipped. Only the patterns whose name ends as a word
    before a "(" ends are searched: SUM, IF and LEN end none of them; LEFT ends in "T", as
    some names do, so those few are searched, and do not match."""
    if _SUBSTITUTED is None:
        return False
    for word in _CALLED.findall(formula):
        for k in range(1, min(len(word), _LONGEST) + 1):
            pattern = _SUBSTITUTED.get(word[-k:])
            if pattern is not None and pattern.search(formula):
                return False
    return True


class LiteralWorkbook(xlsxwriter.Workbook):
    worksheet_class = LiteralWorksheet

    def _store_workbook(self) -> None:
        """xlsxwriter's own packaging, its zip deflated by core.zlibs: a merged workbook of
        10,000 units is ~80 MB of XML, which zlib's default level took ~0.75 s to deflate
        and zlib-ng's level 3 takes ~0.2 s. xlsxwriter names its zip class at the call, and
        offers no other way in, so the name points at ours for the call only (under a lock: two
        threads writing at once must not restore each other's)."""
        for ws in self.worksheets():
            ws.splice_in_zip = True   # rows drafted elsewhere are read into the zip (RowByRow)
        with _STORING:
            theirs = xlsxwriter.workbook.ZipFile
            xlsxwriter.workbook.ZipFile = functools.partial(DeflatingZipFile, workbook=self)
            try:
                super()._store_workbook()
            finally:
                xlsxwriter.workbook.ZipFile = theirs


_STORING = threading.Lock()
_BLOCK = 1 << 20


class DeflatingZipFile(zipfile.ZipFile):
    """zipfile writing its deflated members with core.zlibs at WRITE_LEVEL, each part's file
    read a megabyte at a time (zipfile's 8 KB made ~3,000 calls a merged workbook), and a
    sheet's rows drafted in another file (RowByRow.splice) read from there where they go,
    not copied into the sheet's own file first (tens of MB for a city's narratives)."""

    def __init__(self, *args, workbook=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._workbook = workbook

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None) -> None:
        if compress_type is not None or compresslevel is not None or os.path.isdir(filename):
            super().write(filename, arcname, compress_type, compresslevel)
            return
        at, rows = self._insertion(filename)
        zinfo = zipfile.ZipInfo.from_file(filename, arcname,
                                          strict_timestamps=self._strict_timestamps)  # type: ignore[attr-defined]
        zinfo.compress_type = self.compression
        zinfo._compresslevel = self.compresslevel   # type: ignore[attr-defined]  # zipfile's own
        zinfo.file_size += os.path.getsize(rows.row_data_filename) if rows else 0
        with open(filename, "rb") as src, self.open(zinfo, "w") as dest:
            if rows:
                dest.write(src.read(at))
                if rows.deflated is not None and rows.deflated.ready() and Deflated.fits(dest):
                    rows.deflated.splice(dest)
                else:
                    with open(rows.row_data_filename, "rb") as spliced:
                        shutil.copyfileobj(spliced, dest, _BLOCK)
            shutil.copyfileobj(src, dest, _BLOCK)

    def _insertion(self, filename: str) -> tuple[int, Any]:
        """(where, sheet) of the rows to read into this part, as a sheet recorded them; (0, None) if none."""
        for ws in self._workbook.worksheets() if self._workbook is not None else ():
            insertion = getattr(ws, "insertion", None)
            if insertion is not None and insertion[0] == filename:
                return insertion[1], insertion[2]
        return 0, None

    def _open_to_write(self, zinfo: zipfile.ZipInfo, force_zip64: bool = False):
        # zipfile's own step (3.6 on) between a member's header and its compressor; not in its stubs
        member = super()._open_to_write(zinfo, force_zip64)   # type: ignore[misc]
        if zinfo.compress_type == zipfile.ZIP_DEFLATED:
            # the compressor zipfile made has seen no data yet
            member._compressor = zlib.compressobj(WRITE_LEVEL, zlib.DEFLATED, -15)
        return member


SPLICEABLE = hasattr(zlib, "crc32_combine")   # zlib-ng's; the standard library's zlib lacks it
_MEMBER_PARTS = ("_compressor", "_fileobj", "_crc", "_file_size", "_compress_size")


class Deflated:
    """A file deflated in a thread while the caller goes on (zlib-ng lets go of the GIL), to be
    spliced into a zip member: raw deflate that ends at a byte boundary (a sync flush), with the
    CRC-32 and length of what it holds. A merge's drafted rows are most of its workbook's bytes;
    deflated while the workbook's other parts are written, their deflating leaves its end."""

    def __init__(self, source: str, target: str) -> None:
        self.source, self.target = source, target
        self.crc = self.size = 0
        self.ok = False
        self._thread = threading.Thread(target=self._run, name="xlsx-reports-deflate", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            compressor = zlib.compressobj(WRITE_LEVEL, zlib.DEFLATED, -15)
            with open(self.source, "rb") as src, open(self.target, "wb") as out:
                while block := src.read(_BLOCK):
                    self.crc = zlib.crc32(block, self.crc)
                    self.size += len(block)
                    out.write(compressor.compress(block))
                out.write(compressor.flush(zlib.Z_SYNC_FLUSH))
            self.ok = True
        except Exception:  # noqa: BLE001 - a full disk, say: the rows are then read as they are
            self.ok = False

    def ready(self) -> bool:
        """Whether it is done and whole (waits for it)."""
        self._thread.join()
        return self.ok

    @staticmethod
    def fits(member) -> bool:
        """Whether zipfile's member writer is the one splice knows (its private parts): on a
        Python that changed it, the rows are read in as they are."""
        return all(hasattr(member, name) for name in _MEMBER_PARTS)

    def splice(self, member) -> None:
        """Into a member being written (zipfile's writer, whose compressor DeflatingZipFile
        made): what it compressed so far ends at a byte boundary, these bytes follow, and a
        new compressor, which refers back to nothing, carries on; its CRC-32 and size count
        them as if they had been written through it."""
        head = member._compressor.flush(zlib.Z_SYNC_FLUSH)
        member._fileobj.write(head)
        with open(self.target, "rb") as deflated:
            shutil.copyfileobj(deflated, member._fileobj, _BLOCK)
            member._compress_size += len(head) + deflated.tell()
        member._crc = zlib.crc32_combine(member._crc, self.crc, self.size)
        member._file_size += self.size
        member._compressor = zlib.compressobj(WRITE_LEVEL, zlib.DEFLATED, -15)
