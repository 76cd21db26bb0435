"""The rendered HTML report read back as an outline: headings, paragraphs, tables.

The HTML template is the one outline of the report; the Word builder lays out what this
module finds in it, so `--template my.html.j2 -o x.docx` shapes the Word document too.
Only what a report needs is understood: h1–h3, p (li, div text), table with thead/tbody,
rowspan/colspan and colgroup widths, <a> and <span class="nobr"> (never broken across
lines), the body class "draft", and class names that say how a paragraph or cell looks.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from xlsx_reports.report.nobreak import NOBREAK_CLASS, split_nobreak

SPACE = re.compile(r"[ \t\r\n]+")
WIDTH = re.compile(r"width\s*:\s*([\d.]+)%")
BLOCK_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "div", "section", "main", "body",
              "header", "footer", "article", "blockquote"}
SKIPPED = {"style", "script", "head", "template"}
TABLE_TAGS = {"thead", "tbody", "tfoot", "tr", "td", "th", "colgroup", "col", "caption"}
VOID = {"br", "col", "meta", "link", "img", "hr", "input", "wbr", "source"}


@dataclass
class Run:
    text: str
    nobreak: bool = False     # a phone number or web address: no line break inside


@dataclass
class Paragraph:
    level: int                      # 0 for a paragraph, 1–3 for h1–h3
    runs: list[Run] = field(default_factory=list)
    classes: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass
class TableCell:
    text: str
    header: bool
    rowspan: int = 1
    colspan: int = 1
    classes: tuple[str, ...] = ()
    row: int = 0          # placed by Table.place(): position in the table's grid
    col: int = 0


@dataclass
class Table:
    classes: tuple[str, ...] = ()
    widths: list[float] = field(default_factory=list)     # per column, in percent
    rows: list[list[TableCell]] = field(default_factory=list)
    head_rows: int = 0                                     # rows of <thead>

    def place(self) -> int:
        """Give every cell its grid position (HTML's table model); returns the column count."""
        taken: set[tuple[int, int]] = set()
        width = 0
        for r, line in enumerate(self.rows):
            col = 0
            for cell in line:
                while (r, col) in taken:
                    col += 1
                cell.row, cell.col = r, col
                for dr in range(cell.rowspan):
                    for dc in range(cell.colspan):
                        taken.add((r + dr, col + dc))
                col += cell.colspan
                width = max(width, col)
        return max([width, len(self.widths)] + [c + 1 for _, c in taken])


@dataclass
class Outline:
    title: str = ""
    draft: bool = False
    blocks: list[Paragraph | Table] = field(default_factory=list)

    @property
    def paragraphs(self) -> list[Paragraph]:
        return [b for b in self.blocks if isinstance(b, Paragraph)]

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.outline = Outline()
        self.skip = 0
        self.in_title = False
        self.para: Paragraph | None = None
        self.table: Table | None = None
        self.cell: TableCell | None = None
        self.in_head = False
        self.inline: list[tuple[str, bool]] = []   # open inline tags: does each forbid breaks

    @property
    def nobreak(self) -> bool:
        return any(b for _, b in self.inline)

    # --- tags ---------------------------------------------------------------------------
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = tuple((a.get("class") or "").split())
        if tag == "title":          # inside <head>, which is otherwise skipped
            self.in_title = True
        elif tag in SKIPPED or self.skip:
            self.skip += tag in SKIPPED
        elif tag == "body":
            self.outline.draft = "draft" in classes
        elif tag == "table":
            self._end_paragraph()
            self.table = Table(classes)
        elif self.table is not None and tag in TABLE_TAGS:
            self._table_tag(tag, a, classes)
        elif tag in BLOCK_TAGS and self.table is None:
            self._end_paragraph()
            level = int(tag[1]) if re.fullmatch(r"h[1-6]", tag) else 0
            if tag in ("p", "li") or level:
                self.para = Paragraph(min(level, 3), [], classes)
        elif tag == "br":
            self._text("\n", raw=True)
        elif tag not in VOID and tag not in BLOCK_TAGS:
            breaks = tag == "a" or NOBREAK_CLASS in classes or "nowrap" in (a.get("style") or "")
            self.inline.append((tag, breaks))

    def _table_tag(self, tag, a, classes):
        table = self.table
        if tag == "thead":
            self.in_head = True
        elif tag == "col":
            m = WIDTH.search(a.get("style") or "")
            table.widths.append(float(m.group(1)) if m else 0.0)
        elif tag == "tr":
            table.rows.append([])
            table.head_rows += self.in_head
        elif tag in ("td", "th") and table.rows:
            self.cell = TableCell("", tag == "th", _span(a.get("rowspan")), _span(a.get("colspan")),
                                  classes)
            table.rows[-1].append(self.cell)

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        elif self.skip:
            self.skip -= tag in SKIPPED
        elif tag == "table" and self.table is not None:
            self.outline.blocks.append(self.table)
            self.table = self.cell = None
        elif tag == "thead":
            self.in_head = False
        elif tag in ("td", "th") and self.cell is not None:
            self.cell.text = SPACE.sub(" ", self.cell.text).strip()
            self.cell = None
        elif tag in BLOCK_TAGS and self.table is None:
            self._end_paragraph()
        elif self.inline and self.inline[-1][0] == tag:
            self.inline.pop()

    def handle_data(self, data):
        if self.in_title:
            self.outline.title += data.strip()
        elif self.skip:
            return
        elif self.cell is not None:
            self.cell.text += data
        elif self.table is None:
            self._text(data)

    # --- text ---------------------------------------------------------------------------
    def _text(self, data: str, raw: bool = False) -> None:
        text = data if raw else SPACE.sub(" ", data)
        if self.para is None:
            if not text.strip():
                return
            self.para = Paragraph(0)
        runs = self.para.runs
        if runs and runs[-1].nobreak == bool(self.nobreak):
            runs[-1].text += text
        else:
            runs.append(Run(text, bool(self.nobreak)))

    def _end_paragraph(self) -> None:
        para, self.para = self.para, None
        if para is None:
            return
        if para.runs:
            para.runs[0].text = para.runs[0].text.lstrip()
            para.runs[-1].text = para.runs[-1].text.rstrip()
        runs = [r for r in para.runs if r.text]
        if runs:
            para.runs = [piece for r in runs for piece in _split(r)]
            self.outline.blocks.append(para)


def _split(run: Run) -> list[Run]:
    """Phone numbers and web addresses in plain text are kept on one line as well."""
    if run.nobreak:
        return [run]
    return [Run(text, nobreak) for text, nobreak in split_nobreak(run.text)]


def _span(value: str | None) -> int:
    try:
        return max(1, int(value or 1))
    except ValueError:
        return 1


def read_outline(html: str) -> Outline:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    reader._end_paragraph()
    return reader.outline
