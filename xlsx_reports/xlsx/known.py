"""Elements that every workbook of a template carries byte for byte, found by comparison.

A sheet's <dataValidations> holds the prompt of every input cell: 80 KB of the 93 KB of the
largest sheet of a return. Searching for its end, hashing it to look up what it says, and
searching it for hyperlinks took longer than reading the sheet's values. An element the
reader found in full is remembered; in a later workbook, the same bytes where such an element
starts are the same element, and its end and what it holds are known without a search.
"""
from __future__ import annotations

from xlsx_reports.core.memo import MAX_BYTES

KEPT = 32   # a dozen sheets with validations, a few templates, the programs that saved them
KEPT_BYTES = 1 << 20   # a template's are ~150 KB: a hostile file's cannot hold more
# most recent first; a tuple replaced whole, so that a reading thread never sees it half made
_KNOWN: list[tuple[tuple[bytes, bool], ...]] = [()]
LINK = b"hyperlink"


def at(data: bytes, start: int) -> bytes | None:
    """The remembered element that `data` holds from `start`, or None."""
    for element, _linked in _KNOWN[0]:
        if data.startswith(element, start):
            return element
    return None


def mentions_link(element: bytes) -> bool:
    """Whether a remembered element mentions hyperlinks (worked out once, when remembered)."""
    return next((linked for known, linked in _KNOWN[0] if known is element), True)


def remember(element: bytes) -> None:
    """Keeps an element read in full, the oldest forgotten beyond KEPT elements or KEPT_BYTES
    (a hostile file's larger ones are not kept)."""
    if len(element) > MAX_BYTES or at(element, 0) is not None:
        return
    kept, held = [(element, LINK in element)], len(element)
    for entry in _KNOWN[0][:KEPT - 1]:
        held += len(entry[0])
        if held > KEPT_BYTES:
            break
        kept.append(entry)
    _KNOWN[0] = tuple(kept)
