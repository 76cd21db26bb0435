"""Tables flattened for Markdown and plain text (neither can merge cells).

Markdown joins a merged header path with "／"; plain text prints the label tree indented
and column groups over their columns, aligned for a monospaced reader.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Sequence

from xlsx_reports.report.view import FlatPart


def _flat_lines(part: FlatPart) -> tuple[list[str], list[list[str]]]:
    if part.transposed:
        return ["项目", "数值"], [[h, v] for h, v in zip(part.header[1:], part.lines[0][1:])]
    return part.header, part.lines


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def md_table(part: FlatPart) -> str:
    header, rows = _flat_lines(part)
    lines = [f"**{_md_cell(part.caption)}**", ""] if part.caption else []
    lines.append("| " + " | ".join(_md_cell(h) or " " for h in header) + " |")
    lines.append("|" + "|".join([":---"] + ["---:"] * (len(header) - 1)) + "|")
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def md_text(text: str) -> str:
    """Narrative prose as Markdown: markup characters escaped, "1." not turned into a list."""
    text = re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", str(text))
    return re.sub(r"^(\d+)\.", r"\1\\.", text, flags=re.M)


# Context entries that carry workbook text into a Markdown template (unit, title, 基本信息,
# cells); the website goes through weblink, narratives through the md filter, tables md_table.
MD_TEXT_ENTRIES = ("title", "unit", "merged_units", "info", "cells")


def md_context(context: dict) -> dict:
    """The render context for Markdown: every workbook text escaped once, here, so that a unit
    named <script> or [x](javascript:…) prints as text, never as HTML or a link."""
    out = dict(context)
    for name in MD_TEXT_ENTRIES:
        if name in out:
            out[name] = _md_escaped(out[name], keep=("website",) if name == "info" else ())
    return out


def _md_escaped(value, keep=()):
    if isinstance(value, str):
        return md_text(value)
    if isinstance(value, list):
        return [_md_escaped(v) for v in value]
    if isinstance(value, dict):
        return {k: (v if k in keep else _md_escaped(v)) for k, v in value.items()}
    return value


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * max(0, width - display_width(text))
    return gap + text if right else text + gap


def _tree(paths: list[list[str]]) -> list[tuple[int, str, int | None]]:
    """(depth, label, index of the path it ends or None) in order, shared ancestors once."""
    out: list[tuple[int, str, int | None]] = []
    previous: list[str] = []
    for i, path in enumerate(paths):
        same = 0
        while same < min(len(path), len(previous)) - 1 and path[same] == previous[same]:
            same += 1
        for depth in range(same, len(path)):
            out.append((depth, path[depth], i if depth == len(path) - 1 else None))
        previous = path
    return out


def _header_lines(columns: list[list[str]], widths: list[int]) -> list[list[str | None]]:
    """Multi-level column headers: a group label over the run of columns it spans."""
    depth = max(len(c) for c in columns)
    lines: list[list[str | None]] = []
    for level in range(depth - 1):
        line: list[str | None] = []
        k = 0
        while k < len(columns):
            if len(columns[k]) <= level + 1:
                line.append(""); k += 1
                continue
            run = k
            while run + 1 < len(columns) and columns[run + 1][: level + 1] == columns[k][: level + 1] \
                    and len(columns[run + 1]) > level + 1:
                run += 1
            line.append(columns[k][level])
            line += [None] * (run - k)  # covered by the group label
            k = run + 1
        lines.append(line)
    lines.append([c[-1] if c else "" for c in columns])
    return lines


def text_table(part: FlatPart) -> str:
    """Plain text for a monospaced reader: indented label tree, aligned numbers, group headers."""
    out = [part.caption] if part.caption else []
    if part.transposed:
        return "\n".join(out + _tree_lines(part.columns, part.rows[0][1]))
    paths = [path for path, _ in part.rows]
    widths = [max([display_width(c[-1]) if c else 0] + [display_width(r[1][i]) for r in part.rows])
              for i, c in enumerate(part.columns)]
    label_width = max(2 * d + display_width(t) for d, t, end in _tree(paths) if end is not None)
    corner_fits = display_width(part.corner) <= label_width
    if part.corner and not corner_fits:  # the long note of table 三 goes above the table
        out.append(part.corner)
    head = _header_lines(part.columns, widths)
    for i, line in enumerate(head):
        corner = part.corner if corner_fits and i == len(head) - 1 else ""
        out.append(_pad(corner, label_width) + _joined(line, widths))
    for depth, text, end in _tree(paths):
        label = _pad("  " * depth + text, label_width)
        out.append((label + _joined(part.rows[end][1], widths, right=True)) if end is not None
                   else label.rstrip())
    return "\n".join(line.rstrip() for line in out)


def _joined(cells: Sequence[str | None], widths: list[int], right: bool = False) -> str:
    text, carry = "", 0
    for cell, w in zip(cells, widths):
        if cell is None:      # continuation of a group label written to the left
            carry -= w + 2
            text += " " * max(0, -carry) if carry < 0 else ""
            carry = max(carry, 0)
            continue
        text += "  " + _pad(cell, w, right)
        carry = max(0, display_width(cell) - w)
    return text


def _tree_lines(columns: list[list[str]], values: list[str]) -> list[str]:
    labels = [("  " * d + t, end) for d, t, end in _tree(columns)]
    width = max(display_width(t) for t, end in labels if end is not None)
    return [(_pad(t, width) + "  " + values[end]) if end is not None else t for t, end in labels]
