"""What a report looks like on paper, as plain data: the template context.

Everything printed comes from the Form: tables are laid out from the sheet's Labels and
Fields (so merged headers are exactly the official ones), headings from Form.sections,
group subtotals from Form.groups (table 三's declared result groups). The Jinja2 templates
only walk these views (Word lays out the rendered HTML); none of them spells a statutory label.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from xlsx_reports.core.findings import CannotContinue
from xlsx_reports.core.numbers import cell_text
from xlsx_reports.form.model import Form, Sheet
from xlsx_reports.form.values import Report

HEADER_ROLES = ("caption", "header", "note")
FLAT_JOIN = "／"


@dataclass
class Cell:
    """One printed cell of a table; `role` is a Label role or a Field kind ("input", "total")."""
    text: str
    role: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1
    key: str = ""
    value: Any = None
    label_id: int = -1

    def __str__(self) -> str:  # {{ row.cells.natural }} in a template prints the value
        return self.text

    @property
    def header(self) -> bool:
        return self.role in HEADER_ROLES

    @property
    def numeric(self) -> bool:
        return bool(self.key)


@dataclass
class FlatPart:
    """A table flattened for Markdown/plain text: label paths instead of merged cells.

    `columns` holds each data column's header path (labels spanning every data column
    dropped), `rows` each data row's label path and printed values.
    """
    caption: str
    corner: str
    columns: list[list[str]]
    rows: list[tuple[list[str], list[str]]]

    @property
    def transposed(self) -> bool:
        """A single unlabeled data row (table 四) reads better as one line per column."""
        return len(self.rows) == 1 and not self.rows[0][0] and len(self.columns) > 1

    @property
    def header(self) -> list[str]:
        return [self.corner] + [FLAT_JOIN.join(c) for c in self.columns]

    @property
    def lines(self) -> list[list[str]]:
        return [[FLAT_JOIN.join(path)] + values for path, values in self.rows]


@dataclass
class RowView:
    """A data row: its key (``withheld.secret``), label path, and cells by column key."""
    key: str
    labels: list[str]
    cells: dict[str, Cell]


@dataclass
class ColumnView:
    key: str                 # natural, total, review.upheld, made, …
    labels: list[str]        # header path (labels over every column left out)


@dataclass
class TableView:
    key: str                 # t2, t3, t4
    number: str              # 二, 三, 四
    heading: str
    sheet: str
    width: int               # columns of the printed table
    head_rows: int           # leading rows that form the table head (repeat on each page)
    grid: list[list[Cell]]   # per row, the cells that start there (HTML/Word order)
    parts: list[FlatPart]
    widths: tuple[float, ...]
    rows: list[RowView] = field(default_factory=list)
    columns: list[ColumnView] = field(default_factory=list)

    @property
    def head(self) -> list[list[Cell]]:
        return self.grid[: self.head_rows]

    @property
    def body(self) -> list[list[Cell]]:
        return self.grid[self.head_rows:]


def _placed(sheet: Sheet, report: Report) -> list[Cell]:
    cells = [
        Cell(lb.text, lb.role, lb.row, lb.col, lb.bottom - lb.row + 1, lb.right - lb.col + 1,
             label_id=i)
        for i, lb in enumerate(sheet.labels) if lb.role not in ("title", "hint")
    ]
    for f in sheet.fields:
        value = report.value(f.key)
        cells.append(Cell(cell_text(value), f.kind, f.row, f.col, 1, f.right - f.col + 1,
                          key=f.key, value=value))
    return cells


def _layout(sheet: Sheet, report: Report) -> tuple[list[list[Cell]], list[list[Cell]]]:
    """Rows of starting cells, and an occupancy map (each position -> the cell covering it)."""
    cells = _placed(sheet, report)
    top = min(c.row for c in cells)
    bottom = max(c.row + c.rowspan - 1 for c in cells)
    width = max(c.col + c.colspan for c in cells)
    cover: list[list[Cell | None]] = [[None] * width for _ in range(bottom - top + 1)]
    for c in cells:
        for r in range(c.row, c.row + c.rowspan):
            for k in range(c.col, c.col + c.colspan):
                if cover[r - top][k] is not None:
                    raise CannotContinue(f"表格“{sheet.name}”的定义有重叠的单元格（第{r + 1}行）", code="DEFINITION")
                cover[r - top][k] = c
    # a hole in the layout still prints as an empty cell
    full = [[Cell("", "blank", r + top, k) if c is None else c for k, c in enumerate(line)]
            for r, line in enumerate(cover)]
    grid = [[c for k, c in enumerate(line) if c.row == r + top and c.col == k]
            for r, line in enumerate(full)]
    return grid, full


def _distinct(cells: list[Cell]) -> list[str]:
    out, seen = [], set()
    for c in cells:
        ident = (c.row, c.col)
        if c.text and ident not in seen:
            seen.add(ident)
            out.append(c.text)
    return out


def _flatten(cover: list[list[Cell]]) -> list[FlatPart]:
    """Split at captions; each part: header lines, then data lines (see FlatPart)."""
    parts: list[tuple[str, list[list[Cell]], list[list[Cell]]]] = []
    for line in cover:
        kinds = {c.role for c in line}
        if kinds == {"caption"}:
            parts.append((line[0].text, [], []))
        elif any(c.key for c in line):
            if not parts:
                parts.append(("", [], []))
            parts[-1][2].append(line)
        else:
            if not parts or parts[-1][2]:
                parts.append(("", [], []))
            parts[-1][1].append(line)
    return [_flat_part(caption, head, body) for caption, head, body in parts]


def _flat_part(caption: str, head: list[list[Cell]], body: list[list[Cell]]) -> FlatPart:
    first_value = min(c.col for line in body for c in line if c.key)
    starts = sorted({c.col for line in body for c in line if c.key})
    data_width = len(head[0]) - first_value if head else 0

    def column_path(col: int) -> list[str]:
        covering = [line[col] for line in head]
        return _distinct([c for c in covering if not (len(starts) > 1 and c.colspan >= data_width)])

    corner = FLAT_JOIN.join(_distinct([line[k] for line in head for k in range(first_value)]))
    rows = [(_distinct(line[:first_value]), [line[k].text for k in starts]) for line in body]
    return FlatPart(caption, corner, [column_path(k) for k in starts], rows)


def table_view(form: Form, report: Report, table: str) -> TableView:
    sheet = form.table_sheet(table)
    grid, cover = _layout(sheet, report)
    section = form.section_of(sheet.name)
    assert section is not None   # a table's sheet belongs to a section
    head_rows = sheet.header_rows[1] - sheet.header_rows[0] if sheet.header_rows else 0
    parts = _flatten(cover)
    rows, columns = _rows_and_columns(cover, parts)
    return TableView(table, section.number, section.heading, sheet.name, len(cover[0]),
                     head_rows, grid, parts, sheet.widths, rows, columns)


def _rows_and_columns(cover, parts: list[FlatPart]) -> tuple[list[RowView], list[ColumnView]]:
    """Split each row's cell keys into a row key (their common prefix) and column keys."""
    data_lines = [line for line in cover if any(c.key for c in line)]
    flat = [(part, path) for part in parts for path, _ in part.rows]
    rows: list[RowView] = []
    columns: dict[str, ColumnView] = {}
    for line, (part, path) in zip(data_lines, flat):
        cells = list({id(c): c for c in line if c.key}.values())
        keys = [c.key.split(".") for c in cells]
        common = 0
        while common < min(map(len, keys)) - 1 and len({k[common] for k in keys}) == 1:
            common += 1
        col_keys = [".".join(k[common:]) for k in keys]
        rows.append(RowView(".".join(keys[0][1:common]), path, dict(zip(col_keys, cells))))
        for key, labels in zip(col_keys, part.columns):
            columns.setdefault(key, ColumnView(key, labels))
    return rows, list(columns.values())


# --- Groups of table 三: （一）…（六） with their subtotals -------------------------------

@dataclass
class GroupView:
    key: str                    # withheld, unavailable, … (Form.groups)
    label: str                  # （三）不予公开
    short: str                  # 不予公开
    number: str                 # （三）
    rows: list[str]             # row keys summed
    values: dict[str, Any]      # column key -> subtotal
    total: Any


def t3_groups(form: Form, t3: TableView | None) -> dict[str, GroupView]:
    """The declared result groups with their subtotals per column of the printed table."""
    if t3 is None or not form.groups:
        return {}
    rows = {r.key: r for r in t3.rows}
    total_col = next(k for k, c in t3.rows[0].cells.items() if c.role == "total")
    views = {}
    for g in form.groups:
        values: dict[str, Any] = {}
        for row in g.rows:
            for col, cell in rows[row].cells.items():
                values[col] = values.get(col, 0) + (cell.value or 0)
        views[g.key] = GroupView(g.key, g.label, g.short, g.number, list(g.rows), values,
                                 values[total_col])
    return views


# --- Sections, narratives, information -------------------------------------------------

@dataclass
class Narrative:
    key: str
    text: str

    @property
    def paragraphs(self) -> list[str]:
        return [p.strip() for p in re.split(r"\n+", self.text) if p.strip()]


@dataclass
class ExtraField:
    key: str
    label: str
    unit: str
    value: Any
    text: str
    type: str = ""                      # the Field's type: count, money
    topic: str = ""                     # what prose calls it (Field.topic): 信息处理费


@dataclass
class SectionView:
    number: str
    heading: str
    sheet: str
    kind: str                           # "table" or "narrative"
    table: TableView | None = None
    narrative: Narrative | None = None
    extra: list[ExtraField] = field(default_factory=list)

    @property
    def extra_in_text(self) -> bool:
        """The narrative already speaks of what the extra cells hold (the workbook asks for
        both), so a sentence generated from them would say it a second time."""
        return bool(self.narrative and self.extra
                    and any(e.topic in self.narrative.text for e in self.extra))


def section_views(form: Form, report: Report, tables: dict[str, TableView]) -> list[SectionView]:
    views = []
    for s in form.sections:
        if s.kind == "table":
            views.append(SectionView(s.number, s.heading, s.sheet, "table", table=tables[s.table]))
            continue
        fields = [form.field(k) for k in s.extra]
        extra = [ExtraField(f.key, f.labels[-1], f.unit, report.value(f.key),
                            cell_text(report.value(f.key)), f.type, f.short)
                 for f in fields]
        views.append(SectionView(s.number, s.heading, s.sheet, "narrative",
                                 narrative=Narrative(s.text, report.text(s.text)), extra=extra))
    return views


def info_view(form: Form, report: Report) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """基本信息 by short key (info.office -> office) and as (label, text) rows."""
    fields = [f for f in form.fields if f.table == "info"]
    by_key = {f.key.split(".", 1)[1]: cell_text(report.value(f.key)) for f in fields}
    return by_key, [(f.labels[-1], cell_text(report.value(f.key))) for f in fields]


def title_text(report: Report) -> str:
    return f"{report.unit}{report.year}年政府信息公开工作年度报告"
