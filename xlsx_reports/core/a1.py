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
