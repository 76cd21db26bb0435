"""The shortcut: a worksheet's cells read by one regular expression, the rest by expat.

The cells (`<sheetData>`, nearly all of a sheet) are read by one regular expression that knows
the shapes every writer we meet produces — `<c r="B5" s="3" t="s"><v>12</v></c>`, formulas
with LibreOffice's aca attribute, inline strings, rows with any plain attributes — and must
account for every character between them. What is left of the part (merged ranges,
protection) goes through expat with each cut marked by an empty element that must come out
where it was cut and in spreadsheetml; the validations and the header (the only per-unit text
around the cells) are cut out too. What is left, and the validations, are the same bytes in
every workbook of a template, so they are read once per run (core/memo.py); so are the
cells' addresses, styles and formulas (a CellPlan). A sheet whose cells, values taken out,
were read in full before (slots.py) has only its values read, each at its slot. Anything
else (shared formulas, cells without an address, comments, another encoding, a bare "&")
sends the whole part through expat: the shortcut is never a second interpretation.
"""
from __future__ import annotations

import re
from collections import OrderedDict
from typing import Any, NamedTuple, Sequence

from xlsx_reports.core.memo import keep_entry, remembered, touch
from xlsx_reports.xlsx import known, limits, slots
from xlsx_reports.xlsx.fastsheet import (CUT_CELLS, CUT_VALIDATIONS, DATA_VALIDATIONS, MAIN, SHEET_DATA,
                                         Irregular, NotUnderstood, SheetReader, Style, ref,
                                         style_of)
from xlsx_reports.xlsx.locate import RawSheet
from xlsx_reports.xlsx.safexml import derived, holds, opens

_ATTR = r'(?: [\w:.-]+="[^"<>&]*+")*+'
# possessive (?+, *+): each part starts with its own literal, so giving one back never helps a
# match, and not offering to makes the pass a quarter faster
_CELL = re.compile(
    r'<c r="([A-Z]{1,3}[0-9]{1,7})"(?: s="([0-9]{1,6})")?+(?: t="([a-zA-Z]{1,9})")?+'
    r'(?:/>|>'
    r'(?:<f(?: aca="(?:false|true)")?+(?:(>[^<]*+)</f>|(/)>))?+'   # ">" kept: "<f></f>" is a formula
    r'(?:<v>([^<]*+)</v>|<v/>)?+'
    r'(?:<is><t(?: xml:space="preserve")?+(>[^<]*+)</t></is>)?+'
    r'</c>)')
# what is left when each cell is replaced by "C": rows holding only cells, nothing else
# possessive throughout: a regular expression engine that may backtrack keeps a note per
# repetition, some 400 bytes; a million empty rows would take 400 MB
_SKELETON = re.compile(r'(?:\s*+<row' + _ATTR + r'\s*+(?:/>|>[C\s]*+</row>))*+\s*+')
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_BARE_AMP = re.compile(r"&(?!(?:amp|lt|gt|quot|apos|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});)")
_CHAR_REF = re.compile(r"&#(x[0-9a-fA-F]+|[0-9]+);")
_DECLARATION = re.compile(rb'<\?xml[^>]*?encoding="([^"]*)"')
_BATTR = rb'(?: [\w:]+="[^"<>&]*+")*+'
# parts of a sheet no reader uses that differ between copies of one template (the selected
# cell, saved by whoever last had the file open, before the cells; the unit's name in the
# header, after them): cut when plain
_VIEWS = (b"<sheetViews", re.compile(   # before the cells
    rb'<sheetViews' + _BATTR + rb'>(?:<sheetView' + _BATTR + rb'(?:/>|>(?:<(?:pane|selection)' + _BATTR
    + rb'/>)*+</sheetView>))*+</sheetViews>'))
_HEADER = (b"<headerFooter", re.compile(   # after them
    rb'<headerFooter' + _BATTR + rb'(?:/>|>(?:<(odd|even|first)(Header|Footer)>[^<]*+</\1\2>)*+</headerFooter>)'))
STATS = {"regular": 0, "irregular": 0, "slotted": 0}   # sheets read by the shortcut / by expat alone;
# "slotted": by the shortcut, values only (a skeleton read before)


def read_sheet(data: bytes, name: str, state: str, strings: list[str], styles: Sequence[Style],
               epoch: Any, tally: limits.Tally, shortcut: bool = True) -> RawSheet:
    """The sheet's facts; `tally` carries on the limits scan of its workbook (limits.prescan),
    which left to the reader what a sheet declares beside its cells."""
    if shortcut:
        try:
            raw = _read_regular(data, SheetReader(name, state, strings, styles, epoch), tally)
            STATS["regular"] += 1
            return raw
        except Irregular:
            pass
    STATS["irregular"] += 1
    tally.sheet(name, data)   # what the part declares, scanned before expat builds it
    return SheetReader(name, state, strings, styles, epoch).read(data)


class Shape(NamedTuple):
    """A sheet's part cut up: what lies around its cells (read as _frame reads it), its
    validations, and its cells split around their values; a pure function of the part's bytes."""
    frame: tuple[tuple, tuple, bool, bool, dict]
    validations: bytes | None
    cells: bytes
    pieces: list[bytes]     # slots.VALUE.split(cells): what lies around the values, then each value
    skeleton: bytes         # slots.skeleton(pieces)


def _shape(data: bytes) -> Shape:
    head, cells, tail = _split(data)
    # the validations first: they are most of the tail, and what is left is searched again
    tail, validations, at = _cut_validations(tail)
    head, tail = _cut_ignored(head, _VIEWS), _cut_ignored(tail, _HEADER)
    splices: tuple[tuple[int, str], ...] = ((len(head), SHEET_DATA),)
    if validations is not None:
        splices += ((len(head) + 12 + at, DATA_VALIDATIONS),)
    pieces = slots.VALUE.split(cells)
    return Shape(_frame(head + b"<sheetData/>" + tail, splices), validations, cells, pieces,
                 slots.skeleton(pieces))


def _read_regular(data: bytes, reader: SheetReader, tally: limits.Tally) -> RawSheet:
    # a sheet nobody types in (the guide, the metadata) is the same object in every workbook
    # of a template (safexml): it is cut up once, and only its values are read each time
    shape = derived(data, "shape", _shape)
    merges, merged, protected, password, validated = shape.frame
    validations = shape.validations
    plan = _regular_cells(reader, shape)
    raw = reader.raw
    raw.protected, raw.password = protected, password
    reader.merges = list(merges)
    raw.validations.update(validated)
    if validations is not None:
        raw.validations.update(_validations(validations))
    # the limits scan left these to the reader; checked here from what the shortcut read,
    # before finish() spreads the merges over their cells
    tally.reach(raw.name, *plan.reach)
    tally.merges(raw.name, *merged)
    tally.validated(raw.name, len(raw.validations))
    return reader.finish()


@remembered(keep=128)   # one per sheet, a few templates and the programs that saved them
def _frame(doc: bytes, splices: tuple[tuple[int, str], ...]) -> tuple[tuple, tuple, bool, bool, dict]:
    """What a sheet without its cells says: (merged ranges in order, what they add up to for
    the limits, protected, password, validations left in place); the same bytes in every
    workbook of a template."""
    reader = SheetReader("", "visible", [], (), None)
    reader.splices = dict(splices)
    reader.guarded = CUT_VALIDATIONS if len(splices) > 1 else CUT_CELLS
    reader.parser.Parse(doc, True)
    if reader.spliced != len(splices):   # a cut was not at the element it claimed
        raise Irregular
    raw, merges = reader.raw, reader.merges
    merged = (len(merges), sum((r1 - r0 + 1) * (c1 - c0 + 1) for r0, c0, r1, c1 in merges),
              max((r1 + 1 for _r0, _c0, r1, _c1 in merges), default=0),
              max((c1 + 1 for _r0, _c0, _r1, c1 in merges), default=0))
    return tuple(merges), merged, raw.protected, raw.password, raw.validations


def _regular_cells(reader: SheetReader, shape: Shape) -> CellPlan:
    """Straight into the RawSheet (the expat path collects cells first, since a cell may
    come twice there; here each address must come once)."""
    cells, pieces, skeleton = shape.cells, shape.pieces, shape.skeleton
    found = pieces[1::2]
    seen = slots.known(skeleton, reader.styles, len(found))
    if seen is not None:
        STATS["slotted"] += 1
        plan, places = seen
        _apply(reader, plan)
        _slot_values(reader, places, found)
        return plan
    text = _text(cells)
    # one pass: split gives what lies between the cells, then each cell's seven groups
    full = _CELL.split(text)
    plan = _cell_plan(full, reader.styles, len(text) <= MAX_PLANNED_TEXT)
    _apply(reader, plan)
    _cell_values(reader, plan, full)
    kept = _slots(plan, full)
    if kept is not None and len(kept) == len(found) and len(text) <= MAX_PLANNED_TEXT:
        slots.keep(skeleton, reader.styles, plan, kept)
    return plan


def _apply(reader: SheetReader, plan: CellPlan) -> None:
    raw = reader.raw
    raw.formats.update(plan.formats)
    raw.locked.update(plan.unlocked)
    raw.values.update(plan.formulas)
    reader.undefined.update(plan.undefined)


def _text(cells: bytes) -> str:
    """Cells or a value as text, where the shortcut may read it; else Irregular (expat judges it)."""
    try:
        text = cells.decode("utf-8")
    except UnicodeDecodeError:
        raise Irregular from None
    if stray(text, cells):
        raise Irregular
    return text


class CellPlan(NamedTuple):
    """What a sheet's cells say apart from their values: their addresses, styles and formulas
    (a template fixes them; a clerk only types values), so the same for every workbook of a
    template saved by one program, and worked out once for them."""
    cells: tuple[tuple[tuple[int, int], Style, bool], ...]   # per cell in order: where, style, formula
    formats: dict[tuple[int, int], str]                 # number formats other than General
    unlocked: dict[tuple[int, int], bool]
    undefined: frozenset[tuple[int, int]]                 # cells whose number format is not defined
    formulas: dict[tuple[int, int], str]                # formula cells: "=" and the formula text
    reach: tuple[int, int] = (0, 0)                     # the farthest cell's row and column numbers


_NUMBER = (None, "n")   # a number's t attribute: none, or "n" (as LibreOffice writes it)
_WIDTH = _CELL.groups + 1   # what lies before a cell, then the cell's seven groups
# a sheet's plan is remembered when its cells are no more than a template's (a few hundred, some
# 20 KB of XML): the key holds their addresses and formulas, and a web server runs for months
MAX_PLANNED_CELLS = 5_000
MAX_PLANNED_TEXT = 64 << 10
_PLANS: OrderedDict[tuple, CellPlan] = OrderedDict()
PLANS_KEPT = 128            # ten sheets, a few templates, the programs that saved them


def _cell_plan(pieces: list, styles: Sequence[Style], keep: bool = True) -> CellPlan:
    width = _WIDTH
    key = (tuple(pieces[1::width]), tuple(pieces[2::width]), tuple(pieces[4::width]),
           tuple(pieces[5::width]), styles if isinstance(styles, tuple) else tuple(styles))
    _regular_between("C".join(pieces[::width]))
    plan = _PLANS.get(key)
    if plan is not None:
        touch(_PLANS, key)
        return plan
    plan = _new_plan(*key)
    if keep and len(key[0]) <= MAX_PLANNED_CELLS:
        keep_entry(_PLANS, key, plan, PLANS_KEPT)
    return plan


@remembered(keep=256)
def _regular_between(skeleton: str) -> None:
    """Between the cells (each replaced by "C") only rows holding cells; else Irregular."""
    if not _SKELETON.fullmatch(skeleton):
        raise Irregular


def _new_plan(where: tuple[str, ...], s_of: tuple[str | None, ...], f_of: tuple[str | None, ...],
              no_f_of: tuple[str | None, ...], styles: tuple[Style, ...]) -> CellPlan:
    if len(set(where)) != len(where):   # an address twice
        raise Irregular
    cells, undefined = [], set()
    formats: dict[tuple[int, int], str] = {}
    unlocked: dict[tuple[int, int], bool] = {}
    formulas: dict[tuple[int, int], str] = {}
    by_s: dict[str | None, Style] = {}
    for address, s, f, no_f in zip(where, s_of, f_of, no_f_of):
        style = by_s.get(s)
        if style is None:
            style = by_s[s] = style_of(styles, s, address)
        at = ref(address)
        cells.append((at, style, bool(f or no_f)))
        if style.format is None:
            undefined.add(at)
        elif style.format != "General":
            formats[at] = style.format
        if not style.locked:
            unlocked[at] = False
        if f or no_f:
            formulas[at] = ("=" + unescape(f[1:])) if f else "="
    reach = (max(r for (r, _c), *_ in cells) + 1, max(c for (_r, c), *_ in cells) + 1) if cells else (0, 0)
    return CellPlan(tuple(cells), formats, unlocked, frozenset(undefined), formulas, reach)


def _slots(plan: CellPlan, pieces: list) -> tuple[slots.Slot, ...] | None:
    """Per <v>…</v> in order, the cell it belongs to; None when an inline string (whose text
    the skeleton holds) makes the skeleton more than the plan."""
    width = _WIDTH
    if any(pieces[7::width]):
        return None
    return tuple((at, style, formula, kind, _usual(style, formula, kind)) for (at, style, formula), kind, v
                 in zip(plan.cells, pieces[3::width], pieces[6::width]) if v is not None)


def _usual(style: Style, formula: bool, kind: str | None) -> int:
    """Which of the usual cells a slot is, when its value is plain digits: 1 a whole number
    typed, 2 one calculated, 3 a shared string; 0 none of them (_slot_value reads it)."""
    if kind in _NUMBER and style.date is False:   # LibreOffice writes t="n", others none
        return 2 if formula else 1
    return 3 if kind == "s" and not formula else 0


def _slot_values(reader: SheetReader, places: tuple[slots.Slot, ...], found: list[bytes]) -> None:
    """The values at their slots: the usual cells here, the rest by _slot_value (a few hundred
    a workbook, so the call per value was a fifth of the time)."""
    raw, strings = reader.raw, reader.strings
    values, cached = raw.values, raw.cached
    for slot, v in zip(places, found):
        if not v:
            continue
        usual = slot[4]
        if usual and v.isdigit():   # ASCII digits only, in bytes
            at = slot[0]
            if usual == 3:
                try:
                    values[at] = cached[at] = strings[int(v)]
                except IndexError:
                    raise NotUnderstood(f"单元格值“{v[:20].decode()}”不常见") from None
            else:
                cached[at] = number = int(v)
                if usual == 1:
                    values[at] = number
        else:
            _slot_value(reader, slot, v)


def _slot_value(reader: SheetReader, slot: slots.Slot, v: bytes) -> None:
    """A value that is not one of the usual cells (_slot_values reads those): decoded and
    judged as the full reading judges it."""
    at, style, formula, kind, _usual = slot
    _value(reader, at, style, formula, kind, _text(v), None)


def _cell_values(reader: SheetReader, plan: CellPlan, pieces: list) -> None:
    """The values typed or calculated, per workbook, as the cell's type and style say."""
    width = _WIDTH
    strings, raw = reader.strings, reader.raw
    values, cached_values = raw.values, raw.cached
    cached: Any
    for (at, style, formula), kind, v, inline in zip(plan.cells, pieces[3::width], pieces[6::width],
                                                     pieces[7::width]):
        if not (v or inline):   # blank, or a formula never calculated: the plan has said all
            continue
        if v:   # the common cases first: a whole number (typed or calculated), a shared string
            if kind in _NUMBER and style.date is False and v.isdigit():
                try:
                    cached_values[at] = number = int(v)
                except ValueError:   # a digit int() does not take ("²"): the general way below
                    pass
                else:
                    if not formula:
                        values[at] = number
                    continue
        _value(reader, at, style, formula, kind, v, inline)


def _value(reader: SheetReader, at: tuple[int, int], style: Style, formula: bool, kind: str | None,
           v: str | None, inline: str | None) -> None:
    """A cell's value from the text of its <v> (or its inline string), as expat's path reads it."""
    raw = reader.raw
    if v:
        if "&" in v or "\r" in v:
            v = unescape(v)
        if kind == "s" and not formula:
            try:
                raw.values[at] = raw.cached[at] = reader.strings[int(v)]
            except (ValueError, IndexError):
                raise NotUnderstood(f"单元格值“{v[:20]}”不常见") from None
            return
    if kind == "inlineStr":
        cached = unescape(inline[1:]) if inline else None
    else:
        cached = reader.value(kind or "n", v or None, style)
    if not formula and cached is not None:
        raw.values[at] = cached
    if cached is not None:
        raw.cached[at] = cached


def _cut_ignored(part: bytes, ignored: tuple[bytes, re.Pattern]) -> bytes:
    """The part without the element, where it is plain; else the part as it is (expat then
    reads it, and no fact comes from it)."""
    tag, pattern = ignored
    start = part.find(tag)
    m = pattern.match(part, start) if start >= 0 else None
    if m is None or opens(part, b"!", 0, m.end()) or opens(part, b"?", 5, m.end()):
        return part
    try:
        if stray(m.group(0).decode("utf-8")):
            return part
    except UnicodeDecodeError:
        return part
    return part[:start] + part[m.end():]


def stray(text: str, raw: bytes | None = None) -> bool:
    """Whether the text holds what only a full XML parser may judge: a character XML forbids,
    an "&" that is not one of the five entities or a character reference, or "]]>" (which
    XML forbids in text). `raw`: the text as UTF-8, when at hand: the control characters are
    then looked for in the bytes (the regular expression takes ~4 ns a character: 120 us for
    the strings of a workbook LibreOffice saved; the bytes, 20 us)."""
    if raw is not None and len(raw) > _SCANNED:
        forbidden = bool(raw.translate(None, _NOT_CONTROL)) or "\ufffe" in text or "\uffff" in text
    else:
        forbidden = not text.isprintable() and _FORBIDDEN.search(text) is not None
    return (forbidden or ("&" in text and _BARE_AMP.search(text) is not None)
            or ("]" in text and "]]>" in text))


_SCANNED = 1024   # shorter texts: the regular expression, after isprintable() mostly says no
# every byte but the control characters XML forbids (C0 but tab, line feed and carriage return);
# in UTF-8 they are single bytes that no other character's encoding holds
_NOT_CONTROL = bytes([9, 10, 13, *range(0x20, 0x100)])


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


def _split(data: bytes) -> tuple[bytes, bytes, bytes]:
    """(the part before the cells, the cells, the part after) — or Irregular."""
    prolog = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    found = _DECLARATION.match(data, prolog)
    if found and found.group(1).lower() not in (b"utf-8", b"utf8"):
        raise Irregular
    if data.startswith(b"<?xml", prolog):
        prolog = data.find(b"?>", prolog) + 2
    start = data.find(b"<sheetData>")
    end = data.find(b"</sheetData>", start)
    # before the cut only elements: a comment, CDATA or instruction could hide a "<sheetData>"
    if (start < 0 or end < 0 or opens(data, b"!", 0, start) or opens(data, b"?", prolog, start)
            or holds(data, b"xmlns", 0, start, end)):   # "x" is rare among cells
        raise Irregular
    return data[:start], data[start + 11:end], data[end + 12:]


def _cut_validations(tail: bytes) -> tuple[bytes, bytes | None, int]:
    """(the tail with its <dataValidations> emptied, the element, where it was), or the tail
    as it is when there is none or its shape is unusual (expat then reads it in place)."""
    start = tail.find(b"<dataValidations")
    if start < 0:
        return tail, None, 0
    element = known.at(tail, start)   # the same as a template's: its end is known
    end = start + len(element) - 18 if element is not None else tail.find(b"</dataValidations>", start)
    if end < 0 or opens(tail, b"!", 0, end) or opens(tail, b"?", 0, end):
        return tail, None, 0
    if element is None:
        element = tail[start:end + 18]
        known.remember(element)
    return tail[:start] + b"<dataValidations/>" + tail[end + 18:], element, start


@remembered(keep=64)
def _validations(element: bytes) -> dict[tuple[int, int], tuple[str, str, str]]:
    """The cells a <dataValidations> element covers and what it allows; every workbook of one
    template holds the same element (prompts and all), so it is read once per run. One that
    declares a namespace of its own is Irregular: expat then reads the whole part."""
    if b"xmlns" in element:
        raise Irregular
    reader = SheetReader("", "visible", [], (), None)
    reader.read(b'<worksheet xmlns="' + MAIN.strip().encode() + b'">' + element + b"</worksheet>")
    return reader.raw.validations


