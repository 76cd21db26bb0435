"""Merging returned workbooks into one total (a district's 全区汇总): rules AGG-* of rules.md.

Every input is checked first; only workbooks of one year and format, without errors (or with
them, when allowed) and without a unit counted elsewhere, are summed. The result is a report
of the same format whose metadata lists every unit it contains, so a district total merges
again into a city total (and that into a province total) without counting any unit twice.
Sums are exact: counts stay int, money stays Decimal; totals are never stored, Report.value
recomputes them from the summed inputs.
"""
from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Sequence

from xlsx_reports import __version__
from xlsx_reports.core.numbers import number_text
from xlsx_reports.form.definitions import KEY_FIGURES, format_for_year
from xlsx_reports.core.findings import CannotContinue, Finding, has_errors
from xlsx_reports.merge.inputs import Candidate, Progress, check_inputs, collect_inputs, without_output
from xlsx_reports.xlsx.meta import Metadata, source_label
from xlsx_reports.form.values import Report

FIGURE_UNIT = "件"
MAX_REASONS = 3   # error messages quoted per left-out file; the file's own check lists all


@dataclass(frozen=True)
class Source:
    """One input workbook that went into the total."""
    file: Path
    unit: str
    units: tuple[str, ...]      # every unit it contains: itself, or a merged workbook's units
    workbook_id: str
    sha256: str
    report: Report
    merged: bool = False

    @property
    def label(self) -> str:
        return source_label(self.as_meta())

    def as_meta(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"unit": self.unit, "file": self.file.name,
                                 "workbook_id": self.workbook_id, "sha256": self.sha256}
        if self.merged:
            entry["units"] = list(self.units)
        return entry


@dataclass(frozen=True)
class Excluded:
    """An input left out of the total, and why (Chinese, for the summary)."""
    file: Path
    unit: str
    code: str
    reason: str
    units: tuple[str, ...] = ()


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

    def summary_lines(self) -> list[str]:
        return summary_lines(self)


# --- selection ----------------------------------------------------------------------------

def _target(candidates: list[Candidate], year: int | None) -> tuple[int, str]:
    """The year and format to merge: as asked, or the one most inputs have."""
    if year is not None:
        return year, format_for_year(year)
    counts = Counter((c.report.year, c.report.form.format) for c in candidates
                     if c.report is not None)
    if not counts:
        raise CannotContinue(_nothing_text(candidates), code="NO-INPUT")
    ranked = counts.most_common()
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        kinds = "、".join(f"{y} 年度（{f} 版格式）{n} 个" for (y, f), n in ranked)
        raise CannotContinue(f"输入的工作簿年度或格式不一致：{kinds}；请用 --year 指定要汇总的年度", code="MERGE-MIXED")
    return ranked[0][0]


def _nothing_text(candidates: list[Candidate], excluded: Sequence[Excluded] = ()) -> str:
    lines = [f"没有可以汇总的工作簿（共 {len(candidates)} 个文件）："]
    if excluded:
        lines += [f"  {e.file}：{e.reason}" for e in excluded]
    else:
        lines += [f"  {c.file}：{_first_error(c.findings)}" for c in candidates]
    return "\n".join(lines)


def _first_error(findings: list[Finding]) -> str:
    return next((f.message for f in findings if f.severity == "error"), "无法读取")


def _error_reason(findings: list[Finding]) -> str:
    errors = [f for f in findings if f.severity == "error"]
    quoted = "；".join(f"{f.where + '：' if f.where else ''}{f.message}" for f in errors[:MAX_REASONS])
    more = "等" if len(errors) > MAX_REASONS else ""
    return f"有 {len(errors)} 处错误（{quoted}{more}）"


class _Selection:
    """Sorts candidates into included and excluded, collecting the AGG-* findings."""

    def __init__(self, year: int, fmt: str, allow_errors: bool):
        self.year, self.fmt, self.allow_errors = year, fmt, allow_errors
        self.findings: list[Finding] = []
        self.excluded: list[Excluded] = []

    def leave_out(self, c: Candidate, code: str, reason: str, *, finding: bool = True,
                  advice: str = "") -> None:
        self.excluded.append(Excluded(c.file, c.unit, code, reason, c.units if c.report else ()))
        if finding:
            self.findings.append(Finding(code, "error", f"{c.file}（{c.unit or '单位不明'}）未纳入汇总："
                                         f"{reason}", file=str(c.file), unit=c.unit, advice=advice))

    def admissible(self, c: Candidate) -> bool:
        if c.report is None:
            self.leave_out(c, "UNREADABLE", _first_error(c.findings), finding=False)
            self.findings.extend(f for f in c.findings if f.severity == "error")
            return False
        if (c.report.year, c.report.form.format) != (self.year, self.fmt):
            self.leave_out(c, "AGG-FMT", f"这是 {c.report.year} 年度（{c.report.form.format} 版格式）"
                           f"的工作簿，本次汇总的是 {self.year} 年度（{self.fmt} 版格式）",
                           advice="不同年度或格式的报表不能合并；请换成本年度的工作簿。")
            return False
        if any(f.code == "EMPTY" for f in c.findings):   # not a return, even --allow-errors
            self.leave_out(c, "AGG-EMPTY", "表格一个数字都没有填写，不是填好的报表",
                           advice="请该单位填写后重新报送；未填写的表不能按 0 汇总。")
            return False
        if has_errors(c.findings):
            if not self.allow_errors:
                self.leave_out(c, "AGG-CHECK", _error_reason(c.findings),
                               advice="请退回该单位修改后重新报送，或用 --allow-errors 强制纳入。")
                return False
            self.findings.append(Finding(
                "AGG-FORCED", "warning", f"{c.file}（{c.unit}）{_error_reason(c.findings)}，"
                "已按 --allow-errors 纳入汇总", file=str(c.file), unit=c.unit,
                advice="数值单元格中的文字按 0 计（与表格的求和一致）；汇总结果可能不平衡。"))
        return True

    def refuse_duplicates(self, candidates: list[Candidate]) -> list[Candidate]:
        """AGG-DUP: every file holding a unit that another file also holds is refused —
        which copy is right cannot be guessed, and counting both would double the unit."""
        holders: dict[str, list[Candidate]] = {}
        for c in candidates:
            for unit in dict.fromkeys(c.units):
                holders.setdefault(unit, []).append(c)
        refused: dict[int, list[str]] = {}
        for unit, files in holders.items():
            if len(files) < 2:
                continue
            named = "、".join(_describe(c) for c in files)
            same = "（文件内容完全相同）" if len({c.sha256 for c in files}) == 1 else ""
            self.findings.append(Finding(
                "AGG-DUP", "error", f"单位“{unit}”重复：{named}{same}；这些文件均未纳入汇总",
                file=str(files[-1].file), unit=unit,
                advice="同一单位只能汇总一次：请只保留一份正确的工作簿（或去掉已包含该单位的汇总表）后重新汇总。"))
            for c in files:
                refused.setdefault(id(c), []).append(unit)
        kept = []
        for c in candidates:
            if id(c) in refused:
                self.leave_out(c, "AGG-DUP", f"单位“{'、'.join(refused[id(c)])}”重复", finding=False)
            else:
                kept.append(c)
        return kept


def _source(c: Candidate) -> Source:
    workbook_id = c.metadata.workbook_id if c.metadata else ""
    assert c.report is not None   # only readable candidates become sources
    return Source(c.file, c.unit, c.units, workbook_id, c.sha256, c.report, merged=c.merged)


def _describe(c: Candidate) -> str:
    if len(c.units) == 1 and c.units[0] == c.unit:
        return str(c.file)
    return f"{c.file}（{c.unit}汇总表）"


# --- the merge ----------------------------------------------------------------------------

def merge_files(paths: Iterable[str | Path], *, unit: str, roster: Any = None,
                allow_errors: bool = False, year: int | None = None, output: str | Path | None = None,
                progress: Progress | None = None, jobs: int | None = None) -> MergeResult:
    """Check and merge workbooks (files or folders) into the total of `unit`.

    `roster` is a roster.Roster (entries with .name and .line); `output`, when given, is never
    taken as an input; `jobs` processes check the inputs (None: one per CPU, at most 4).
    Raises CannotContinue only when nothing at all can be merged.
    """
    unit = (unit or "").strip()
    if not unit:
        raise CannotContinue("请用 --unit 写明汇总单位的名称（如：洛江区）", code="UNIT-NAME")
    paths = list(paths)
    files = without_output(collect_inputs(paths), paths, output, unit)
    candidates = check_inputs(files, progress=progress, jobs=jobs)
    return merge_candidates(candidates, unit=unit, roster=roster, allow_errors=allow_errors,
                            year=year)


def merge_candidates(candidates: list[Candidate], *, unit: str, roster: Any = None,
                     allow_errors: bool = False, year: int | None = None) -> MergeResult:
    target_year, fmt = _target(candidates, year)
    selection = _Selection(target_year, fmt, allow_errors)
    admitted = [c for c in candidates if selection.admissible(c)]
    kept = selection.refuse_duplicates(admitted)
    if not kept:
        raise CannotContinue(_nothing_text(candidates, selection.excluded), code="NO-INPUT")
    included = [_source(c) for c in kept]
    report = sum_reports(unit, target_year, fmt, [s.report for s in included])
    metadata = merged_metadata(report, included)
    result = MergeResult(report, metadata, selection.findings, included, selection.excluded)
    result.blanks = blank_inputs(included)
    if roster is not None:
        _compare_roster(result, roster)
    return result


def sum_reports(unit: str, year: int, fmt: str, reports: Sequence[Report]) -> Report:
    """A report whose every numeric input is the exact sum over `reports` (AGG-SUM).

    A blank counts as 0 and text in a numeric cell too, as the spreadsheet's SUM does;
    narratives are not summed (they are listed per unit on 各单位文字材料).
    """
    merged = Report.blank(unit, year, fmt)
    for f in merged.form.numeric_inputs:
        total = sum((r.number(f.key) for r in reports), 0)
        merged.values[f.key] = _exact(f.type, total)
    return merged


def blank_inputs(included: Sequence[Source]) -> dict[str, list[str]]:
    """Which source left which numeric inputs blank: the sum counts them as 0, the summary
    says so, and the merged workbook's 分单位明细 keeps them blank (its check warns BLANK)."""
    out = {}
    for s in included:
        keys = [f.key for f in s.report.form.numeric_inputs if s.report.values.get(f.key) is None]
        if keys:
            out[s.label] = keys
    return out


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


def _exact(value_type: str, total: int | Decimal) -> int | Decimal:
    if value_type == "money":
        return Decimal(total)
    if isinstance(total, Decimal) and total == total.to_integral_value():
        return int(total)
    return total


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

def summary_lines(result: MergeResult) -> list[str]:
    """The summary printed by the command and written on the 汇总说明 sheet (Chinese)."""
    r = result.report
    lines = [f"汇总单位：{r.unit}（{r.year} 年度，{r.form.format} 版格式）",
             f"纳入汇总：{len(result.included)} 个工作簿，共 {len(result.units)} 个单位"]
    lines += [f"  {s.label}：{s.file}" for s in result.included]
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
