"""Builds samples/district/: a small district's filled 2020 township workbooks and their total.

    python samples/district/make_district.py

河市镇 carries the figures of its published 2020 report (samples/data/河市镇_2020.json); the
other townships are fictional, with random balanced values (fixed seeds). 北峰镇 is on the
roster but sends nothing, so the summary shows a missing unit. The total is then made with
the README's command:

    xlsx-reports merge samples/district/乡镇 -o samples/district/全区汇总.xlsx \\
        --unit 示例区 --roster samples/district/名单.csv
"""
from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.balanced import balanced_report  # noqa: E402
from xlsx_reports.form.values import Report  # noqa: E402
from xlsx_reports.xlsx.writer import write_workbook  # noqa: E402

YEAR = 2020
DISTRICT = "示例区"
FICTIONAL = ("东山镇", "西岭乡", "南溪街道")
NOT_SENT = "北峰镇"
TOWNS = HERE / "乡镇"
ROSTER = HERE / "名单.csv"
TOTAL = HERE / "全区汇总.xlsx"


def township_reports() -> list[Report]:
    seed = json.loads((REPO / "samples" / "data" / "河市镇_2020.json").read_text(encoding="utf-8"))
    reports = [Report.from_dict(seed)]
    for i, unit in enumerate(FICTIONAL):
        reports.append(balanced_report(unit, YEAR, random.Random(2020 + i), busy=0.15,
                                       most=6))
    return reports


def main() -> int:
    TOWNS.mkdir(exist_ok=True)
    reports = township_reports()
    for report in reports:
        write_workbook(report, TOWNS / f"{report.unit}.xlsx")
    names = [r.unit for r in reports] + [NOT_SENT]
    ROSTER.write_text("单位名称\n" + "".join(f"{n}\n" for n in names), encoding="utf-8")
    command = [sys.executable, "-c", "from xlsx_reports.cli import main_entry; main_entry()",
               "merge", str(TOWNS.relative_to(REPO)), "-o", str(TOTAL.relative_to(REPO)),
               "--unit", DISTRICT, "--roster", str(ROSTER.relative_to(REPO))]
    return subprocess.run(command, cwd=REPO).returncode


if __name__ == "__main__":
    sys.exit(main())
