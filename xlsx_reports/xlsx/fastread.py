"""Reads a workbook's sheets into RawSheets straight from the package, without openpyxl.

One pass over each part a checker needs (workbook, its relationships, styles, shared
strings, worksheets) gives both what openpyxl's formula load and its cached-value load
would give, with the same conversions (numbers, dates, booleans, errors, rich and inline
text) and the same cell facts (locking and number format from the styles, cells hidden
under a merge, validations, protection). Anything it does not understand raises
NotUnderstood, and the caller reads that file with openpyxl instead; a bomb or unsafe XML
raises safexml.UnsafePart, which no reader should go on with.
"""
from __future__ import annotations

import posixpath
import re
import zipfile
from functools import lru_cache
from typing import Any

from xlsx_reports.xlsx import numformats
from xlsx_reports.xlsx.locate import RawSheet
from xlsx_reports.xlsx.safexml import parse, read_part

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main "
DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships "
WORKSHEET = DOC_REL + "/worksheet"
CHARTSHEET = DOC_REL + "/chartsheet"
STATES = ("visible", "hidden", "veryHidden")
DV_TYPES = ("whole", "decimal", "list", "date", "time", "textLength", "custom")
DV_OPERATORS = ("between", "notBetween", "equal", "notEqual", "lessThan", "lessThanOrEqual",
                "greaterThan", "greaterThanOrEqual")
MAX_VALIDATED = 200_000   # cells one workbook's validations may cover before we let openpyxl try
_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]+)$")
_FALSE = ("false", "f", "0")   # openpyxl's Bool: any other text is true


class NotUnderstood(Exception):
    """Something the fast path does not interpret; the message (Chinese) says what."""


def read_sheets(path) -> list[RawSheet]:
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        book = _office_document(zf, names)
        rels = _rels(zf, book, names)
        sheets, epoch = _workbook(zf, book)
        strings = _shared_strings(zf, rels, names)
        styles = _styles(zf, names)
        out = []
        for name, state, rid in sheets:
            kind, target = rels.get(rid, (None, None))
            if target is None:
                raise NotUnderstood(f"工作表“{name}”的关系缺失")
            if target not in names:
                continue   # openpyxl passes over a sheet whose part is missing
            if kind == CHARTSHEET:
                continue
            if kind != WORKSHEET:
                raise NotUnderstood(f"工作表“{name}”的类型不常见（{kind}）")
            out.append(_SheetReader(name, state, strings, styles, epoch).read(zf, target))
    if len({s.name for s in out}) != len(out):
        raise NotUnderstood("工作表重名")
    return out


# --- package: relationships, workbook, strings, styles -------------------------------------

def _office_document(zf: zipfile.ZipFile, names: set[str]) -> str:
    rels = _relationships(zf, "_rels/.rels", "")
    found = [t for k, t in rels.values() if k == DOC_REL + "/officeDocument"]
    if len(found) != 1 or found[0] not in names:
        raise NotUnderstood("找不到工作簿主体（xl/workbook.xml）")
    return found[0]


def _rels_path(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def _rels(zf: zipfile.ZipFile, part: str, names: set[str]) -> dict[str, tuple[str, str]]:
    path = _rels_path(part)
    return _relationships(zf, path, posixpath.dirname(part)) if path in names else {}


def _relationships(zf: zipfile.ZipFile, path: str, base: str) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}

    def start(name: str, attrs: dict[str, str]) -> None:
        if name == PKG_REL + "Relationship" and attrs.get("TargetMode") != "External":
            target = attrs.get("Target", "")
            target = target[1:] if target.startswith("/") else posixpath.normpath(
                posixpath.join(base, target))
            out[attrs.get("Id", "")] = (attrs.get("Type", ""), target)

    parse(read_part(zf, path), start)
    return out


def _workbook(zf: zipfile.ZipFile, part: str) -> tuple[list[tuple[str, str, str]], Any]:
    sheets: list[tuple[str, str, str]] = []
    epoch = [numformats.WINDOWS_EPOCH]

    def start(name: str, attrs: dict[str, str]) -> None:
        if name == MAIN + "sheet":
            state = attrs.get("state", "visible")
            if state not in STATES or "name" not in attrs:
                raise NotUnderstood("工作表属性不常见")
            sheets.append((attrs["name"], state, attrs.get(DOC_REL + " id", "")))
        elif name == MAIN + "workbookPr" and attrs.get("date1904", "0") not in _FALSE:
            epoch[0] = numformats.MAC_EPOCH

    parse(read_part(zf, part), start)
    if not sheets:
        raise NotUnderstood("工作簿中没有（可识别的）工作表")
    return sheets, epoch[0]


class _Text:
    """Collects the text of <t> elements, leaving out phonetic runs (rPh) as openpyxl does."""

    def __init__(self) -> None:
        self.parts: list[str] | None = None   # inside a text item
        self.taking = False
        self.phonetic = 0

    def begin(self) -> None:
        self.parts, self.taking, self.phonetic = [], False, 0

    def start(self, name: str) -> None:
        if name == MAIN + "t" and not self.phonetic:
            self.taking = True
        elif name == MAIN + "rPh":
            self.phonetic += 1

    def end(self, name: str) -> None:
        if name == MAIN + "t":
            self.taking = False
        elif name == MAIN + "rPh":
            self.phonetic -= 1

    def text(self, data: str) -> None:
        if self.taking:
            assert self.parts is not None   # taking only inside a text item
            self.parts.append(data)

    def finish(self) -> str:
        parts, self.parts = self.parts or [], None
        return "".join(parts)


def _shared_strings(zf: zipfile.ZipFile, rels: dict, names: set[str]) -> list[str]:
    found = [t for k, t in rels.values() if k == DOC_REL + "/sharedStrings"]
    if not found or found[0] not in names:
        return []
    strings: list[str] = []
    item = _Text()

    def start(name: str, _attrs) -> None:
        if name == MAIN + "si":
            item.begin()
        elif item.parts is not None:
            item.start(name)

    def end(name: str) -> None:
        if name == MAIN + "si":
            strings.append(item.finish().replace("x005F_", ""))
        elif item.parts is not None:
            item.end(name)

    parse(read_part(zf, found[0]), start, end, item.text)
    return strings


class Style:
    __slots__ = ("format", "locked", "date")

    def __init__(self, fmt: str | None, locked: bool) -> None:
        self.format, self.locked = fmt, locked
        self.date: bool | None = numformats.is_date_format(fmt)
        if self.date and numformats.is_timedelta_format(fmt):
            self.date = None   # durations: left to openpyxl


def _styles(zf: zipfile.ZipFile, names: set[str]) -> list[Style]:
    if "xl/styles.xml" not in names:   # openpyxl reads styles from this fixed path only
        raise NotUnderstood("没有样式部件 xl/styles.xml")
    custom: dict[int, str] = {}
    xfs: list[list] = []
    where = {"cellXfs": False}

    def start(name: str, attrs: dict[str, str]) -> None:
        if name == MAIN + "numFmt":
            custom[int(attrs["numFmtId"])] = attrs.get("formatCode", "")
        elif name == MAIN + "cellXfs":
            where["cellXfs"] = True
        elif where["cellXfs"] and name == MAIN + "xf":
            xfs.append([int(attrs.get("numFmtId", 0)), True])
        elif where["cellXfs"] and name == MAIN + "protection" and xfs:
            xfs[-1][1] = attrs.get("locked", "1") not in _FALSE

    def end(name: str) -> None:
        if name == MAIN + "cellXfs":
            where["cellXfs"] = False

    parse(read_part(zf, "xl/styles.xml"), start, end)
    if not xfs:
        raise NotUnderstood("样式表中没有单元格格式（cellXfs）")
    return [Style(custom[i] if i in custom else numformats.BUILTIN.get(i), locked)
            for i, locked in xfs]


# --- worksheets ------------------------------------------------------------------------------

@lru_cache(maxsize=1 << 16)   # the same few hundred addresses recur in every workbook
def ref(text: str) -> tuple[int, int]:
    """"B12" -> (11, 1), zero-based."""
    m = _REF.match(text)
    if m is None:
        raise NotUnderstood(f"单元格地址“{text}”不常见")
    col = 0
    for ch in m.group(1).upper():
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)) - 1, col - 1


def box(text: str) -> tuple[int, int, int, int]:
    first, _, last = text.partition(":")
    r0, c0 = ref(first)
    r1, c1 = ref(last) if last else (r0, c0)
    if r0 > r1 or c0 > c1:
        raise NotUnderstood(f"区域“{text}”不常见")
    return r0, c0, r1, c1


C, V, F, ROW, IS = MAIN + "c", MAIN + "v", MAIN + "f", MAIN + "row", MAIN + "is"


class _SheetReader:
    def __init__(self, name: str, state: str, strings: list[str], styles: list[Style], epoch) -> None:
        self.raw = RawSheet(name=name, state=state)
        self.strings, self.styles, self.epoch = strings, styles, epoch
        self.cells: dict[tuple[int, int], tuple[Any, Any, Style]] = {}
        self.row, self.col = 0, 0
        self.cell: dict[str, str] | None = None
        self.formula: dict[str, str] | None = None
        self.v: list[str] | None = None
        self.f: list[str] | None = None
        self.taking: list[str] | None = None
        self.inline = _Text()
        self.shared: set[str | None] = set()
        self.dv: list | None = None
        self.merges: list[tuple[int, int, int, int]] = []   # in document order

    def read(self, zf: zipfile.ZipFile, part: str) -> RawSheet:
        parse(read_part(zf, part), self.start, self.end, self.text)
        return self._finish()

    def text(self, data: str) -> None:
        if self.taking is not None:
            self.taking.append(data)
        elif self.inline.parts is not None:
            self.inline.text(data)

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if self.cell is not None:
            if name == V:
                self.v = self.taking = []
            elif name == F:
                self.formula, self.f = attrs, []
                self.taking = self.f
            elif name == IS:
                self.inline.begin()
            elif self.inline.parts is not None:
                self.inline.start(name)
        elif name == C:
            self.cell, self.v, self.formula = attrs, None, None
        elif name == ROW:
            self.row = int(attrs["r"]) if "r" in attrs else self.row + 1
            self.col = 0
        elif name == MAIN + "mergeCell":
            self.merges.append(box(attrs.get("ref", "")))
        elif name == MAIN + "sheetProtection":
            self.raw.protected = attrs.get("sheet", "0") not in _FALSE
            self.raw.password = bool(attrs.get("password"))
        elif name == MAIN + "dataValidation":
            self.dv = [attrs, None]
        elif name == MAIN + "formula1" and self.dv is not None:
            self.dv[1] = self.taking = []

    def end(self, name: str) -> None:
        if name == C:
            self._cell()
            self.cell, self.inline.parts = None, None
        elif name == V or name == F:
            self.taking = None
        elif self.cell is not None and self.inline.parts is not None and name != IS:
            self.inline.end(name)
        elif name == MAIN + "formula1":
            self.taking = None
        elif name == MAIN + "dataValidation" and self.dv is not None:
            self._validation(*self.dv)
            self.dv = None

    def _cell(self) -> None:
        attrs = self.cell
        assert attrs is not None   # called at the end of a <c>
        where = attrs.get("r")
        if where:
            row, col = ref(where)
            self.col = col + 1
        else:   # no address: the next cell of the row, as openpyxl counts
            self.col += 1
            row, col = self.row - 1, self.col - 1
        s = attrs.get("s")
        try:
            style = self.styles[int(s) if s else 0]
        except (IndexError, ValueError):
            raise NotUnderstood(f"单元格 {where} 的样式编号不存在") from None
        kind = attrs.get("t", "n")
        v = None if kind == "inlineStr" else ("".join(self.v) if self.v is not None else "") or None
        cached = self._value(kind, v, style)
        value = self._formula() if self.formula is not None else cached
        self.cells[(row, col)] = (value, cached, style)

    def _formula(self) -> str:
        attrs, text = self.formula, "=" + "".join(self.f or ())
        assert attrs is not None   # called only when a <f> was read
        kind = attrs.get("t")
        if kind == "shared":
            si = attrs.get("si")
            if si in self.shared:
                raise NotUnderstood("含共享公式")
            if text != "=":
                self.shared.add(si)
        elif kind == "dataTable":
            raise NotUnderstood("含模拟运算表公式")
        return text

    def _value(self, kind: str, v: str | None, style: Style) -> Any:
        if v is None:
            if kind == "inlineStr" and self.inline.parts is not None:
                return self.inline.finish()
            return None
        try:
            if kind == "n":
                number = float(v) if ("." in v or "E" in v or "e" in v) else int(v)
                return self._date(number, style) if style.date is not False else number
            if kind == "s":
                return self.strings[int(v)]
            if kind == "b":
                return bool(int(v))
        except (ValueError, IndexError):
            raise NotUnderstood(f"单元格值“{v[:20]}”不常见") from None
        if kind == "d":
            raise NotUnderstood("含 ISO 日期单元格")
        return v

    def _date(self, number, style: Style) -> Any:
        if style.date is None:
            raise NotUnderstood("含时长格式的数字")
        try:
            return numformats.from_excel(number, self.epoch)
        except (OverflowError, ValueError):
            return "#VALUE!"   # as openpyxl: an impossible date becomes an error value

    def _validation(self, attrs: dict[str, str], formula1: list[str] | None) -> None:
        kind, op = attrs.get("type", "none"), attrs.get("operator")
        if (kind != "none" and kind not in DV_TYPES) or (op is not None and op not in DV_OPERATORS):
            raise NotUnderstood("数据有效性类型不常见")
        fact = (kind if kind != "none" else "any", op or "", "".join(formula1 or ()))
        raw = self.raw
        for part in attrs.get("sqref", "").split():
            r0, c0, r1, c1 = box(part)
            if (r1 - r0 + 1) * (c1 - c0 + 1) + len(raw.validations) > MAX_VALIDATED:
                raise NotUnderstood("数据有效性覆盖的区域过大")
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    raw.validations[(r, c)] = fact

    def _finish(self) -> RawSheet:
        raw, cells = self.raw, self.cells
        locked = {at: style.locked for at, (_v, _c, style) in cells.items()}
        for r0, c0, r1, c1 in self.merges:
            # as openpyxl: cells under a merge lose value and format, and every cell of the
            # range takes the locking of its top-left cell (merges applied in file order)
            anchor = locked.get((r0, c0), True)
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    if r != r0 or c != c0:
                        cells.pop((r, c), None)
                    locked[(r, c)] = anchor
        raw.merged.update(self.merges)
        raw.locked.update((at, False) for at, still in locked.items() if not still)
        for at, (value, cached, style) in cells.items():
            if value is not None:
                raw.values[at] = value
            if cached is not None:
                raw.cached[at] = cached
            if style.format != "General":
                if style.format is None:
                    raise NotUnderstood("单元格的数字格式编号未定义")
                raw.formats[at] = style.format
        return raw
