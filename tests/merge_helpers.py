"""A small district for the merged-workbook tests: balanced township workbooks of one year,
merged and written by the real merge and writer."""
from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # benchmarks/ beside tests/

from benchmarks.balanced import balanced_report  # noqa: E402,F401 (re-exported)
from xlsx_reports.merge.workbooks import MergeResult, merge_files  # noqa: E402
from xlsx_reports.form.values import Report  # noqa: E402
from xlsx_reports.xlsx.writer import write_workbook  # noqa: E402
from xlsx_reports.xlsx.writer.merged import write_merged  # noqa: E402

TOWNS = ("东山镇", "西岭乡", "南溪街道")
DISTRICT = "洛江区"


def merged_district(folder: Path, year: int) -> tuple[dict[str, Report], MergeResult, Path]:
    """{unit: report} of the townships, the merge result and the merged workbook's path."""
    towns = folder / "towns"
    towns.mkdir()
    reports = {}
    for seed, unit in enumerate(TOWNS):
        reports[unit] = balanced_report(unit, year, random.Random(seed), busy=0.6)
        write_workbook(reports[unit], towns / f"{unit}.xlsx")
    result = merge_files([towns], unit=DISTRICT)
    out = folder / f"{DISTRICT}_{year}.xlsx"
    write_merged(result, out)
    return reports, result, out
