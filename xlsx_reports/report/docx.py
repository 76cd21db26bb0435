"""The report as a Word document (python-docx): real tables with merged cells, A4 pages.

python-docx writes the .docx XML directly (no Word or LibreOffice needed), is well kept,
and makes genuine Word tables whose merged cells are the official table's, so archives
and 公文 systems receive an editable document, not a picture of one.
"""
from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from xlsx_reports.report.view import TableView

# GB/T 9704 公文: A4, margins top 37 left 28 right 26 bottom 35 mm; body 三号 仿宋, headings 黑体.
PAGE = dict(page_width=Mm(210), page_height=Mm(297), top_margin=Mm(37), bottom_margin=Mm(35),
            left_margin=Mm(28), right_margin=Mm(26))
TEXT_WIDTH_MM = 210 - 28 - 26
BODY_FONT, HEADING_FONT, TITLE_FONT, TABLE_FONT = "仿宋", "黑体", "方正小标宋简体", "宋体"
LATIN_FONT = "Times New Roman"
RED = RGBColor(0xB0, 0, 0)


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
    for name, font, size in (("Title", TITLE_FONT, 22), ("Heading 1", HEADING_FONT, 16)):
        style = doc.styles[name]
        _fonts(style, font, size)
        style.font.bold = False
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.paragraph_format.space_before = Pt(12 if name == "Heading 1" else 0)
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
    run = paragraph.add_run("草稿")
    run.bold = True
    run.font.color.rgb = RED
    _fonts(run, HEADING_FONT, 14)


def _table(doc, view: TableView) -> None:
    rows = len(view.grid)
    table = doc.add_table(rows=rows, cols=view.width)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for line in view.grid:
        for c in line:
            cell = table.cell(c.row - view.grid[0][0].row, c.col)
            if c.rowspan > 1 or c.colspan > 1:
                cell = cell.merge(table.cell(c.row - view.grid[0][0].row + c.rowspan - 1,
                                             c.col + c.colspan - 1))
            _cell_text(cell, c.text, bold=c.role == "caption",
                       align="left" if c.role in ("row", "caption", "note") else "center",
                       size=8 if view.width > 10 or c.role == "note" else 9.5)
    _widths(table, view)
    for i, tr in enumerate(table._tbl.tr_lst):
        # a row's label must not be cut across two pages; the head repeats on every page
        flags = ("w:cantSplit", "w:tblHeader") if i < view.head_rows else ("w:cantSplit",)
        for flag in flags:
            element = OxmlElement(flag)
            element.set(qn("w:val"), "true")
            tr.get_or_add_trPr().append(element)


def _cell_text(cell, text: str, *, bold: bool, align: str, size: float) -> None:
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    paragraph = cell.paragraphs[0]
    for extra in cell.paragraphs[1:]:  # merging leaves one empty paragraph per merged cell
        extra._p.getparent().remove(extra._p)
    paragraph.paragraph_format.first_line_indent = Pt(0)
    paragraph.paragraph_format.line_spacing = 1.0
    paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT if align == "left" else WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    run.bold = bold
    _fonts(run, TABLE_FONT, size)


def _widths(table, view: TableView) -> None:
    total = sum(view.widths)
    widths = [Mm(TEXT_WIDTH_MM * w / total) for w in view.widths]
    for i, column in enumerate(table.columns):
        column.width = widths[i]
    for tr in table._tbl.tr_lst:
        col = 0
        for tc in tr.tc_lst:
            span = tc.grid_span
            tc.width = sum(widths[col: col + span])
            col += span


def _paragraph(doc, text: str, *, color: RGBColor | None = None) -> None:
    run = doc.add_paragraph().add_run(text)
    if color is not None:
        run.font.color.rgb = color
        run.bold = True


def build_docx(context: dict[str, Any], sentences: dict[str, str]) -> bytes:
    """`sentences` are the prose pieces rendered from sentences.j2 (opening, summary, …)."""
    doc = Document()
    _setup(doc)
    doc.core_properties.title = context["title"]
    doc.core_properties.author = context["unit"]
    draft = "（草稿）" if context["draft"] else ""
    if context["draft"]:
        _paragraph(doc, sentences["draft_note"], color=RED)
        _draft_header(doc.sections[0])
    doc.add_paragraph(context["title"] + draft, style="Title")
    _paragraph(doc, sentences["opening"])
    if context["merged_units"]:
        _paragraph(doc, sentences["merged_note"])
    for i, section in enumerate(context["sections"]):
        doc.add_heading(section.heading, level=1)
        if section.narrative is not None:
            if sentences[f"missing.{section.number}"]:
                _paragraph(doc, sentences[f"missing.{section.number}"], color=RED)
            fees = sentences[f"fees.{section.number}"]
            for text in ([fees] if fees else []) + section.narrative.paragraphs:
                _paragraph(doc, text)
            if i == 0:
                _paragraph(doc, sentences["summary"])
        else:
            _table(doc, section.table)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
