"""The Python interface: every command as a function that returns plain objects.

The command line only translates arguments to these calls and their results to text and exit
codes. Problems in the workbooks come back as `Finding`s; only "cannot continue" raises
(`CannotContinue`, with a stable `.code` listed by `rules()`).

    import xlsx_reports as xr
    result = xr.check(["报回/"], roster="名单.csv")
    rows = result.records()          # one dict per finding, ready for pandas.DataFrame
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from xlsx_reports.check.catalogue import FINDINGS, REFUSALS, Rule
from xlsx_reports.core.findings import CannotContinue, Finding, os_reason

if TYPE_CHECKING:   # read only when a roster is given: csv and the roster's rules are not every run's
    from xlsx_reports.core.roster import Roster

PathLike = str | Path
Paths = PathLike | Iterable[PathLike]


def _paths(paths: Paths) -> list[PathLike]:
    return [paths] if isinstance(paths, (str, Path)) else list(paths)


def _roster(roster: PathLike | Roster | None) -> Roster | None:
    """A roster object as is; a path (or "-" for standard input) read as CSV."""
    if roster is None or not isinstance(roster, (str, os.PathLike)):
        return roster
    from xlsx_reports.core.roster import read_roster
    return read_roster(roster)


# --- rules, read ----------------------------------------------------------------------------

def rules() -> list[Rule]:
    """Every code a finding or a refusal can carry, with severity, table, description, remedy."""
    return list(FINDINGS + REFUSALS)


@dataclass
class Workbook:
    """One workbook as read: who, which year and format, and every value by its stable key
    (totals recomputed from the inputs; blank is None)."""
    path: Path
    unit: str
    year: int
    format: str
    kind: str                    # "unit" or "merged"
    values: dict[str, Any]
    cells: dict[str, str]        # key -> "sheet!A1" where it was found
    units: list[str] = field(default_factory=list)   # a merged workbook's units


def read(path: PathLike) -> Workbook:
    """Read one workbook; raises CannotContinue (code FILE-*) when it cannot be read."""
    from xlsx_reports.xlsx.reader import read_workbook

    reading = read_workbook(path)
    report = reading.report
    if report is None or reading.form is None:
        raise CannotContinue(f"{Path(path).name}：无法读取表格数据", code="FILE-NOT-OURS")
    meta = reading.metadata
    values = {f.key: report.value(f.key) for f in reading.form.fields}
    cells = {k: f"{c.sheet}!{c.a1}" for k, c in reading.cells.items()}
    return Workbook(Path(path), report.unit, report.year, reading.form.format,
                    meta.kind if meta else "unit", values, cells, list(meta.units) if meta else [])


# --- new, batch -----------------------------------------------------------------------------

def new(unit: str, year: int, output: PathLike, *, format: str | None = None,
        previous: PathLike | None = None, password: str | None = None,
        deadline: str | None = None, force: bool = False, level: str | None = None) -> Any:
    """Write the locked fill-in workbook of one unit; returns generate.batch.Generated
    (.path, .unit, .metadata, .prefill, .notes). Never overwrites unless `force`."""
    from xlsx_reports.form.definitions import LEVEL_LABEL
    from xlsx_reports.generate.batch import new_workbook

    if Path(output).suffix.lower() != ".xlsx":
        raise CannotContinue(f"输出文件必须以 .xlsx 结尾：{output}", code="OUTPUT-SUFFIX")
    if previous and Path(previous).resolve() == Path(output).resolve():
        raise CannotContinue(f"输出文件不能是上年报表本身：{output}", code="OUTPUT-IS-INPUT")
    if Path(output).exists() and not force:
        raise CannotContinue(f"{output} 已存在：为免覆盖已填好的工作簿，请换一个文件名，或加 --force 覆盖",
                             code="OUTPUT-EXISTS")
    try:
        return new_workbook(unit, year, output, fmt=format, previous=previous, password=password,
                            deadline=deadline,
                            info={LEVEL_LABEL: level} if level else None)
    except OSError as exc:
        raise CannotContinue(f"无法写入 {output}：{os_reason(exc)}", code="WRITE-FAILED") from exc


def batch(roster: PathLike | Roster, year: int, outdir: PathLike, *, format: str | None = None,
          previous_dir: PathLike | None = None, password: str | None = None,
          deadline: str | None = None, force: bool = False,
          progress: Callable[[Any], None] | None = None) -> Any:
    """One workbook per roster unit plus manifest.csv; returns generate.batch.BatchResult."""
    from xlsx_reports.generate.batch import run_batch

    entries = _roster(roster)
    assert entries is not None
    try:
        return run_batch(entries, year, outdir, fmt=format, previous_dir=previous_dir,
                         password=password, deadline=deadline, force=force, progress=progress)
    except OSError as exc:
        raise CannotContinue(f"无法写入 {outdir}：{os_reason(exc)}", code="WRITE-FAILED") from exc


# --- check ----------------------------------------------------------------------------------

@dataclass
class CheckedFile:
    file: Path | None            # None: a roster unit that sent no workbook
    unit: str
    year: int | None
    format: str | None
    findings: list[Finding]

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.findings)


@dataclass
class CheckResult:
    files: list[CheckedFile]
    notes: list[str]
    exit_code: int               # 0 no errors, 1 errors, 2 a file could not be read
    batch: Any = field(repr=False, default=None)   # check.batch.BatchResult (readings, for --annotate)

    @property
    def findings(self) -> list[Finding]:
        return [f for entry in self.files for f in entry.findings]

    def records(self) -> list[dict[str, Any]]:
        """One plain dict per finding (file, unit and the finding's JSON fields)."""
        return [{"file": str(e.file) if e.file else None, "unit": e.unit, **f.as_json()}
                for e in self.files for f in e.findings]


def check(paths: Paths, previous: Paths | None = None, roster: PathLike | Roster | None = None,
          *, jobs: int | None = None, progress: Callable[..., None] | None = None,
          keep_cells: bool = True) -> CheckResult:
    """Check returned workbooks (files or folders), optionally against last year's and a roster.
    keep_cells=False keeps memory flat for many files: readings keep unit, year and form only."""
    from xlsx_reports.check.batch import check_files, collect

    inputs = _paths(paths)
    before = _paths(previous) if previous is not None else []
    found = collect(inputs)
    if not found:
        raise CannotContinue("没有找到要校验的工作簿：" + "、".join(map(str, inputs)), code="NO-INPUT")
    prior = collect(before)   # a file named but missing stays in, for the batch to say so
    if before and not any(f.exists() for f in prior):
        raise CannotContinue("没有找到上年工作簿：" + "、".join(map(str, before)) + "（请检查 --previous 的路径）",
                             code="NO-INPUT")
    result = check_files(found, previous=prior, roster=_roster(roster), jobs=jobs,
                         progress=progress, keep_cells=keep_cells)
    files = []
    for entry in result.files:
        report = entry.reading.report if entry.reading else None
        files.append(CheckedFile(entry.path, entry.unit, report.year if report else None,
                                 report.form.format if report else None, list(entry.findings)))
    return CheckResult(files, list(result.notes), result.exit_code, result)


# --- merge, render, export ------------------------------------------------------------------

def merge(paths: Paths, *, unit: str, output: PathLike | None = None,
          roster: PathLike | Roster | None = None, allow_errors: bool = False,
          year: int | None = None, jobs: int | None = None,
          progress: Callable[[int, int, Any], None] | None = None) -> Any:
    """Check and merge workbooks into the total of `unit`; writes `output` (.xlsx) when given.
    Returns merge.workbooks.MergeResult (.report, .included, .excluded, .findings, .missing)."""
    from xlsx_reports.merge.workbooks import merge_files

    if output is not None and Path(output).suffix.lower() != ".xlsx":
        raise CannotContinue(f"输出文件必须是 .xlsx：{output}", code="OUTPUT-SUFFIX")
    if output is None:
        return merge_files(_paths(paths), unit=unit, roster=_roster(roster), allow_errors=allow_errors,
                           year=year, jobs=jobs, progress=progress)
    drafts: list[Any] = []   # the writer's Drafts, made when the first input is summed
    try:
        result = merge_files(_paths(paths), unit=unit, roster=_roster(roster), allow_errors=allow_errors,
                             year=year, output=output, jobs=jobs, progress=_writer_loaded(progress),
                             summed=_drafting(drafts))
        from xlsx_reports.xlsx.writer.merged import write_merged
        for draft in drafts:
            draft.seal()
        try:
            write_merged(result, output, drafts=drafts[0] if drafts else None)
        except OSError as exc:
            raise CannotContinue(f"无法写入 {output}：{os_reason(exc)}", code="WRITE-FAILED") from exc
    finally:
        for draft in drafts:
            draft.close()
    return result


def _drafting(drafts: list[Any]) -> Callable[..., None]:
    """Each input's rows of the merged workbook drafted as it is summed (writer/drafts.py),
    while the workers still read; the writer is imported with the first (all workers forked)."""
    def summed(kind: Any, source: Any, row: Any) -> None:
        if not drafts:
            from xlsx_reports.xlsx.writer.drafts import Drafts
            drafts.append(Drafts())
        drafts[0].take(kind, source, row)
    return summed


def _writer_loaded(progress: Callable[[int, int, Any], None] | None) -> Callable[[int, int, Any], None]:
    """progress, and the writer's modules imported when the first input is in: the workers
    have all started by then (a fork never meets an import half done), and the ~30 ms of
    imports pass while they read instead of after the last input."""
    def arrived(done: int, total: int, item: Any) -> None:
        if done == 1:
            import xlsx_reports.xlsx.writer.merged  # noqa: F401
        if progress is not None:
            progress(done, total, item)
    return arrived


def render(source: PathLike, out: PathLike, template: PathLike | None = None, force: bool = False,
           *, format: str | None = None) -> Any:
    """Check a workbook and write its report (.md .html .txt .docx by `out`'s extension).
    `out` "-" writes nothing and returns the text in `.text` (needs `format` md/html/txt).
    Returns report.render.Rendered (.written, .draft, .findings, .warnings)."""
    from xlsx_reports.report.render import render_file

    return render_file(source, out, template=template, force=force, fmt=format)


def export(paths: Paths, problems: list[str] | None = None) -> list[dict[str, Any]]:
    """One dict per cell of every workbook (unit, year, format, key, labels, kind, sheet, cell,
    value, text); amounts stay exact Decimals. With `problems`, an unreadable file adds one
    Chinese line there and the others are still exported (otherwise it raises)."""
    from xlsx_reports.report.export import export_records

    return export_records(_paths(paths), problems)

