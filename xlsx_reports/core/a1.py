"""Spreadsheet cell addresses: 0-based (row, col) <-> "B7", the only place that spells them."""
from __future__ import annotations

import re

ADDRESS = re.compile(r"\$?([A-Z]{1,3})\$?(\d+)")


def col_letter(col: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def a1(row: int, col: int, *, absolute: bool = False) -> str:
    sign = "$" if absolute else ""
    return f"{sign}{col_letter(col)}{sign}{row + 1}"


def cell_range(first: tuple[int, int], last: tuple[int, int], *, absolute: bool = False) -> str:
    return f"{a1(*first, absolute=absolute)}:{a1(*last, absolute=absolute)}"


def col_index(letters: str) -> int:
    """A -> 0, AA -> 26 (the inverse of col_letter)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def parse(address: str) -> tuple[int, int]:
    """"B7" or "$B$7" -> (6, 1); ValueError for anything else."""
    m = ADDRESS.fullmatch(address.strip().upper())
    if not m or int(m.group(2)) < 1:
        raise ValueError(f"not a cell address: {address!r}")
    return int(m.group(2)) - 1, col_index(m.group(1))


# A1 ranges as a worksheet declares them (merged cells, validations, hyperlinks): what a
# range reaches and covers, counted before anything is built from it (xlsx/limits.py)
RANGE = re.compile(r"\$?([A-Za-z]+)?\$?(\d+)?(?::\$?([A-Za-z]+)?\$?(\d+)?)?$")
MAX_ROW, MAX_COL = 1_048_576, 16_384   # a worksheet's last row and column (XFD)


def far_corner(ref: str) -> tuple[int, int]:
    """The farthest row and column numbers (1-based) a range reaches; (0, 0) unreadable."""
    m = RANGE.match(ref.strip())
    if not m:
        return 0, 0
    c1, r1, c2, r2 = m.groups()
    rows = [int(r) for r in (r1, r2) if r] or [MAX_ROW]
    cols = [col_index(c) + 1 for c in (c1, c2) if c] or [MAX_COL]
    return max(rows), max(cols)


def area(ref: str) -> int:
    """Cells in an A1 range ("A1", "A1:C3", whole columns "A:A", whole rows "1:1")."""
    ref = ref.strip()
    if not ref:
        return 0
    m = RANGE.match(ref)
    if not m:
        return MAX_ROW * MAX_COL      # unreadable: assume the worst
    c1, r1, c2, r2 = m.groups()
    if c2 is None and r2 is None:
        return 1 if (c1 and r1) else (MAX_ROW if c1 else MAX_COL)
    cols = abs(col_index(c2 or "XFD") - col_index(c1 or "A")) + 1 if (c1 or c2) else MAX_COL
    rows = abs(int(r2 or MAX_ROW) - int(r1 or 1)) + 1 if (r1 or r2) else MAX_ROW
    return rows * cols
