"""One worksheet part into a RawSheet, with the facts openpyxl would give.

Two ways, one result. The cells (`<sheetData>`, nearly all of a sheet) are first read by one
regular expression that knows the shapes every writer we meet produces — `<c r="B5" s="3"
t="s"><v>12</v></c>`, formulas with LibreOffice's aca attribute, inline strings, rows with
any plain attributes — and must account for every byte of them; the rest of the sheet (merged
ranges, protection, validations) goes through expat with the cells left out. Anything else
(shared formulas, cells without an address, comments, another encoding, a bare "&") sends the
whole part through expat, which reads everything: the regular expression is a shortcut for
the common shape, never a second interpretation.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Sequence

from xlsx_reports.xlsx.locate import RawSheet
from xlsx_reports.core.memo import remembered
from xlsx_reports.xlsx import numformats, safexml

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main "
C, V, F, ROW, IS = MAIN + "c", MAIN + "v", MAIN + "f", MAIN + "row", MAIN + "is"
SHEET_DATA = MAIN + "sheetData"
DATA_VALIDATIONS, DATA_VALIDATION = MAIN + "dataValidations", MAIN + "dataValidation"
CUT_CELLS = (C, ROW, SHEET_DATA)
CUT_VALIDATIONS = CUT_CELLS + (DATA_VALIDATIONS, DATA_VALIDATION)
DV_TYPES = ("whole", "decimal", "list", "date", "time", "textLength", "custom")
DV_OPERATORS = ("between", "notBetween", "equal", "notEqual", "lessThan", "lessThanOrEqual",
                "greaterThan", "greaterThanOrEqual")
MAX_VALIDATED = 200_000   # cells one workbook's validations may cover before we let openpyxl try
FALSE = ("false", "f", "0")   # openpyxl's Bool: any other text is true
_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]+)$")

_ATTR = r'(?: [\w:.-]+="[^"<>&]*")*'
_CELL = re.compile(
    r'<c r="([A-Z]{1,3}[0-9]{1,7})"(?: s="([0-9]{1,6})")?(?: t="([a-zA-Z]{1,9})")?'
    r'(?:/>|>'
    r'(?:<f(?: aca="(?:false|true)")?(?:(>[^<]*)</f>|(/)>))?'   # ">" kept: "<f></f>" is a formula
    r'(?:<v>([^<]*)</v>|<v/>)?'
    r'(?:<is><t(?: xml:space="preserve")?(>[^<]*)</t></is>)?'
    r'</c>)')
_ADDRESS = re.compile(r'<c r="([A-Z0-9]+)"')
# what is left when each cell is replaced by "C": rows holding only cells, nothing else
_SKELETON = re.compile(r'(?:\s*<row' + _ATTR + r'\s*(?:/>|>[C\s]*</row>))*\s*')
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_BARE_AMP = re.compile(r"&(?!(?:amp|lt|gt|quot|apos|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});)")
_CHAR_REF = re.compile(r"&#(x[0-9a-fA-F]+|[0-9]+);")
_DECLARATION = re.compile(rb'<\?xml[^>]*?encoding="([^"]*)"')
STATS = {"regular": 0, "irregular": 0}   # sheets read by the shortcut / by expat alone


class NotUnderstood(Exception):
    """Something the fast path does not interpret; the message (Chinese) says what."""


class Irregular(Exception):
    """The cells are not in a shape the shortcut knows: expat reads the part instead."""


class Style:
    __slots__ = ("format", "locked", "date")

    def __init__(self, fmt: str | None, locked: bool) -> None:
        self.format, self.locked = fmt, locked
        self.date: bool | None = numformats.is_date_format(fmt)
        if self.date and numformats.is_timedelta_format(fmt):
            self.date = None   # durations: left to openpyxl


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


def read_sheet(data: bytes, name: str, state: str, strings: list[str], styles: Sequence[Style],
               epoch: Any, shortcut: bool = True) -> RawSheet:
    if shortcut:
        try:
            raw = _SheetReader(name, state, strings, styles, epoch).read_regular(data)
            STATS["regular"] += 1
            return raw
        except Irregular:
            pass
    STATS["irregular"] += 1
    return _SheetReader(name, state, strings, styles, epoch).read(data)


def stray(text: str) -> bool:
    """Whether the text holds what only a full XML parser may judge: a character XML forbids,
    or an "&" that is not one of the five entities or a character reference."""
    return ((not text.isprintable() and _FORBIDDEN.search(text) is not None)
            or ("&" in text and _BARE_AMP.search(text) is not None))


def unescape(text: str) -> str:
    """Element text as an XML parser gives it (the text was checked by stray() first)."""
    if "\r" in text:   # XML line-end normalisation, before references are expanded
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "&" not in text:
        return text
    if "&#" in text:
        text = _CHAR_REF.sub(_char, text)
    return (text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
            .replace("&apos;", "'").replace("&amp;", "&"))


def _char(m: re.Match) -> str:
    code = m.group(1)
    n = int(code[1:], 16) if code[0] == "x" else int(code)
    if not (n in (9, 10, 13) or 0x20 <= n <= 0xD7FF or 0xE000 <= n <= 0xFFFD or 0x10000 <= n <= 0x10FFFF):
        raise Irregular   # expat refuses such a reference; let it say so
    return "&amp;" if n == 38 else chr(n)   # a referenced "&" must survive the named-entity pass


def _split(data: bytes) -> tuple[bytes, str, bytes]:
    """(the part before the cells, the cells as text, the part after) — or Irregular."""
    prolog = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    found = _DECLARATION.match(data, prolog)
    if found and found.group(1).lower() not in (b"utf-8", b"utf8"):
        raise Irregular
    if data.startswith(b"<?xml", prolog):
        prolog = data.find(b"?>", prolog) + 2
    start = data.find(b"<sheetData>")
    end = data.find(b"</sheetData>", start)
    # before the cut only elements: a comment, CDATA or instruction could hide a "<sheetData>"
    if start < 0 or end < 0 or b"<!" in data[:start] or b"<?" in data[prolog:start]:
        raise Irregular
    try:
        cells = data[start + 11:end].decode("utf-8")
    except UnicodeDecodeError:
        raise Irregular from None
    if "xmlns" in cells or stray(cells):
        raise Irregular
    return data[:start], cells, data[end + 12:]


def _cut_validations(tail: bytes) -> tuple[bytes, bytes | None, int]:
    """(the tail with its <dataValidations> emptied, the element, where it was), or the tail
    as it is when there is none or its shape is unusual (expat then reads it in place)."""
    start = tail.find(b"<dataValidations")
    end = tail.find(b"</dataValidations>", start)
    if start < 0 or end < 0 or b"<!" in tail[:end] or b"<?" in tail[:end]:
        return tail, None, 0
    element = tail[start:end + 18]
    if b"xmlns" in element:
        return tail, None, 0
    return tail[:start] + b"<dataValidations/>" + tail[end + 18:], element, start


@remembered
def _validations(element: bytes) -> dict[tuple[int, int], tuple[str, str, str]]:
    """The cells a <dataValidations> element covers and what it allows; every workbook of one
    template holds the same element (prompts and all), so it is read once per run."""
    reader = _SheetReader("", "visible", [], (), None)
    reader.read(b'<worksheet xmlns="' + MAIN.strip().encode() + b'">' + element + b"</worksheet>")
    return reader.raw.validations


class Text:
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


class _SheetReader:
    def __init__(self, name: str, state: str, strings: list[str], styles: Sequence[Style], epoch) -> None:
        self.raw = RawSheet(name=name, state=state)
        self.strings, self.styles, self.epoch = strings, styles, epoch
        self.cells: dict[tuple[int, int], tuple[Any, Any, Style]] = {}
        self.row, self.col = 0, 0
        self.cell: dict[str, str] | None = None
        self.formula: dict[str, str] | None = None
        self.v: list[str] | None = None
        self.f: list[str] | None = None
        self.taking: list[str] | None = None
        self.inline = Text()
        self.shared: set[str | None] = set()
        self.dv: list | None = None
        self.merges: list[tuple[int, int, int, int]] = []   # in document order
        self.splices: dict[int, str] = {}   # the shortcut: where each cut was, and what it held
        self.guarded: tuple[str, ...] = ()   # elements that may appear only where a cut was
        self.spliced = 0
        self.undefined: set[tuple[int, int]] = set()   # cells whose number format is not defined
        self.parser = safexml.parser(self.start, self.end, self.text)

    def read(self, data: bytes) -> RawSheet:
        self.parser.Parse(data, True)
        return self._finish()

    def read_regular(self, data: bytes) -> RawSheet:
        head, cells, tail = _split(data)
        self._regular_cells(cells)
        self.splices = {len(head): SHEET_DATA}
        self.guarded = CUT_CELLS
        tail, validations, at = _cut_validations(tail)
        if validations is not None:
            self.splices[len(head) + 12 + at] = DATA_VALIDATIONS
            self.guarded = CUT_VALIDATIONS
        self.parser.Parse(head + b"<sheetData/>" + tail, True)
        if self.spliced != len(self.splices):   # a cut was not at the element it claimed
            raise Irregular
        if validations is not None:
            self.raw.validations.update(_validations(validations))
        return self._finish()

    # --- the shortcut: every cell of <sheetData> by one regular expression ----------------

    def _regular_cells(self, text: str) -> None:
        """Straight into the RawSheet (the expat path collects cells first, since a cell may
        come twice there; here each address must come once)."""
        found = _CELL.findall(text)
        if not _SKELETON.fullmatch(_CELL.sub("C", text)):
            raise Irregular
        addresses = _ADDRESS.findall(text)
        if len(set(addresses)) != len(addresses):
            raise Irregular
        by_s: dict[str, Style] = {}
        values, cached_values, locked = self.raw.values, self.raw.cached, self.raw.locked
        plain = "&" not in text and "\r" not in text
        cached: Any
        for where, s, kind, f, no_f, v, inline in found:
            style = by_s.get(s)
            if style is None:
                style = by_s[s] = self._style(s, where)
            at = ref(where)
            if style.format != "General":
                self._format(at, style.format)
            if not style.locked:
                locked[at] = False
            if not (f or no_f or v or inline):   # a blank cell: its style only
                continue
            if kind == "s" and v and not (f or no_f):   # the common case, inline
                try:
                    cached = values[at] = self.strings[int(v)]
                except (ValueError, IndexError):
                    raise NotUnderstood(f"单元格值“{v[:20]}”不常见") from None
                cached_values[at] = cached
                continue
            if kind == "inlineStr":
                cached = unescape(inline[1:]) if inline else None
            else:
                cached = self._value(kind or "n", (v if plain else unescape(v)) if v else None, style)
            value = ("=" + (f[1:] if plain else unescape(f[1:]))) if f else ("=" if no_f else cached)
            if value is not None:
                values[at] = value
            if cached is not None:
                cached_values[at] = cached

    def _style(self, s: str | None, where: str) -> Style:
        try:
            return self.styles[int(s) if s else 0]
        except (IndexError, ValueError):
            raise NotUnderstood(f"单元格 {where} 的样式编号不存在") from None

    # --- expat: the whole part, or what is left of it beside the cells ----------------------

    def _spliced(self, name: str) -> None:
        """Beside what was cut out there is no cell, row or validation, and each empty element
        put in place of a cut is the worksheet's (spreadsheetml) element of that name."""
        if self.splices.get(self.parser.CurrentByteIndex) != name:
            raise Irregular
        self.spliced += 1

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
        elif name in self.guarded:
            self._spliced(name)
        elif name == C:
            self.cell, self.v, self.formula = attrs, None, None
        elif name == ROW:
            self.row = int(attrs["r"]) if "r" in attrs else self.row + 1
            self.col = 0
        elif name == MAIN + "mergeCell":
            self.merges.append(box(attrs.get("ref", "")))
        elif name == MAIN + "sheetProtection":
            self.raw.protected = attrs.get("sheet", "0") not in FALSE
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
        style = self._style(attrs.get("s"), str(where))
        kind = attrs.get("t", "n")
        if kind == "inlineStr":
            cached = self.inline.finish() if self.inline.parts is not None else None
        else:
            cached = self._value(kind, ("".join(self.v) if self.v is not None else "") or None, style)
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
        raw = self.raw
        for at, (value, cached, style) in self.cells.items():   # the expat path's cells
            if value is not None:
                raw.values[at] = value
            if cached is not None:
                raw.cached[at] = cached
            if style.format != "General":
                self._format(at, style.format)
            if not style.locked:
                raw.locked[at] = False
        values, cached_values, formats, locked = raw.values, raw.cached, raw.formats, raw.locked
        for r0, c0, r1, c1 in self.merges:
            # as openpyxl: cells under a merge lose value and format, and every cell of the
            # range takes the locking of its top-left cell (merges applied in file order)
            anchor = locked.get((r0, c0), True)
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    at = (r, c)
                    if r != r0 or c != c0:
                        values.pop(at, None)
                        cached_values.pop(at, None)
                        formats.pop(at, None)
                        self.undefined.discard(at)
                    if anchor:
                        locked.pop(at, None)
                    else:
                        locked[at] = False
        raw.merged.update(self.merges)
        if self.undefined:
            raise NotUnderstood("单元格的数字格式编号未定义")
        return raw

    def _format(self, at: tuple[int, int], fmt: str | None) -> None:
        if fmt is None:
            self.undefined.add(at)
        else:
            self.raw.formats[at] = fmt
