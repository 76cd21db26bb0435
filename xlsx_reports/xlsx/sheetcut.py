"""A sheet's part cut around its cells, for the shortcut (fastcells.py).

What lies around the cells (merged ranges, protection) is read by expat with each cut marked
by an empty element that must come out where it was cut and in spreadsheetml; the validations
and the parts no reader uses that differ between copies of one template (the selected cell,
the header with the unit's name) are cut out. What is left, and the validations, are the same
bytes in every workbook of a template, so they are read once per run (core/memo.py).
"""
from __future__ import annotations

import re
from typing import NamedTuple

from xlsx_reports.core.memo import MAX_BYTES, ByIdentity, remembered
from xlsx_reports.xlsx import known, slots
from xlsx_reports.xlsx.fastsheet import (CUT_CELLS, CUT_VALIDATIONS, DATA_VALIDATIONS, MAIN, SHEET_DATA,
                                         Irregular, SheetReader)
from xlsx_reports.xlsx.safexml import holds, opens
from xlsx_reports.xlsx.xmltext import stray

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


class Shape(NamedTuple):
    """A sheet's part cut up: what lies around its cells (read as _frame reads it), its
    validations, and its cells split around their values; a pure function of the part's bytes."""
    frame: tuple[tuple, tuple, bool, bool, dict, tuple]
    validations: bytes | None
    cells: bytes
    pieces: list[bytes]     # slots.VALUE.split(cells): what lies around the values, then each value
    skeleton: bytes         # slots.skeleton(pieces)


def shape(data: bytes) -> Shape:
    """The part cut up, or Irregular (expat then reads the whole part)."""
    cells, frame, validations = _cut(data)
    pieces = slots.VALUE.split(cells)
    return Shape(frame, validations, cells, pieces, slots.skeleton(pieces))


def outline(data: bytes) -> tuple[tuple, bytes | None]:
    """What lies around the cells (as Shape.frame) and the validations, without looking at
    the cells: for a sheet whose cells no reading uses. Irregular as for shape."""
    _cells, frame, validations = _cut(data)
    return frame, validations


def _cut(data: bytes) -> tuple[bytes, tuple, bytes | None]:
    """(the cells, the frame, the validations) of the part."""
    compared = _known_cut(data)
    if compared is not None:
        return compared
    head, cells, tail = _split(data)
    # the validations first: they are most of the tail, and what is left is searched again
    tail, validations, at = _cut_validations(tail)
    views, header = _ignored(head, _VIEWS), _ignored(tail, _HEADER)
    head, tail = _without(head, views), _without(tail, header)
    splices: tuple[tuple[int, str], ...] = ((len(head), SHEET_DATA),)
    if validations is not None:
        splices += ((len(head) + 12 + at, DATA_VALIDATIONS),)
    cut = _frame(head + b"<sheetData/>" + tail, splices), validations
    _remember_cut(data, views, header, (at, len(validations)) if validations is not None else None, cut)
    return (cells, *cut)


# Every workbook of a template holds each sheet's part byte for byte the same around its cells,
# but for the two elements _ignored cuts (the selection, the header naming the unit): cutting it
# up took a third of reading a sheet. A part cut in full is remembered as the bytes before and
# after its cells, each with the span of the element cut out of it; a later part with the same
# bytes there and a plain element in each span is cut by comparing them, only its cells searched
# (for what _split refuses among them). Most recent first, bounded by count and bytes (known.py).
Known = tuple[bytes, bytes | None, bytes, bytes | None, tuple[tuple, bytes | None], bool, bytes, bytes]
_CUTS: list[tuple[Known, ...]] = [()]
CUTS_KEPT, CUTS_KEPT_BYTES = 48, 2 << 20


class Around(NamedTuple):
    """A part whose bytes around the cells are a remembered sheet's."""
    start: int    # where its <sheetData> starts
    end: int      # where its </sheetData> starts
    cut: tuple[tuple, bytes | None]   # (the frame, the validations), as _cut gave them
    # whether what lies around the cells mentions hyperlinks (the elements in the two spans are
    # of a known shape that holds none: a mention there could not add to what limits.py counts)
    links: bool


# the part -> what around() found of it: a workbook's sheets, asked by the limits scan and then
# by the reader; forgotten all at once beyond ASKED_KEPT parts of a template's size (a few MB)
ASKED_KEPT = 24
_ASKED = ByIdentity(keep=ASKED_KEPT)


def around(data: bytes) -> Around | None:
    """Asked of a part twice, by the limits scan and by the reader: the second time answered
    from the first (the same bytes object) instead of comparing the bytes again."""
    found: Around | None = _ASKED.get(data)
    if found is not None:
        return found
    for before, before_rest, after, after_rest, cut, links, views, header in _CUTS[0]:
        if not data.startswith(before):   # most tries end here: another sheet's (_past's first test)
            continue
        start = _past(data, 0, before, before_rest, _VIEWS, views)
        if start is None or not data.startswith(b"<sheetData>", start):
            continue
        end = data.find(b"</sheetData>", start)
        if end >= 0 and _past(data, end, after, after_rest, _HEADER, header) == len(data):
            found = Around(start, end, cut, links)
            break
    if found is not None and len(data) <= MAX_BYTES:   # not a miss: the reader may remember it next
        _ASKED.put(found, data)
    return found


def _known_cut(data: bytes) -> tuple[bytes, tuple, bytes | None] | None:
    found = around(data)
    if found is None:
        return None
    if holds(data, b"xmlns", 0, found.start, found.end):   # what _split refuses; the rest is as known
        raise Irregular
    return (data[found.start + 11:found.end], *found.cut)


def _past(data: bytes, at: int, fixed: bytes, rest: bytes | None, ignored: tuple[bytes, re.Pattern],
          element: bytes) -> int | None:
    """Where the known bytes from `at` end: `fixed`, then (when `rest` is not None) an element
    that _ignored would cut and `rest`; None when data holds others. The element is most often
    the very bytes of the one remembered (a selection nobody moved, the same header): those
    need no matching, the pattern having matched them to their end when they were remembered."""
    if not data.startswith(fixed, at):
        return None
    at += len(fixed)
    if rest is None:
        return at
    if data.startswith(element, at):
        end = at + len(element)
    else:
        m = ignored[1].match(data, at)   # the pattern starts with the element's tag
        if m is None or not _plain(m.group(0)):
            return None
        end = m.end()
    return end + len(rest) if data.startswith(rest, end) else None


def _remember_cut(data: bytes, views: tuple[int, int] | None, header: tuple[int, int] | None,
                  validations: tuple[int, int] | None, cut: tuple[tuple, bytes | None]) -> None:
    """The spans as _ignored gave them, the header's in the tail with its validations cut
    (`validations`: where they were in it, and how long)."""
    start = data.find(b"<sheetData>")
    end = data.find(b"</sheetData>", start)
    views_element = header_element = b""
    if views is None:
        before, before_rest = data[:start], None
    else:
        before, before_rest, views_element = data[:views[0]], data[views[1]:start], data[views[0]:views[1]]
    if header is None:
        after, after_rest = data[end:], None
    else:
        shift = end + 12
        if validations is not None and header[0] >= validations[0]:
            shift += validations[1] - len(b"<dataValidations/>")
        after, after_rest = data[end:shift + header[0]], data[shift + header[1]:]
        header_element = data[shift + header[0]:shift + header[1]]
    size = len(data) - (end - start)
    if size > MAX_BYTES:
        return
    links = any(known.LINK in b for b in (before, before_rest, after, after_rest) if b)
    kept: list[Known] = [(before, before_rest, after, after_rest, cut, links, views_element, header_element)]
    for entry in _CUTS[0][:CUTS_KEPT - 1]:
        size += sum(len(b) for b in (*entry[:4], *entry[6:]) if b)
        if size > CUTS_KEPT_BYTES:
            break
        kept.append(entry)
    _CUTS[0] = tuple(kept)


@remembered(keep=128)   # one per sheet, a few templates and the programs that saved them
def _frame(doc: bytes, splices: tuple[tuple[int, str], ...]) -> tuple[tuple, tuple, bool, bool, dict, tuple]:
    """What a sheet without its cells says: (merged ranges in order, what they add up to for
    the limits, protected, password, validations left in place, hyperlinks as (ref,
    location, out of the workbook)); the same bytes in every workbook of a template."""
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
    return tuple(merges), merged, raw.protected, raw.password, raw.validations, tuple(reader.links)


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
def validations(element: bytes) -> dict[tuple[int, int], tuple[str, str, str]]:
    """The cells a <dataValidations> element covers and what it allows; every workbook of one
    template holds the same element (prompts and all), so it is read once per run. One that
    declares a namespace of its own is Irregular: expat then reads the whole part."""
    if b"xmlns" in element:
        raise Irregular
    reader = SheetReader("", "visible", [], (), None)
    reader.read(b'<worksheet xmlns="' + MAIN.strip().encode() + b'">' + element + b"</worksheet>")
    return reader.raw.validations


def _ignored(part: bytes, ignored: tuple[bytes, re.Pattern]) -> tuple[int, int] | None:
    """The span of the element, where it is plain; else None (expat then reads it in place,
    and no fact comes from it)."""
    tag, pattern = ignored
    start = part.find(tag)
    m = pattern.match(part, start) if start >= 0 else None
    if m is None or opens(part, b"!", 0, m.end()) or opens(part, b"?", 5, m.end()) or not _plain(m.group(0)):
        return None
    return start, m.end()


def _plain(element: bytes) -> bool:
    try:
        return not stray(element.decode("utf-8"))
    except UnicodeDecodeError:
        return False


def _without(part: bytes, span: tuple[int, int] | None) -> bytes:
    return part if span is None else part[:span[0]] + part[span[1]:]
