"""The shortcut: a worksheet's cells read by one regular expression, the rest by expat.

The cells (`<sheetData>`, nearly all of a sheet) are read by one regular expression that knows
the shapes every writer we meet produces — `<c r="B5" s="3" t="s"><v>12</v></c>`, formulas
with LibreOffice's aca attribute, inline strings, rows with any plain attributes — and must
account for every character between them. What is left of the part is read as sheetcut.py
cuts it. The cells' addresses, styles and formulas are the same in every workbook of a
template, so they are worked out once per run (a CellPlan). A sheet whose cells, values taken out,
were read in full before (slots.py) has only its values read, each at its slot. Anything
else (shared formulas, cells without an address, comments, another encoding, a bare "&")
sends the whole part through expat: the shortcut is never a second interpretation.
"""
from __future__ import annotations

import re
from collections import OrderedDict
from typing import Any, NamedTuple, Sequence

from xlsx_reports.core.memo import ByIdentity, keep_entry, remembered, touch
from xlsx_reports.xlsx import limits, sheetcut, slots
from xlsx_reports.xlsx.fastsheet import (MAX_REMEMBERED_LINKED, Irregular, NotUnderstood, SheetReader, Style,
                                         fill_links, link_cells, merge_plan, ref, style_of)
from xlsx_reports.xlsx.rawsheet import RawSheet
from xlsx_reports.xlsx.safexml import derived
from xlsx_reports.xlsx.xmltext import stray, unescape

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
STATS = {"regular": 0, "irregular": 0, "slotted": 0, "outline": 0}   # sheets read by the shortcut /
# by expat alone; "slotted": by the shortcut, values only (a skeleton read before); "outline":
# by the shortcut, without its cells


def read_sheet(data: bytes, name: str, state: str, strings: list[str], styles: Sequence[Style],
               epoch: Any, tally: limits.Tally, shortcut: bool = True, cells: bool = True) -> RawSheet:
    """The sheet's facts; `tally` carries on the limits scan of its workbook (limits.prescan),
    which left to the reader what a sheet declares beside its cells. cells=False: a sheet whose
    cells no reading uses is read without them (RawSheet.cells_read is False) where the shortcut
    can cut them out; else in full."""
    if shortcut:
        try:
            reader = SheetReader(name, state, strings, styles, epoch)
            if not cells:
                raw = _read_outline(data, reader, tally)
                STATS["outline"] += 1
                return raw
            raw = _read_regular(data, reader, tally)
            STATS["regular"] += 1
            return raw
        except Irregular:
            pass
    STATS["irregular"] += 1
    tally.sheet(name, data)   # what the part declares, scanned before expat builds it
    return SheetReader(name, state, strings, styles, epoch).read(data)


def _read_regular(data: bytes, reader: SheetReader, tally: limits.Tally) -> RawSheet:
    # a sheet nobody types in (the guide, the metadata) is the same object in every workbook
    # of a template (safexml): it is cut up once, and only its values are read each time
    shape = derived(data, "shape", sheetcut.shape)
    seen = slots.known(shape.skeleton, reader.styles, len(shape.pieces) // 2)
    fixed = _fixed(seen, shape) if seen is not None else None
    if seen is not None and fixed is not None:
        return _slotted(reader, fixed, seen[1], shape.pieces[1::2], tally)
    plan = _regular_cells(reader, shape, seen)
    # the limits scan left this to the reader; checked from what the shortcut read
    tally.reach(reader.raw.name, *plan.reach)
    raw = _framed(reader, shape.frame, shape.validations, tally)
    if seen is not None:
        _keep_fixed(seen, shape, raw)
    return raw


class Fixed(NamedTuple):
    """What a sheet read by its slots says beside its values, the same in every workbook with
    its cells' plan and its frame: worked out by the full reading once (merges applied as
    finish() applies them) and then copied in, the values put at their slots."""
    formulas: dict[tuple[int, int], str]   # the values before the slots' (under no merge)
    formats: dict[tuple[int, int], str]
    locked: dict[tuple[int, int], bool]
    merged: frozenset[tuple[int, int, int, int]]
    validations: dict[tuple[int, int], tuple[str, str, str]]
    protected: bool
    password: bool
    covered: frozenset[tuple[int, int]]   # cells under a merge, when a slot is among them
    merges: tuple[int, int, int, int]     # what the merges add up to, for the limits
    reach: tuple[int, int]                # the farthest cell, for the limits
    links: tuple                          # fastsheet.link_cells: a linked cell left empty shows its link


# (plan, slots, frame, validations) -> what they fix: a template's ten sheets, a few templates.
# The slots are part of the key: which cells under a merge hold a value to drop (Fixed.covered)
# depends on them, and one plan serves skeletons with more or fewer values (a clerk may type into
# a cell under a merge, which the plan, made of addresses, styles and formulas, does not see).
_FIXED = ByIdentity(keep=256)


def _fixed(seen: tuple, shape: sheetcut.Shape) -> Fixed | None:
    return _FIXED.get(seen[0], seen[1], shape.frame, shape.validations)


def _keep_fixed(seen: tuple, shape: sheetcut.Shape, raw: RawSheet) -> None:
    plan, places = seen
    links = link_cells(shape.frame[5], shape.frame[0])
    if len(links) > MAX_REMEMBERED_LINKED:   # a hostile file's, not a template's: nothing kept
        return
    covered = merge_plan(shape.frame[0])[0]
    fixed = Fixed({at: f for at, f in plan.formulas.items() if at not in covered}, dict(raw.formats),
                  dict(raw.locked), frozenset(raw.merged), dict(raw.validations), raw.protected,
                  raw.password, covered if any(slot[0] in covered for slot in places) else frozenset(),
                  shape.frame[1], plan.reach, links)
    _FIXED.put(fixed, plan, places, shape.frame, shape.validations)


def _slotted(reader: SheetReader, fixed: Fixed, places: tuple[slots.Slot, ...], found: list[bytes],
             tally: limits.Tally) -> RawSheet:
    """The full reading's result (reach, merges and validations counted as it counts them),
    from what the sheet's plan and frame fix and the values at their slots."""
    raw = reader.raw
    STATS["slotted"] += 1
    raw.protected, raw.password = fixed.protected, fixed.password
    raw.values.update(fixed.formulas)
    raw.formats.update(fixed.formats)
    raw.locked.update(fixed.locked)
    _slot_values(reader, places, found)
    tally.reach(raw.name, *fixed.reach)
    raw.validations.update(fixed.validations)
    tally.merges(raw.name, *fixed.merges)
    tally.validated(raw.name, len(raw.validations))
    for at in fixed.covered:   # as finish(): a cell under a merge loses its value
        raw.values.pop(at, None)
        raw.cached.pop(at, None)
    raw.merged.update(fixed.merged)
    if fixed.links:
        fill_links(raw, fixed.links)
    raw.fixed = fixed
    return raw


def _read_outline(data: bytes, reader: SheetReader, tally: limits.Tally) -> RawSheet:
    """Protection, merged ranges and validations: the cells are cut out unread, so nothing is
    built from them and their reach needs no limit."""
    frame, validations = derived(data, "outline", sheetcut.outline)
    reader.raw.cells_read = False
    return _framed(reader, frame, validations, tally)


def _framed(reader: SheetReader, frame: tuple, validations: bytes | None, tally: limits.Tally) -> RawSheet:
    merges, merged, protected, password, validated, links = frame
    raw = reader.raw
    raw.protected, raw.password = protected, password
    reader.merges, reader.links = list(merges), list(links)
    raw.validations.update(validated)
    if validations is not None:
        raw.validations.update(sheetcut.validations(validations))
    # the limits scan left these to the reader, checked before finish() spreads the merges
    # over their cells
    tally.merges(raw.name, *merged)
    tally.validated(raw.name, len(raw.validations))
    return reader.finish()


def _regular_cells(reader: SheetReader, shape: sheetcut.Shape, seen: tuple | None) -> CellPlan:
    """Straight into the RawSheet (the expat path collects cells first, since a cell may
    come twice there; here each address must come once). `seen`: slots.known of its skeleton."""
    cells, pieces, skeleton = shape.cells, shape.pieces, shape.skeleton
    found = pieces[1::2]
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
    known_whole = _WHOLE.get
    for slot, v in zip(places, found):
        if not v:
            continue
        usual = slot[4]
        if usual and v.isdigit():   # ASCII digits only, in bytes
            at = slot[0]
            number = known_whole(v)
            if number is None:
                number = _whole(v)
            if usual == 3:
                try:
                    values[at] = cached[at] = strings[number]
                except IndexError:
                    raise NotUnderstood(f"单元格值“{v[:20].decode()}”不常见") from None
            else:
                cached[at] = number
                if usual == 1:
                    values[at] = number
        else:
            _slot_value(reader, slot, v)


# The whole numbers met, by their digits: the same few hundred (counts, totals, the shared
# strings' indexes) in every workbook, and int() of bytes costs several times a lookup.
# Short ones only, and forgotten all at once beyond WHOLE_KEPT.
_WHOLE: dict[bytes, int] = {}
WHOLE_KEPT, WHOLE_DIGITS = 4096, 12


def _whole(digits: bytes) -> int:
    number = int(digits)
    if len(digits) <= WHOLE_DIGITS:
        if len(_WHOLE) >= WHOLE_KEPT:
            _WHOLE.clear()
        _WHOLE[digits] = number
    return number


def _slot_value(reader: SheetReader, slot: slots.Slot, v: bytes) -> None:
    """A value that is not one of the usual cells (_slot_values reads those): decoded and
    judged as the full reading judges it."""
    at, style, formula, kind, _usual = slot
    _value(reader, at, style, formula, kind, _text(v), None)


def _cell_values(reader: SheetReader, plan: CellPlan, pieces: list) -> None:
    """The values typed or calculated, per workbook, as the cell's type and style say."""
    width = _WIDTH
    raw = reader.raw
    values, cached_values = raw.values, raw.cached
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
