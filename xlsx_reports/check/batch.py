"""Checks many files at once: folders expanded, last year's workbooks matched by unit, the
roster compared, the same unit twice found. One unreadable file never stops the others.

Last year's workbooks are read once, in parallel, and handed to each worker once; every file
is then read and checked once, with its unit's previous year if there is one."""
from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from xlsx_reports.check.workbook import check_reading, internal_error, sort_findings, try_read
from xlsx_reports.core import inputs
from xlsx_reports.core.findings import Finding
from xlsx_reports.core.parallel import Progress, run
from xlsx_reports.xlsx.reader import Reading

EXIT_OK, EXIT_FINDINGS, EXIT_UNUSABLE, EXIT_INTERNAL = 0, 1, 2, 3


class _Settings(threading.local):
    """What a batch tells _check_one besides the path: last year's readings by unit, and whether
    checked readings keep their cells. Set by run's initializer once in each worker process (which
    runs it and every call in its one thread) or, for a few files, in the caller's thread: per
    thread, so that two threads checking at once (the Python API) never see each other's."""
    prior: dict[str, Reading] = {}
    keep_cells = True


_SETTINGS = _Settings()


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
    (not lock files, hidden files or a roster kept beside them), in name order."""
    return inputs.collect(paths, keep=inputs.not_roster)


def check_paths(paths: Iterable[str | Path], *, previous: Iterable[str | Path] = (),
                roster=None, jobs: int | None = None, progress: Progress | None = None,
                keep_cells: bool = True) -> BatchResult:
    """`jobs` processes read the files (None: one per CPU, at most 4); reading dominates.
    keep_cells=False: the readings returned keep their report's unit, year and form but not the
    cells and values (what the text and JSON output need), so memory stays flat in N."""
    return check_files(collect(paths), previous=collect(previous) if previous else [], roster=roster,
                       jobs=jobs, progress=progress, keep_cells=keep_cells)


def check_files(files: list[Path], *, previous: list[Path], roster=None, jobs: int | None = None,
                progress: Progress | None = None, keep_cells: bool = True) -> BatchResult:
    """check_paths over files collected already (a caller that looked for them first need not
    walk the folders again: with thousands of files that was a tenth of a check's start)."""
    result = BatchResult()
    prior = _previous_by_unit(previous, result.notes, jobs) if previous else {}
    checked = run(_check_one, files, jobs=jobs, progress=progress,
                  initializer=_set_prior, initargs=(prior, keep_cells))
    for path, (reading, findings) in zip(files, checked):
        entry = FileResult(path, reading, findings, reading.report.unit if reading and reading.report else "")
        if reading is not None and prior and entry.unit not in prior:
            result.notes.append(f"{path.name}：没有找到“{entry.unit}”的上年工作簿，未做跨年校验")
        result.files.append(entry)
    _duplicates(result)
    _odd_years(result)
    if roster is not None:
        _roster(result, roster)
    for entry in result.files:
        sheets = [s.name for s in entry.reading.sheets] if entry.reading else []
        entry.findings = sort_findings(entry.findings, sheets)
    return result


def _set_prior(prior: dict[str, Reading], keep_cells: bool) -> None:
    _SETTINGS.prior = prior
    _SETTINGS.keep_cells = keep_cells


def _check_one(path: Path) -> tuple[Reading | None, list[Finding]]:
    reading, refused = try_read(path)
    if reading is None:
        return None, refused
    last = _SETTINGS.prior.get(reading.report.unit) if reading.report is not None else None
    try:
        findings = check_reading(reading, previous=last)   # once, with last year's if there is one
    except Exception as exc:  # noqa: BLE001 - one file's fault must not stop the others
        findings = list(reading.findings) + [internal_error(path, exc)]
    return _lean(reading), findings


def _lean(reading: Reading) -> Reading:
    """What the batch keeps of a checked file (its report, cells and sheets for the output and
    the annotated copy): the located labels and raw extra sheets stay in the worker."""
    reading.labels, reading.extra, reading.filled = [], {}, {}
    if not _SETTINGS.keep_cells:
        reading.cells, reading.meta_rows = {}, {}
        if reading.report is not None:
            reading.report.values = {}
    return reading


def _read_previous(path: Path) -> Reading | str:
    reading, refused = try_read(path)
    return reading if reading is not None else refused[0].message


def _previous_by_unit(paths: list[Path], notes: list[str], jobs: int | None) -> dict[str, Reading]:
    out: dict[str, Reading] = {}
    for reading in run(_read_previous, paths, jobs=jobs):
        if isinstance(reading, str):
            notes.append(f"上年工作簿无法读取，已跳过：{reading}")
        elif reading.report is not None:
            out.setdefault(reading.report.unit, reading)
    return out


def _duplicates(result: BatchResult) -> None:
    """Two workbooks of one unit for one year. The same unit's returns for different years
    (this year's beside last year's in one folder) are not duplicates."""
    by_unit: dict[tuple[str, int | None], list[FileResult]] = {}
    for entry in result.files:
        if entry.reading is not None and entry.unit:
            year = entry.reading.report.year if entry.reading.report else None
            by_unit.setdefault((entry.unit, year), []).append(entry)
    for (unit, year), entries in by_unit.items():
        if len(entries) < 2:
            continue
        names = "、".join(e.path.name for e in entries if e.path is not None)
        for e in entries:
            e.findings.append(Finding(
                "AGG-DUP", "error", f"“{unit}”{year or ''}年度提交了 {len(entries)} 个工作簿：{names}",
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
                "YEAR-ODD", "warning",
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

