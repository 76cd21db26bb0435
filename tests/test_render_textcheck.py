"""Text against tables (TXT-T3, TXT-T4, TXT-SUM) and the six headings (HEAD)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from conftest import need_shared
from test_render import heshi, report_2021
from xlsx_reports.report.render import render_report
from xlsx_reports.check.headings import check_headings
from xlsx_reports.check.text import check_report, check_text, parse_number


def codes(findings):
    return [(f.code, f.expected, f.actual) for f in findings]


def test_seed_narratives_agree_with_the_tables():
    assert check_report(heshi()) == []


def test_application_numbers_in_prose_are_compared_with_table_three():
    r = heshi()
    r.values.update({"t3.new.natural": 3, "t3.public.natural": 2, "t3.withheld.secret.natural": 1})
    text = ("本年度共收到政府信息公开申请2件，上年结转0件，办结3件，结转下年度0件。"
            "其中予以公开2件，不予公开2件，无法提供0件。")
    found = check_text(text, r, sheet="一、总体情况", cells=("A3",))
    assert codes(found) == [("TXT-T3", 3, 2), ("TXT-T3", 1, 2)]
    assert found[0].message == ("文字写“收到政府信息公开申请2件”，但“三、依申请公开”表中"
                                "“一、本年新收政府信息公开申请数量”为 3")
    assert (found[0].sheet, found[0].cells, found[0].severity) == ("一、总体情况", ("A3",), "warning")
    assert "（三）不予公开" in found[1].message


def test_chinese_numerals_and_full_width_digits():
    r = heshi()
    r.values["t3.new.natural"] = 12
    assert check_text("全年受理政府信息公开申请十二件。", r) == []
    assert codes(check_text("全年受理政府信息公开申请１１件。", r)) == [("TXT-T3", 12, 11)]
    assert [parse_number(s) for s in ("二十三", "一百零五", "十", "两", "０")] == [23, 105, 10, 2, 0]


def test_review_and_litigation_numbers_against_table_four():
    r = heshi()   # 河市镇: 直接起诉 结果纠正 1
    assert codes(check_text("本年度发生行政复议0件，行政诉讼1件。", r)) == []
    assert codes(check_text("本年度发生行政复议0件，行政诉讼2件。", r)) == [("TXT-T4", 1, 2)]
    found = check_text("本年度未发生因政府信息公开引起的行政复议、行政诉讼。", r)
    assert codes(found) == [("TXT-T4", 1, 0)]
    assert "行政诉讼／未经复议直接起诉＋行政诉讼／复议后起诉" in found[0].message
    r.values["t3.new.natural"] = 1
    assert codes(check_text("今年未收到政府信息公开申请。", r))[0] == ("TXT-T3", 1, 0)


def test_a_stated_total_must_equal_its_parts():
    r = heshi()
    ok = "主动公开政府信息43条，其中：机构职能类信息9条，重大建设项目信息7条，其他类信息27条。"
    assert check_text(ok, r) == []
    found = check_text("主动公开政府信息43条，其中：机构职能类信息9条，其他类信息16条。", r)
    assert codes(found) == [("TXT-SUM", 25, 43)]


def test_seed_report_heading_five_is_reworded():
    seed = need_shared("reports/泉州市洛江区河市镇_2020.txt").read_text(encoding="utf-8")
    found = check_headings(seed, heshi().form)
    assert [f.message for f in found] == [
        "标题“五、存在的主要问题及改进情况”没有逐字出现，文中为“五、存在的主要问题及今后努力方向”"]


@pytest.mark.parametrize("fmt", ["md", "txt", "html"])
def test_default_templates_print_the_six_headings(fmt):
    for report in (heshi(), report_2021()):
        assert check_headings(render_report(report, fmt), report.form, fmt) == []


def test_headings_out_of_order_and_missing():
    form = heshi().form
    heads = [s.heading for s in form.sections]
    text = "\n".join([heads[1], heads[0]] + heads[2:5])
    found = check_headings(text, form)
    assert [f.message for f in found] == ["标题“二、主动公开政府信息情况”的顺序不对",
                                          "标题“六、其他需要报告的事项”没有逐字出现，文中没有这一部分"]


def test_a_negation_does_not_reach_across_a_comma():
    r = heshi()   # 行政诉讼 1
    assert check_text("全年无重大舆情，行政诉讼1件。", r) == []
    assert codes(check_text("全年无行政诉讼。", r)) == [("TXT-T4", 1, 0)]


def test_fee_in_prose_is_compared_with_the_fee_cells():
    """TXT-FEE: 2021 六 asks for the 信息处理费 in the prose and in two cells (元)."""
    r = report_2021()   # 2 件, 3940 元

    def fee_findings(text):
        r.values["s6.text"] = text
        return [(f.code, f.expected, f.actual, f.cells) for f in check_report(r)]
    assert fee_findings("全年收取政府信息公开信息处理费 3940 元。") == []
    assert fee_findings("本年度共对2件政府信息公开申请收取信息处理费，共计0.394万元。") == []
    assert fee_findings("全年收取政府信息公开信息处理费394元。") == [
        ("TXT-FEE", Decimal("3940"), Decimal("394"), ("A3",))]
    assert fee_findings("本年度共对3件政府信息公开申请收取信息处理费。") == [("TXT-FEE", 2, 3, ("A3",))]
    found = check_report(r)
    assert found[0].message == ("文字写“3件政府信息公开申请收取信息处理费”，但 六、其他事项!B35"
                                "（信息处理费：收费件数（件））填的是 2")
    assert [f[2] for f in fee_findings("本年度未收取政府信息公开信息处理费。")] == [0, 0]
    r.values.update({"s6.fee.count": 0, "s6.fee.amount": Decimal("0")})
    assert fee_findings("本年度未收取政府信息公开信息处理费。") == []

