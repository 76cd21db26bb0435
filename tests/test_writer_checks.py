"""The 校验 sheet, the in-place highlighting and the 填报说明 sheet of generated workbooks."""
from __future__ import annotations

from decimal import Decimal

import pytest
from test_writer_helpers import filled_report, write_and_open

from xlsx_reports.xlsx.meta import CHECK_SHEET, GUIDE_SHEET
from xlsx_reports.form.values import Report

FIRST_CHECK_ROW = 5   # title, summary, legend, blank, header


def check_rows(o):
    ws, cached = o.wb[CHECK_SHEET], o.cached[CHECK_SHEET]
    rows = []
    r = FIRST_CHECK_ROW
    while ws.cell(r, 1).value and ws.cell(r, 1).value != "工作表":
        rows.append({"code": ws.cell(r, 1).value, "severity": ws.cell(r, 2).value,
                     "text": ws.cell(r, 3).value, "formula": ws.cell(r, 4).value,
                     "status": cached.cell(r, 4).value, "left": cached.cell(r, 5).value,
                     "right": cached.cell(r, 6).value, "where": ws.cell(r, 7).value,
                     "advice": ws.cell(r, 8).value})
        r += 1
    return rows


@pytest.mark.parametrize("fmt", ["2019", "2021"])
def test_one_row_per_form_check_with_text_advice_and_live_formula(tmp_path, fmt):
    report = filled_report(fmt)
    o, _ = write_and_open(tmp_path, report)
    rows = check_rows(o)
    assert [(r["code"], r["text"], r["advice"]) for r in rows] == [
        (c.code, c.text, c.advice) for c in report.form.checks]
    assert {r["severity"] for r in rows} <= {"错误", "提示"}
    for r in rows:
        assert r["formula"].startswith('=IF(') and '>0,"待填","✓"),"✗")' in r["formula"]
        assert r["formula"].count("'") >= 2   # sheet-qualified references


def test_balanced_table_passes_and_a_broken_column_fails(tmp_path):
    report = filled_report("2021")
    report.values["t3.carry_over.research"] += 2
    o, _ = write_and_open(tmp_path, report)
    balance = [r for r in check_rows(o) if r["code"] == "T3-BALANCE"]
    assert [r["status"] for r in balance] == ["✓", "✓", "✗", "✓", "✓", "✓", "✗"]
    research = balance[2]
    assert research["left"] == report.value("t3.new.research") + report.value("t3.carried.research")
    assert research["right"] == research["left"] + 2
    assert research["where"] == "三、依申请公开!F5:F6,F28:F29"
    assert o.wb[CHECK_SHEET]["B2"].value.startswith("=COUNTIFS(")
    assert o.cached[CHECK_SHEET]["B2"].value == sum(
        1 for r in check_rows(o) if r["status"] == "✗" and r["severity"] == "错误")


def test_blank_template_shows_every_rule_pending_and_counts_blanks(tmp_path):
    report = Report.blank("测试镇", 2024)
    o, _ = write_and_open(tmp_path, report)
    assert {r["status"] for r in check_rows(o)} == {"待填"}
    assert o.cached[CHECK_SHEET]["F2"].value == len(report.form.checks)
    ws, cached = o.wb[CHECK_SHEET], o.cached[CHECK_SHEET]
    counts = {ws.cell(r, 1).value: (cached.cell(r, 2).value, cached.cell(r, 5).value,
                                    ws.cell(r, 5).value)
              for r in range(1, ws.max_row + 1) if ws.cell(r, 5).value
              and str(ws.cell(r, 5).value).startswith("=COUNTBLANK")}
    per_sheet = {}
    for f in report.form.inputs:
        per_sheet[f.sheet] = per_sheet.get(f.sheet, 0) + 1
    assert {k: v[:2] for k, v in counts.items()} == {k: (n, n) for k, n in per_sheet.items()}
    assert counts["三、依申请公开"][2] == "=COUNTBLANK('三、依申请公开'!D5:I27)+COUNTBLANK('三、依申请公开'!D29:I29)"


def test_totals_sanity_rows(tmp_path):
    report = filled_report("2019")
    o, _ = write_and_open(tmp_path, report)
    ws, cached = o.wb[CHECK_SHEET], o.cached[CHECK_SHEET]
    rows = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)
            if str(ws.cell(r, 5).value or "").startswith("=('")}
    assert set(rows) == {"三、依申请公开", "四、复议诉讼"}
    r = rows["四、复议诉讼"]
    assert ws.cell(r, 5).value == ("=('四、复议诉讼'!E5<>SUM('四、复议诉讼'!A5:D5))"
                                   "+('四、复议诉讼'!J5<>SUM('四、复议诉讼'!F5:I5))"
                                   "+('四、复议诉讼'!O5<>SUM('四、复议诉讼'!K5:N5))")
    assert cached.cell(r, 5).value == 0 and cached.cell(r, 4).value == "✓"


def test_violations_and_text_numbers_highlighted_in_place(tmp_path):
    o, _ = write_and_open(tmp_path, filled_report("2021"))
    ws = o.wb["三、依申请公开"]
    rules = [(str(rng.sqref), rule.formula[0]) for rng in ws.conditional_formatting for rule in rng.rules]
    balance = [r for r in rules if r[0] == "D5:D6 D28:D29"]
    assert balance and balance[0][1] == "NOT(SUM($D$5:$D$6)=SUM($D$28:$D$29))"
    assert ("D5:I27", "ISTEXT(D5)") in rules and ("D29:I29", "ISTEXT(D29)") in rules
    fee = report_form_cell("2021", "t2.fees.amount")
    t2 = [str(rng.sqref) for rng in o.wb["二、主动公开"].conditional_formatting for _ in rng.rules]
    assert t2.count(fee) == 5    # T2-FEE-UNIT: three level ceilings and decimals; the text-number rule


def report_form_cell(fmt: str, key: str) -> str:
    from xlsx_reports.form.definitions import get_form
    return get_form(fmt).field(key).a1


def test_guide_names_sheets_units_deadline_and_prefilled_cells(tmp_path):
    report = filled_report("2021")
    o, _ = write_and_open(tmp_path, report, deadline="2025年1月20日",
                          prefilled=["t3.carried.natural"])
    text = "\n".join(str(c.value) for c in o.wb[GUIDE_SHEET]["A"] if c.value)
    assert "填报截止时间：2025年1月20日" in text
    assert "请填 0，不要留空" in text and "「校验」" in text
    for sheet in report.form.sheets:
        assert f"「{sheet.name}」" in text
    assert "本年收费金额（单位：万元）：单位是万元" in text
    assert "「三、依申请公开」D6：二、上年结转政府信息公开申请数量 › 自然人" in text
    cell = o.wb["三、依申请公开"]["D6"]
    assert cell.fill.fgColor.rgb == "FFDDEBF7" and cell.protection.locked is False
    assert "上年" in cell.comment.text
    assert o.wb.active.title == GUIDE_SHEET


def test_guide_without_deadline_does_not_invent_one(tmp_path):
    o, _ = write_and_open(tmp_path, Report.blank("测试镇", 2020))
    text = "\n".join(str(c.value) for c in o.wb[GUIDE_SHEET]["A"] if c.value)
    assert "截止" not in text and "国办公开办函〔2019〕60号" in text
    assert "采购总金额：单位是元" in text and "本年增/减：增加填正数，减少填负数" in text


@pytest.mark.parametrize("blank", [None, "t3.new.research", "t3.public.research"])
def test_the_check_sheet_and_check_agree_on_every_rule_even_with_blanks(tmp_path, blank):
    """A column with a blank and a wrong balance: ✗ on the sheet, an error from `check`."""
    from xlsx_reports.check.workbook import check_file

    report = filled_report("2021")
    report.values["t3.carry_over.research"] += 2
    report.values["t2.fees.amount"] = Decimal("1.23456")
    if blank:
        report.values[blank] = None
    o, _ = write_and_open(tmp_path, report)
    findings = check_file(tmp_path / "out.xlsx")[1]
    rows = check_rows(o)
    assert [r["status"] == "✗" for r in rows] == [
        any(f.code == c.code and set(f.cells) <= {report.form.field(k).a1 for k in c.keys}
            and f.message.startswith(c.text + "：") for f in findings)
        for c in report.form.checks]
    assert sum(r["status"] == "✗" for r in rows) >= 2
    assert [r["status"] for r in rows if r["code"] == "T3-BALANCE"][2] == "✗"
    if blank:
        research = next(f for f in findings if f.code == "T3-BALANCE" and "F" in f.cells[0])
        assert research.severity == "error" and "空白，按 0 计" in research.message
