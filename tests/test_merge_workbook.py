"""The merged workbook as a district user meets it: sums locked like computed cells, the
texts open for the district's own words, and a guide that says it is a 汇总."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from merge_helpers import DISTRICT, TOWNS, merged_district
from test_writer_helpers import filled_report, validations_at

from xlsx_reports.xlsx.meta import GUIDE_SHEET, Metadata
from xlsx_reports.xlsx.reader import read_workbook
from xlsx_reports.xlsx.writer import write_workbook

YELLOW, GREY = "FFFFF2CC", "FFEDEDED"


@pytest.fixture(scope="module", params=[2020, 2021])
def district(request, tmp_path_factory):
    return merged_district(tmp_path_factory.mktemp(f"d{request.param}"), request.param)


def test_sums_are_locked_grey_and_unvalidated_texts_and_info_stay_open(district):
    _, result, out = district
    wb = openpyxl.load_workbook(out)
    form = result.report.form
    assert form.numeric_inputs and any(f.type == "longtext" for f in form.inputs)
    for f in form.inputs:
        ws = wb[f.sheet]
        cell = ws[f.a1]
        if f.numeric:
            assert cell.protection.locked is True, f.key
            assert cell.fill.fgColor.rgb == GREY, f.key
            assert validations_at(ws, f.a1) == [], f.key
            assert Decimal(repr(cell.value)) == result.report.value(f.key), f.key
        else:
            assert cell.protection.locked is False, f.key
            assert cell.fill.fgColor.rgb == YELLOW, f.key
            assert len(validations_at(ws, f.a1)) == 1, f.key
    for f in form.totals:
        assert wb[f.sheet][f.a1].protection.locked is True, f.key
    for sheet in form.sheets:
        assert wb[sheet.name].protection.sheet, sheet.name


@pytest.mark.parametrize("kind, locked", [("unit", False), ("merged", True)])
def test_the_metadata_alone_decides_whether_the_numbers_are_locked(tmp_path, kind, locked):
    report = filled_report("2021")
    meta = Metadata(format="2021", unit=report.unit, year=report.year,
                    fingerprint=report.form.fingerprint, workbook_id="x", generated="2025-01-20",
                    version="1", kind=kind, units=["甲镇", "乙镇"] if kind == "merged" else [])
    write_workbook(report, tmp_path / "out.xlsx", metadata=meta)
    wb = openpyxl.load_workbook(tmp_path / "out.xlsx")
    assert wb["三、依申请公开"]["D5"].protection.locked is locked
    fee = report.form.field("s6.fee.count")                          # 六's 收费 count is a number
    assert wb[fee.sheet][fee.a1].protection.locked is locked
    assert wb["一、总体情况"]["A3"].protection.locked is False
    assert wb["基本信息"]["B5"].protection.locked is False
    title = wb[GUIDE_SHEET]["A1"].value
    assert title == f"测试镇2024年度政府信息公开工作年度报告 {'汇总表说明' if locked else '填报说明'}"


@pytest.mark.parametrize("district", [2021], indirect=True)
def test_merged_guide_says_what_the_workbook_is(district):
    _, result, out = district
    lines = [c.value for c in openpyxl.load_workbook(out)[GUIDE_SHEET]["A"] if c.value]
    units = "、".join(result.metadata.units)
    assert sorted(result.metadata.units) == sorted(TOWNS)
    assert lines == [
        f"{DISTRICT}2021年度政府信息公开工作年度报告 汇总表说明",
        "【这是汇总表】",
        f"本工作簿是{DISTRICT}2021年度政府信息公开工作年度报告的汇总表，汇总了 3 个单位的报表：{units}。"
        "采用国办公开办函〔2021〕30号规定的格式（2021 版格式），统计期限为2021年1月1日至2021年12月31日。",
        f"汇总数是各单位数据之和，不是{DISTRICT}本级的政府信息公开工作年度报告。",
        "【数字已锁定】",
        "「二、主动公开」「三、依申请公开」「四、复议诉讼」「六、其他事项」中的数字是各单位填报数之和，"
        "已锁定（灰色底色），不能修改；合计、总计由公式自动计算。某单位的数字有误时，请该单位更正后重新汇总，"
        "不要在本表中改数：改过的数字将不再等于各单位之和，校验时会报错。",
        "【各单位的数据在哪里】",
        "「分单位明细」：每个单位一行，列出全部数字；最后一行“合计”等于本表的汇总数。",
        "「各单位文字材料」：各单位「一、总体情况」「五、问题改进」「六、其他事项」的文字。",
        "「汇总说明」：纳入汇总、未纳入汇总和未报送的单位，主要数据合计，以及各来源文件的指纹。",
        "【需要填写的】",
        "只有浅黄色单元格可以填写：「基本信息」中的联系部门、联系人、联系电话、发布网址、填报日期、单位层级；"
        f"「一、总体情况」「五、问题改进」「六、其他事项」请撰写{DISTRICT}自己的文字（可参考「各单位文字材料」，"
        "不要简单拼接各单位的文字）。",
        "【在哪里看校验结果】",
        "「校验」表显示每一条规则的结果（✓ 通过，✗ 不通过）；校验汇总表时还会核对每个汇总数是否等于"
        "「分单位明细」的“合计”行和各单位之和。",
        "【注意事项】",
        "工作表已保护：请不要增删行列、修改表头或重命名工作表，也不要删除隐藏的工作表。",
        "复制粘贴会绕过输入检查，粘贴后请查看「校验」表。",
        "填好后请保存为 .xlsx 格式（WPS 请不要另存为 .et 格式），按原文件名报送。",
    ]


def test_the_committed_sample_total_has_its_sums_locked_and_its_texts_open():
    path = Path(__file__).resolve().parent.parent / "samples" / "district" / "全区汇总.xlsx"
    reading = read_workbook(path)
    assert reading.metadata.kind == "merged"
    for f in reading.form.inputs:
        assert reading.cells[f.key].locked is f.numeric, f.key
    assert openpyxl.load_workbook(path)[GUIDE_SHEET]["A1"].value == \
        "示例区2020年度政府信息公开工作年度报告 汇总表说明"
