"""One worksheet part into a RawSheet with expat, with the facts openpyxl would give.

SheetReader reads a whole part; the shortcut (fastcells.py) uses it for what is left of a
part once the cells are cut out, and uses its cell conversions and its finish (merges).
"""
from __future__ import annotations

import re
from functools import cached_property, lru_cache
from typing import Any, Sequence

from xlsx_reports.core.memo import remembered
from xlsx_reports.xlsx.rawsheet import RawSheet
from xlsx_reports.xlsx import limits, numformats, safexml

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main "
C, V, F, ROW, IS = MAIN + "c", MAIN + "v", MAIN + "f", MAIN + "row", MAIN + "is"
SHEET_DATA = MAIN + "sheetData"
DATA_VALIDATIONS, DATA_VALIDATION = MAIN + "dataValidations", MAIN + "dataValidation"
HYPERLINK = MAIN + "hyperlink"
R_ID = "http://schemas.openxmlformats.org/officeDocument/2006/relationships id"
CUT_CELLS = (C, ROW, SHEET_DATA)
CUT_VALIDATIONS = CUT_CELLS + (DATA_VALIDATIONS, DATA_VALIDATION)
DV_TYPES = ("whole", "decimal", "list", "date", "time", "textLength", "custom")
DV_OPERATORS = ("between", "notBetween", "equal", "notEqual", "lessThan", "lessThanOrEqual",
                "greaterThan", "greaterThanOrEqual")
MAX_VALIDATED = 200_000   # cells one workbook's validations may cover before we let openpyxl try
MAX_REMEMBERED_MERGED = 20_000   # cells under the merges of a sheet whose plan is kept
MAX_REMEMBERED_LINKED = 20_000   # cells in the hyperlinks of a sheet whose links are kept
MAX_MERGES = limits.LIMITS.merged   # merged ranges one sheet may list before the limits are asked
FALSE = ("false", "f", "0")   # openpyxl's Bool: any other text is true
_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]+)$")



class NotUnderstood(Exception):
    """Something the fast path does not interpret; the message (Chinese) says what."""


class Irregular(Exception):
    """Not in a shape the shortcut (fastcells.py) knows: expat reads the part instead."""


class Style:
    __slots__ = ("format", "locked", "date")

    def __init__(self, fmt: str | None, locked: bool) -> None:
        self.format, self.locked = fmt, locked
        self.date: bool | None = numformats.is_date_format(fmt)
        if self.date and numformats.is_timedelta_format(fmt):
            self.date = None   # durations: left to openpyxl


@lru_cache(maxsize=1 << 13)   # the same ~1,000 addresses recur in every workbook
def ref(text: str) -> tuple[int, int]:
    """"B12" -> (11, 1), zero-based."""
    m = _REF.match(text)
    if m is None:
        raise NotUnderstood(f"单元格地址“{text}”不常见")
    col = 0
    for ch in m.group(1).upper():
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)) - 1, col - 1


def style_of(styles: Sequence[Style], s: str | None, where: str) -> Style:
    """A cell's style by its s attribute (none: the first)."""
    try:
        return styles[int(s) if s else 0]
    except (IndexError, ValueError):
        raise NotUnderstood(f"单元格 {where} 的样式编号不存在") from None


def box(text: str) -> tuple[int, int, int, int]:
    first, _, last = text.partition(":")
    r0, c0 = ref(first)
    r1, c1 = ref(last) if last else (r0, c0)
    if r0 > r1 or c0 > c1:
        raise NotUnderstood(f"区域“{text}”不常见")
    return r0, c0, r1, c1


def merge_plan(merges: tuple[tuple[int, int, int, int], ...]) -> tuple[frozenset, tuple]:
    """(the cells under a merge but not at its top left, and per merge in order: its top-left
    cell, its cells, and those cells marked unlocked); a template's merges are the same in
    every workbook, so the plan is made once — unless it is larger than any template's."""
    area = sum((r1 - r0 + 1) * (c1 - c0 + 1) for r0, c0, r1, c1 in merges)
    return _plan(merges) if area > MAX_REMEMBERED_MERGED else _remembered_plan(merges)


def _plan(merges: tuple[tuple[int, int, int, int], ...]) -> tuple[frozenset, tuple]:
    covered: set[tuple[int, int]] = set()
    ranges = []
    for r0, c0, r1, c1 in merges:
        cells = tuple((r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1))
        covered.update(cells[1:])
        ranges.append(((r0, c0), cells, dict.fromkeys(cells, False)))
    return frozenset(covered), tuple(ranges)


_remembered_plan = remembered(keep=128)(_plan)


def link_cells(links: tuple[tuple[str, str | None, bool], ...], merges: tuple[tuple[int, int, int, int], ...]
               ) -> tuple[tuple[tuple[int, int], str | None], ...]:
    """_link_cells, remembered for a template's links (the 校验 sheet's, the same in every
    workbook) but not for a hostile file's ranges of thousands of cells."""
    area = sum((r1 - r0 + 1) * (c1 - c0 + 1) for r0, c0, r1, c1 in (box(where) for where, *_ in links))
    return _link_cells(links, merges) if area > MAX_REMEMBERED_LINKED else _remembered_link_cells(links, merges)


def _link_cells(links: tuple[tuple[str, str | None, bool], ...], merges: tuple[tuple[int, int, int, int], ...]
                ) -> tuple[tuple[tuple[int, int], str | None], ...]:
    """The cells a sheet's hyperlinks (ref, location, out of the workbook) give their text to
    when they hold no value, as openpyxl binds them after the merges: every cell of a range but
    those under a merge (openpyxl passes over them), and a link on one cell alone at that cell,
    or at the top-left cell of the merge it lies under. The text is the location, or None for a
    link out of the workbook: its target is in the sheet's relationships, which only openpyxl
    reads (fill_links hands such a cell on when it is empty)."""
    covered = merge_plan(merges)[0]
    out: list[tuple[tuple[int, int], str | None]] = []
    for where, location, external in links:
        r0, c0, r1, c1 = box(where)
        if location is None and not external:   # openpyxl sets the value to None: no change
            continue
        location = None if external else location
        if ":" in where:
            out += [((r, c), location) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)
                    if (r, c) not in covered]
        elif (r0, c0) in covered:
            under = [(m0, n0) for m0, n0, m1, n1 in merges if m0 <= r0 <= m1 and n0 <= c0 <= n1]
            # which merge openpyxl takes when there are two depends on a set's order; and where
            # the merge's top-left cell lies under another merge, openpyxl fails to bind the link
            if len(under) != 1 or under[0] in covered:
                raise NotUnderstood("超链接指向重叠的合并单元格")
            out.append((under[0], location))
        else:
            out.append(((r0, c0), location))
    return tuple(out)


_remembered_link_cells = remembered(keep=128)(_link_cells)


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


class SheetReader:
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
        self.links: list[tuple[str, str | None, bool]] = []   # hyperlinks: (ref, location, out of the workbook)
        self.splices: dict[int, str] = {}   # the shortcut: where each cut was, and what it held
        self.guarded: tuple[str, ...] = ()   # elements that may appear only where a cut was
        self.spliced = 0
        self.undefined: set[tuple[int, int]] = set()   # cells whose number format is not defined

    @cached_property
    def parser(self):
        """Made when first parsing: the shortcut's reader of a sheet's cells never parses."""
        return safexml.parser(self.start, self.end, self.text)

    def read(self, data: bytes) -> RawSheet:
        self.parser.Parse(data, True)
        return self.finish()

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
            if len(self.merges) >= MAX_MERGES:   # openpyxl's path then scans and refuses the file
                raise NotUnderstood("合并单元格区域过多")
            self.merges.append(box(attrs.get("ref", "")))
        elif name == HYPERLINK:
            self.links.append((attrs.get("ref", ""), attrs.get("location"), R_ID in attrs))
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
        style = style_of(self.styles, attrs.get("s"), str(where))
        kind = attrs.get("t", "n")
        if kind == "inlineStr":
            cached = self.inline.finish() if self.inline.parts is not None else None
        else:
            cached = self.value(kind, ("".join(self.v) if self.v is not None else "") or None, style)
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

    def value(self, kind: str, v: str | None, style: Style) -> Any:
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

    def finish(self) -> RawSheet:
        raw = self.raw
        for at, (value, cached, style) in self.cells.items():   # the expat path's cells
            if value is not None:
                raw.values[at] = value
            if cached is not None:
                raw.cached[at] = cached
            if style.format != "General":
                self.format(at, style.format)
            if not style.locked:
                raw.locked[at] = False
        # as openpyxl: cells under a merge lose value and format, and every cell of the range
        # takes the locking of its top-left cell (merges applied in file order)
        covered, ranges = merge_plan(tuple(self.merges))
        for held in (raw.values, raw.cached, raw.formats):
            for at in held.keys() & covered:
                del held[at]
        self.undefined -= covered
        locked = raw.locked
        for anchor, cells, unlocking in ranges:
            if not locked.get(anchor, True):
                locked.update(unlocking)
            elif not locked.keys().isdisjoint(cells):
                for at in cells:
                    locked.pop(at, None)
        raw.merged.update(self.merges)
        if self.links and raw.cells_read:
            fill_links(raw, link_cells(tuple(self.links), tuple(self.merges)))
        if self.undefined:
            raise NotUnderstood("单元格的数字格式编号未定义")
        return raw

    def format(self, at: tuple[int, int], fmt: str | None) -> None:
        if fmt is None:
            self.undefined.add(at)
        else:
            self.raw.formats[at] = fmt


def fill_links(raw: RawSheet, cells: tuple[tuple[tuple[int, int], str | None], ...]) -> None:
    """As openpyxl's hyperlink binding: a linked cell without a value, or without a result,
    takes the link's location as one (openpyxl's two loads, values and results, each do)."""
    values, cached = raw.values, raw.cached
    for at, location in cells:
        if location is None:
            if at not in values or at not in cached:
                raise NotUnderstood("含指向外部的超链接的空单元格")
            continue
        if at not in values:
            values[at] = location
        if at not in cached:
            cached[at] = location
