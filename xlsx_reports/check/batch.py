"""Checks many files at once: folders expanded, last year's workbooks matched by unit, the
roster compared, the same unit twice found. One unreadable file never stops the others."""
from __future__ import annotations

import os
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from xlsx_reports.check.workbook import check_file, check_reading, sort_findings
from xlsx_reports.core.files import refusal
from xlsx_reports.core.findings import Finding
from xlsx_reports.xlsx.reader import Reading, UnreadableWorkbook, read_workbook

# Files a folder may hold that someone meant as a workbook; anything else there is ignored.
WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xltx", ".xls", ".et", ".ett", ".ods", ".csv", ".xlsb"}
EXIT_OK, EXIT_FINDINGS, EXIT_UNUSABLE, EXIT_INTERNAL = 0, 1, 2, 3
MAX_JOBS, PARALLEL_MIN = 4, 8    # fewer files finish before worker processes would start


@dataclass
class FileResult:
    path: Path | None
    reading: Reading | None
    findings: list[Finding] = field(default_factory=list)
    unit: str = ""

    @property
    def unreadable(self) -> bool:
        return any(f.code == "UNREADABLE" for f in self.findings)

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity == "warning" for f in self.findings)


@dataclass
class BatchResult:
    files: list[FileResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        if any(f.code == "INTERNAL" for r in self.files for f in r.findings):
            return EXIT_INTERNAL
        if any(r.unreadable for r in self.files):
            return EXIT_UNUSABLE
        return EXIT_FINDINGS if any(r.errors for r in self.files) else EXIT_OK


def collect(paths: Iterable[str | Path]) -> list[Path]:
    """Files named directly are always checked; folders contribute their workbook-like files
    (not Excel's "~$" or LibreOffice's ".~lock" files), in name order."""
    out: list[Path] = []
    for p in map(Path, paths):
        # a folder named like a workbook, and special files in folders, are kept: reported, not passed over
        if p.is_dir() and p.suffix.lower() not in WORKBOOK_SUFFIXES:
            out += sorted(f for f in p.rglob("*")
                          if f.suffix.lower() in WORKBOOK_SUFFIXES
                          and not f.name.startswith(("~$", ".~lock", "."))
                          and not _is_roster(f))
        else:
            out.append(p)
    unique: dict[Path, Path] = {}
    for p in out:   # the same file named twice (a folder and a file in it) is checked once
        unique.setdefault(p.resolve(), p)
    return list(unique.values())


def _is_roster(path: Path) -> bool:
    """A roster or batch manifest kept beside the returns is not a returned workbook."""
    if path.suffix.lower() != ".csv" or refusal(path):
        return False
    with path.open("rb") as fh:
        head = fh.readline(4096)
    return any("单位名称" in head.decode(enc, "ignore") for enc in ("utf-8-sig", "gb18030"))


def check_paths(paths: Iterable[str | Path], *, previous: Iterable[str | Path] = (),
                roster=None, jobs: int | None = None) -> BatchResult:
    """`jobs` processes read the files (None: one per CPU, at most 4); reading dominates."""
    result = BatchResult()
    prior = _previous_by_unit(collect(previous), result.notes) if previous else {}
    files = collect(paths)
    for path, (reading, findings) in zip(files, _check_all(files, jobs)):
        entry = FileResult(path, reading, findings, reading.report.unit if reading and reading.report else "")
        if reading is not None and prior:
            last = prior.get(entry.unit)
            if last is None:
                result.notes.append(f"{path.name}：没有找到“{entry.unit}”的上年工作簿，未做跨年校验")
            else:
                entry.findings = check_reading(reading, previous=last)
        result.files.append(entry)
    _duplicates(result)
    _odd_years(result)
    if roster is not None:
        _roster(result, roster)
    for entry in result.files:
        sheets = [s.name for s in entry.reading.sheets] if entry.reading else []
        entry.findings = sort_findings(entry.findings, sheets)
    return result


def _check_all(files: list[Path], jobs: int | None) -> list:
    jobs = min(MAX_JOBS, os.cpu_count() or 1) if jobs is None else max(1, jobs)
    if jobs == 1 or len(files) < PARALLEL_MIN:
        return [check_file(f) for f in files]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(check_file, files, chunksize=2))


def _previous_by_unit(paths: list[Path], notes: list[str]) -> dict[str, Reading]:
    out: dict[str, Reading] = {}
    for path in paths:
        try:
            reading = read_workbook(path)
        except UnreadableWorkbook as exc:
            notes.append(f"上年工作簿无法读取，已跳过：{exc}")
            continue
        if reading.report is not None:
            out.setdefault(reading.report.unit, reading)
    return out


def _duplicates(result: BatchResult) -> None:
    by_unit: dict[str, list[FileResult]] = {}
    for entry in result.files:
        if entry.reading is not None and entry.unit:
            by_unit.setdefault(entry.unit, []).append(entry)
    for unit, entries in by_unit.items():
        if len(entries) < 2:
            continue
        names = "、".join(e.path.name for e in entries)
        for e in entries:
            e.findings.append(Finding(
                "AGG-DUP", "error", f"“{unit}”提交了 {len(entries)} 个工作簿：{names}",
                file=str(e.path), unit=unit, expected=1, actual=len(entries),
                advice="同一单位只能提交一个工作簿；请确认哪一个是最终版本，删除其余的。"))


def _odd_years(result: BatchResult) -> None:
    """A workbook of another year among the others is usually last year's file sent again.

    A warning, not an error: the workbook itself is sound, and merge refuses it (AGG-FMT).
    """
    years = Counter(e.reading.report.year for e in result.files if e.reading and e.reading.report)
    if len(years) < 2:
        return
    (common, count), = years.most_common(1)
    if count * 2 <= sum(years.values()):
        return
    for e in result.files:
        if e.reading and e.reading.report and e.reading.report.year != common:
            e.findings.append(Finding(
                "YEAR", "warning",
                f"本工作簿是 {e.reading.report.year} 年度的，而本批其余 {count} 个工作簿是 {common} 年度的",
                file=str(e.path), unit=e.unit, expected=common, actual=e.reading.report.year,
                advice=f"请确认是否误交了其他年度的报表，并提交 {common} 年度的填报表。"))


def _roster(result: BatchResult, roster) -> None:
    names = [u.name for u in roster.units]
    lines = {u.name: u.line for u in roster.units}
    seen = {e.unit for e in result.files if e.reading is not None}
    for entry in result.files:
        if entry.reading is not None and entry.unit not in lines:
            entry.findings.append(Finding(
                "ORIGIN", "error", f"单位“{entry.unit}”不在单位名单上", file=str(entry.path),
                unit=entry.unit, actual=entry.unit,
                advice="请核对单位名称；如名单有遗漏，请补充名单后再校验。"))
    for name in names:
        if name not in seen:
            result.files.append(FileResult(None, None, [Finding(
                "AGG-ROSTER", "warning", f"名单第 {lines[name]} 行的“{name}”没有提交工作簿",
                unit=name, expected=name, advice="请催报，或确认该单位是否应当报送。")], name))

