"""A unit's values as the merge keeps them: one compact row, summed and spooled as it arrives.

A city merges thousands of workbooks; keeping every unit's Report until the end grew the
memory with N. The merge needs each unit's numbers twice (the total, and its row on
分单位明细) and its narratives once (各单位文字材料): so a worker sends them as one tuple in
form order, pickled (pack), the total takes it at once, and the pickle waits on disk as it came
(a temporary file) until the merged workbook is written. Sums are exact: counts stay int,
money stays Decimal.
"""
from __future__ import annotations

import pickle
import tempfile
from decimal import Decimal
from functools import cache
from operator import add
from typing import Any, Iterable

from xlsx_reports.form.definitions import get_form
from xlsx_reports.form.model import Field
from xlsx_reports.form.values import Report, is_number

Row = tuple[Any, ...]


@cache
def row_fields(fmt: str) -> tuple[Field, ...]:
    """The fields a row holds, in order: the numeric inputs, then the narratives. Keyed on the
    format's current form: a return on an earlier layout has the same keys."""
    form = get_form(fmt)
    return form.numeric_inputs + tuple(f for f in form.inputs if f.type == "longtext")


@cache
def _positions(fmt: str) -> dict[str, int]:
    return {f.key: i for i, f in enumerate(row_fields(fmt))}


def values_in(fmt: str, row: Row, fields: tuple[Field, ...]) -> Row:
    """The row's values of these fields, in their order: a slice of the row when they lie
    together in it, as the numeric inputs and the narratives of the row's form do."""
    positions = _positions(fmt)
    start = positions.get(fields[0].key, -1) if fields else 0
    if start >= 0 and row_fields(fmt)[start:start + len(fields)] == fields:
        return row[start:start + len(fields)]
    return tuple(row[positions[f.key]] if f.key in positions else None for f in fields)


def pack(row: Row) -> bytes:
    """A row as a worker sends it: pickled once there, so the merge spools the bytes as they
    came instead of pickling the row again."""
    return pickle.dumps(row, protocol=pickle.HIGHEST_PROTOCOL)


def unpack(packed: bytes) -> Row:
    row: Row = pickle.loads(packed)
    return row


def row_of(report: Report) -> Row:
    return tuple(report.values.get(f.key) for f in row_fields(report.form.format))


def row_report(fmt: str, unit: str, year: int, row: Row) -> Report:
    """The report a row came from, reduced to the values the merge uses."""
    return Report(get_form(fmt), unit, year, {f.key: v for f, v in zip(row_fields(fmt), row)})


def blank_keys(fmt: str, row: Row) -> tuple[str, ...]:
    """The numeric inputs left blank (the sum counts them as 0; the summary says so). Asked
    only of a row that Total.add found not all numbers: the usual return is never asked."""
    return tuple(f.key for f, v in zip(get_form(fmt).numeric_inputs, row) if v is None)


_NUMBERS = frozenset((int, Decimal))   # exactly these: a bool, a blank or a text is not added


class Total:
    """Exact running sums of one form's numeric inputs (AGG-SUM), as Report.number counts:
    a blank, or text in a numeric cell, adds 0 — as the spreadsheet's SUM does."""

    def __init__(self, fmt: str) -> None:
        self.fmt = fmt
        self.sums: list[int | Decimal] = [0] * len(get_form(fmt).numeric_inputs)

    def add(self, row: Row) -> bool:
        """True when every numeric input was a number (so none was blank)."""
        sums = self.sums
        values = row[:len(sums)]
        if len(values) == len(sums) and _NUMBERS.issuperset(map(type, values)):   # the usual row: in one pass
            self.sums = list(map(add, sums, values))
            return True
        for i, value in enumerate(values):
            if type(value) is int or is_number(value):   # the usual count first: a row a file
                sums[i] += value
        return False

    def report(self, unit: str, year: int) -> Report:
        """A report whose every numeric input is the sum; totals are recomputed by Report."""
        merged = Report.blank(unit, year, self.fmt)
        for f, total in zip(merged.form.numeric_inputs, self.sums):
            merged.values[f.key] = _exact(f.type, total)
        return merged


def _exact(value_type: str, total: int | Decimal) -> int | Decimal:
    if value_type == "money":
        return Decimal(total)
    if isinstance(total, Decimal) and total == total.to_integral_value():
        return int(total)
    return total


def total_of(fmt: str, rows: Iterable[Row]) -> Total:
    total = Total(fmt)
    for row in rows:
        total.add(row)
    return total


SPOOL_BUFFER = 1 << 20


class Spool:
    """Rows kept in an anonymous temporary file (gone when closed or collected), read back
    by the offset `put` returns."""

    def __init__(self) -> None:
        # a unit's row with its narratives (~15 KB) passed the default 8 KB buffer: a write call
        # to the file system each, a fifth of taking in the unit; written a block at a time
        self.file = tempfile.TemporaryFile(prefix="xlsx-reports-merge-", buffering=SPOOL_BUFFER)
        self.end = 0
        self.at_end = True   # rows are put one after another; a seek would flush each
        self.sizes: dict[int, int] = {}   # where a row is -> its length

    def put(self, packed: bytes) -> int:
        """A row as pack made it; where it is."""
        if not self.at_end:
            self.file.seek(self.end)
            self.at_end = True
        at = self.end
        self.file.write(packed)
        self.end += len(packed)
        self.sizes[at] = len(packed)
        return at

    def get(self, at: int) -> Row:
        # read whole by its length: pickle.load on the file itself refilled the 1 MB buffer at
        # every row (a merge of 1,000 long-narrative units writing its rows at the end took
        # 2.97-3.10 s that way, 2.14-2.25 s this way)
        self.file.seek(at)
        self.at_end = False
        return unpack(self.file.read(self.sizes[at]))

    def close(self) -> None:
        self.file.close()
