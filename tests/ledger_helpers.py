"""Returns for the ledger tests: balanced workbooks carrying the metadata of the workbook the
workspace handed out (as a township's filled-in copy would), written by the real writer."""
from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # benchmarks/ beside tests/

from dataclasses import replace  # noqa: E402

from benchmarks.balanced import balanced_report  # noqa: E402
from xlsx_reports.xlsx.writer import write_workbook  # noqa: E402
from xlsx_reports.xlsx.writer.metasheet import fresh_metadata  # noqa: E402

UNITS = tuple(f"{name}镇" for name in "东西南北中上下左右前后甲乙丙丁戊己庚辛壬")   # 20 units


def write_roster(path: Path, units=UNITS) -> Path:
    path.write_text("单位名称,联系人\n" + "".join(f"{u},张三\n" for u in units), encoding="utf-8")
    return path


def filled_return(ws, unit: str, folder: Path, *, seed: int = 0, name: str | None = None,
                  broken: bool = False, year: int | None = None) -> Path:
    """The unit's return: its distributed workbook filled in; `broken` unbalances table 三."""
    report = balanced_report(unit, year or ws.year, random.Random(seed))
    if broken:
        report.values["t3.new.natural"] = report.number("t3.new.natural") + 1
    handed_out = {u["name"]: u["workbook_id"] for u in ws.ledger.units()}
    meta = fresh_metadata(report)
    if unit in handed_out:   # the id of the workbook the workspace handed out to the unit
        meta = replace(meta, workbook_id=handed_out[unit])
    path = folder / (name or f"{unit}_{ws.year}.xlsx")
    folder.mkdir(parents=True, exist_ok=True)
    write_workbook(report, path, metadata=meta)
    return path
