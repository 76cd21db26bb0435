"""The report as a Word document (python-docx): real tables with merged cells, A4 pages.

python-docx writes the .docx XML directly (no Word or LibreOffice needed), is well kept,
and makes genuine Word tables whose merged cells are the official table's, so archives
and 公文 systems receive an editable document, not a picture of one.

What goes on the pages is the rendered HTML report read as an outline (outline.py): this
module decides only how each heading, paragraph and table looks on A4 paper, so the HTML
template (default or --template) is the one outline of both.
"""
from __future__ import annotations

import io

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from xlsx_reports.report.outline import Outline, Paragraph, Run, Table

# GB/T 9704 公文: A4, margins top 37 left 28 right 26 bottom 35 mm; body 三号 仿宋, headings 黑体.
PAGE = dict(page_width=Mm(210), page_height=Mm(297), top_margin=Mm(37), bottom_margin=Mm(35),
            left_margin=Mm(28), right_margin=Mm(26))
TEXT_WIDTH_MM = 210 - 28 - 26
BODY_FONT, HEADING_FONT, TITLE_FONT, TABLE_FONT = "仿宋", "黑体", "方正小标宋简体", "宋体"
LATIN_FONT = "Times New Roman"
RED = RGBColor(0xB0, 0, 0)
DRAFT_MARK = "草稿"
ALERT_CLASSES = ("draft-note", "missing")       # report.css prints these in red
LEFT_CLASSES = ("row", "caption", "note")        # label cells read from the left
HEADING_STYLES = {1: "Title", 2: "Heading 1", 3: "Heading 2"}
WORD_JOINER = "\u2060"


def _fonts(style_or_run, east_asian: str, size: float | None = None) -> None:
    """Word picks the CJK font from w:eastAsia and ignores our names if theme fonts are set."""
    font = style_or_run.font
    font.name = LATIN_FONT
    if size:
        font.size = Pt(size)
    rpr = style_or_run.element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asian)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)


def _setup(doc) -> None:
    section = doc.sections[0]
    for name, value in PAGE.items():
        setattr(section, name, value)
    normal = doc.styles["Normal"]
    _fonts(normal, BODY_FONT, 16)
    _language(doc)
    normal.paragraph_format.first_line_indent = Pt(32)
    normal.paragraph_format.line_spacing = Pt(28)
    normal.paragraph_format.space_after = Pt(0)
    for name, font, size in (("Title", TITLE_FONT, 22), ("Heading 1", HEADING_FONT, 16),
                             ("Heading 2", HEADING_FONT, 16)):
        style = doc.styles[name]
        _fonts(style, font, size)
        style.font.bold = False
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.paragraph_format.space_before = Pt(0 if name == "Title" else 12)
        style.paragraph_format.space_after = Pt(12 if name == "Title" else 6)
    doc.styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.styles["Title"].paragraph_format.first_line_indent = Pt(0)
    doc.styles["Heading 1"].paragraph_format.first_line_indent = Pt(32)
    _remove_title_border(doc.styles["Title"])
    _page_number(section)


def _language(doc) -> None:
    """python-docx's blank document declares en-US text and ja-JP theme fonts; LibreOffice,
    replacing a missing 仿宋, then chose glyphs by that language (centred punctuation)."""
    rpr = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "zh-CN")
    for element in (lang, doc.settings.element.find(qn("w:themeFontLang"))):
        if element is not None:
            element.set(qn("w:eastAsia"), "zh-CN")


def _remove_title_border(style) -> None:
    ppr = style.element.get_or_add_pPr()
    for border in ppr.findall(qn("w:pBdr")):
        ppr.remove(border)


def _page_number(section) -> None:
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.first_line_indent = Pt(0)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _draft_header(section) -> None:
    """Every printed page of a draft says so, not only the first."""
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = paragraph.add_run(DRAFT_MARK)
    run.bold = True
    run.font.color.rgb = RED
    _fonts(run, HEADING_FONT, 14)


def _table(doc, view: Table) -> None:
    width = view.place()
    table = doc.add_table(rows=len(view.rows), cols=width)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    keep = _kept_rows(view)
    for line in view.rows:
        for c in line:
            cell = table.cell(c.row, c.col)
            if c.rowspan > 1 or c.colspan > 1:
                last = table.cell(min(c.row + c.rowspan, len(view.rows)) - 1,
                                  min(c.col + c.colspan, width) - 1)
                cell = cell.merge(last)
            note = "note" in c.classes
            _cell_text(cell, c.text, bold="caption" in c.classes,
                       align="left" if set(c.classes) & set(LEFT_CLASSES) else "center",
                       size=8 if width > 10 or note else 9.5, keep=c.row in keep)
    _widths(table, view, width)
    for i, tr in enumerate(table._tbl.tr_lst):
        # a row's label must not be cut across two pages; the head repeats on every page
        flags = ("w:cantSplit", "w:tblHeader") if i < view.head_rows else ("w:cantSplit",)
        for flag in flags:
            element = OxmlElement(flag)
            element.set(qn("w:val"), "true")
            tr.get_or_add_trPr().append(element)


def _kept_rows(view: Table) -> set[int]:
    """Rows that must stay on the page of the row after them: the table head, and rows of
    labels only inside the body (a caption such as 第二十条第（八）项 and its column heads)."""
    last = len(view.rows) - 1
    kept = set(range(min(view.head_rows, last)))
    kept |= {r for r, line in enumerate(view.rows)
             if r < last and line and all(c.header for c in line)}
    return kept


def _cell_text(cell, text: str, *, bold: bool, align: str, size: float, keep: bool) -> None:
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    paragraph = cell.paragraphs[0]
    for extra in cell.paragraphs[1:]:  # merging leaves one empty paragraph per merged cell
        extra._p.getparent().remove(extra._p)
    paragraph.paragraph_format.first_line_indent = Pt(0)
    paragraph.paragraph_format.line_spacing = 1.0
    paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT if align == "left" else WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.keep_with_next = keep or None
    run = paragraph.add_run(text)
    run.bold = bold
    _fonts(run, TABLE_FONT, size)


def _widths(table, view: Table, width: int) -> None:
    given = view.widths[:width] + [0.0] * (width - len(view.widths))
    spare = max(0.0, 100 - sum(given)) / max(1, given.count(0.0))
    shares = [w or spare or 1.0 for w in given]
    widths = [Mm(TEXT_WIDTH_MM * w / sum(shares)) for w in shares]
    for i, column in enumerate(table.columns):
        column.width = widths[i]
    for tr in table._tbl.tr_lst:
        col = 0
        for tc in tr.tc_lst:
            span = tc.grid_span
            tc.width = sum(widths[col: col + span])
            col += span


def _paragraph(doc, block: Paragraph) -> None:
    style = HEADING_STYLES.get(block.level)
    paragraph = doc.add_paragraph(style=style) if style else doc.add_paragraph()
    alert = bool(set(block.classes) & set(ALERT_CLASSES))
    for piece in block.runs:
        run = _run(paragraph, piece)
        if alert:
            run.font.color.rgb = RED
            run.bold = True


def _run(paragraph, piece: Run):
    """A phone number or web address is one unbreakable run: word joiners between its
    characters, and Latin line breaking (LibreOffice breaks Latin text tagged zh-CN at
    any character, even inside a word)."""
    if not piece.nobreak:
        return paragraph.add_run(piece.text)
    run = paragraph.add_run(WORD_JOINER.join(piece.text))
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")
    run._r.get_or_add_rPr().append(lang)
    return run


def build_docx(outline: Outline, *, title: str = "", author: str = "") -> bytes:
    """The outline read from the rendered HTML report, laid out on A4 pages."""
    doc = Document()
    _setup(doc)
    doc.core_properties.title = title or outline.title
    doc.core_properties.author = author
    if outline.draft:
        _draft_header(doc.sections[0])
    for block in outline.blocks:
        if isinstance(block, Table):
            _table(doc, block)
        else:
            _paragraph(doc, block)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
