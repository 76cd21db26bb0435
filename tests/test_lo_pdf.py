"""Generated workbooks in LibreOffice: the PDF export shows the Chinese labels, and a full
recalculation gives exactly the values the writer cached (so the live formulas are right)."""
from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import need_program
from test_writer_helpers import filled_report, seed_report

from xlsx_reports.xlsx.meta import CHECK_SHEET, GUIDE_SHEET
from xlsx_reports.xlsx.writer import write_workbook

RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def soffice_convert(tmp_path: Path, source: Path, target_format: str, *, recalc: bool = False) -> Path:
    soffice = need_program("soffice")
    profile = tmp_path / "lo-profile"
    if recalc:
        (profile / "user").mkdir(parents=True, exist_ok=True)
        (profile / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS, encoding="utf-8")
    outdir = tmp_path / f"lo-{target_format}"
    subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--convert-to", target_format, "--outdir", str(outdir), str(source)],
                   check=True, capture_output=True, timeout=180)
    out = outdir / f"{source.stem}.{target_format}"
    assert out.exists(), f"LibreOffice did not produce {out.name}"
    return out


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_pdf_export_shows_the_chinese_labels(tmp_path):
    pdftotext = need_program("pdftotext")
    report = seed_report()
    source = tmp_path / "河市镇_2020.xlsx"
    write_workbook(report, source, deadline="2021年1月20日")
    pdf = soffice_convert(tmp_path, source, "pdf")
    text = subprocess.run([pdftotext, str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    flat = squeeze(text)
    assert "□" not in text and "\ufffd" not in text
    for section in report.form.sections:
        assert section.heading in flat
    labels = {lb.text for s in report.form.sheets for lb in s.labels if lb.role != "hint"}
    missing = sorted(t for t in labels if squeeze(t) not in flat)
    assert missing == []
    assert "河市镇人民政府党政办" in flat and "填报截止时间：2021年1月20日" in flat
    need_program("pdftoppm")
    subprocess.run(["pdftoppm", "-r", "50", "-f", "6", "-l", "6", "-png", str(pdf),
                    str(tmp_path / "page")], check=True, timeout=60)
    assert list(tmp_path.glob("page-*.png"))


def poison_cached_results(source: Path, target: Path) -> int:
    """Replace every cached formula result by 0, so only a real recalculation restores them."""
    count = 0
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                text, n = re.subn(r"(</f>)<v>[^<]*</v>", r"\1<v>0</v>", data.decode("utf-8"))
                data, count = text.encode("utf-8"), count + n
            zout.writestr(item, data)
    return count


@pytest.mark.parametrize("fmt", ["2019", "2021"])
def test_libreoffice_recalculation_agrees_with_the_cached_values(tmp_path, fmt):
    report = filled_report(fmt)
    report.values["t3.carry_over.research"] += 2          # one ✗ among the ✓
    report.values["t3.public.legal"] = None               # one 待填 (and a blank count)
    source = tmp_path / "src.xlsx"
    write_workbook(report, source)
    poisoned = tmp_path / "poisoned.xlsx"
    assert poison_cached_results(source, poisoned) > 60
    recalculated = soffice_convert(tmp_path, poisoned, "xlsx", recalc=True)
    formulas = openpyxl.load_workbook(source)
    ours = openpyxl.load_workbook(source, data_only=True)
    theirs = openpyxl.load_workbook(recalculated, data_only=True)
    compared = 0
    for ws in formulas.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    assert theirs[ws.title][cell.coordinate].value == \
                        ours[ws.title][cell.coordinate].value, (ws.title, cell.coordinate, cell.value)
                    compared += 1
    statuses = [c.value for c in ours[CHECK_SHEET]["D"][4:]]
    assert {"✓", "✗", "待填"} <= set(statuses)
    assert compared > 60 and GUIDE_SHEET in theirs.sheetnames
