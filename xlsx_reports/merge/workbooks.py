"""Merging returned workbooks into one total (a district's 全区汇总): rules AGG-* of rules.md.

Every input is checked first; only workbooks of one year and format, without errors (or with
them, when allowed) and without a unit counted elsewhere, are summed. The result is a report
of the same format whose metadata lists every unit it contains, so a district total merges
again into a city total (and that into a province total) without counting any unit twice.
Sums are exact: counts stay int, money stays Decimal; totals are never stored, Report.value
recomputes them from the summed inputs. Each input's values are summed as its check comes
back and then wait on disk (rows.py), so memory stays flat however many units are merged.
"""
from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from xlsx_reports import __version__
from xlsx_reports.core.numbers import number_text
from xlsx_reports.form.definitions import KEY_FIGURES
from xlsx_reports.core.findings import CannotContinue, Finding
from xlsx_reports.merge.inputs import Candidate, Progress, check_inputs, collect_inputs, without_output
from xlsx_reports.merge.rows import Row, Spool, Total, blank_keys, row_of, row_report, total_of, unpack, values_in
from xlsx_reports.merge.selection import Excluded, Kind, Selection, nothing_text, summable, target
from xlsx_reports.xlsx.meta import SUMMARY_SHEET, Metadata, unit_label
from xlsx_reports.form.model import Field
from xlsx_reports.form.values import Report

FIGURE_UNIT = "件"
Summed = Callable[[Kind, "Source", Row], None]


@dataclass(frozen=True, slots=True)
class Source:
    """One input workbook that went into the total; its values wait in the merge's spool."""
    file: Path
    unit: str
    units: tuple[str, ...]      # every unit it contains: itself, or a merged workbook's units
    workbook_id: str
    sha256: str
    year: int
    format: str
    spool: Spool = field(repr=False, compare=False)
    at: int = 0                 # where its row is in the spool
    blanks: tuple[str, ...] = ()    # the numeric inputs it left blank
    merged: bool = False

    @property
    def label(self) -> str:   # as source_label names self.as_meta(), without making it
        return unit_label(self.unit, self.units if self.merged else None)

    @property
    def report(self) -> Report:
        """Its numeric inputs and narratives (what the merge uses), read back from the spool."""
        return row_report(self.format, self.unit, self.year, self.spool.get(self.at))

    def values(self, fields: tuple[Field, ...]) -> Row:
        """Its values of these fields (numeric inputs or narratives), read back from the spool
        without making a Report of them: a merged workbook's rows need them for every unit."""
        return values_in(self.format, self.spool.get(self.at), fields)

    def as_meta(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"unit": self.unit, "file": self.file.name,
                                 "workbook_id": self.workbook_id, "sha256": self.sha256}
        if self.merged:
            entry["units"] = list(self.units)
        return entry


@dataclass
class MergeResult:
    report: Report
    metadata: Metadata
    findings: list[Finding]
    included: list[Source]
    excluded: list[Excluded]
    missing: list[str] = field(default_factory=list)      # on the roster, no workbook
    unexpected: list[str] = field(default_factory=list)   # merged, not on the roster
    # source label -> keys of the numeric inputs it left blank (summed as 0)
    blanks: dict[str, list[str]] = field(default_factory=dict)

    @property
    def units(self) -> list[str]:
        return list(self.metadata.units)

    def key_figures(self) -> list[tuple[str, Any]]:
        return [(name, self.report.total(keys)) for name, keys in KEY_FIGURES]

    def summary_lines(self, listed: int | None = None) -> list[str]:
        return summary_lines(self, listed)


# --- the merge ----------------------------------------------------------------------------

def merge_files(paths: Iterable[str | Path], *, unit: str, roster: Any = None,
                allow_errors: bool = False, year: int | None = None, output: str | Path | None = None,
                progress: Progress | None = None, jobs: int | None = None,
                summed: Summed | None = None) -> MergeResult:
    """Check and merge workbooks (files or folders) into the total of `unit`.

    `roster` is a roster.Roster (entries with .name and .line); `output`, when given, is never
    taken as an input; `jobs` processes check the inputs (None: one per CPU, at most 4);
    `summed(kind, source, row)` sees each input as it is summed (the writer drafts its rows).
    Raises CannotContinue only when nothing at all can be merged.
    """
    unit = (unit or "").strip()
    if not unit:
        raise CannotContinue("请用 --unit 写明汇总单位的名称（如：洛江区）", code="UNIT-NAME")
    paths = list(paths)
    files = without_output(collect_inputs(paths), paths, output, unit)
    fold = Fold(allow_errors, summed)

    def arrived(done: int, total: int, c: Candidate) -> None:
        fold.take(c)
        if progress is not None:
            progress(done, total, c)

    candidates = check_inputs(files, progress=arrived, jobs=jobs)
    return fold.finish(candidates, unit=unit, roster=roster, year=year)


def merge_candidates(candidates: Sequence[Candidate], *, unit: str, roster: Any = None,
                     allow_errors: bool = False, year: int | None = None) -> MergeResult:
    """Merge inputs already checked (check_inputs); their rows are taken."""
    return Fold(allow_errors).finish(candidates, unit=unit, roster=roster, year=year)


class Fold:
    """The merge as the workers' results arrive, in input order: each row that may be summed
    goes at once into the total of its kind (year, format) and to the spool, and leaves the
    candidate, so memory does not grow with the values of N units. Which kind is merged and
    which units are duplicated is known only at the end (finish); in the rare case that a
    duplicate was already summed, the total is summed again from the spool."""

    def __init__(self, allow_errors: bool, summed: Summed | None = None) -> None:
        self.allow_errors = allow_errors
        self.summed = summed
        self.kinds: Counter[Kind] = Counter()   # readable inputs of each kind
        self.totals: dict[Kind, Total] = {}
        self.spool = Spool()
        self.spooled: dict[int, Source] = {}   # id(candidate) -> it, its row spooled

    def take(self, c: Candidate) -> None:
        if c.row is None:
            return
        packed, c.row = c.row, None
        assert c.year is not None   # a row comes only with a readable input
        kind = (c.year, c.format)
        self.kinds[kind] += 1
        if summable(c, self.allow_errors):
            row = unpack(packed)
            numbers = self.totals.setdefault(kind, Total(c.format)).add(row)   # then nothing is blank
            blanks = () if numbers else blank_keys(c.format, row)
            source = self.spooled[id(c)] = self._source(c, self.spool.put(packed), blanks)
            if self.summed is not None:
                self.summed(kind, source, row)

    def finish(self, candidates: Sequence[Candidate], *, unit: str, roster: Any = None,
               year: int | None = None) -> MergeResult:
        for c in candidates:   # any not taken on arrival (already taken: nothing to do)
            self.take(c)
        kind = target(self.kinds, candidates, year)
        selection = Selection(kind, self.allow_errors)
        admitted = [c for c in candidates if selection.admissible(c)]
        kept = selection.refuse_duplicates(admitted)
        if not kept:
            raise CannotContinue(nothing_text(candidates, selection.excluded), code="NO-INPUT")
        total = self.totals[kind] if len(kept) == len(admitted) else self._resum(kind, kept)
        included = [self.spooled[id(c)] for c in kept]
        report = total.report(unit, kind[0])
        result = MergeResult(report, merged_metadata(report, included), selection.findings,
                             included, selection.excluded)
        result.blanks = blank_inputs(included)
        if roster is not None:
            _compare_roster(result, roster)
        return result

    def _resum(self, kind: Kind, kept: list[Candidate]) -> Total:
        return total_of(kind[1], (self.spool.get(self.spooled[id(c)].at) for c in kept))

    def _source(self, c: Candidate, at: int, blanks: tuple[str, ...]) -> Source:
        assert c.year is not None
        return Source(c.file, c.unit, c.units, c.workbook_id, c.sha256, c.year, c.format,
                      self.spool, at, blanks, merged=c.merged)


def sum_reports(unit: str, year: int, fmt: str, reports: Sequence[Report]) -> Report:
    """A report whose every numeric input is the exact sum over `reports` (AGG-SUM).

    A blank counts as 0 and text in a numeric cell too, as the spreadsheet's SUM does;
    narratives are not summed (they are listed per unit on 各单位文字材料).
    """
    return total_of(fmt, (row_of(r) for r in reports)).report(unit, year)


def blank_inputs(included: Sequence[Source]) -> dict[str, list[str]]:
    """Which source left which numeric inputs blank: the sum counts them as 0, the summary
    says so, and the merged workbook's 分单位明细 keeps them blank (its check warns BLANK)."""
    return {s.label: list(s.blanks) for s in included if s.blanks}


BLANKS_SHOWN = 8   # cells named per unit in the summary


def _blank_lines(result: MergeResult) -> list[str]:
    if not result.blanks:
        return []
    count = sum(map(len, result.blanks.values()))
    lines = [f"空白单元格（按 0 计入汇总，空白不等于 0，请核实）：{len(result.blanks)} 个单位共 {count} 格"]
    form = result.report.form
    for label, keys in result.blanks.items():
        shown = "、".join(f"{form.field(k).sheet}!{form.field(k).a1}" for k in keys[:BLANKS_SHOWN])
        more = f" 等 {len(keys)} 格" if len(keys) > BLANKS_SHOWN else ""
        lines.append(f"  {label}：{shown}{more}")
    return lines


def merged_metadata(report: Report, included: Sequence[Source]) -> Metadata:
    units = list(dict.fromkeys(u for s in included for u in s.units))
    return Metadata(
        format=report.form.format, unit=report.unit, year=report.year,
        fingerprint=report.form.fingerprint, workbook_id=uuid.uuid4().hex,
        generated=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        version=__version__, kind="merged", units=units,
        sources=[s.as_meta() for s in included])


def _compare_roster(result: MergeResult, roster: Any) -> None:
    """AGG-ROSTER: roster units with no workbook at all, and merged workbooks not on the roster.

    A roster may name the units a workbook comes from (a city lists its districts) or the units
    a total contains (a district lists its townships even when a street office sends a total).
    """
    entries = list(roster.units)
    names = {e.name for e in entries}
    where = f"名单 {Path(roster.path).name} " if getattr(roster, "path", None) else "名单"
    seen = {u for s in result.included for u in (s.unit, *s.units)}
    seen |= {u for e in result.excluded for u in (e.unit, *e.units)}
    for e in entries:
        if e.name not in seen:
            result.missing.append(e.name)
            result.findings.append(Finding(
                "AGG-ROSTER", "warning", f"{where}第 {e.line} 行的“{e.name}”没有报送工作簿", unit=e.name,
                file=str(getattr(roster, "path", "")), advice="请催报；收到后重新汇总。"))
    for s in result.included:
        if s.unit not in names and not set(s.units) <= names:
            result.unexpected.append(s.unit)
            result.findings.append(Finding(
                "AGG-ROSTER", "warning", f"“{s.unit}”不在名单中，但已纳入汇总", unit=s.unit,
                file=str(s.file), advice="请核对单位名称是否与名单一致，或是否属于本次汇总范围。"))


# --- the summary --------------------------------------------------------------------------

def summary_lines(result: MergeResult, listed: int | None = None) -> list[str]:
    """The summary printed by the command and written on the 汇总说明 sheet (Chinese).
    listed: at most this many of the included workbooks named (the console's summary: a city's
    thousands would push the excluded ones and the totals off the screen); the sheet names all."""
    r = result.report
    lines = [f"汇总单位：{r.unit}（{r.year} 年度，{r.form.format} 版格式）",
             f"纳入汇总：{len(result.included)} 个工作簿，共 {len(result.units)} 个单位"]
    named = result.included if listed is None else result.included[:listed]
    lines += [f"  {s.label}：{s.file}" for s in named]
    if len(named) < len(result.included):
        lines.append(f"  ……其余 {len(result.included) - len(named)} 个工作簿的清单见汇总工作簿的“{SUMMARY_SHEET}”表")
    if result.excluded:
        lines.append(f"未纳入汇总：{len(result.excluded)} 个工作簿")
        lines += [f"  {e.unit or '单位不明'}：{e.file}：{e.reason.removeprefix(f'{Path(e.file).name}：')}"
                  for e in result.excluded]
    if result.missing:
        lines.append(f"名单中未报送：{len(result.missing)} 个单位：{'、'.join(result.missing)}")
    if result.unexpected:
        lines.append(f"不在名单中：{len(result.unexpected)} 个单位：{'、'.join(result.unexpected)}")
    lines += _blank_lines(result)
    lines.append("主要数据合计：")
    lines += [f"  {name}：{number_text(value)} {FIGURE_UNIT}" for name, value in result.key_figures()]
    return lines
