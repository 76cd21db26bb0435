"""A minimal stand-in writer for reader tests that must not depend on the real writer's
layout choices: labels, inputs, total formulas, protection and metadata, from the Form."""
from __future__ import annotations

import xlsxwriter

from xlsx_reports.core.a1 import a1
from xlsx_reports.xlsx.meta import META_SHEET, Metadata
from xlsx_reports.form.values import Report


def formula(report: Report, key: str) -> str:
    f = report.form.field(key)
    parts = []
    for t in f.terms:
        cell = report.form.field(t)
        parts.append(("-" if t.startswith("-") else "+") + a1(cell.row, cell.col))
    return "=" + "".join(parts).lstrip("+")


def plain_workbook(report: Report, path, metadata: Metadata, *, protect: bool = True) -> None:
    wb = xlsxwriter.Workbook(str(path))
    unlocked = wb.add_format({"locked": False})
    for sheet in report.form.sheets:
        ws = wb.add_worksheet(sheet.name)
        for lb in sheet.labels:
            if lb.merged:
                ws.merge_range(lb.row, lb.col, lb.bottom, lb.right, lb.text)
            else:
                ws.write_string(lb.row, lb.col, lb.text)
        for f in sheet.fields:
            if f.kind == "total":
                ws.write_formula(f.row, f.col, formula(report, f.key), None, report.value(f.key))
                continue
            value = report.values.get(f.key)
            fmt = unlocked if f.kind == "input" else None
            if value is None:
                ws.write_blank(f.row, f.col, None, fmt)
            elif isinstance(value, str):
                ws.write_string(f.row, f.col, value, fmt)
            else:
                ws.write_number(f.row, f.col, value, fmt)
        if protect:
            ws.protect("secret")
    meta = wb.add_worksheet(META_SHEET)
    for i, (k, v) in enumerate(metadata.rows()):
        meta.write_string(i, 0, k)
        meta.write_string(i, 1, v)
    meta.hide()
    wb.close()


# --- workbooks as the three programs leave them ---------------------------------------------

import json as _json
import os as _os
import subprocess as _subprocess
from pathlib import Path as _Path

LO_FILL = _Path(__file__).with_name("lo_fill.py")
SYSTEM_PYTHON = "/usr/bin/python3"


def balanced(year: int = 2020, unit: str = "东山镇") -> Report:
    """A fully filled report in which every rule holds, with non-zero numbers in table 三 and 四."""
    report = Report.blank(unit, year)
    for f in report.form.inputs:
        if f.numeric:
            report.values[f.key] = 0
    report.values.update({
        "info.office": "党政综合办", "info.contact": "张三", "info.phone": "0595-22039158",
        "info.website": "http://www.example.gov.cn", "info.date": f"{year + 1}-01-20",
        "s1.text": ("本年度，我镇认真贯彻落实《中华人民共和国政府信息公开条例》，围绕主动公开、依申请公开、"
                    "政府信息管理、平台建设和监督保障五个方面开展工作，全年主动公开政府信息 120 条。"),
        "s5.text": "存在的主要问题是公开内容不够全面。下一步将加强培训，完善公开目录，提高公开质量。",
        "s6.text": "无其他需要报告的事项。",
        "t3.new.natural": 5, "t3.new.legal": 1, "t3.carried.natural": 1,
        "t3.public.natural": 3, "t3.public.legal": 1, "t3.partial.natural": 1,
        "t3.rejected.repeat.natural": 1, "t3.carry_over.natural": 1,
        "t4.review.upheld": 1, "t4.direct.corrected": 2,
    })
    if report.form.format == "2019":
        report.values.update({"t2.procurement.projects": 4, "t2.procurement.amount": 39340,
                              "t2.licensing.prev_items": 10, "t2.licensing.change": -2})
    else:
        report.values.update({"t2.normative.issued": 2, "t2.normative.in_force": 12,
                              "t2.fees.amount": 0, "s6.fee.count": 0, "s6.fee.amount": 0})
    from decimal import Decimal
    for key in ("t2.procurement.amount", "t2.fees.amount", "s6.fee.amount"):
        if key in report.values:
            report.values[key] = Decimal(report.values[key])
    return report


def generate(report: Report, path) -> _Path:
    from xlsx_reports.xlsx.writer import write_workbook
    write_workbook(report, path)
    return _Path(path)


def openpyxl_edit(src, dst, cells: dict[tuple[str, str], object], *, rename=None,
                  unprotect=(), delete_sheets=()) -> _Path:
    """Edits a workbook with openpyxl and saves it: every cached formula result is lost."""
    import openpyxl
    wb = openpyxl.load_workbook(src)
    for (sheet, cell), value in cells.items():
        wb[sheet][cell].value = value
    for sheet in unprotect:
        wb[sheet].protection.sheet = False
    for old, new in (rename or {}).items():
        wb[old].title = new
    for sheet in delete_sheets:
        del wb[sheet]
    wb.save(dst)
    return _Path(dst)


def need_uno() -> None:
    """LibreOffice's Python bridge (Debian python3-uno, for /usr/bin/python3 only): skip
    without it locally, fail without it in CI, like conftest.need_program."""
    import pytest
    from conftest import IN_CI, need_program
    need_program("soffice")
    need_program(SYSTEM_PYTHON)
    done = _subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True)
    if done.returncode == 0:
        return
    if IN_CI:
        pytest.fail("python3-uno is required in CI but is not installed")
    pytest.skip("python3-uno not installed")


def lo_fill(tmp_path, jobs: list[dict]) -> dict:
    """Runs LibreOffice (one process for all jobs) to fill, recalculate and save workbooks;
    returns what the jobs' recording ops saw ({record name: result})."""
    spec = tmp_path / "lo_jobs.json"
    profile = tmp_path / "lo_profile"
    spec.write_text(_json.dumps({"profile": str(profile), "jobs": jobs}, ensure_ascii=False),
                    encoding="utf-8")
    env = dict(_os.environ, HOME=str(tmp_path))
    done = _subprocess.run([SYSTEM_PYTHON, str(LO_FILL), str(spec)], capture_output=True,
                           text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    missing = [j["out"] for j in jobs if not _Path(j["out"]).exists()]
    assert not missing, f"LibreOffice did not write {missing}"
    results = _Path(str(spec) + ".results.json")
    return _json.loads(results.read_text(encoding="utf-8")) if results.exists() else {}
