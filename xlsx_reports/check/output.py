"""How check results are shown: Chinese text grouped by file then sheet, or stable JSON.

JSON schema (documented in the README):
{"files": [{"file": str | null, "unit": str, "year": int | null, "format": str | null,
            "findings": [{"code", "severity", "sheet", "cells": [A1...], "message",
                          "expected", "actual", "advice"}]}],
 "summary": {"files", "passed", "with_errors", "unreadable", "errors", "warnings"},
 "exit_code": 0 | 1 | 2}
"""
from __future__ import annotations

from typing import Any

from xlsx_reports.check.batch import BatchResult, FileResult
from xlsx_reports.core.findings import SEVERITY_TEXT

CELLS_SHOWN = 8   # text output lists this many cells; JSON always lists all
# Beyond this many files (a city's or a province's returns) the files without a finding are named
# together at the end, a line of ten, instead of three lines each among the ones to act on.
EACH_SHOWN = 50
NAMES_A_LINE = 10


def text_lines(result: BatchResult) -> list[str]:
    lines: list[str] = []
    together = len(result.files) > EACH_SHOWN
    clean = []
    for entry in result.files:
        if together and entry.path is not None and not entry.findings:
            clean.append(entry.path.name)
            continue
        lines += _file_lines(entry)
        lines.append("")
    if clean:
        lines.append(f"没有发现问题的文件（{len(clean)} 个）：")
        lines += ["  " + "、".join(clean[i:i + NAMES_A_LINE]) for i in range(0, len(clean), NAMES_A_LINE)]
        lines.append("")
    lines += [f"注意：{n}" for n in result.notes]
    lines.append(summary_line(result))
    return lines


def _title(entry: FileResult) -> str:
    if entry.path is None:
        return f"== {entry.unit}（名单中的单位，没有工作簿）=="
    r = entry.reading.report if entry.reading else None
    if r is None:
        return f"== {entry.path.name} =="
    return f"== {entry.path.name}（{r.unit}，{r.year} 年度，{r.form.format} 版格式）=="


def _file_lines(entry: FileResult) -> list[str]:
    lines = [_title(entry)]
    sheet = None
    for f in entry.findings:
        if f.sheet != sheet:
            sheet = f.sheet
            lines.append(f"  [{sheet or '整个文件'}]")
        where = f" {_where(f)}" if f.cells and f"{f.sheet}!{f.cells[0]}" not in f.message else ""
        lines.append(f"    {SEVERITY_TEXT[f.severity]} {f.code}{where}：{f.message}")
        if f.advice:
            lines.append(f"        → {f.advice}")
    name = entry.path.name if entry.path else entry.unit
    if entry.path is None:
        lines.append(f"  {name}：未报送")
    elif entry.unreadable:
        lines.append(f"  {name}：无法读取")
    elif not entry.findings:
        lines.append(f"  {name}：通过，没有发现问题")
    else:
        verdict = "有错误，需退回修改" if entry.errors else "通过（有提示，请核对）"
        lines.append(f"  {name}：{verdict}；错误 {entry.errors} 个，提示 {entry.warnings} 个")
    return lines


def _where(f) -> str:
    cells = ",".join(f.cells[:CELLS_SHOWN]) + (f" 等 {len(f.cells)} 格" if len(f.cells) > CELLS_SHOWN else "")
    return f"{f.sheet}!{cells}"


def summary(result: BatchResult) -> dict[str, int]:
    files = [e for e in result.files if e.path is not None]
    return {
        "files": len(files),
        "passed": sum(not e.errors for e in files),
        "with_errors": sum(bool(e.errors) and not e.unreadable for e in files),
        "unreadable": sum(e.unreadable for e in files),
        "errors": sum(e.errors for e in result.files),
        "warnings": sum(e.warnings for e in result.files),
    }


def summary_line(result: BatchResult) -> str:
    s = summary(result)
    missing = sum(e.path is None for e in result.files)
    extra = f"，名单中 {missing} 个单位未报" if missing else ""
    return (f"合计：{s['files']} 个文件，{s['passed']} 个通过，{s['with_errors']} 个有错误，"
            f"{s['unreadable']} 个无法读取{extra}；错误 {s['errors']} 个，提示 {s['warnings']} 个")


def as_json(result: BatchResult) -> dict[str, Any]:
    files = []
    for entry in result.files:
        r = entry.reading.report if entry.reading else None
        files.append({
            "file": str(entry.path) if entry.path else None,
            "unit": entry.unit,
            "year": r.year if r else None,
            "format": r.form.format if r else None,
            "findings": [f.as_json() for f in entry.findings],
        })
    return {"files": files, "summary": summary(result), "exit_code": result.exit_code}
