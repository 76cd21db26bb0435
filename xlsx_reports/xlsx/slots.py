"""Where each value of a sheet's cells goes, once the rest of the cells is known.

A sheet's cells with their values taken out (a "skeleton") fix everything but the values:
their addresses, styles, types and formulas. When one was read in full before (fastcells.py:
checked, split cell by cell, planned), a workbook with the same skeleton and as many values
only has its values read, each at its slot, as the full reading reads them.
"""
from __future__ import annotations

import re
from collections import OrderedDict
from typing import Any, Sequence

from xlsx_reports.core.memo import keep_entry, touch
from xlsx_reports.xlsx.fastsheet import Style

VALUE = re.compile(rb"<v>([^<]*+)</v>")
# where, style, a formula, the t attribute, which usual cell (fastcells._usual)
Slot = tuple[tuple[int, int], Style, bool, str | None, int]
KEPT = 128   # ten sheets, a few templates, the programs that saved them
# skeleton: (styles, the cells' plan, slots); only skeletons of a template's size are kept
KNOWN: OrderedDict[bytes, tuple[Sequence[Style], Any, tuple[Slot, ...]]] = OrderedDict()


def skeleton(pieces: list[bytes]) -> bytes:
    """What VALUE.split left around the values, joined by NUL where each value was: XML
    forbids NUL, so a skeleton read in full holds none, and one equal to it with as many
    values is the same cells around other values."""
    return b"\x00".join(pieces[::2])


# a kept skeleton by its length: a template's sheet has the same one in every workbook, ~30 KB a
# workbook in all, compared byte for byte here instead of hashed afresh as a key (several times the
# work); the one kept has its hash with it. One no longer in KNOWN is simply not found there.
_BY_LENGTH: dict[int, bytes] = {}


def known(key: bytes, styles: Sequence[Style], values: int) -> tuple[Any, tuple[Slot, ...]] | None:
    """The plan and slots of a skeleton read in full before, with these styles and as many values."""
    same = _BY_LENGTH.get(len(key))
    if same is not None and same == key:
        key = same
    entry = KNOWN.get(key)
    if entry is None or len(entry[2]) != values or not (entry[0] is styles or entry[0] == styles):
        return None
    touch(KNOWN, key)
    return entry[1], entry[2]


def keep(key: bytes, styles: Sequence[Style], plan: Any, slots: tuple[Slot, ...]) -> None:
    keep_entry(KNOWN, key, (styles, plan, slots), KEPT)
    if len(_BY_LENGTH) >= 4 * KEPT:
        _BY_LENGTH.clear()
    _BY_LENGTH[len(key)] = key
