"""The form model: what a statutory format consists of, as plain frozen data.

A Form is built once per statutory format (see definitions.py) and every other module
interprets it: the writer lays it out, the reader locates cells through it, the checker
evaluates its totals and checks, the merger sums its inputs, the renderer prints it.
Positions are 0-based (row, col); `a1` gives the spreadsheet address.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Literal

from xlsx_reports.core.a1 import a1

Kind = Literal["input", "total", "fixed"]
# count: whole >= 0; signed: whole, may be negative; money: decimal >= 0;
# text/phone/url/date: one-line text; longtext: a narrative section.
ValueType = Literal["count", "signed", "money", "text", "phone", "url", "date", "longtext"]
NUMERIC_TYPES = ("count", "signed", "money")
Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Label:
    """Fixed text printed on a sheet; may span a rectangle of merged cells."""
    text: str
    row: int
    col: int
    last_row: int | None = None
    last_col: int | None = None
    role: Literal["title", "caption", "header", "row", "note", "hint"] = "header"

    @property
    def bottom(self) -> int:
        return self.row if self.last_row is None else self.last_row

    @property
    def right(self) -> int:
        return self.col if self.last_col is None else self.last_col

    @property
    def merged(self) -> bool:
        return (self.bottom, self.right) != (self.row, self.col)

    @property
    def a1(self) -> str:
        return a1(self.row, self.col)

    @property
    def range(self) -> str:
        return f"{a1(self.row, self.col)}:{a1(self.bottom, self.right)}"


@dataclass(frozen=True)
class Field:
    """One cell that holds a value: an input, a prefilled fixed value, or a total.

    `key` is stable across layouts and years (e.g. ``t3.new.natural``); `labels` is the
    statutory path that identifies the cell; a total's `terms` are the keys it sums
    (a leading "-" subtracts) and `rule` is the rule code its sum stands for.
    """
    key: str
    labels: tuple[str, ...]
    kind: Kind
    type: ValueType
    sheet: str
    row: int
    col: int
    last_col: int | None = None
    terms: tuple[str, ...] = ()
    rule: str = ""
    unit: str = ""
    table: str = ""
    topic: str = ""     # what prose calls it: 信息处理费 (for 信息处理费：收费件数（件）)
    # a closed list to choose from (Excel list validation; anything else is flagged)
    choices: tuple[str, ...] = ()
    # may stay blank, and is absent from workbooks made before it was added (read as blank)
    optional: bool = False
    # a narrative: one paragraph per row, rows `row`..`last_row`, read back as one text
    last_row: int | None = None

    @property
    def a1(self) -> str:
        return a1(self.row, self.col)

    def choice_problem(self, text: str) -> str | None:
        if self.choices and text not in self.choices:
            return f"不是可选的{self.labels[-1]}之一（{'、'.join(self.choices)}）"
        return None

    @property
    def short(self) -> str:
        """The field's own label, or its topic where prose needs only that."""
        return self.topic or self.labels[-1]

    @property
    def bottom(self) -> int:
        return self.row if self.last_row is None else self.last_row

    @property
    def numeric(self) -> bool:
        return self.type in NUMERIC_TYPES

    @property
    def right(self) -> int:
        return self.col if self.last_col is None else self.last_col


@dataclass(frozen=True)
class Sheet:
    name: str
    role: Literal["table", "narrative", "info"]
    title: str
    labels: tuple[Label, ...]
    fields: tuple[Field, ...]
    widths: tuple[float, ...]
    heights: tuple[tuple[int, float], ...] = ()
    landscape: bool = False
    header_rows: tuple[int, int] | None = None
    freeze: tuple[int, int] | None = None
    hint: str = ""
    table: str = ""
    # narratives: the fewest characters real content needs, and whether a plain "无" will do
    min_chars: int = 0
    none_ok: bool = False


Op = Literal["eq", "ge", "le", "lt", "zero_iff_zero", "decimals_le", "zero_or_ne"]


@dataclass(frozen=True)
class Check:
    """A consistency rule over cells: Σleft <op> Σright (or a constant).

    The same object becomes a live formula on the 校验 sheet and is evaluated in Python by
    the checker, so the rule the township sees is the rule the district applies.
    """
    code: str
    severity: Severity
    left: tuple[str, ...]
    op: Op
    right: tuple[str, ...] = ()
    const: Decimal | int | None = None
    text: str = ""
    advice: str = ""
    # only for units of these levels (基本信息 单位层级); an unset level is never judged
    levels: tuple[str, ...] = ()

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(k.lstrip("-") for k in self.left + self.right)

    def applies(self, level: str | None) -> bool:
        return not self.levels or level in self.levels


@dataclass(frozen=True)
class Carry:
    """A rule across years: this year's `target` = Σ`previous` (last year's cells) + Σ`current`.

    With `prefill`, `new --previous` fills `target` from last year's workbook.
    """
    code: str
    severity: Severity
    target: str
    previous: tuple[str, ...]
    current: tuple[str, ...] = ()
    prefill: bool = False
    text: str = ""


@dataclass(frozen=True)
class Section:
    """One of the six statutory parts of the report and the sheet that holds it."""
    number: str   # 一 … 六
    heading: str  # the statutory heading, verbatim
    sheet: str
    kind: Literal["table", "narrative"] = "narrative"
    part: str = ""                 # the heading without its number: 总体情况
    text: str = ""                 # a narrative's text field (s1.text)
    extra: tuple[str, ...] = ()    # numbers asked for under the narrative (2021 六: 信息处理费)
    table: str = ""                # a table section's table (t2, t3, t4)


@dataclass(frozen=True)
class Form:
    format: str                 # "2019" or "2021"
    basis: str                  # the notice that defines the format
    first_year: int
    last_year: int | None
    sections: tuple[Section, ...]
    sheets: tuple[Sheet, ...]
    checks: tuple[Check, ...] = ()
    carries: tuple[Carry, ...] = ()
    groups: tuple[Group, ...] = ()        # table 三's result groups （一）…（六）
    results_total: Group | None = None    # table 三's （七）总计: every result row
    numbered: tuple[tuple[str, str], ...] = ()   # table 三's numbering -> row key: (一, new)

    def section(self, number: str) -> Section:
        """The section numbered 一 … 六."""
        return next(s for s in self.sections if s.number == number)

    def section_of(self, sheet: str) -> Section | None:
        return next((s for s in self.sections if s.sheet == sheet), None)

    @property
    def narratives(self) -> tuple[Section, ...]:
        return tuple(s for s in self.sections if s.kind == "narrative")

    def group(self, key: str) -> Group:
        return next(g for g in self.groups if g.key == key)

    def fits_year(self, year: int) -> bool:
        return year >= self.first_year and (self.last_year is None or year <= self.last_year)

    @cached_property
    def fields(self) -> tuple[Field, ...]:
        return tuple(f for s in self.sheets for f in s.fields)

    @cached_property
    def by_key(self) -> dict[str, Field]:
        return {f.key: f for f in self.fields}

    def field(self, key: str) -> Field:
        return self.by_key[key.lstrip("-")]

    def sheet(self, name: str) -> Sheet:
        return next(s for s in self.sheets if s.name == name)

    def table_sheet(self, table: str) -> Sheet:
        return next(s for s in self.sheets if s.table == table)

    @cached_property
    def inputs(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.kind == "input")

    @cached_property
    def numeric_inputs(self) -> tuple[Field, ...]:
        return tuple(f for f in self.inputs if f.numeric)

    @cached_property
    def totals(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.kind == "total")

    def table_fields(self, table: str) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.table == table)

    @cached_property
    def fingerprint(self) -> str:
        """A hash of the layout: every sheet, label and field position. Values do not count."""
        return self._fingerprint(())

    @cached_property
    def fingerprints(self) -> frozenset[str]:
        """This layout's and the older one without the optional rows (read as they are)."""
        return frozenset((self.fingerprint, self._fingerprint(self.optional_rows)))

    @cached_property
    def optional_rows(self) -> tuple[tuple[str, int], ...]:
        """(sheet, row) of optional fields: the row's label and cell may be absent."""
        return tuple((f.sheet, f.row) for f in self.fields if f.optional)

    def _fingerprint(self, without: tuple[tuple[str, int], ...]) -> str:
        layout = [
            (s.name, [(lb.text, lb.row, lb.col, lb.bottom, lb.right) for lb in s.labels
                      if (s.name, lb.row) not in without],
             [(f.key, f.kind, f.type, f.row, f.col, f.terms) for f in s.fields
              if (s.name, f.row) not in without])
            for s in self.sheets
        ]
        raw = json.dumps([self.format, layout], ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Axis:
    """One row or column of a grid table: its key, label path and (for totals) what it sums."""
    key: str
    labels: tuple[str, ...]
    total_of: tuple[str, ...] = ()
    rule: str = ""
    number: str = ""     # the statutory numbering a report quotes: 一, 二, （七）, 四


@dataclass(frozen=True)
class Grid:
    """A matrix table (三, 四): row and column header trees around a block of cells."""
    table: str
    rows: tuple[Axis, ...]
    cols: tuple[Axis, ...]
    label_cols: int
    header_rows: int
    corner: str = ""
    value_type: ValueType = "count"
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Group:
    """A result group of table 三: （三）不予公开 and the rows it adds up."""
    key: str                  # withheld (the first part of its row keys)
    number: str               # （三）
    label: str                # （三）不予公开, verbatim
    short: str                # 不予公开: the words prose uses
    rows: tuple[str, ...]     # row keys: withheld.secret, …


# --- Records the definitions are written in (layout.py places them) ---------------------

@dataclass(frozen=True)
class Entry:
    """A labelled single value: a 基本信息 row, or a number asked under a narrative."""
    key: str
    label: str
    type: ValueType
    kind: Kind = "input"
    unit: str = ""
    topic: str = ""


@dataclass(frozen=True)
class Column:
    """A value column of a table 二 block."""
    key: str
    label: str
    type: ValueType = "count"
    unit: str = ""


@dataclass(frozen=True)
class Row:
    key: str
    label: str


@dataclass(frozen=True)
class Block:
    """A captioned block of table 二: 第二十条第（一）项 with its columns and rows."""
    caption: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
