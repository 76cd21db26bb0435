"""check on a merged workbook: every sum equals its 分单位明细 column (AGG-SUM) and the unit
rows are the merged units (AGG-UNITS); edits made with openpyxl (no cached results)."""
from __future__ import annotations

import random

import pytest
from fixtures_check.workbooks import openpyxl_edit
from merge_helpers import DISTRICT, balanced_report, merged_district

from xlsx_reports.check.workbook import check_file
from xlsx_reports.merge.workbooks import merge_files
from xlsx_reports.xlsx.meta import DETAIL_SHEET
from xlsx_reports.xlsx.writer import write_workbook
from xlsx_reports.xlsx.writer.merged import detail_column, write_merged

T3 = "三、依申请公开"
KEY = "t3.new.natural"
HEAD = f"{T3}!D5（一、本年新收政府信息公开申请数量／自然人）的汇总数为"


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    reports, result, out = merged_district(tmp_path_factory.mktemp("d"), 2021)
    # the addresses these tests name: 三!D5 is summed in column M, unit rows 5–7, 合计 row 8
    assert result.report.form.field(KEY).a1 == "D5"
    assert detail_column(result.report.form, KEY) == "M"
    parts = [s.report.number(KEY) for s in result.included]
    assert all(parts) and len(parts) == 3
    return result, out, parts


def findings(src, tmp_path, cells, code, **kw):
    path = openpyxl_edit(src, tmp_path / "洛江区.xlsx", cells, **kw)
    reading, found = check_file(path)
    assert reading is not None
    return [f for f in found if f.code == code]


def test_clean_merged_workbook_has_no_agg_findings(district):
    _, out, _ = district
    assert [f for f in check_file(out)[1] if f.code.startswith("AGG") or f.severity == "error"] == []


def test_a_typed_over_sum_names_both_sheets_and_both_values(district, tmp_path):
    result, out, (a, b, c) = district
    total = a + b + c
    assert result.report.value(KEY) == total
    [f] = findings(out, tmp_path, {(T3, "D5"): total + 5}, "AGG-SUM")
    assert (f.severity, f.sheet, f.cells, f.expected, f.actual) == ("error", T3, ("D5",), total, total + 5)
    assert f.message == (f"{HEAD} {total + 5}，但{DETAIL_SHEET}!M8（合计）没有保存计算结果，"
                         f"M5:M7 各单位之和为 {a}+{b}+{c} = {total}；汇总数应等于各单位之和")
    assert f.advice.startswith("请不要在汇总表中改数")


def test_an_edited_unit_row_breaks_the_sum(district, tmp_path):
    _, out, (a, b, c) = district
    [f] = findings(out, tmp_path, {(DETAIL_SHEET, "M6"): b + 4}, "AGG-SUM")
    assert (f.severity, f.sheet, f.cells) == ("error", T3, ("D5",))
    assert (f.expected, f.actual) == (a + b + 4 + c, a + b + c)
    assert f.message == (f"{HEAD} {a + b + c}，但{DETAIL_SHEET}!M8（合计）没有保存计算结果，"
                         f"M5:M7 各单位之和为 {a}+{b + 4}+{c} = {a + b + 4 + c}；汇总数应等于各单位之和")


def test_a_typed_over_total_row_breaks_the_sum(district, tmp_path):
    _, out, (a, b, c) = district
    [f] = findings(out, tmp_path, {(DETAIL_SHEET, "M8"): a + b + c + 1}, "AGG-SUM")
    assert f.message == (f"{HEAD} {a + b + c}，但{DETAIL_SHEET}!M8（合计）为 {a + b + c + 1}，"
                         f"M5:M7 各单位之和为 {a}+{b}+{c} = {a + b + c}；汇总数应等于各单位之和")


def test_unit_rows_must_be_the_merged_units(district, tmp_path):
    result, out, _ = district
    first = result.included[0].unit
    [f] = findings(out, tmp_path, {(DETAIL_SHEET, "A5"): "北峰镇"}, "AGG-UNITS")
    assert (f.severity, f.sheet, f.cells) == ("error", DETAIL_SHEET, ("A5",))
    assert f.message == f"“{DETAIL_SHEET}”列出的单位与元数据记录的汇总单位不一致：多出“北峰镇”；缺少“{first}”"


def test_a_deleted_detail_sheet_is_a_warning_that_the_sums_cannot_be_checked(district, tmp_path):
    _, out, _ = district
    [f] = findings(out, tmp_path, {}, "AGG-DETAIL", delete_sheets=[DETAIL_SHEET])
    assert (f.severity, f.message) == (
        "warning", f"汇总工作簿中没有“{DETAIL_SHEET}”工作表，无法核对汇总数是否等于各单位之和")


def test_a_city_total_of_a_district_total_passes_check(district, tmp_path):
    result, out, _ = district
    extra = tmp_path / "龙门镇.xlsx"
    write_workbook(balanced_report("龙门镇", 2021, random.Random(9)), extra)
    city = merge_files([out, extra], unit="泉州市")
    city_out = tmp_path / "泉州市.xlsx"
    write_merged(city, city_out)
    reading, found = check_file(city_out)
    assert [f for f in found if f.severity == "error"] == []
    assert sorted(reading.metadata.units) == sorted(result.metadata.units + ["龙门镇"])
    assert [s.label for s in city.included] == [f"{DISTRICT}（汇总，含 3 个单位）", "龙门镇"]
