"""merge: a blank cell is summed as 0 and said so — in the summary, on 汇总说明 and as a BLANK
warning when the merged workbook is checked (issue 11)."""
from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # benchmarks/ beside tests/

from benchmarks.balanced import balanced_report  # noqa: E402
from xlsx_reports.check.workbook import check_file  # noqa: E402
from xlsx_reports.merge.workbooks import merge_files  # noqa: E402
from xlsx_reports.xlsx.meta import DETAIL_SHEET  # noqa: E402
from xlsx_reports.xlsx.writer import write_workbook  # noqa: E402
from xlsx_reports.xlsx.writer.merged import detail_column, write_merged  # noqa: E402


def test_blank_cells_are_named_per_unit_and_kept_as_a_warning(tmp_path):
    towns = tmp_path / "towns"
    towns.mkdir()
    for seed, unit in enumerate(("甲镇", "乙镇")):
        report = balanced_report(unit, 2021, random.Random(seed))
        if unit == "乙镇":
            report.values["s6.fee.count"] = None   # the fee count left blank
        write_workbook(report, towns / f"{unit}.xlsx")
    result = merge_files([towns], unit="洛江区")
    assert result.blanks == {"乙镇": ["s6.fee.count"]}
    lines = result.summary_lines()
    assert "空白单元格（按 0 计入汇总，空白不等于 0，请核实）：1 个单位共 1 格" in lines
    cell = result.report.form.field("s6.fee.count").a1
    assert f"  乙镇：六、其他事项!{cell}" in lines
    out = tmp_path / "total.xlsx"
    write_merged(result, out)
    findings = [f for f in check_file(out)[1] if f.code == "BLANK" and f.sheet == DETAIL_SHEET]
    assert len(findings) == 1
    f = findings[0]
    assert "乙镇" in f.message and f"六、其他事项!{cell}" in f.message
    assert f.cells[0].startswith(detail_column(result.report.form, "s6.fee.count"))
