"""Turns table structures (header trees, blocks) into positioned labels and fields.

This is the only place that decides where a label or a cell sits on a sheet; it runs
once when a form is defined, so the writer, reader and checker share one layout.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from xlsx_reports.form.model import Axis, Block, Entry, Field, Grid, Label, Sheet

TITLE_ROW = 0


def _tree(paths: list[tuple[int, tuple[str, ...]]], depth: int, level: int = 0):
    """Yield (text, first_level, last_level, first_pos, last_pos) for a header tree.

    Consecutive paths sharing a prefix share one merged label; a path's last label
    stretches down to the deepest level so leaves line up with the data cells.
    """
    i = 0
    while i < len(paths):
        pos, path = paths[i]
        if len(path) <= level:
            i += 1
            continue
        j = i
        while (j + 1 < len(paths) and len(paths[j + 1][1]) > level
               and paths[j + 1][1][: level + 1] == path[: level + 1]):
            j += 1
        last_level = depth - 1 if len(path) == level + 1 else level
        yield path[level], level, last_level, pos, paths[j][0]
        if len(path) > level + 1:
            yield from _tree(paths[i: j + 1], depth, level + 1)
        i = j + 1


def grid_sheet(name: str, title: str, grid: Grid, *, widths: tuple[float, ...],
               label_skip: int = 0, landscape: bool = False, hint: str = "") -> Sheet:
    first_data_row = 1 + grid.header_rows
    ncols = grid.label_cols + len(grid.cols)
    labels = [Label(title, TITLE_ROW, 0, None, ncols - 1, role="title")]
    if grid.corner:
        labels.append(Label(grid.corner, 1, 0, grid.header_rows, grid.label_cols - 1, role="note"))
    col_paths = [(grid.label_cols + i, c.labels) for i, c in enumerate(grid.cols)]
    for text, lv0, lv1, p0, p1 in _tree(col_paths, grid.header_rows):
        labels.append(Label(text, 1 + lv0, p0, 1 + lv1, p1, role="header"))
    row_paths = [(first_data_row + i, r.labels) for i, r in enumerate(grid.rows)]
    for text, lv0, lv1, p0, p1 in _tree(row_paths, grid.label_cols):
        labels.append(Label(text, p0, lv0, p1, lv1, role="row"))
    fields = [
        _grid_field(grid, name, r, c, first_data_row + ri, grid.label_cols + ci, label_skip)
        for ri, r in enumerate(grid.rows) for ci, c in enumerate(grid.cols)
    ]
    return Sheet(name=name, role="table", title=title, labels=_clean(labels), fields=tuple(fields),
                 widths=widths, landscape=landscape, header_rows=(0, grid.header_rows),
                 freeze=(first_data_row, grid.label_cols), hint=hint, table=grid.table)


def cell_key(table: str, row: str, col: str) -> str:
    return ".".join(p for p in (table, row, col) if p)


def _grid_field(grid: Grid, sheet: str, r: Axis, c: Axis, row: int, col: int, skip: int) -> Field:
    key = cell_key(grid.table, r.key, c.key)
    common: dict[str, Any] = dict(key=key, labels=r.labels + c.labels[skip:], type=grid.value_type,
                  sheet=sheet, row=row, col=col, table=grid.table)
    if c.total_of:
        terms = tuple(cell_key(grid.table, r.key, t) for t in c.total_of)
        return Field(kind="total", terms=terms, rule=c.rule, **common)
    if r.total_of:
        terms = tuple(cell_key(grid.table, t, c.key) for t in r.total_of)
        return Field(kind="total", terms=terms, rule=r.rule, **common)
    return Field(kind="input", **common)


def _clean(labels: list[Label]) -> tuple[Label, ...]:
    """Collapse 1×1 'merges' to plain cells so the writer never merges a single cell."""
    out = []
    for lb in labels:
        if lb.last_row == lb.row and lb.last_col == lb.col:
            lb = Label(lb.text, lb.row, lb.col, role=lb.role)
        out.append(lb)
    return tuple(out)


# --- Table 二: captioned blocks ------------------------------------------------------

def blocks_sheet(name: str, title: str, table: str, first_header: str, blocks: tuple[Block, ...],
                 *, value_cols: int, widths: tuple[float, ...], hint: str = "") -> Sheet:
    """Section 二: each block is a caption row, a header row and its data rows.

    When a block has fewer value columns than the table, its last column spans the rest
    (the official table prints （五）（六）（八） of 2021 that way).
    """
    last = value_cols
    labels = [Label(title, TITLE_ROW, 0, None, last, role="title")]
    fields: list[Field] = []
    row = 1
    for block in blocks:
        cols = block.columns
        labels.append(Label(block.caption, row, 0, None, last, role="caption"))
        labels.append(Label(first_header, row + 1, 0, role="header"))
        for i, c in enumerate(cols):
            right = last if i == len(cols) - 1 else i + 1
            labels.append(Label(c.label, row + 1, i + 1, None, right, role="header"))
        for r, line in enumerate(block.rows):
            labels.append(Label(line.label, row + 2 + r, 0, role="row"))
            for i, c in enumerate(cols):
                right = last if i == len(cols) - 1 else i + 1
                fields.append(Field(
                    key=cell_key(table, line.key, c.key), labels=(block.caption, line.label, c.label),
                    kind="input", type=c.type, sheet=name, row=row + 2 + r, col=i + 1,
                    last_col=right if right != i + 1 else None, unit=c.unit, table=table))
        row += 2 + len(block.rows)
    return Sheet(name=name, role="table", title=title, labels=_clean(labels), fields=tuple(fields),
                 widths=widths, header_rows=None, freeze=(1, 1), hint=hint, table=table)


# --- Narrative and information sheets -------------------------------------------------

PARAGRAPHS = 30      # paragraph cells of a narrative; a pasted text of more lands in the last
COUNT_LABEL = "以上各段合计字数（随填写自动更新）"


def narrative_sheet(name: str, title: str, key: str, hint: str, extra: tuple[Entry, ...] = (), *,
                    min_chars: int = 0, none_ok: bool = False) -> Sheet:
    """A section written as prose: title, guidance, a column of paragraph cells (one
    paragraph each: Enter goes to the next, a multi-paragraph paste from Word fills one per
    paragraph, in Excel, WPS and LibreOffice alike), the number of characters written, and
    optional numbers.

    `extra` are inputs placed under the text (the 2021 信息处理费 in 六); `min_chars` and
    `none_ok` say what content the section needs (NARRATIVE).
    """
    last = 2 + PARAGRAPHS - 1
    labels = [Label(title, TITLE_ROW, 0, None, 1, role="title"),
              Label(hint, 1, 0, None, 1, role="hint"),
              Label(COUNT_LABEL, last + 1, 0, role="note")]
    fields = [Field(key=key, labels=(title,), kind="input", type="longtext", sheet=name,
                    row=2, col=0, last_row=last, table=key.split(".")[0])]
    fields += _extra_fields(name, title, key, extra, last + 3, labels)
    return Sheet(name=name, role="narrative", title=title, labels=_clean(labels),
                 fields=tuple(fields), widths=(96, 14), heights=((1, 120),), hint=hint,
                 min_chars=min_chars, none_ok=none_ok)


def narrative_sheet_v1(sheet: Sheet) -> Sheet:
    """`sheet` in the layout of the 2025 season's workbooks (up to commit 557a8e3): one large
    merged text cell. Kept so that returns made on it are still located and read."""
    text = next(f for f in sheet.fields if f.type == "longtext")
    labels = [Label(sheet.title, TITLE_ROW, 0, None, 1, role="title"),
              Label(sheet.hint, 1, 0, None, 1, role="hint")]
    fields = [Field(key=text.key, labels=(sheet.title,), kind="input", type="longtext",
                    sheet=sheet.name, row=2, col=0, last_col=1, table=text.table)]
    fields += _extra_fields(sheet.name, sheet.title, text.key, narrative_extra(sheet), 4, labels)
    return replace(sheet, labels=_clean(labels), fields=tuple(fields), widths=(88, 22),
                   heights=((1, 120), (2, 400)))


def _extra_fields(name: str, title: str, key: str, extra: tuple[Entry, ...], first: int,
                  labels: list[Label]) -> list[Field]:
    fields = []
    for i, e in enumerate(extra):
        labels.append(Label(e.label, first + i, 0, role="row"))
        fields.append(Field(key=e.key, labels=(title, e.label), kind=e.kind, type=e.type,
                            sheet=name, row=first + i, col=1, unit=e.unit, table=key.split(".")[0],
                            topic=e.topic))
    return fields


def narrative_extra(sheet: Sheet) -> tuple[Entry, ...]:
    """The `extra` a narrative sheet was built with (to lay it out again)."""
    return tuple(Entry(f.key, f.labels[-1], f.type, f.kind, f.unit, f.topic)
                 for f in sheet.fields if f.type != "longtext")


def info_sheet(name: str, title: str, items: tuple[Entry, ...],
               choices: dict[str, tuple[str, ...]] | None = None) -> Sheet:
    """基本信息: one entry per row, label in A, value in B. A field with `choices` is an
    optional list (added later: older workbooks lack its row)."""
    labels = [Label(title, TITLE_ROW, 0, None, 1, role="title")]
    fields = []
    for i, e in enumerate(items):
        listed = (choices or {}).get(e.key, ())
        labels.append(Label(e.label, 1 + i, 0, role="row"))
        fields.append(Field(key=e.key, labels=(title, e.label), kind=e.kind, type=e.type,
                            sheet=name, row=1 + i, col=1, unit=e.unit, table="info",
                            topic=e.topic, choices=listed, optional=bool(listed)))
    return Sheet(name=name, role="info", title=title, labels=_clean(labels), fields=tuple(fields),
                 widths=(20, 60))
