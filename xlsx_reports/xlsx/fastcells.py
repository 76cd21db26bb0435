"""The shortcut: a worksheet's cells read by one regular expression, the rest by expat.

The cells (`<sheetData>`, nearly all of a sheet) are read by one regular expression that knows
the shapes every writer we meet produces — `<c r="B5" s="3" t="s"><v>12</v></c>`, formulas
with LibreOffice's aca attribute, inline strings, rows with any plain attributes — and must
account for every character between them. What is left of the part (merged ranges,
protection) goes through expat with each cut marked by an empty element that must come out
where it was cut and in spreadsheetml; the validations and the header (the only per-unit text
around the cells) are cut out too. What is left, and the validations, are the same bytes in
every workbook of a template, so they are read once per run (core/memo.py). Anything else
(shared formulas, cells without an address, comments, another encoding, a bare "&") sends the
whole part through expat: the shortcut is never a second interpretation.
"""
from __future__ import annotations

import re
from typing import Any, Sequence

from xlsx_reports.core.memo import remembered
from xlsx_reports.xlsx.fastsheet import (CUT_CELLS, CUT_VALIDATIONS, DATA_VALIDATIONS, MAIN, SHEET_DATA,
                                         Irregular, NotUnderstood, SheetReader, Style, ref)
from xlsx_reports.xlsx.locate import RawSheet

_ATTR = r'(?: [\w:.-]+="[^"<>&]*")*'
_CELL = re.compile(
    r'<c r="([A-Z]{1,3}[0-9]{1,7})"(?: s="([0-9]{1,6})")?(?: t="([a-zA-Z]{1,9})")?'
    r'(?:/>|>'
    r'(?:<f(?: aca="(?:false|true)")?(?:(>[^<]*)</f>|(/)>))?'   # ">" kept: "<f></f>" is a formula
    r'(?:<v>([^<]*)</v>|<v/>)?'
    r'(?:<is><t(?: xml:space="preserve")?(>[^<]*)</t></is>)?'
    r'</c>)')
# what is left when each cell is replaced by "C": rows holding only cells, nothing else
_SKELETON = re.compile(r'(?:\s*<row' + _ATTR + r'\s*(?:/>|>[C\s]*</row>))*\s*')
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_BARE_AMP = re.compile(r"&(?!(?:amp|lt|gt|quot|apos|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});)")
_CHAR_REF = re.compile(r"&#(x[0-9a-fA-F]+|[0-9]+);")
_DECLARATION = re.compile(rb'<\?xml[^>]*?encoding="([^"]*)"')
_BATTR = rb'(?: [\w:]+="[^"<>&]*")*'
# parts of a sheet no reader uses that differ between copies of one template (the selected
# cell, saved by whoever last had the file open, before the cells; the unit's name in the
# header, after them): cut when plain
_VIEWS = (b"<sheetViews", re.compile(   # before the cells
    rb'<sheetViews' + _BATTR + rb'>(?:<sheetView' + _BATTR + rb'(?:/>|>(?:<(?:pane|selection)' + _BATTR
    + rb'/>)*</sheetView>))*</sheetViews>'))
_HEADER = (b"<headerFooter", re.compile(   # after them
    rb'<headerFooter' + _BATTR + rb'(?:/>|>(?:<(odd|even|first)(Header|Footer)>[^<]*</\1\2>)*</headerFooter>)'))
STATS = {"regular": 0, "irregular": 0}   # sheets read by the shortcut / by expat alone


def read_sheet(data: bytes, name: str, state: str, strings: list[str], styles: Sequence[Style],
               epoch: Any, shortcut: bool = True) -> RawSheet:
    if shortcut:
        try:
            raw = _read_regular(data, SheetReader(name, state, strings, styles, epoch))
            STATS["regular"] += 1
            return raw
        except Irregular:
            pass
    STATS["irregular"] += 1
    return SheetReader(name, state, strings, styles, epoch).read(data)


def _read_regular(data: bytes, reader: SheetReader) -> RawSheet:
    head, cells, tail = _split(data)
    head, tail = _cut_ignored(head, _VIEWS), _cut_ignored(tail, _HEADER)
    tail, validations, at = _cut_validations(tail)
    splices: tuple[tuple[int, str], ...] = ((len(head), SHEET_DATA),)
    if validations is not None:
        splices += ((len(head) + 12 + at, DATA_VALIDATIONS),)
    merges, protected, password, validated = _frame(head + b"<sheetData/>" + tail, splices)
    _regular_cells(reader, cells)
    raw = reader.raw
    raw.protected, raw.password = protected, password
    reader.merges = list(merges)
    raw.validations.update(validated)
    if validations is not None:
        raw.validations.update(_validations(validations))
    return reader.finish()


@remembered(keep=128)   # one per sheet, a few templates and the programs that saved them
def _frame(doc: bytes, splices: tuple[tuple[int, str], ...]) -> tuple[tuple, bool, bool, dict]:
    """What a sheet without its cells says: (merged ranges in order, protected, password,
    validations left in place); the same bytes in every workbook of a template."""
    reader = SheetReader("", "visible", [], (), None)
    reader.splices = dict(splices)
    reader.guarded = CUT_VALIDATIONS if len(splices) > 1 else CUT_CELLS
    reader.parser.Parse(doc, True)
    if reader.spliced != len(splices):   # a cut was not at the element it claimed
        raise Irregular
    raw = reader.raw
    return tuple(reader.merges), raw.protected, raw.password, raw.validations


def _regular_cells(reader: SheetReader, text: str) -> None:
    """Straight into the RawSheet (the expat path collects cells first, since a cell may
    come twice there; here each address must come once)."""
    # one pass: split gives what lies between the cells, then each cell's seven groups
    pieces = _CELL.split(text)
    width = _CELL.groups + 1
    if not _SKELETON.fullmatch("C".join(pieces[::width])):
        raise Irregular
    if len(set(pieces[1::width])) != len(pieces) // width:   # an address twice
        raise Irregular
    # per style index: the style, its number format (None: not General), whether unlocked
    by_s: dict[str | None, tuple[Style, str | None, bool]] = {}
    strings, raw = reader.strings, reader.raw
    values, cached_values, formats, locked = raw.values, raw.cached, raw.formats, raw.locked
    cached: Any
    for where, s, kind, f, no_f, v, inline in zip(*(pieces[k::width] for k in range(1, width))):
        known = by_s.get(s)
        if known is None:
            style = reader.style(s, where)
            known = by_s[s] = (style, None if style.format == "General" else style.format, not style.locked)
        style, fmt, unlocked = known
        at = ref(where)
        if fmt is not None:
            formats[at] = fmt
        elif style.format is None:
            reader.undefined.add(at)
        if unlocked:
            locked[at] = False
        if not (f or no_f or v or inline):   # a blank cell: its style only
            continue
        if v and ("&" in v or "\r" in v):
            v = unescape(v)
        if not (f or no_f):
            if kind == "s" and v:   # the common cases, inline
                try:
                    values[at] = cached_values[at] = strings[int(v)]
                except (ValueError, IndexError):
                    raise NotUnderstood(f"单元格值“{v[:20]}”不常见") from None
                continue
            if kind is None and v and style.date is False and "." not in v and "E" not in v and "e" not in v:
                try:
                    values[at] = cached_values[at] = int(v)
                    continue
                except ValueError:
                    pass
        if kind == "inlineStr":
            cached = unescape(inline[1:]) if inline else None
        else:
            cached = reader.value(kind or "n", v or None, style)
        value = ("=" + unescape(f[1:])) if f else ("=" if no_f else cached)
        if value is not None:
            values[at] = value
        if cached is not None:
            cached_values[at] = cached


def _cut_ignored(part: bytes, ignored: tuple[bytes, re.Pattern]) -> bytes:
    """The part without the element, where it is plain; else the part as it is (expat then
    reads it, and no fact comes from it)."""
    tag, pattern = ignored
    start = part.find(tag)
    m = pattern.match(part, start) if start >= 0 else None
    if m is None or b"<!" in part[:m.end()] or b"<?" in part[5:m.end()]:
        return part
    try:
        if stray(m.group(0).decode("utf-8")):
            return part
    except UnicodeDecodeError:
        return part
    return part[:start] + part[m.end():]


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


@remembered(keep=64)
def _validations(element: bytes) -> dict[tuple[int, int], tuple[str, str, str]]:
    """The cells a <dataValidations> element covers and what it allows; every workbook of one
    template holds the same element (prompts and all), so it is read once per run."""
    reader = SheetReader("", "visible", [], (), None)
    reader.read(b'<worksheet xmlns="' + MAIN.strip().encode() + b'">' + element + b"</worksheet>")
    return reader.raw.validations


