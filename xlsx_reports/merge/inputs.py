"""The inputs of a merge: finding the workbooks, fingerprinting and checking each one.

Checking is the slow part (two openpyxl loads per workbook), and workbooks are independent,
so many are checked in parallel processes; only what the merge needs travels back.
"""
from __future__ import annotations

import hashlib
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

from xlsx_reports.check.workbook import check_file, unreadable
from xlsx_reports.core.files import refusal
from xlsx_reports.core.findings import CannotContinue, Finding, os_reason
from xlsx_reports.xlsx.meta import Metadata
from xlsx_reports.form.values import Report
from xlsx_reports.xlsx.reader import read_workbook

Progress = Callable[[int, int, Path], None]   # (files done, files in all, file just done)
PARALLEL_MIN = 8    # fewer files are checked faster than worker processes start
MAX_JOBS = 4


@dataclass
class Candidate:
    """One input as checked: its fingerprint, values, metadata and findings."""
    file: Path
    sha256: str
    report: Report | None
    metadata: Metadata | None
    findings: list[Finding]

    @property
    def merged(self) -> bool:
        return self.metadata is not None and self.metadata.kind == "merged"

    @property
    def unit(self) -> str:
        if self.metadata is not None and self.metadata.unit:
            return self.metadata.unit
        return self.report.unit if self.report is not None else ""

    @property
    def units(self) -> tuple[str, ...]:
        """Every unit it contains: a merged workbook's units, or its own."""
        if self.merged and self.metadata.units:
            return tuple(self.metadata.units)
        return (self.unit,)


def collect_inputs(paths: Iterable[str | Path]) -> list[Path]:
    """The .xlsx files named, or found (recursively) in the folders named, each once.

    Excel's lock files (~$…) and hidden files (our unfinished outputs, .…part) are passed over.
    """
    found: dict[Path, Path] = {}
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            # special files and folders named .xlsx are kept, to be reported (core/files.py)
            files = sorted(p for p in path.rglob("*.xlsx") if not p.name.startswith(("~$", ".")))
            if not files:
                raise CannotContinue(f"文件夹 {path} 中没有 .xlsx 工作簿")
        elif path.exists():
            files = [path]
        else:
            raise CannotContinue(f"找不到文件或文件夹：{path}")
        for file in files:
            found.setdefault(file.resolve(), file)
    if not found:
        raise CannotContinue("没有需要汇总的工作簿")
    return list(found.values())


def without_output(files: list[Path], paths: Iterable[str | Path], output: str | Path | None,
                   unit: str) -> list[Path]:
    """Leave the output out of the inputs, so a second run into the same folder does not merge
    its own total; but never overwrite an input: only an earlier total of the same unit."""
    if output is None:
        return files
    target = Path(output).resolve()
    if target not in {f.resolve() for f in files}:
        return files
    if target in {Path(p).resolve() for p in paths}:
        raise CannotContinue(f"输出文件 {output} 也是输入文件；汇总不会改动输入，请换一个输出文件名")
    try:
        meta = read_workbook(target).metadata
    except CannotContinue:
        meta = None
    if meta is None or meta.kind != "merged" or meta.unit != unit:
        raise CannotContinue(f"输出文件 {output} 是待汇总的工作簿之一（{meta.unit if meta else '不是汇总表'}），"
                             "不能覆盖；请换一个输出文件名")
    return [f for f in files if f.resolve() != target]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_one(file: Path) -> Candidate:
    reason = refusal(file)    # before hashing: a FIFO or /dev/zero would never end
    if reason:
        return Candidate(file, "", None, None, [unreadable(file, f"{file.name}：{reason}")])
    try:
        sha = file_sha256(file)
    except OSError as exc:
        return Candidate(file, "", None, None, [unreadable(file, f"{file.name}：{os_reason(exc)}")])
    reading, findings = check_file(file)
    if reading is None:
        return Candidate(file, sha, None, None, findings)
    return Candidate(file, sha, reading.report, reading.metadata, findings)


def check_inputs(files: Sequence[Path], *, progress: Progress | None = None,
                 jobs: int | None = None) -> list[Candidate]:
    """Every file checked, in the order given; `jobs` processes (None: one per CPU, ≤ 4)."""
    jobs = min(MAX_JOBS, os.cpu_count() or 1) if jobs is None else max(1, jobs)
    if jobs == 1 or len(files) < PARALLEL_MIN:
        return _collect(map(check_one, files), len(files), progress)
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return _collect(pool.map(check_one, files, chunksize=2), len(files), progress)


def _collect(results: Iterable[Candidate], total: int, progress: Progress | None) -> list[Candidate]:
    out: list[Candidate] = []
    for candidate in results:
        out.append(candidate)
        if progress is not None:
            progress(len(out), total, candidate.file)
    return out
