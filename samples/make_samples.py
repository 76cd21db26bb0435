"""Builds the sample workbooks and roster through the tool's own API.

    python samples/make_samples.py

samples/data/<unit>_<year>.json  →  samples/<unit>_<year>.xlsx (filled in, as a township
would return it), plus samples/roster.csv. Metadata is derived from the data (fixed id and
time), so running the script again reproduces the same workbooks.
"""
from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from xlsx_reports import __version__  # noqa: E402
from xlsx_reports.core.atomic import write_bytes  # noqa: E402
from xlsx_reports.xlsx.meta import Metadata  # noqa: E402
from xlsx_reports.form.values import Report  # noqa: E402
from xlsx_reports.xlsx.writer import write_workbook  # noqa: E402

SAMPLES = ("河市镇_2020", "新九镇_2021")
GENERATED = "2026-01-01T00:00:00+00:00"
# Townships of 泉州市洛江区 (河市镇's district); contacts are left for the townships to fill.
ROSTER = [("单位名称", "联系部门", "上级单位")] + [
    (name, "党政办", "洛江区") for name in ("河市镇", "马甲镇", "罗溪镇", "虹山乡", "万安街道", "双阳街道")]


def sample_metadata(report: Report) -> Metadata:
    seed = f"{report.unit}|{report.year}|{report.form.format}|sample"
    return Metadata(format=report.form.format, unit=report.unit, year=report.year,
                    fingerprint=report.form.fingerprint,
                    workbook_id=hashlib.sha256(seed.encode("utf-8")).hexdigest()[:32],
                    generated=GENERATED, version=__version__)


def build(name: str, outdir: Path = HERE) -> Path:
    data = json.loads((HERE / "data" / f"{name}.json").read_text(encoding="utf-8"))
    report = Report.from_dict(data)
    target = outdir / f"{name}.xlsx"
    write_workbook(report, target, metadata=sample_metadata(report))
    return target


def roster_text() -> str:
    return "".join(",".join(row) + "\r\n" for row in ROSTER)


def main(outdir: Path = HERE) -> list[Path]:
    made = [build(name, outdir) for name in SAMPLES]
    write_bytes(outdir / "roster.csv", roster_text().encode("utf-8-sig"))
    return made + [outdir / "roster.csv"]


if __name__ == "__main__":
    for path in main():
        print(path.relative_to(HERE.parent))
