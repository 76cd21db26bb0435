"""Helpers shared by the writer, prefill, batch and export tests: build a report with known
figures, write it, and open the result with openpyxl twice (formulas, cached values)."""
from __future__ import annotations

import json
from decimal import Decimal
from dataclasses import dataclass
from pathlib import Path

import openpyxl

from xlsx_reports.form.definitions import get_form
from xlsx_reports.form.values import Report
from xlsx_reports.xlsx.writer import write_workbook

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "samples" / "data" / "河市镇_2020.json"


def filled_report(fmt: str, unit: str = "测试镇", year: int | None = None) -> Report:
    """Every numeric input gets a distinct small number, so a wrong cell shows at once;
    texts get their label; table 三 balances per column."""
    year = year or (2020 if fmt == "2019" else 2024)
    report = Report.blank(unit, year, fmt)
    for i, f in enumerate(get_form(fmt).inputs):
        if f.type in ("count", "signed"):
            report.values[f.key] = i % 7 + 1
        elif f.type == "money":
            report.values[f.key] = Decimal(f"{i}.25")
        elif f.type == "longtext":
            report.values[f.key] = f"{f.labels[0]}的文字。"
    report.values.update({"info.phone": "0595-22039158", "info.date": "2025-01-20",
                          "info.contact": "张三", "info.office": "党政办",
                          "info.website": "https://example.gov.cn/"})
    for col in ("natural", "business", "research", "nonprofit", "legal", "other_org"):
        report.values[f"t3.new.{col}"] = (report.number(f"t3.total.{col}")
                                          + report.number(f"t3.carry_over.{col}")
                                          - report.number(f"t3.carried.{col}"))
    return report


def seed_report() -> Report:
    return Report.from_dict(json.loads(SEED.read_text(encoding="utf-8")))


@dataclass
class Opened:
    path: Path
    wb: openpyxl.Workbook          # formulas
    cached: openpyxl.Workbook      # data_only: what a non-recalculating reader sees


def open_both(path) -> Opened:
    return Opened(Path(path), openpyxl.load_workbook(path),
                  openpyxl.load_workbook(path, data_only=True))


def write_and_open(tmp_path, report: Report, name: str = "out.xlsx", **options) -> tuple[Opened, object]:
    path = tmp_path / name
    metadata = write_workbook(report, path, **options)
    return open_both(path), metadata


def validations_at(ws, cell: str):
    return [dv for dv in ws.data_validations.dataValidation if cell in dv.sqref]


def meta_rows(wb) -> dict[str, str]:
    ws = wb["_meta"]
    return {r[0].value: r[1].value for r in ws.iter_rows(min_col=1, max_col=2) if r[0].value}
