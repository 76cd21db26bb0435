"""The Word report opens with python-docx with its tables intact, and LibreOffice makes a PDF of it."""
from __future__ import annotations

import io
import subprocess

import docx
from docx.oxml.ns import qn

from conftest import need_program
from test_render import heshi, report_2021
from xlsx_reports.form.definitions import get_form
from xlsx_reports.report.render import render_report


def document(report):
    return docx.Document(io.BytesIO(render_report(report, "docx")))


def test_title_headings_and_page_setup():
    doc = document(heshi())
    title = next(p for p in doc.paragraphs if p.style.name == "Title")
    assert title.text == "河市镇2020年政府信息公开工作年度报告"
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == [s.heading for s in get_form("2019").sections]
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    fonts = doc.styles["Normal"].element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "仿宋"
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "主动公开政府信息 43 条" in body and "无其他需要报告的事项。" in body
    assert "本年度未收到政府信息公开申请，也没有上年结转的申请。因政府信息公开工作被申请行政复议0件，" \
        "被提起行政诉讼1件。" in body


def test_tables_have_values_and_merged_cells():
    doc = document(heshi())
    t2, t3, t4 = doc.tables
    assert len(t3.rows) == 3 + 23 and len(t3.columns) == 10
    corner = t3.cell(0, 0)
    assert corner.text.startswith("（本列数据的勾稽关系为") and corner._tc.grid_span == 3
    first_cells = [tr.tc_lst[0] for tr in t3._tbl.tr_lst[:4]]
    assert [tc.vMerge for tc in first_cells] == ["restart", "continue", "continue", None]
    assert t3.cell(2, 1).text == corner.text  # python-docx resolves the merge: 3 rows high
    assert t3.cell(0, 3).text == "申请人情况" and t3.cell(0, 3)._tc.grid_span == 7
    assert t3.cell(1, 4).text == "法人或其他组织" and t3.cell(1, 4)._tc.grid_span == 5
    assert t3.cell(2, 4).text == "商业企业"
    assert t3.cell(5, 0).text == "三、本年度办理结果" and t3.cell(24, 0).text == "三、本年度办理结果"
    assert [c.text for c in t3.rows[3].cells][3:] == ["0"] * 7
    assert t4.cell(0, 0).text == "行政复议" and t4.cell(0, 5).text == "行政诉讼"
    assert t4.cell(0, 5)._tc.grid_span == 10
    assert [c.text for c in t4.rows[3].cells] == ["0"] * 6 + ["1", "0", "0", "1"] + ["0"] * 5
    rows = {r.cells[0].text: [c.text for c in r.cells[1:]] for r in t2.rows}
    assert rows["政府集中采购"] == ["4", "39340", "39340"]  # 采购总金额 spans the last two columns
    assert t2.cell(0, 0).text == "第二十条第（一）项" and t2.cell(0, 0)._tc.grid_span == 4


def test_2021_docx_tables():
    doc = document(report_2021())
    t2, t3, _ = doc.tables
    labels = [r.cells[2].text for r in t3.rows]
    assert "3.其他" in labels and len(t3.rows) == 3 + 25
    fees = next(r for r in t2.rows if r.cells[0].text == "行政事业性收费")
    assert fees.cells[1].text == "9.63211" and fees.cells[1]._tc.grid_span == 3


def test_libreoffice_converts_the_docx_to_pdf(tmp_path):
    soffice = need_program("soffice")
    source = tmp_path / "report.docx"
    source.write_bytes(render_report(heshi(), "docx"))
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                   capture_output=True, timeout=180, check=True)
    pdf = tmp_path / "report.pdf"
    assert pdf.exists()
    text = subprocess.run([need_program("pdftotext"), "-layout", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    for part in ("河市镇2020年政府信息公开工作年度报告", "第二十条第（九）项", "39340",
                 "1.属于国家秘密", "未经复议直接起诉", "六、其他需要报告的事项"):
        assert part in text.replace(" ", "") or part in text
    info = subprocess.run([need_program("pdfinfo"), str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    assert "(A4)" in info


def test_merged_note_in_word():
    r = heshi()
    doc = docx.Document(io.BytesIO(render_report(r, "docx", merged_units=["河市镇", "罗溪镇"])))
    body = [p.text for p in doc.paragraphs]
    assert "河市镇2020年政府信息公开工作年度报告（汇总）" in body
    assert any(t.startswith("说明：本报告的统计数据是2个单位（河市镇、罗溪镇）") for t in body)


def test_draft_is_marked_on_every_page():
    doc = docx.Document(io.BytesIO(render_report(heshi(), "docx", draft=True)))
    assert doc.sections[0].header.paragraphs[0].text == "草稿"
    assert "河市镇2020年政府信息公开工作年度报告（草稿）" in [p.text for p in doc.paragraphs]
    assert doc.paragraphs[0].text.startswith("草稿：据以生成本报告的填报表未通过校验")
    assert document(heshi()).sections[0].header.paragraphs[0].text == ""


def test_text_is_simplified_chinese_and_table_rows_do_not_break_across_pages():
    """python-docx's blank document declares en-US text with ja-JP theme fonts: LibreOffice
    then replaced the missing 仿宋 with a font of other glyph forms (seen in the PDF)."""
    doc = document(report_2021())
    lang = doc.styles.element.find(qn("w:docDefaults")).find(".//" + qn("w:lang"))
    assert (lang.get(qn("w:val")), lang.get(qn("w:eastAsia"))) == ("zh-CN", "zh-CN")
    assert doc.settings.element.find(qn("w:themeFontLang")).get(qn("w:eastAsia")) == "zh-CN"
    t3 = doc.tables[1]
    for i, tr in enumerate(t3._tbl.tr_lst):
        props = tr.trPr
        assert props is not None and props.find(qn("w:cantSplit")) is not None, i
        assert (props.find(qn("w:tblHeader")) is not None) == (i < 3), i
