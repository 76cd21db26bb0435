"""How big a returned workbook may be, and a bounded scan of the zip that refuses one beyond it.

A parser builds objects for the shape a sheet declares, not for the bytes it arrives in: one
cell at XFD1048576, a merged range over a million rows or a validation over the whole sheet
make openpyxl create millions of cells from a few hundred bytes. So, before any parser sees
the file, `prescan` inflates each part itself (counting the bytes that actually come out,
never the sizes the zip claims), counts the cells, sheets, strings, styles, hyperlinks and
comments the XML declares, and stops at the first limit passed. It keeps the
XML parts it inflated (at most total_bytes) for the reader, so no part is inflated twice.
What a sheet declares beside its cells (its farthest cell, merged and validated ranges) the
reader checks through the Tally that prescan returns, before it builds anything from it: the
shortcut (fastcells.py) from what it read of the sheet, any other path by scanning the part
(Tally.sheet) first. Scanning each sheet here as well cost 0.5 ms a workbook, against 1.7 ms
for reading all its sheets (measured on the benchmark corpus).

The limits are generous: a return of this tool is about 200 KB unpacked, 700 cells, 30 rows
by 15 columns on its largest sheet. Each is hundreds of times that.
"""
from __future__ import annotations

import re
import zipfile
from itertools import islice
from dataclasses import dataclass

from xlsx_reports.core.a1 import area, col_index, far_corner
from xlsx_reports.core.memo import remembered
from xlsx_reports.xlsx import mentions, zipdir
from xlsx_reports.xlsx.safexml import derived, inflated, inflated_whole


@dataclass(frozen=True)
class Limits:
    file_bytes: int = 30 * 1024 * 1024       # the file as it arrives
    entries: int = 2_000                     # parts in the zip
    part_bytes: int = 50 * 1024 * 1024       # one part inflated (an embedded picture)
    xml_bytes: int = 16 * 1024 * 1024        # one XML part inflated
    total_bytes: int = 64 * 1024 * 1024      # all parts inflated
    sheets: int = 100
    rows: int = 10_000                       # highest row number on a sheet
    columns: int = 256                       # highest column (IV, the old Excel width)
    area: int = 300_000                      # rows × columns of one sheet (the grid a parser walks)
    cells: int = 200_000                     # cells written, all sheets
    merged: int = 10_000                     # merged ranges, all sheets
    merged_cells: int = 300_000              # cells covered by merged ranges, all sheets
    validation_cells: int = 300_000          # cells covered by data validations, all sheets
    linked_cells: int = 300_000              # cells covered by hyperlinks and comments (openpyxl
                                             # gives each cell of their range its own copy)
    directory_bytes: int = 2 * 1024 * 1024   # the zip's central directory (a list of the parts)
    shared_strings: int = 200_000
    styles: int = 20_000                     # cell formats (styles.xml)


LIMITS = Limits()

UNSAFE_XML = ("工作簿中含有不安全的 XML 内容（实体声明），为安全起见不予读取；"
              "请在 Excel 或 WPS 中打开后另存为 .xlsx 重新提交")
RESUBMIT = "请使用区里下发的填报表重新填写，或在 Excel 中把数据复制到下发的表中后重新提交"
TOO_BIG = f"不是正常的填报表（正常的填报表只有几十 KB、几百个单元格），为安全起见不予读取；{RESUBMIT}"


class Refused(Exception):
    """A limit was passed; the message is one Chinese clause (without the file name)."""


_P = rb"<(?:[\w.-]+:)?"       # an element, with or without a namespace prefix
# Rows and cells in document order: a row or cell without r="…" follows the one before it,
# as the parsers place it; an empty row (LibreOffice writes one at 1048576) places nothing.
ROW_OR_CELL = re.compile(_P + rb"(row|c)\b([^>]*)>")
CELL = re.compile(_P + rb"c\b[^>]*>")
PLAIN = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"')   # how every writer we know starts a cell
EXPLICIT = re.compile(_P + rb"c\b[^>]*?\br\s*=\s*[\"']\$?([A-Za-z]+)\$?(\d+)[\"'][^>]*>")
REF = re.compile(rb"\br\s*=\s*[\"']\$?([A-Za-z]*)\$?(\d*)[\"']")
# Merged and validated ranges are found by their attribute alone (a literal the regular-expression
# engine jumps to), within the stretch that mentions them: faster, and never fewer than a parser sees.
MERGE = re.compile(rb"mergeCell\s[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
SQREF = re.compile(rb"sqref\s*=\s*[\"']([^\"']*)[\"']")
SHEET = re.compile(_P + rb"sheet\s")
SHARED = re.compile(_P + rb"si[\s/>]")
STYLE = re.compile(_P + rb"xf[\s/>]")


def directory_refusal(fh, limits: Limits = LIMITS) -> str | None:
    """The zip's end record read before zipfile builds one object per part it lists: too many
    parts, or a list too long for them, is refused without reading the list."""
    end = zipfile._EndRecData(fh)   # type: ignore[attr-defined]  # noqa: SLF001 - the stdlib's own end-record reader
    if end is None:
        return None
    entries, size = end[zipfile._ECD_ENTRIES_TOTAL], end[zipfile._ECD_SIZE]   # type: ignore[attr-defined]
    if entries > limits.entries:
        return f"工作簿内的部件个数 {entries:,}，超过上限 {limits.entries:,}；{TOO_BIG}"
    if size > limits.directory_bytes:
        return f"工作簿的部件目录有 {size // 1024:,} KB，超过上限 {limits.directory_bytes // 1024:,} KB；{TOO_BIG}"
    return None


def prescan(zf: zipdir.Archive, limits: Limits = LIMITS, data: bytes | None = None, whole: bool = False
            ) -> tuple[dict[str, bytes], "Tally"]:
    """Raises Refused at the first limit passed; inflates each part it scans once and returns the XML
    parts (what the readers parse), so nothing is inflated twice, and the tally, which the
    reader carries on with: what each sheet declares (its farthest cell, merged and validated
    ranges) is checked by the reader, before it builds anything from them (Tally.sheet).
    Parts only openpyxl reads are left uninflated where they may be (UNREAD; Tally.left says
    so), unless `whole`: the scan of a file the fast path passes on to openpyxl."""
    infos = zf.infolist()
    if len(infos) > limits.entries:
        raise Refused(f"工作簿内的部件个数 {len(infos):,}，超过上限 {limits.entries:,}；{TOO_BIG}")
    tally = Tally(limits)
    parts: dict[str, bytes] = {}
    tally.parts = parts
    unread = 0
    # the workbook and its relationships first: a refusal then names the sheet, not its part
    for info in sorted((i for i in infos if not i.is_dir()), key=lambda i: i.filename not in NAMING):
        most = None if whole else _unread_most(info)
        if most is not None and unread + most <= UNREAD_BYTES:
            unread += most
            tally.inflated(most)   # counted as the most it could be
            tally.left = True
            continue
        xml = info.filename.lower().endswith((".xml", ".rels", ".vml"))
        part = _inflate(zf, info, limits.xml_bytes if xml else limits.part_bytes, tally, xml, data)
        if xml:
            parts[info.filename] = part
    kinds = {name: _kind(name) for name in parts}
    tally.countable = _countable(parts, kinds, limits)
    for name, part in parts.items():
        tally.part(name, kinds[name], part)
    return parts, tally


# Parts that only openpyxl reads, never the fast path (fastread.py): the package's content
# types and properties, the theme, pictures. openpyxl meets them only in a file the fast path
# passes on, which is scanned whole first (reader._load); until then a part too small to pass a
# limit however it was packed is counted as the most it could inflate to, not inflated to be
# counted, checked for entities and its CRC (for one of this tool's returns, 2-3 % of its check).
UNREAD = ("[Content_Types].xml", "docProps/", "customXml/", "xl/theme/", "xl/media/", "xl/printerSettings/")
MOST_DEFLATED = 1032   # bytes deflate can make of one (zlib's "technical details")
UNREAD_BYTES = 4 << 20   # the most that parts left uninflated may come to, all together


def _unread_most(info: zipdir.Info) -> int | None:
    """The most an unread part may inflate to, when it is packed plainly; else None (inflated)."""
    if not info.filename.startswith(UNREAD) or info.flag_bits & 0x1:
        return None
    if info.compress_type == zipfile.ZIP_STORED:
        return info.compress_size
    return info.compress_size * MOST_DEFLATED if info.compress_type == zipfile.ZIP_DEFLATED else None


# The shortest element of each thing counted: parts of a kind that together are shorter than
# this many times its limit cannot pass it, and are not counted (for a return of this tool,
# counting was a third of the limits scan; a few hundred KB of cells never pass 200,000).
SHORTEST = {"sheet": len(b"<c/>"), "workbook": len(b"<sheet/>"), "shared": len(b"<si/>"),
            "styles": len(b"<xf/>")}


def _countable(parts: dict[str, bytes], kinds: dict[str, str], limits: Limits) -> frozenset[str]:
    """The kinds of part whose elements could pass their limit by their bytes alone."""
    size = dict.fromkeys(SHORTEST, 0)
    for name, part in parts.items():
        kind = kinds[name]
        if kind:
            size[kind] += len(part)
    allowed = {"sheet": limits.cells, "workbook": limits.sheets, "shared": limits.shared_strings,
               "styles": limits.styles}
    return frozenset(kind for kind, n in size.items() if n // SHORTEST[kind] > allowed[kind])


NAMING = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")


def _sheet_names(parts: dict[str, bytes]) -> dict[str, str]:
    """Part name -> sheet name, so that a refusal names the sheet the clerk sees."""
    texts = {name: parts[name].decode("utf-8", "replace") for name in NAMING}
    ids = dict((rid, sheet) for sheet, rid in re.findall(
        r'<(?:\w+:)?sheet\s[^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"', texts["xl/workbook.xml"]))
    out = {}
    for tag in re.findall(r"<(?:\w+:)?Relationship\s[^>]*>", texts["xl/_rels/workbook.xml.rels"]):
        rid, target = re.search(r'Id="([^"]*)"', tag), re.search(r'Target="([^"]*)"', tag)
        if rid and target and rid.group(1) in ids:
            part = target.group(1).lstrip("/")
            out[part if part.startswith("xl/") else "xl/" + part] = ids[rid.group(1)]
    return out


_KINDS = {"xl/workbook.xml": "workbook", "xl/sharedstrings.xml": "shared", "xl/styles.xml": "styles"}


def _kind(name: str) -> str:
    lower = name.lower()
    if lower.startswith("xl/worksheets/") and lower.endswith(".xml"):
        return "sheet"
    return _KINDS.get(lower, "")


def _inflate(zf: zipdir.Archive, info: zipdir.Info, cap: int, tally: "Tally", xml: bool,
             data: bytes | None) -> bytes:
    """An XML part's bytes (other parts: inflated and counted, then dropped), counting what
    actually inflates."""
    def too_big(c: int) -> Refused:
        sheet = tally.sheet_name(info.filename)
        where = f"工作表“{sheet}”的内容" if sheet else f"部件 {info.filename}"
        return Refused(f"{where}解压后超过 {c // 1024 // 1024} MB 的上限；{TOO_BIG}")
    if xml:
        part = inflated_whole(zf, info, cap, too_big, data)
        tally.inflated(len(part))
        return part
    for block in inflated(zf, info, cap, too_big, data):
        tally.inflated(len(block))
    return b""


@remembered(keep=128)   # two stretches per sheet, a few templates
def _ranges(pattern: re.Pattern, stretch: bytes) -> tuple[int, int, int, int]:
    """(ranges, cells they cover, farthest row, farthest column) of the A1 ranges the pattern
    finds; the same stretch recurs in every workbook of a template, so it is worked out once."""
    count = covered = row = col = 0
    for m in pattern.finditer(stretch):
        for ref in m.group(1).decode("ascii", "replace").split():
            count += 1
            covered += area(ref)
            far_row, far_col = far_corner(ref)
            row, col = max(row, far_row), max(col, far_col)
    return count, covered, row, col


def _count(pattern: re.Pattern, data: bytes, at_most: int) -> int:
    """Matches of `pattern`, counted no further than one past `at_most` (memory stays flat)."""
    if data.count(b"<") <= at_most + 1:   # every match starts at a "<": the list stays small
        return len(pattern.findall(data))
    return sum(1 for _ in islice(pattern.finditer(data), max(0, at_most) + 1))


class Tally:
    """Counts across all parts, each checked the moment it passes its limit."""

    def __init__(self, limits: Limits = LIMITS) -> None:
        self.limits = limits
        self.total = self.cells = self.merged = self.merged_cells = self.validation_cells = 0
        self.linked_cells = 0
        self.sheets = self.strings = self.styles = 0
        self.parts: dict[str, bytes] = {}   # the XML parts inflated so far (prescan)
        self.left = False                     # parts only openpyxl reads were left uninflated
        self.countable: frozenset[str] = frozenset(SHORTEST)   # what part() counts (prescan: _countable)

    def sheet_name(self, part: str) -> str | None:
        """The sheet a part holds, once the workbook and its relationships are inflated; worked
        out only for a refusal's message (33 µs, 1.5-2 % of checking a workbook)."""
        if not all(name in self.parts for name in NAMING):
            return None
        return _sheet_names(self.parts).get(part)

    def inflated(self, n: int) -> None:
        self.total += n
        if self.total > self.limits.total_bytes:
            raise Refused(f"工作簿解压后超过 {self.limits.total_bytes // 1024 // 1024} MB；{TOO_BIG}")

    def part(self, name: str, kind: str, data: bytes) -> None:
        lim = self.limits
        declares, mentioned = derived(data, "sheet" if kind == "sheet" else "part",
                                      mentions.sheet_mentions if kind == "sheet" else mentions.part_mentions)
        if declares:
            raise Refused(UNSAFE_XML)
        if mentioned:
            element = b"hyperlink" if kind == "sheet" else b"comment"
            covered, row, col = mentions.linked(mentions.stretch(data, element, tags=True),
                                                lim.linked_cells - self.linked_cells, lim.rows, lim.columns)
            _over(row, lim.rows, "超链接或批注用到的行号")   # openpyxl makes a cell at each of them
            _over(col, lim.columns, "超链接或批注用到的列号")
            self.linked_cells += covered
            _over(self.linked_cells, lim.linked_cells, "超链接和批注覆盖的单元格数")
        if kind not in self.countable:
            return
        if kind == "sheet":   # the cells a reader splits the part into; the rest: Tally.sheet
            self.cells += _cell_tags(data, lim.cells - self.cells)[1]
            _over(self.cells, lim.cells, "工作簿的单元格数")
        elif kind == "workbook":
            self.sheets += _count(SHEET, data, lim.sheets - self.sheets)
            _over(self.sheets, lim.sheets, "工作表的个数")
        elif kind == "shared":
            self.strings += _count(SHARED, data, lim.shared_strings - self.strings)
            _over(self.strings, lim.shared_strings, "不同文字（共享字符串）的个数")
        elif kind == "styles":
            self.styles += _count(STYLE, data, lim.styles - self.styles)
            _over(self.styles, lim.styles, "单元格格式的个数")

    def sheet(self, sheet: str, data: bytes) -> None:
        """What a sheet part declares, found by scanning it: what a reader asks before a parser
        that builds what the part declares (expat, openpyxl) sees it."""
        cells, tags, plain = _cell_tags(data, self.limits.cells)
        self.reach(sheet, *_farthest(cells, tags, plain))
        if b"mergeCell" in data:
            self.merges(sheet, *_ranges(MERGE, mentions.stretch(data, b"mergeCell")))
        if b"dataValidation" in data:
            self.validated(sheet, _ranges(SQREF, mentions.stretch(data, b"dataValidation"))[1])

    def reach(self, sheet: str, rows: int, columns: int) -> None:
        """The farthest cell of a sheet, by its row and column numbers."""
        where, lim = f"工作表“{sheet}”", self.limits
        _over(rows, lim.rows, f"{where}用到的行号")
        _over(columns, lim.columns, f"{where}用到的列号")
        _over(rows * columns, lim.area, f"{where}的表格范围（行数×列数）")

    def merges(self, sheet: str, count: int, covered: int, row: int, col: int) -> None:
        """A sheet's merged ranges: how many, the cells they cover, their farthest row and column."""
        where, lim = f"工作表“{sheet}”", self.limits
        self.merged += count
        self.merged_cells += covered
        _over(row, lim.rows, f"{where}的合并单元格用到的行号")
        _over(col, lim.columns, f"{where}的合并单元格用到的列号")
        _over(self.merged, lim.merged, "合并单元格区域的个数")
        _over(self.merged_cells, lim.merged_cells, f"合并单元格覆盖的单元格数（{where}）")

    def validated(self, sheet: str, cells: int) -> None:
        self.validation_cells += cells
        _over(self.validation_cells, self.limits.validation_cells, f"数据有效性覆盖的单元格数（工作表“{sheet}”）")


def _over(count: int, limit: int, what: str) -> None:
    if count > limit:
        raise Refused(f"{what}至少 {count:,}，超过上限 {limit:,}；{TOO_BIG}")


def _cell_tags(data: bytes, at_most: int) -> tuple[bytes, int, bool]:
    """(where the cells are, how many (counted to one past at_most), whether none has a
    namespace prefix). Parsers make cells only inside <sheetData>, which lies between the first
    and the last mention of its name; without prefixes, every "<c" there is a cell."""
    first, last = data.find(b"sheetData"), data.rfind(b"sheetData")
    first, last = (first, last) if first >= 0 else (0, len(data))
    cells = data[first:last]
    if b":c" in cells:
        return cells, _count(CELL, cells, at_most), False
    return cells, cells.count(b"<c"), True


def scan_sheets(parts: dict[str, bytes], limits: Limits = LIMITS) -> None:
    """Tally.sheet for every sheet part, named as the workbook names them: before openpyxl."""
    names = _sheet_names(parts) if all(name in parts for name in NAMING) else {}
    tally = Tally(limits)
    for name, data in parts.items():
        if _kind(name) == "sheet":
            tally.sheet(names.get(name, name.rsplit("/", 1)[-1]), data)


def _farthest(data: bytes, tags: int, plain: bool) -> tuple[int, int]:
    """The farthest cell's (row, column) numbers. When every cell names its address (all
    writers we know do), the set of addresses says it at once; otherwise cells are placed one
    by one, in order, as the parsers place them."""
    found = ((PLAIN if plain else EXPLICIT).findall(data)) if tags else []
    if len(found) == tags:
        if not found:
            return 0, 0
        cols, rows = zip(*found)
        return max(map(int, set(rows))), max(col_index(c.decode()) + 1 for c in set(cols))
    row = col = far_row = far_col = 0
    for m in ROW_OR_CELL.finditer(data):
        ref = REF.search(m.group(2))
        if m.group(1) == b"row":
            row, col = (int(ref.group(2) or 0) if ref else row + 1), 0
            continue
        if ref and ref.group(1) and ref.group(2):
            row, col = int(ref.group(2)), col_index(ref.group(1).decode()) + 1
        else:
            col += 1
        far_row, far_col = max(far_row, row), max(far_col, col)
    return far_row, far_col
