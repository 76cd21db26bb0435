"""`new --previous`: carried-over cells prefilled from last year's returned workbook."""
from __future__ import annotations

import pytest
from click.testing import CliRunner
from test_writer_helpers import filled_report, open_both

from xlsx_reports.generate.batch import new_workbook
from xlsx_reports.cli import main
from xlsx_reports.core.findings import CannotContinue
from xlsx_reports.xlsx.writer import write_workbook

COLS = ("natural", "business", "research", "nonprofit", "legal", "other_org")


@pytest.fixture()
def last_2020(tmp_path):
    report = filled_report("2019", unit="河市镇", year=2020)
    report.values["t2.fees.change"] = -3
    report.values["t2.fees.prev_items"] = 5
    path = tmp_path / "河市镇_2020.xlsx"
    write_workbook(report, path)
    return report, path


def test_2020_to_2021_carries_table_three_across_the_format_change(tmp_path, last_2020):
    last, path = last_2020
    g = new_workbook("河市镇", 2021, tmp_path / "new.xlsx", previous=path)
    assert g.metadata.format == "2021"
    assert g.prefill.keys == [f"t3.carried.{c}" for c in COLS]
    o = open_both(g.path)
    ws = o.wb["三、依申请公开"]
    for i, col in enumerate(COLS):
        cell = ws.cell(6, 4 + i)
        assert cell.value == last.values[f"t3.carry_over.{col}"] != 0
        assert cell.protection.locked is False and cell.fill.fgColor.rgb == "FFDDEBF7"
    assert o.cached["三、依申请公开"]["J6"].value == last.value("t3.carry_over.total")
    assert ws["D5"].value is None  # nothing else filled
    assert sum(1 for f in g.prefill.filled if f.value is not None) == 6


def test_2019_format_also_carries_item_counts(tmp_path, last_2020):
    last, path = last_2020
    previous_year = tmp_path / "河市镇_2019.xlsx"
    older = filled_report("2019", unit="河市镇", year=2019)
    write_workbook(older, previous_year)
    g = new_workbook("河市镇", 2020, tmp_path / "new.xlsx", previous=previous_year)
    items = {f.key: f.value for f in g.prefill.filled if f.key.startswith("t2.")}
    assert items == {f"t2.{r}.prev_items": older.value(f"t2.{r}.prev_items") + older.value(f"t2.{r}.change")
                     for r in ("licensing", "other_services", "penalty", "enforcement", "fees")}
    ws = open_both(g.path).wb["二、主动公开"]
    fee = g.prefill.filled[-1]
    assert (fee.sheet, ws[fee.cell].value) == ("二、主动公开", fee.value)


def test_negative_or_blank_last_year_values_are_not_prefilled_but_reported(tmp_path):
    older = filled_report("2019", unit="河市镇", year=2019)
    older.values["t2.fees.prev_items"], older.values["t2.fees.change"] = 2, -5
    older.values["t3.carry_over.legal"] = None
    path = tmp_path / "old.xlsx"
    write_workbook(older, path)
    g = new_workbook("河市镇", 2020, tmp_path / "new.xlsx", previous=path)
    assert "t2.fees.prev_items" not in g.prefill.keys and "t3.carried.legal" not in g.prefill.keys
    assert any("负数（-3）" in n for n in g.notes)
    assert any("三、依申请公开!H27 未填写" in n for n in g.notes)


@pytest.mark.parametrize("unit, year, message", [
    ("马甲镇", 2021, "上年报表 河市镇_2020.xlsx 的单位是“河市镇”，与本次的“马甲镇”不一致"),
    ("河市镇", 2022, "上年报表 河市镇_2020.xlsx 是 2020 年度的，预填 2022 年度需要 2021 年度的工作簿"),
])
def test_previous_of_another_unit_or_year_is_refused(tmp_path, last_2020, unit, year, message):
    _, path = last_2020
    out = tmp_path / "new.xlsx"
    with pytest.raises(CannotContinue, match=message):
        new_workbook(unit, year, out, previous=path)
    assert not out.exists()


def test_cli_lists_prefilled_cells(tmp_path, last_2020):
    _, path = last_2020
    out = tmp_path / "河市镇_2021.xlsx"
    result = CliRunner().invoke(main, ["new", "--unit", "河市镇", "--year", "2021",
                                       "--previous", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "根据上年报表 河市镇_2020.xlsx 预填了 6 个单元格" in result.output
    assert "三、依申请公开!D6（二、上年结转政府信息公开申请数量 › 自然人）＝" in result.output


def test_cli_unreadable_previous_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a workbook", encoding="utf-8")
    out = tmp_path / "new.xlsx"
    result = CliRunner().invoke(main, ["new", "--unit", "河市镇", "--year", "2021",
                                       "--previous", str(bad), "-o", str(out)])
    assert result.exit_code == 2 and "bad.xlsx" in result.output
    assert "Traceback" not in result.output and not out.exists()
