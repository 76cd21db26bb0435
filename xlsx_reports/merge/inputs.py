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
from xlsx_reports.merge.rows import pack, row_of
from xlsx_reports.xlsx.filetypes import read_bounded
from xlsx_reports.xlsx.limits import LIMITS
from xlsx_reports.xlsx.reader import read_workbook

MAX_REASONS = 3   # error messages quoted per left-out file; the file's own check lists all


@dataclass(slots=True)
class Candidate:
    """One input as checked, reduced in its worker process to what the merge uses: who it is,
    its year and format, whether it may be summed, and its values as one row (rows.py).
    Findings travel only as the text the merge quotes, and in full only for a file that could
    not be read (they are the merge's findings then)."""
    file: Path
    sha256: str
    unit: str = ""
    units: tuple[str, ...] = ()    # every unit it contains: a merged workbook's units, or its own
    merged: bool = False
    workbook_id: str = ""
    year: int | None = None        # None: not readable
    format: str = ""
    row: bytes | None = None       # its row, packed; taken by the merge as soon as it arrives (Fold.take)
    empty: bool = False            # EMPTY: not a single number filled in
    reason: str = ""               # its errors, as quoted when it is left out ("" when none)
    problems: tuple[Finding, ...] = ()   # not readable: the error findings that say why

    @property
    def readable(self) -> bool:
        return self.year is not None


def error_reason(findings: Iterable[Finding]) -> str:
    errors = [f for f in findings if f.severity == "error"]
    if not errors:
        return ""
    quoted = "；".join(f"{f.where + '：' if f.where else ''}{f.message}" for f in errors[:MAX_REASONS])
    more = "等" if len(errors) > MAX_REASONS else ""
    return f"有 {len(errors)} 处错误（{quoted}{more}）"


def _candidate(file: Path, sha: str, report: Report, metadata: Metadata | None,
               findings: list[Finding]) -> Candidate:
    merged = metadata is not None and metadata.kind == "merged"
    unit = metadata.unit if metadata is not None and metadata.unit else report.unit
    units = tuple(metadata.units) if merged and metadata is not None and metadata.units else (unit,)
    return Candidate(file, sha, unit, units, merged, metadata.workbook_id if metadata else "",
                     report.year, report.form.format, pack(row_of(report)),
                     empty=any(f.code == "EMPTY" for f in findings), reason=error_reason(findings))


def _unreadable(file: Path, sha: str, findings: list[Finding]) -> Candidate:
    return Candidate(file, sha, problems=tuple(f for f in findings if f.severity == "error"))


def collect_inputs(paths: Iterable[str | Path]) -> dict[str, Path]:
    """The .xlsx files named, or found (recursively) in the folders named, each once, by
    their real paths (inputs.collect_real)."""
    found = inputs.collect_real(paths, inputs.XLSX, strict=True)
    if not found:
        raise CannotContinue("没有需要汇总的工作簿", code="NO-INPUT")
    return found


def without_output(found: dict[str, Path], paths: Iterable[str | Path], output: str | Path | None,
                   unit: str) -> list[Path]:
    """The inputs (collect_inputs) without the output, so a second run into the same folder
    does not merge its own total; but never overwrite an input: only an earlier total of the
    same unit."""
    files = list(found.values())
    if output is None:
        return files
    target = Path(output).resolve()
    # only an input at the output's real path (a link's was resolved when it was found), or
    # named as it is in another case (a file system may ignore case), can be the output; asking
    # each input whether it is a link took 4.5 ms a thousand, resolving each 12 ms
    name, real = target.name.casefold(), str(target)
    suspects = {f for at, f in found.items() if at == real or f.name.casefold() == name}
    if target not in {f.resolve() for f in suspects}:
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
    return [f for f in files if f not in suspects or f.resolve() != target]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_one(file: Path) -> Candidate:
    """Runs in a worker process: the file fingerprinted and checked, and only what the merge
    uses sent back."""
    reason = refusal(file)    # before hashing: a FIFO or /dev/zero would never end
    if reason:
        return _unreadable(file, "", [unreadable(file, f"{file.name}：{reason}")])
    try:   # read once: the fingerprint is of the bytes checked and summed
        data = read_bounded(file)
        sha = hashlib.sha256(data).hexdigest() if len(data) <= LIMITS.file_bytes else file_sha256(file)
    except OSError as exc:
        return _unreadable(file, "", [unreadable(file, f"{file.name}：{os_reason(exc)}")])
    reading, findings = check_file(file, data=data, warnings=False)   # it uses the errors alone
    if reading is None:
        return _unreadable(file, sha, findings)
    assert reading.report is not None   # a reading returned always has its report
    return _candidate(file, sha, reading.report, reading.metadata, findings)


def check_inputs(files: Sequence[Path], *, progress: Progress | None = None,
                 jobs: int | None = None) -> list[Candidate]:
    """Every file checked, in the order given; `jobs` processes (None: one per CPU, ≤ 4).
    `progress` sees each result as it arrives (the merge takes its row there)."""
    return run(check_one, files, jobs=jobs, progress=progress)
