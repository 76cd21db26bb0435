"""A merged workbook that LibreOffice opened, recalculated and saved: it still passes check,
and a unit row changed there is found against the 合计 row LibreOffice recomputed."""
from __future__ import annotations

from pathlib import Path

import pytest
from fixtures_check.workbooks import lo_fill, need_uno
from merge_helpers import merged_district

from xlsx_reports.check.workbook import check_file
from xlsx_reports.xlsx.meta import DETAIL_SHEET
from xlsx_reports.xlsx.writer.merged import detail_column

KEY = "t3.new.natural"


@pytest.fixture(scope="module")
def lo_merged(tmp_path_factory) -> tuple[list, dict[str, Path]]:
    need_uno()
    tmp = tmp_path_factory.mktemp("lo_merged")
    _, result, out = merged_district(tmp, 2021)
    assert detail_column(result.report.form, KEY) == "M"
    parts = [s.report.number(KEY) for s in result.included]
    jobs = {"saved": [], "row": [{"op": "set", "sheet": DETAIL_SHEET, "cell": "M6",
                                  "value": parts[1] + 4}]}
    lo_fill(tmp, [{"in": str(out), "out": str(tmp / f"{name}.xlsx"), "ops": ops}
                  for name, ops in jobs.items()])
    return parts, {name: tmp / f"{name}.xlsx" for name in jobs}


def test_a_merged_workbook_saved_by_libreoffice_passes(lo_merged):
    _, books = lo_merged
    reading, findings = check_file(books["saved"])
    assert reading.metadata.kind == "merged"
    assert [(f.code, f.message) for f in findings if f.severity == "error" or f.code.startswith("AGG")] == []


def test_a_unit_row_changed_in_libreoffice_is_agg_sum(lo_merged):
    (a, b, c), books = lo_merged
    _, findings = check_file(books["row"])
    [f] = [f for f in findings if f.code == "AGG-SUM"]
    assert (f.severity, f.sheet, f.cells, f.expected, f.actual) == (
        "error", "三、依申请公开", ("D5",), a + b + 4 + c, a + b + c)
    assert f.message == (
        f"三、依申请公开!D5（一、本年新收政府信息公开申请数量／自然人）的汇总数为 {a + b + c}，"
        f"但{DETAIL_SHEET}!M8（合计）为 {a + b + 4 + c}，M5:M7 各单位之和为 {a}+{b + 4}+{c} = "
        f"{a + b + 4 + c}；汇总数应等于各单位之和")
