"""The unit's level (基本信息 单位层级): prefilled by `new --level`; a workbook made before the
field existed is still read and checked (issue 11). Needs nothing from ../shared."""
from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from xlsx_reports.check.workbook import check_file
from xlsx_reports.cli import main
from xlsx_reports.form.definitions import TOWNSHIP


def test_new_prefills_the_level(tmp_path):
    out = tmp_path / "a.xlsx"
    result = CliRunner().invoke(main, ["new", "--unit", "甲镇", "--year", "2024", "--level",
                                       TOWNSHIP, "-o", str(out)])
    assert result.exit_code == 0, result.output
    reading, _ = check_file(out)
    assert reading.report.values["info.level"] == TOWNSHIP
    assert reading.cells["info.level"].a1 == "B10"


def test_workbook_made_before_the_level_field_is_still_read(tmp_path):
    old = Path(__file__).parent / "fixtures_real" / "layout_557a8e3_2024.xlsx"   # made by 557a8e3
    reading, findings = check_file(old)
    assert {f.code for f in findings} <= {"BLANK", "NARRATIVE", "EMPTY"}   # it was never filled
    assert "info.level" not in reading.cells
