"""The Word report as printed (issue 14): LibreOffice makes a PDF, pdftotext reads each page.

No page may end with a table caption (第二十条第（八）项 left alone at the foot of a page
while its rows start the next), and no phone number or web address may be broken across
lines. Where a caption falls depends on the length of the prose before it, so each sample is
rendered with 0…N extra lines in 总体情况: the captions of table 二 walk over the page foot.
"""
from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from conftest import REPO, need_program
from xlsx_reports.report.nobreak import split_nobreak
from xlsx_reports.report.render import render_report
from xlsx_reports.xlsx.reader import read_workbook

SAMPLES = sorted((REPO / "samples").glob("*.xlsx"))
SHIFTS = range(0, 27, 2)   # a page holds about 26 lines of 三号 text
FILLER = "本段用于调整版面位置。"


def _report(sample: Path, shift: int):
    report = read_workbook(sample).report
    text = report.text("s1.text")
    report.values["s1.text"] = text + "\n" * bool(shift) + "\n".join([FILLER] * shift)
    return report


def _pdfs(tmp_path: Path, docs: dict[str, bytes]) -> dict[str, list[str]]:
    """Each document's pages as lists of text lines (page numbers in the footer dropped)."""
    soffice, pdftotext = need_program("soffice"), need_program("pdftotext")
    for name, content in docs.items():
        (tmp_path / f"{name}.docx").write_bytes(content)
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path),
                    *[str(tmp_path / f"{n}.docx") for n in docs]],
                   capture_output=True, timeout=600, check=True)
    pages = {}
    for name in docs:
        text = subprocess.run([pdftotext, "-layout", str(tmp_path / f"{name}.pdf"), "-"],
                              capture_output=True, text=True, check=True).stdout
        pages[name] = [[ln.strip() for ln in page.splitlines()
                        if ln.strip() and not ln.strip().isdigit()]
                       for page in text.split("\f") if page.strip()]
    return pages


def _captions(report) -> set[str]:
    return {lb.text for s in report.form.sheets for lb in s.labels if lb.role == "caption"}


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.skipif(not SAMPLES, reason="samples/*.xlsx not generated")
def test_captions_stay_with_their_tables_and_phone_numbers_are_not_split(tmp_path):
    reports = {f"{s.stem}_{k}": _report(s, k) for s in SAMPLES for k in SHIFTS}
    pages = _pdfs(tmp_path, {name: render_report(r, "docx") for name, r in reports.items()})
    caption_feet = []
    for name, report in reports.items():
        captions = _captions(report)
        for number, lines in enumerate(pages[name][:-1], 1):
            if _squeezed(lines[-1]) in captions:
                caption_feet.append((name, number, lines[-1]))
        info = {k: report.text(f"info.{k}") for k in ("phone", "website")}
        for value in filter(None, info.values()):
            for piece, whole in split_nobreak(value):
                # the piece shows on one line of one page (pdftotext may put spaces in it)
                assert whole and any(_squeezed(piece) in _squeezed(ln)
                                     for page in pages[name] for ln in page), (name, piece)
    assert caption_feet == []
    assert {s.stem for s in SAMPLES} == {"河市镇_2020", "新九镇_2021"}


@pytest.mark.skipif(not SAMPLES, reason="samples/*.xlsx not generated")
def test_word_marks_captions_and_addresses_for_the_printer():
    report = _report(next(s for s in SAMPLES if s.stem == "河市镇_2020"), 0)
    doc = docx.Document(io.BytesIO(render_report(report, "docx")))
    t2 = doc.tables[0]
    for tr in t2._tbl.tr_lst:
        assert tr.trPr.find(qn("w:cantSplit")) is not None
    first = [p for c in t2.rows[0].cells for p in c.paragraphs]
    assert t2.rows[0].cells[0].text in _captions(report)
    assert all(p.paragraph_format.keep_with_next for p in first)
    assert all(p.paragraph_format.keep_with_next for c in t2.rows[1].cells for p in c.paragraphs)
    assert not any(p.paragraph_format.keep_with_next for c in t2.rows[2].cells for p in c.paragraphs)
    opening = next(p for p in doc.paragraphs if "联系电话" in p.text)
    phone = report.text("info.phone")
    kept = [r for r in opening.runs if r.text.replace("\u2060", "") == phone]
    assert kept and kept[0]._r.rPr.find(qn("w:lang")).get(qn("w:val")) == "en-US"


def _chromium_pages(tmp_path: Path, name: str, html: str) -> list[list[str]]:
    chromium, pdftotext = need_program("chromium"), need_program("pdftotext")
    page, pdf = tmp_path / f"{name}.html", tmp_path / f"{name}.pdf"
    page.write_text(html, encoding="utf-8")
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update",
                    f"--user-data-dir={tmp_path / 'profile'}", "--no-pdf-header-footer",
                    f"--print-to-pdf={pdf}", page.as_uri()], capture_output=True, timeout=120)
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return [[ln.strip() for ln in p.splitlines() if ln.strip()] for p in text.split("\f") if p.strip()]


@pytest.mark.skipif(not SAMPLES, reason="samples/*.xlsx not generated")
def test_html_print_keeps_captions_with_their_rows_and_addresses_whole(tmp_path):
    caption_feet = []
    for sample in SAMPLES:
        for shift in range(0, 27, 3):
            report = _report(sample, shift)
            name = f"{sample.stem}_{shift}"
            pages = _chromium_pages(tmp_path, name, render_report(report, "html"))
            captions = _captions(report)
            caption_feet += [(name, i, lines[-1]) for i, lines in enumerate(pages[:-1], 1)
                             if _squeezed(lines[-1]) in captions]
            for key in ("info.phone", "info.website"):
                value = report.text(key)
                assert not value or any(_squeezed(value) in _squeezed(ln)
                                        for page in pages for ln in page), (name, value)
    assert caption_feet == []
