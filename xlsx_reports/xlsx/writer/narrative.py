"""A narrative's column of paragraph cells: the text split one paragraph a cell, a live
character count beside each paragraph and in all, rows tall enough for the text written.

Empty paragraph rows get no fixed height, so Excel, WPS and LibreOffice grow them as a
paragraph is typed or pasted.
"""
from __future__ import annotations

from typing import Callable

from xlsx_reports.form.model import Field, a1
from xlsx_reports.xlsx.writer.styles import Styles


def paragraphs(text: str | None, count: int) -> list[str]:
    """The text's non-empty lines, at most `count`: what does not fit goes into the last."""
    parts = [p.strip() for p in (text or "").split("\n") if p.strip()]
    if len(parts) > count:
        parts = parts[: count - 1] + ["\n".join(parts[count - 1:])]
    return parts


def write_paragraphs(ws, f: Field, text: str | None, fmt, styles: Styles,
                     height: Callable[[str], float]) -> None:
    """`height(text)`: the row height that shows a paragraph in full."""
    count = f.bottom - f.row + 1
    parts = paragraphs(text, count)
    counter = styles.cell("total", "text", bordered=False)
    for i in range(count):
        row = f.row + i
        cell = a1(row, f.col)
        if i < len(parts):
            ws.write_string(row, f.col, parts[i], fmt)
            ws.set_row(row, height(parts[i]))
        else:
            ws.write_blank(row, f.col, None, fmt)
        ws.write_formula(row, f.col + 1, f'=IF(LEN({cell})=0,"",LEN({cell})&" 字")', counter,
                         f"{len(parts[i])} 字" if i < len(parts) else "")
    first, last = a1(f.row, f.col), a1(f.bottom, f.col)
    total = sum(len(p) for p in parts)
    ws.write_formula(f.bottom + 1, f.col + 1, f'=SUMPRODUCT(LEN({first}:{last}))&" 字"',
                     styles.cell("total", "text"), f"{total} 字")
