"""How big a returned workbook may be, and a bounded scan of the zip that refuses one beyond it.

A parser builds objects for the shape a sheet declares, not for the bytes it arrives in: one
cell at XFD1048576, a merged range over a million rows or a validation over the whole sheet
make openpyxl create millions of cells from a few hundred bytes. So, before any parser sees
the file, `prescan` inflates each part itself (counting the bytes that actually come out,
never the sizes the zip claims), scans the sheet XML with regular expressions for cells,
rows, merged ranges and validation ranges, and stops at the first limit passed. Memory stays
at one chunk plus one part's tail; time at one pass over at most MAX_TOTAL bytes.

The limits are generous: a return of this tool is about 200 KB unpacked, 700 cells, 30 rows
by 15 columns on its largest sheet. Each is hundreds of times that.
"""
from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass

from xlsx_reports.xlsx.safexml import inflated



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
REF = re.compile(rb"\br\s*=\s*[\"']\$?([A-Za-z]*)\$?(\d*)[\"']")
MERGE = re.compile(_P + rb"mergeCell\s[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
LINKED = re.compile(_P + rb"(?:hyperlink|comment)\s[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
VALIDATION = re.compile(_P + rb"dataValidation\s[^>]*?\bsqref\s*=\s*[\"']([^\"']*)[\"']")
SHEET = re.compile(_P + rb"sheet\s")
SHARED = re.compile(_P + rb"si[\s/>]")
STYLE = re.compile(_P + rb"xf[\s/>]")
DOCTYPE = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.I)
RANGE = re.compile(r"\$?([A-Za-z]+)?\$?(\d+)?(?::\$?([A-Za-z]+)?\$?(\d+)?)?$")
MAX_ROW, MAX_COL = 1_048_576, 16_384


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


def prescan(zf: zipfile.ZipFile, limits: Limits = LIMITS) -> None:
    """Raises Refused at the first limit passed; reads every part at most once."""
    if len(zf.infolist()) > limits.entries:
        raise Refused(f"工作簿内的部件个数 {len(zf.infolist()):,}，超过上限 {limits.entries:,}；{TOO_BIG}")
    tally = _Tally(limits)
    tally.names = _sheet_names(zf, tally)
    for info in zf.infolist():
        if info.is_dir():
            continue
        xml = info.filename.lower().endswith((".xml", ".rels", ".vml"))
        cap = limits.xml_bytes if xml else limits.part_bytes
        tally.part(info.filename, _kind(info.filename), xml, _inflate(zf, info, cap, tally, xml))


def _sheet_names(zf: zipfile.ZipFile, tally: "_Tally") -> dict[str, str]:
    """Part name -> sheet name, so that a refusal names the sheet the clerk sees."""
    texts = {}
    for name in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels"):
        try:
            info = zf.getinfo(name)
        except KeyError:
            return {}
        texts[name] = b"".join(_inflate(zf, info, tally.limits.xml_bytes, tally, True)).decode("utf-8", "replace")
    ids = dict((rid, sheet) for sheet, rid in re.findall(
        r'<(?:\w+:)?sheet\s[^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"', texts["xl/workbook.xml"]))
    out = {}
    for tag in re.findall(r"<(?:\w+:)?Relationship\s[^>]*>", texts["xl/_rels/workbook.xml.rels"]):
        rid, target = re.search(r'Id="([^"]*)"', tag), re.search(r'Target="([^"]*)"', tag)
        if rid and target and rid.group(1) in ids:
            part = target.group(1).lstrip("/")
            out[part if part.startswith("xl/") else "xl/" + part] = ids[rid.group(1)]
    return out


def _kind(name: str) -> str:
    lower = name.lower()
    if lower.startswith("xl/worksheets/") and lower.endswith(".xml"):
        return "sheet"
    return {"xl/workbook.xml": "workbook", "xl/sharedstrings.xml": "shared",
            "xl/styles.xml": "styles"}.get(lower, "")


def _inflate(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, tally: "_Tally", xml: bool):
    """Yields an XML part in chunks cut after a '>' (other parts: nothing), counting what
    actually inflates."""
    carry = b""
    for block in inflated(zf, info, cap, lambda c: Refused(
            f"部件 {info.filename} 解压后超过 {c // 1024 // 1024} MB；{TOO_BIG}")):
        tally.inflated(len(block))
        if not xml:
            continue
        data = carry + block
        cut = data.rfind(b">") + 1
        carry = data[cut:]
        if cut:
            yield data[:cut]
    if carry:
        yield carry


class _Tally:
    """Counts across all parts, each checked the moment it passes its limit."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.total = self.cells = self.merged = self.merged_cells = self.validation_cells = 0
        self.linked_cells = 0
        self.sheets = self.strings = self.styles = 0
        self.names: dict[str, str] = {}

    def inflated(self, n: int) -> None:
        self.total += n
        if self.total > self.limits.total_bytes:
            raise Refused(f"工作簿解压后超过 {self.limits.total_bytes // 1024 // 1024} MB；{TOO_BIG}")

    def part(self, name: str, kind: str, xml: bool, chunks) -> None:
        sheet = _Sheet(self.names.get(name, name.rsplit("/", 1)[-1]))
        for chunk in chunks:
            if xml and DOCTYPE.search(chunk):
                raise Refused(UNSAFE_XML)
            if xml:
                for m in LINKED.finditer(chunk):
                    ref = m.group(1).decode("ascii", "replace")
                    self.linked_cells += _area(ref)
                    self._corner(ref, "超链接或批注")   # openpyxl makes a cell at each of them
                self._over(self.linked_cells, self.limits.linked_cells, "超链接和批注覆盖的单元格数")
            if kind == "sheet":
                self._sheet_chunk(sheet, chunk)
            elif kind == "workbook":
                self.sheets += len(SHEET.findall(chunk))
                self._over(self.sheets, self.limits.sheets, "工作表的个数")
            elif kind == "shared":
                self.strings += len(SHARED.findall(chunk))
                self._over(self.strings, self.limits.shared_strings, "不同文字（共享字符串）的个数")
            elif kind == "styles":
                self.styles += len(STYLE.findall(chunk))
                self._over(self.styles, self.limits.styles, "单元格格式的个数")

    def _sheet_chunk(self, sheet: "_Sheet", chunk: bytes) -> None:
        lim = self.limits
        for m in ROW_OR_CELL.finditer(chunk):
            ref = REF.search(m.group(2))
            if m.group(1) == b"row":
                sheet.row = int(ref.group(2) or 0) if ref else sheet.row + 1
                sheet.col = 0
                continue
            self.cells += 1
            if ref and ref.group(1) and ref.group(2):
                sheet.row, sheet.col = int(ref.group(2)), _column(ref.group(1).decode())
            else:
                sheet.col += 1
            sheet.reach(sheet.row, sheet.col)
        self._over(self.cells, lim.cells, "工作簿的单元格数")
        where = f"工作表“{sheet.name}”"
        self._over(sheet.max_row, lim.rows, f"{where}用到的行号")
        self._over(sheet.max_col, lim.columns, f"{where}用到的列号")
        self._over(sheet.max_row * sheet.max_col, lim.area, f"{where}的表格范围（行数×列数）")
        for m in MERGE.finditer(chunk):
            self.merged += 1
            self.merged_cells += _area(m.group(1).decode("ascii", "replace"))
            self._corner(m.group(1).decode("ascii", "replace"), f"工作表“{sheet.name}”的合并单元格")
        self._over(self.merged, lim.merged, "合并单元格区域的个数")
        self._over(self.merged_cells, lim.merged_cells, f"合并单元格覆盖的单元格数（{where}）")
        for m in VALIDATION.finditer(chunk):
            self.validation_cells += sum(_area(r) for r in m.group(1).decode("ascii", "replace").split())
        self._over(self.validation_cells, lim.validation_cells, f"数据有效性覆盖的单元格数（{where}）")

    def _corner(self, ref: str, what: str) -> None:
        """A range's far corner: openpyxl creates cells up to it, and walks the grid they span."""
        row, col = _far_corner(ref)
        self._over(row, self.limits.rows, f"{what}用到的行号")
        self._over(col, self.limits.columns, f"{what}用到的列号")

    def _over(self, count: int, limit: int, what: str) -> None:
        if count > limit:
            raise Refused(f"{what}至少 {count:,}，超过上限 {limit:,}；{TOO_BIG}")


class _Sheet:
    def __init__(self, name: str) -> None:
        self.name = name
        self.row = self.col = self.max_row = self.max_col = 0   # where the scan is, and the farthest cell

    def reach(self, row: int, col: int) -> None:
        self.max_row = max(self.max_row, row)
        self.max_col = max(self.max_col, col)


def _column(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def _far_corner(ref: str) -> tuple[int, int]:
    m = RANGE.match(ref.strip())
    if not m:
        return 0, 0
    c1, r1, c2, r2 = m.groups()
    rows = [int(r) for r in (r1, r2) if r] or [MAX_ROW]
    cols = [_column(c) for c in (c1, c2) if c] or [MAX_COL]
    return max(rows), max(cols)


def _area(ref: str) -> int:
    """Cells in an A1 range ("A1", "A1:C3", whole columns "A:A", whole rows "1:1")."""
    ref = ref.strip()
    if not ref:
        return 0
    m = RANGE.match(ref)
    if not m:
        return MAX_ROW * MAX_COL      # unreadable: assume the worst
    c1, r1, c2, r2 = m.groups()
    if c2 is None and r2 is None:
        return 1 if (c1 and r1) else (MAX_ROW if c1 else MAX_COL)
    cols = abs(_column(c2 or "XFD") - _column(c1 or "A")) + 1 if (c1 or c2) else MAX_COL
    rows = abs(int(r2 or MAX_ROW) - int(r1 or 1)) + 1 if (r1 or r2) else MAX_ROW
    return rows * cols
