"""Applies every rule of rules.md that a returned workbook can be held to.

check_reading judges a Reading (plain data from the reader); check_file reads and judges
one file and never raises for a bad file: an unreadable one becomes an UNREADABLE finding.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator, Sequence

from xlsx_reports.form.compiled import derived
from xlsx_reports.form.definitions import format_for_year
from xlsx_reports.form.model import Form
from xlsx_reports.form.types import value_rule
from xlsx_reports.core.files import as_path, working_on
from xlsx_reports.core.findings import CannotContinue, Finding, debug_traceback, os_reason
from xlsx_reports.core.a1 import a1
from xlsx_reports.xlsx.meta import GUIDE_SHEET, GUIDE_TITLE_CELL
from xlsx_reports.form.values import period_text
from xlsx_reports.xlsx.reader import FastPathMissed, Reading, read_workbook
from xlsx_reports.check.context import Context
from xlsx_reports.check.merged import merged_findings
from xlsx_reports.check.totals import check_findings, total_findings
from xlsx_reports.check.values import value_findings
from xlsx_reports.check.years import year_findings

SEVERITY_ORDER = {"error": 0, "warning": 1}


def check_reading(reading: Reading, *, previous: Reading | None = None, warnings: bool = True
                  ) -> list[Finding]:
    """Every rule's findings. warnings=False: every error, for a caller that uses no warning
    (the merge sums a workbook or leaves it out by its errors alone); what can only warn is
    not looked for, so few warnings come: the prose against the tables (every code of
    check/text.py and check/narrative.py is a warning, test_catalogue holds them to it; with
    a report's narratives they were a sixth of checking it), the form's checks of severity
    warning, CACHED, BLANK, INFO and NARRATIVE."""
    findings = list(reading.findings)
    if reading.form is None or reading.report is None:
        return findings
    ctx = Context(reading, warnings)
    findings += identity_findings(ctx)
    findings += protection_findings(ctx)
    findings += value_findings(ctx)
    findings += total_findings(ctx)
    findings += check_findings(ctx)
    findings += merged_findings(ctx)
    if warnings:
        findings += text_findings(ctx)
    if previous is not None:
        findings += year_findings(ctx, previous)
    return findings


def text_findings(ctx: Context) -> list[Finding]:
    """TXT-*, TXT-HEAD and YEAR-TEXT on the narratives, at the sheet and cell each was found."""
    from xlsx_reports.check.text import check_report   # prose reader: loaded when checking
    cells = ctx.reading.cells
    if not any(k in cells for k in _narrative_keys(ctx.form)):
        return []

    def place(key: str) -> tuple[str, str]:
        cell = cells.get(key)
        return (cell.sheet, cell.a1) if cell else (ctx.form.field(key).sheet, ctx.form.field(key).a1)
    return check_report(ctx.report, file=ctx.file, place=place)


@derived
def _narrative_keys(form: Form) -> tuple[str, ...]:
    return tuple(f.key for f in form.fields if f.type == "longtext")


def check_file(path, *, previous: Reading | str | Path | None = None, data: bytes | None = None,
               warnings: bool = True) -> tuple[Reading | None, list[Finding]]:
    """`data`: the file's bytes when read already (filetypes.read_bounded); `warnings` as
    check_reading's."""
    path = as_path(path)
    with working_on(path):
        reading, refused = try_read(path, data)
        if reading is None:
            return None, refused
        if previous is not None and not isinstance(previous, Reading):
            previous, refused = try_read(Path(previous))
            if previous is None:
                return None, refused
        try:
            return reading, check_reading(reading, previous=previous, warnings=warnings)
        except Exception as exc:  # noqa: BLE001 - one file's fault must not stop the others
            return reading, list(reading.findings) + [internal_error(path, exc)]


def internal_error(path: Path, exc: BaseException) -> Finding:
    """A fault of this program, not of the file: said as such (exit code 3), the traceback
    kept for --debug (XLSX_REPORTS_DEBUG), no Python words in the message."""
    debug_traceback(exc)
    return Finding("INTERNAL", "error",
                   f"{path.name}：内部错误，本工具处理该文件时出现程序缺陷，该文件未能校验",
                   file=str(path),
                   advice="其他文件不受影响；请加 --debug 重新运行，把输出和该文件发给维护人员。")


def try_read(path: Path, data: bytes | None = None) -> tuple[Reading | None, list[Finding]]:
    """The reading, or None and the finding that says why (UNREADABLE, or INTERNAL)."""
    try:
        return read_workbook(path, data), []
    except CannotContinue as exc:
        text = str(exc) if str(exc).startswith(path.name) else f"{path.name}：{exc}"
        return None, [unreadable(path, text, reason=exc.code)]
    except OSError as exc:
        return None, [unreadable(path, f"{path.name}：{os_reason(exc)}", reason="FILE-CORRUPT")]
    except FastPathMissed:   # the test suite's proof that the fast path read every file
        raise
    except Exception as exc:  # noqa: BLE001 - one file's fault must not stop the others
        return None, [internal_error(path, exc)]


def unreadable(path: Path, message: str, reason: str = "") -> Finding:
    return Finding("UNREADABLE", "error", message, file=str(path), reason=reason,
                   advice="请按提示处理后重新提交。")


# --- identity: YEAR, FORMAT, ORIGIN (unit) ----------------------------------------------------

def identity_findings(ctx: Context) -> Iterator[Finding]:
    meta, report = ctx.reading.metadata, ctx.report
    year = report.year
    cells = ctx.reading.cells
    if "info.year" in cells:
        shown = ctx.value("info.year")
        if shown != year:
            yield ctx.finding("YEAR", "error",
                              f"{ctx.where('info.year')}（年度）为 {shown}，但本填报表是 {year} 年度的",
                              ["info.year"], expected=year, actual=shown,
                              advice="年度由区里生成时写入，不应修改；请使用本年度下发的填报表。")
    if "info.period" in cells:
        shown = ctx.report.text("info.period").strip()
        if shown != period_text(year):
            yield ctx.finding("YEAR", "error",
                              f"{ctx.where('info.period')}（统计期限）为“{shown}”，应为“{period_text(year)}”",
                              ["info.period"], expected=period_text(year), actual=shown,
                              advice="统计期限为报告年度的 1 月 1 日至 12 月 31 日，请使用本年度下发的填报表。")
    titled = re.search(r"(20\d\d)\s*年度", ctx.reading.guide_title)
    if titled and int(titled.group(1)) != year:
        yield ctx.sheet_finding("YEAR", "error",
                                f"标题“{ctx.reading.guide_title}”写的是 {titled.group(1)} 年度，"
                                f"但本填报表是 {year} 年度的", GUIDE_SHEET, (a1(*GUIDE_TITLE_CELL),),
                                expected=year, actual=int(titled.group(1)),
                                advice="标题由区里生成时写入，不应修改；请使用本年度下发的填报表。")
    named = _year_in_name(ctx.reading.path.name)
    if named and named != year:
        yield ctx.sheet_finding("YEAR-NAME", "warning",
                                f"文件名写的是 {named} 年，工作簿内容是 {year} 年度", "",
                                expected=year, actual=named,
                                advice="请确认提交的是本年度的报表，必要时更正文件名。")
    if ctx.form.format != format_for_year(year):
        yield ctx.sheet_finding("FORMAT", "error",
                                f"{year} 年度应使用 {format_for_year(year)} 版格式，本工作簿是 "
                                f"{ctx.form.format} 版格式", "", expected=format_for_year(year),
                                actual=ctx.form.format,
                                advice="请使用区里下发的本年度填报表重新填写。")
    if meta and "info.unit" in cells:
        shown = ctx.report.text("info.unit").strip()
        if meta.kind == "unit" and shown != meta.unit:
            yield ctx.finding("ORIGIN", "error",
                              f"{ctx.where('info.unit')}（单位名称）为“{shown}”，但填报表是发给“{meta.unit}”的",
                              ["info.unit"], expected=meta.unit, actual=shown,
                              advice="请使用发给本单位的填报表，不要用其他单位的表改名提交。")


def _year_in_name(name: str) -> int | None:
    years = {int(y) for y in re.findall(r"(?<!\d)(20[1-9]\d)(?!\d)", name)}
    return years.pop() if len(years) == 1 else None


# --- STRUCTURE: protection and validation ---------------------------------------------------

def protection_findings(ctx: Context) -> Iterator[Finding]:
    meta = ctx.reading.metadata
    # a merged workbook's numbers are locked sums, not typed: they carry no validation
    summed = meta is not None and meta.kind == "merged"
    numeric = {} if summed else _validation_types(ctx.form)
    lost_on: dict[str, list[str]] = {}
    for k, c in ctx.reading.cells.items():
        if k in numeric and (c.validation is None or c.validation[0] != numeric[k]):
            lost_on.setdefault(c.sheet, []).append(k)
    for sheet in ctx.reading.sheets:
        if sheet.form_sheet is None:
            continue
        if not sheet.protected:
            yield ctx.sheet_finding("STRUCTURE", "error", f"工作表“{sheet.name}”的保护被取消",
                                    sheet.name, expected="protected", actual="unprotected",
                                    advice="保护用于防止改动表格结构和合计公式；请使用下发的原表填写，"
                                           "不要撤销工作表保护。")
        lost = lost_on.get(sheet.name)
        if lost:
            yield ctx.finding("STRUCTURE", "error",
                              f"{sheet.name} 有 {len(lost)} 个数字格的数据有效性（只能填数字的限制）被删除或修改",
                              lost, advice="请使用下发的原表填写，不要清除单元格的数据有效性。")


@derived
def _validation_types(form: Form) -> dict[str, str]:
    """Each numeric input's validation type as the xlsx stores it."""
    return {f.key: value_rule(f.type).stored for f in form.numeric_inputs}


def sort_findings(findings: list[Finding], sheets: Sequence[str] = ()) -> list[Finding]:
    """Findings about the whole file first, then sheet by sheet in workbook order; errors
    before warnings within a sheet; otherwise the order the rules found them."""
    rank = {name: i for i, name in enumerate(sheets)}
    rank[""] = -1
    extra: dict[str, int] = {}
    for f in findings:
        if f.sheet not in rank:
            extra.setdefault(f.sheet, len(sheets) + len(extra))
    rank.update(extra)
    return sorted(findings, key=lambda f: (rank[f.sheet], SEVERITY_ORDER.get(f.severity, 2)))
