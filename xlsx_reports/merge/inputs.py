"""The inputs of a merge: finding the workbooks, fingerprinting and checking each one.

Workbooks are independent, so many are checked in parallel processes (core.parallel); only
what the merge needs travels back.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from xlsx_reports.check.workbook import check_file, unreadable
from xlsx_reports.core import inputs
from xlsx_reports.core.files import refusal
from xlsx_reports.core.findings import CannotContinue, Finding, os_reason
from xlsx_reports.core.parallel import Progress, run
from xlsx_reports.xlsx.meta import Metadata
from xlsx_reports.form.values import Report
from xlsx_reports.xlsx.reader import pack_report, read_workbook, unpack_report



@dataclass
class Candidate:
    """One input as checked: its fingerprint, values, metadata and findings."""
    file: Path
    sha256: str
    report: Report | None
    metadata: Metadata | None
    findings: list[Finding]

    def __getstate__(self) -> dict:   # the form travels by name (see Reading.__getstate__)
        return dict(self.__dict__, report=pack_report(self.report))

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state, report=unpack_report(state["report"]))

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
        if self.merged and self.metadata is not None and self.metadata.units:
            return tuple(self.metadata.units)
        return (self.unit,)


def collect_inputs(paths: Iterable[str | Path]) -> list[Path]:
    """The .xlsx files named, or found (recursively) in the folders named, each once."""
    found = inputs.collect(paths, inputs.XLSX, strict=True)
    if not found:
        raise CannotContinue("没有需要汇总的工作簿", code="NO-INPUT")
    return found


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
        raise CannotContinue(f"输出文件 {output} 也是输入文件；汇总不会改动输入，请换一个输出文件名", code="OUTPUT-IS-INPUT")
    try:
        meta = read_workbook(target).metadata
    except CannotContinue:
        meta = None
    if meta is None or meta.kind != "merged" or meta.unit != unit:
        raise CannotContinue(f"输出文件 {output} 是待汇总的工作簿之一（{meta.unit if meta else '不是汇总表'}），"
                             "不能覆盖；请换一个输出文件名", code="OUTPUT-IS-INPUT")
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
    return run(check_one, files, jobs=jobs, progress=progress)
