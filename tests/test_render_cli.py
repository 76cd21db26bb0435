"""`xlsx-reports render`: from a returned workbook to the published report."""
from __future__ import annotations

import docx
import pytest
from click.testing import CliRunner

from test_render import GOLDEN, heshi
from xlsx_reports.cli import main
from xlsx_reports.xlsx.writer import write_workbook


def run(*args):
    result = CliRunner().invoke(main, list(map(str, args)))
    return result.exit_code, result.output + (result.stderr if result.stderr_bytes else "")


@pytest.fixture
def workbook(tmp_path):
    path = tmp_path / "河市镇_2020.xlsx"
    write_workbook(heshi(), path)
    return path


@pytest.mark.parametrize("fmt", ["md", "txt", "html"])
def test_workbook_renders_like_the_golden_file(workbook, tmp_path, fmt):
    out = tmp_path / f"report.{fmt}"
    code, output = run("render", workbook, "-o", out)
    assert code == 0, output
    assert f"已生成报告：{out}" in output
    assert out.read_text(encoding="utf-8") == (GOLDEN / f"河市镇_2020.{fmt}").read_text(encoding="utf-8")


def test_workbook_renders_to_word(workbook, tmp_path):
    out = tmp_path / "report.docx"
    assert run("render", workbook, "-o", out)[0] == 0
    assert [len(t.rows) for t in docx.Document(str(out)).tables] == [18, 26, 4]


def test_an_html_template_shapes_the_word_report(workbook, tmp_path):
    """One outline: the HTML template decides what the Word document holds."""
    template = tmp_path / "mine.html.j2"
    template.write_text(
        '{% extends "report.html.j2" %}'
        '{% block title %}{{ unit }}{{ year }}年度政务公开报告{% endblock %}'
        '{% block summary %}{{ say.summary() }}本报告由党政办审核。{% endblock %}', encoding="utf-8")
    out = tmp_path / "mine.docx"
    code, output = run("render", workbook, "-o", out, "--template", template)
    assert code == 0, output
    doc = docx.Document(str(out))
    assert [p.text for p in doc.paragraphs if p.style.name == "Title"] == ["河市镇2020年度政务公开报告"]
    assert any(p.text.endswith("被提起行政诉讼1件。本报告由党政办审核。") for p in doc.paragraphs)
    assert [len(t.rows) for t in doc.tables] == [18, 26, 4]
    template.write_text("<h1>{{ title }}</h1>\n<p>仅有正文</p>\n"
                        "<table><tr><th colspan=\"2\">合计</th></tr><tr><td>1</td><td>2</td></tr></table>",
                        encoding="utf-8")
    assert run("render", workbook, "-o", out, "--template", template)[0] == 0
    doc = docx.Document(str(out))
    assert [p.text for p in doc.paragraphs] == ["河市镇2020年政府信息公开工作年度报告", "仅有正文"]
    assert doc.tables[0].cell(0, 1).text == "合计" and doc.tables[0].cell(1, 1).text == "2"


def broken(tmp_path):
    r = heshi()
    r.values["t3.new.natural"] = 2          # received 2, none handled: T3-BALANCE fails
    path = tmp_path / "broken.xlsx"
    write_workbook(r, path)
    return path


def test_workbook_with_errors_is_refused(tmp_path):
    out = tmp_path / "report.md"
    code, output = run("render", broken(tmp_path), "-o", out)
    assert code == 1 and not out.exists()
    assert "T3-BALANCE" in output
    assert "未生成报告" in output and "--force" in output


def test_force_writes_a_draft(tmp_path):
    out = tmp_path / "report.html"
    code, output = run("render", broken(tmp_path), "-o", out, "--force")
    assert code == 1 and "已生成草稿" in output
    html = out.read_text(encoding="utf-8")
    assert "<title>河市镇2020年政府信息公开工作年度报告（草稿）</title>" in html
    assert "本年度共收到政府信息公开申请2件" in html


def test_prose_that_contradicts_the_tables_is_warned(tmp_path):
    r = heshi()
    r.values["s1.text"] = "本年度共收到政府信息公开申请5件。"
    path = tmp_path / "w.xlsx"
    write_workbook(r, path)
    code, output = run("render", path, "-o", tmp_path / "r.md")
    assert code == 0
    assert "[提示 TXT-T3] 一、总体情况!A3：文字写“收到政府信息公开申请5件”" in output


def test_custom_template_and_its_errors(workbook, tmp_path):
    template = tmp_path / "mine.md.j2"
    template.write_text("{{ title }}\n{{ fill('新收{t3.new.total}件') }}\n"
                        "{% for s in sections %}{{ s.heading }}\n{% endfor %}", encoding="utf-8")
    out = tmp_path / "mine.md"
    code, output = run("render", workbook, "-o", out, "--template", template)
    assert code == 0
    assert out.read_text(encoding="utf-8").startswith("河市镇2020年政府信息公开工作年度报告\n新收0件\n一、总体情况\n")
    template.write_text("第一行\n第二行\n{{ cells['t3.nope'] }}\n", encoding="utf-8")
    code, output = run("render", workbook, "-o", out, "--template", template)
    assert code == 2
    assert f"模板 {template} 第 3 行出错：使用了不存在的变量或键" in output
    assert out.read_text(encoding="utf-8").startswith("河市镇2020年")  # the old output untouched


def test_template_sandbox_and_syntax_errors(workbook, tmp_path):
    template = tmp_path / "bad.txt.j2"
    template.write_text("{{ title.__class__.__mro__[1].__subclasses__() }}", encoding="utf-8")
    code, output = run("render", workbook, "-o", tmp_path / "r.txt", "--template", template)
    assert code == 2 and f"模板 {template} 第 1 行出错" in output
    template.write_text("ok\n{% for x in %}\n", encoding="utf-8")
    code, output = run("render", workbook, "-o", tmp_path / "r.txt", "--template", template)
    assert code == 2 and f"模板 {template} 第 2 行有语法错误" in output
    assert not (tmp_path / "r.txt").exists()


def test_template_not_in_utf8_is_named(workbook, tmp_path):
    template = tmp_path / "gbk.md.j2"
    template.write_bytes("{{ title }}（本单位模板）\n".encode("gbk"))
    code, output = run("render", workbook, "-o", tmp_path / "r.md", "--template", template)
    assert (code, output.splitlines()[0]) == (2, f"错误：模板 {template} 或它引用的模板不是 UTF-8 "
                                                 "编码的文本：请在编辑器中以 UTF-8 编码另存后重试")


def test_misuse_and_unreadable_input(workbook, tmp_path):
    code, output = run("render", workbook, "-o", tmp_path / "r.pdf")
    assert code == 2 and "不支持的输出格式：r.pdf" in output
    code, output = run("render", workbook, "-o", tmp_path / "r.docx", "--template", workbook)
    assert code == 2 and "Word 格式按 HTML 模板排版" in output and "河市镇_2020.xlsx" in output
    fake = tmp_path / "fake.xlsx"
    fake.write_text("not a workbook", encoding="utf-8")
    code, output = run("render", fake, "-o", tmp_path / "r.md")
    assert code == 2 and output.startswith("错误：") and "fake.xlsx" in output
    assert "Traceback" not in output and not (tmp_path / "r.md").exists()


def test_merged_workbook_renders_as_a_total(tmp_path):
    from xlsx_reports.xlsx.meta import Metadata
    r = heshi()
    r.unit = r.values["info.unit"] = "洛江区"
    meta = Metadata(format="2019", unit="洛江区", year=2020, fingerprint=r.form.fingerprint,
                    workbook_id="test-merged", generated="2021-01-25T10:00:00", version="0.1.0",
                    kind="merged", units=["河市镇", "罗溪镇"])
    path = tmp_path / "洛江区_汇总.xlsx"
    write_workbook(r, path, metadata=meta)
    out = tmp_path / "district.txt"
    code, output = run("render", path, "-o", out)
    assert code == 0, output
    text = out.read_text(encoding="utf-8")
    assert text.startswith("洛江区2020年政府信息公开工作年度报告（汇总）\n")
    assert "所填数据的汇总，不是洛江区本级的年度报告" in text


def test_an_unwritable_output_is_named_as_given(workbook, tmp_path):
    blocker = tmp_path / "报告"
    blocker.write_text("a file where a folder was meant", encoding="utf-8")
    for ext in ("md", "docx"):
        out = blocker / f"r.{ext}"
        code, output = run("render", workbook, "-o", out)
        assert (code, output.splitlines()[0]) == (2, f"错误：无法写入 {out}：路径中有一部分是文件，不是文件夹")


def test_a_never_filled_template_is_no_report_without_force(tmp_path):
    from xlsx_reports.form.values import Report
    path = tmp_path / "空表.xlsx"
    write_workbook(Report.blank("河市镇", 2020), path)
    out = tmp_path / "report.md"
    code, output = run("render", path, "-o", out)
    assert code == 1 and not out.exists()
    assert "[错误 EMPTY] 表格一个数字都没有填写" in output and "未生成报告" in output
    code, output = run("render", path, "-o", out, "--force")
    assert code == 1 and "已生成草稿" in output and out.exists()
