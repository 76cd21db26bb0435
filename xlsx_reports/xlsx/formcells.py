"""The form's cells, read from the located sheets of a workbook: one CellReading per cell and
each input's value as the report means it.

Hundreds of cells per workbook and thousands of workbooks: the cells are walked sheet by
sheet, in an order worked out once per form for every workbook laid out as the form is (a
workbook with rows or sheets moved has its own walk), so each is read with a few lookups.
"""
from __future__ import annotations

import itertools
from typing import Any, NamedTuple

from xlsx_reports.core.memo import ByIdentity
from xlsx_reports.form.compiled import derived
from xlsx_reports.form.model import Field, Form
from xlsx_reports.xlsx.cellvalue import WHOLE, meant_value, plain_text
from xlsx_reports.xlsx.rawsheet import ADDRESSES, RawSheet

Spots = dict[str, tuple[str, int, int]]   # key -> (workbook sheet, row, column), zero-based
# per sheet: (key, where, A1, the field when it spans rows (a narrative), value type (None: a total))
Walk = tuple[tuple[str, tuple[tuple[str, tuple[int, int], str, Field | None, str | None], ...]], ...]


class CellReading(NamedTuple):
    """One form cell as found: `value` is what the spreadsheet shows (a formula's cached
    result, since that is what the person saw), `formula` the formula text or None,
    `cached` the stored result of the formula load (None when never calculated).
    Immutable like the other readings; a tuple because a workbook has hundreds of them and
    a tuple is made in a third of a frozen dataclass's time."""
    key: str
    sheet: str
    a1: str
    value: Any
    formula: str | None
    cached: Any
    locked: bool = True
    validation: tuple[str, str, str] | None = None   # (type, operator, formula1)
    number_format: str = "General"


def laid_out(form: Form, spots: Spots) -> bool:
    """Whether every cell of the form was found where the form puts it."""
    return spots == _own(form)[0]


def read_cells(form: Form, spots: Spots, by_name: dict[str, RawSheet], own_places: bool
               ) -> tuple[dict[str, CellReading], dict[str, Any]]:
    """Each located cell of the form, and each located input's value as meant (the report's).
    own_places: laid_out(form, spots)."""
    cells: dict[str, CellReading] = {}
    values: dict[str, Any] = {}
    new = tuple.__new__   # all nine fields given: no defaults to fill in
    for sheet, walk in (_own(form)[1] if own_places else _walk(form, spots)):
        raw = by_name[sheet]
        stored_of, cached_of = raw.values.get, raw.cached.get
        for (key, at, a1, narrative, value_type), (locked, validation, number_format) in zip(walk, _facts(walk, raw)):
            stored, cached = stored_of(at), cached_of(at)
            formula = stored if stored.__class__ is str and stored.startswith("=") else None
            # what RawSheet.shown gives, or a narrative's paragraphs
            value = _paragraphs(narrative, raw, *at) if narrative else cached if formula else stored
            cells[key] = new(CellReading, (key, sheet, a1, value, formula, cached, locked, validation, number_format))
            if value_type is not None:
                values[key] = value if value.__class__ is int and value_type in WHOLE else meant_value(value_type, value)
    return cells, values


_FACTS = ByIdentity(keep=256)   # (walk, Fixed) -> each walked cell's locking, validation and format


def _facts(walk: tuple, raw: RawSheet) -> tuple:
    """(locked, validation, number format) of each walked cell: for a sheet whose facts beside
    its values were copied from a Fixed (fastcells), the same as for every workbook before it."""
    fixed = raw.fixed
    if fixed is None:
        return _looked_up(walk, raw)
    facts = _FACTS.get(walk, fixed)
    if facts is None:
        facts = _looked_up(walk, raw)
        _FACTS.put(facts, walk, fixed)
    return facts


def _looked_up(walk: tuple, raw: RawSheet) -> tuple:
    locked_of, validation_of, format_of = raw.locked.get, raw.validations.get, raw.formats.get
    return tuple((locked_of(at, True), validation_of(at), format_of(at, "General")) for _k, at, *_rest in walk)


@derived
def _own(form: Form) -> tuple[Spots, Walk]:
    """The form's own places of its cells, and the walk over them."""
    spots = {f.key: (f.sheet, f.row, f.col) for f in form.fields}
    return spots, _walk(form, spots)


def _walk(form: Form, spots: Spots) -> Walk:
    """The located cells in the form's order, in runs of one sheet."""
    runs: list[tuple[str, list]] = []
    for f in form.fields:
        spot = spots.get(f.key)
        if spot is None:
            continue
        sheet, row, col = spot
        if not runs or runs[-1][0] != sheet:
            runs.append((sheet, []))
        narrative = f if f.last_row is not None and f.last_row != f.row else None
        runs[-1][1].append((f.key, (row, col), ADDRESSES[(row, col)], narrative,
                            None if f.kind == "total" else f.type))
    return tuple((sheet, tuple(walk)) for sheet, walk in runs)


def _paragraphs(f: Field, raw: RawSheet, row: int, col: int) -> str | None:
    """A narrative's paragraph cells as one text, a paragraph a line; empty cells (a blank
    line pasted from Word) left out, and a paragraph cell holding several lines kept whole."""
    values, cached = raw.values, raw.cached
    texts = []
    for at in zip(range(row, row + f.bottom - f.row + 1), itertools.repeat(col)):
        v = values.get(at)   # what RawSheet.shown gives: most paragraph cells are empty
        if v.__class__ is str and v.startswith("="):
            v = cached.get(at)
        if v not in (None, ""):
            text = plain_text(v).strip()
            if text:
                texts.append(text)
    return "\n".join(texts) or None
