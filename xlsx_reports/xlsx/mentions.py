"""What a part of a workbook mentions that the limits scan (limits.py) must look at more closely:
a document type (where entities are declared), hyperlinks and comments (a parser makes a cell
at each cell they name), and the stretch of a part that holds an element's mentions.

Each answer is worked out from the bytes alone, as cheaply as it can be exactly: the prolog
only for a declaration, a sheet's cells only for hyperlinks where the rest is a template's.
"""
from __future__ import annotations

import re

from xlsx_reports.core.a1 import area, far_corner
from xlsx_reports.core.memo import remembered
from xlsx_reports.xlsx import known
from xlsx_reports.xlsx.safexml import holds

LINKED = re.compile(rb"<(?:[\w.-]+:)?(?:hyperlink|comment)\s[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
# what may precede a DOCTYPE; possessive, so that a million comments take no memory to skip
_PROLOG_SKIP = re.compile(rb"(?:\s|<\?.*?\?>|<!--.*?-->)*+", re.S)


def links(sheet: bytes) -> bool:
    """Whether a sheet mentions hyperlinks. Its validations are the same bytes in every workbook
    of a template (prompts and all, most of the part) and none has a link: they are not searched.
    Nor is anything around the cells of a sheet cut up before (sheetcut.around): only its cells."""
    from xlsx_reports.xlsx import sheetcut   # here: sheetcut's reader imports limits, which imports this
    found = sheetcut.around(sheet)
    if found is not None:
        return found.links or holds(sheet, known.LINK, 8, found.start, found.end)
    start = sheet.find(b"<dataValidations")
    element = known.at(sheet, start) if start >= 0 else None
    if element is None or known.mentions_link(element):
        return holds(sheet, known.LINK, 8)
    # the name holds no "<" or ">", so no mention straddles the element's edges
    return holds(sheet, known.LINK, 8, 0, start) or holds(sheet, known.LINK, 8, start + len(element))


def sheet_mentions(data: bytes) -> tuple[bool, bool]:
    """(declares a document type, mentions hyperlinks): parsers take hyperlinks from
    worksheets and comments from their own parts only."""
    return declares(data), links(data)


def part_mentions(data: bytes) -> tuple[bool, bool]:
    """(declares a document type, mentions comments)."""
    return declares(data), b"comment" in data


def declares(data: bytes) -> bool:
    """Whether the part declares a document type (where entities are declared). XML allows one
    only in the prolog, before the first element; a parser rejects it anywhere else, so the
    prolog is all that needs looking at (a search of the whole part costs more than its parse)."""
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    prolog = _PROLOG_SKIP.match(data, start)
    return data.startswith(b"<!", prolog.end() if prolog else start)   # a DOCTYPE, or malformed


def stretch(data: bytes, name: bytes, tags: bool = False) -> bytes:
    """From the first mention of an element's name (tags: from the "<" before it) to the end
    of its last mention's tag."""
    first, last = data.find(name), data.rfind(name)
    end = data.find(b">", last)
    return data[max(0, data.rfind(b"<", 0, first)) if tags else first: end if end >= 0 else len(data)]


@remembered(keep=32)   # the same hyperlinks (the 校验 sheet's) in every workbook of a template
def linked(span: bytes, most_cells: int, most_row: int, most_col: int) -> tuple[int, int, int]:
    """(cells covered, farthest row, farthest column) of the hyperlinks or comments in a part's
    stretch of them, counted no further than one past a limit."""
    covered = row = col = 0
    for m in LINKED.finditer(span):
        ref = m.group(1).decode("ascii", "replace")
        covered += area(ref)
        far_row, far_col = far_corner(ref)
        row, col = max(row, far_row), max(col, far_col)
        if covered > most_cells or row > most_row or col > most_col:
            break
    return covered, row, col
