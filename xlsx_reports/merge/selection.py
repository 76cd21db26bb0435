"""Which inputs go into the total (AGG-FMT, AGG-EMPTY, AGG-CHECK, AGG-FORCED, AGG-DUP).

The decision needs every input: the year and format are the ones most inputs have, and a
unit held by two files refuses both. It works on the compact candidates (inputs.py), never
on their values, so it runs after all of them have arrived and been summed per kind.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from xlsx_reports.core.findings import CannotContinue, Finding
from xlsx_reports.form.definitions import format_for_year
from xlsx_reports.merge.inputs import Candidate

Kind = tuple[int, str]   # (year, format)


@dataclass(frozen=True, slots=True)
class Excluded:
    """An input left out of the total, and why (Chinese, for the summary)."""
    file: Path
    unit: str
    code: str
    reason: str
    units: tuple[str, ...] = ()


def target(kinds: Counter[Kind], candidates: Sequence[Candidate], year: int | None) -> Kind:
    """The year and format to merge: as asked, or the one most inputs have (`kinds` counts
    the readable inputs of each)."""
    if year is not None:
        return year, format_for_year(year)
    if not kinds:
        raise CannotContinue(nothing_text(candidates), code="NO-INPUT")
    ranked = kinds.most_common()
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        listed = "、".join(f"{y} 年度（{f} 版格式）{n} 个" for (y, f), n in ranked)
        raise CannotContinue(f"输入的工作簿年度或格式不一致：{listed}；请用 --year 指定要汇总的年度", code="MERGE-MIXED")
    return ranked[0][0]


def nothing_text(candidates: Sequence[Candidate], excluded: Sequence[Excluded] = ()) -> str:
    lines = [f"没有可以汇总的工作簿（共 {len(candidates)} 个文件）："]
    if excluded:
        lines += [f"  {e.file}：{e.reason}" for e in excluded]
    else:
        lines += [f"  {c.file}：{first_error(c.problems)}" for c in candidates]
    return "\n".join(lines)


def first_error(findings: Sequence[Finding]) -> str:
    return next((f.message for f in findings if f.severity == "error"), "无法读取")


def summable(c: Candidate, allow_errors: bool) -> bool:
    """What admissible decides from the candidate alone: the merge sums such an input into
    the total of its kind as soon as it arrives."""
    return c.readable and not c.empty and (allow_errors or not c.reason)


class Selection:
    """Sorts candidates into included and excluded, collecting the AGG-* findings."""

    def __init__(self, kind: Kind, allow_errors: bool):
        (self.year, self.fmt), self.allow_errors = kind, allow_errors
        self.findings: list[Finding] = []
        self.excluded: list[Excluded] = []

    def leave_out(self, c: Candidate, code: str, reason: str, *, finding: bool = True,
                  advice: str = "") -> None:
        self.excluded.append(Excluded(c.file, c.unit, code, reason, c.units))
        if finding:
            self.findings.append(Finding(code, "error", f"{c.file}（{c.unit or '单位不明'}）未纳入汇总："
                                         f"{reason}", file=str(c.file), unit=c.unit, advice=advice))

    def admissible(self, c: Candidate) -> bool:
        if not c.readable:
            self.leave_out(c, "UNREADABLE", first_error(c.problems), finding=False)
            self.findings.extend(c.problems)
            return False
        if (c.year, c.format) != (self.year, self.fmt):
            self.leave_out(c, "AGG-FMT", f"这是 {c.year} 年度（{c.format} 版格式）"
                           f"的工作簿，本次汇总的是 {self.year} 年度（{self.fmt} 版格式）",
                           advice="不同年度或格式的报表不能合并；请换成本年度的工作簿。")
            return False
        if c.empty:   # not a return, even --allow-errors
            self.leave_out(c, "AGG-EMPTY", "表格一个数字都没有填写，不是填好的报表",
                           advice="请该单位填写后重新报送；未填写的表不能按 0 汇总。")
            return False
        if c.reason:
            if not self.allow_errors:
                self.leave_out(c, "AGG-CHECK", c.reason,
                               advice="请退回该单位修改后重新报送，或用 --allow-errors 强制纳入。")
                return False
            self.findings.append(Finding(
                "AGG-FORCED", "warning", f"{c.file}（{c.unit}）{c.reason}，"
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


def _describe(c: Candidate) -> str:
    if len(c.units) == 1 and c.units[0] == c.unit:
        return str(c.file)
    return f"{c.file}（{c.unit}汇总表）"
