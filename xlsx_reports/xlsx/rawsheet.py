"""A sheet as read from a workbook, as plain data (RawSheet), and the A1 addresses of its cells.

Every reader (fastread, the openpyxl path) fills a RawSheet; locating, reading the form's
cells and the rules work on it alone, never on a reader's objects.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from xlsx_reports.core.a1 import a1


class _Addresses(dict):
    """(row, col) -> A1, remembered: every workbook asks for the same few hundred addresses.
    A hostile sheet's far-flung cells are not kept once the table holds ADDRESSES_KEPT."""

    def __missing__(self, spot: tuple[int, int]) -> str:
        found = a1(*spot)
        if len(self) < ADDRESSES_KEPT:
            self[spot] = found
        return found


ADDRESSES_KEPT = 20_000    # a few MB at most; a form uses a few thousand addresses
ADDRESSES = _Addresses()


def address(row: int, col: int) -> str:
    return ADDRESSES[(row, col)]


@dataclass
class RawSheet:
    name: str
    state: str = "visible"
    protected: bool = False
    password: bool = False
    values: dict[tuple[int, int], Any] = field(default_factory=dict)
    cached: dict[tuple[int, int], Any] = field(default_factory=dict)
    locked: dict[tuple[int, int], bool] = field(default_factory=dict)   # unlocked cells only
    formats: dict[tuple[int, int], str] = field(default_factory=dict)
    merged: set[tuple[int, int, int, int]] = field(default_factory=set)
    validations: dict[tuple[int, int], tuple[str, str, str]] = field(default_factory=dict)
    cells_read: bool = True   # False: read for its outline only (values, formats, locking left empty)
    # fastcells.Fixed its formats, locking and validations were copied from (they are its own)
    fixed: Any = field(default=None, compare=False, repr=False)

    def text(self, row: int, col: int) -> str:
        v = self.values.get((row, col))
        return "" if v is None else str(v).strip()

    def formula(self, row: int, col: int) -> str | None:
        stored = self.values.get((row, col))
        return stored if isinstance(stored, str) and stored.startswith("=") else None

    def shown(self, row: int, col: int) -> Any:
        """What the spreadsheet shows: a formula's stored result (None if never calculated)."""
        if self.formula(row, col):
            return self.cached.get((row, col))
        return self.values.get((row, col))
