"""`new --previous`: fill this year's carried-over cells from last year's returned workbook.

What is carried is defined once, by Form.carries with prefill=True (e.g. 二、上年结转 from
last year's 四、结转下年度继续办理, per column — also across the 2020→2021 format change,
since the keys stay the same). Cells stay editable; what was filled is listed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xlsx_reports.core.findings import CannotContinue
from xlsx_reports.form.values import Report


@dataclass(frozen=True)
class Filled:
    key: str
    sheet: str
    cell: str
    labels: tuple[str, ...]
    value: Any

    def describe(self) -> str:
        return f"{self.sheet}!{self.cell}（{' › '.join(self.labels)}）＝{self.value}"


@dataclass
class Prefill:
    source: Path
    filled: list[Filled] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)      # Chinese: what was not filled and why

    @property
    def keys(self) -> list[str]:
        return [f.key for f in self.filled]


def _usable(reading, report: Report) -> Report:
    name = reading.path.name
    previous = reading.report
    if previous is None or reading.form is None:
        raise CannotContinue(f"上年报表 {name} 无法读取数据，不能预填", code="PREVIOUS-MISMATCH")
    if previous.unit != report.unit:
        raise CannotContinue(f"上年报表 {name} 的单位是“{previous.unit}”，与本次的“{report.unit}”不一致，"
                             "请选择同一单位上一年度报回的工作簿", code="PREVIOUS-MISMATCH")
    if previous.year != report.year - 1:
        raise CannotContinue(f"上年报表 {name} 是 {previous.year} 年度的，预填 {report.year} 年度需要 "
                             f"{report.year - 1} 年度的工作簿", code="PREVIOUS-MISMATCH")
    return previous


def _term_value(source: Report, term: str) -> tuple[Any, str | None]:
    """(signed value, reason it cannot be used)."""
    key = term.lstrip("-")
    if key not in source.form.by_key:
        return None, "上年表式中没有这一项"
    f = source.form.field(key)
    value = source.value(key)
    if value is None:
        return None, f"{f.sheet}!{f.a1} 未填写"
    if isinstance(value, str) or isinstance(value, bool):
        return None, f"{f.sheet}!{f.a1} 不是数字（{value}）"
    return (-value if term.startswith("-") else value), None


def prefill(report: Report, reading) -> Prefill:
    """Fills report.values in place from `reading` (last year's Reading); returns what was done."""
    previous = _usable(reading, report)
    result = Prefill(Path(reading.path))
    for carry in report.form.carries:
        if not carry.prefill or carry.target not in report.form.by_key:
            continue
        target = report.form.field(carry.target)
        parts = [_term_value(previous, t) for t in carry.previous]
        parts += [_term_value(report, t) for t in carry.current]
        reasons = [why for _, why in parts if why]
        where = f"{target.sheet}!{target.a1}（{' › '.join(target.labels)}）"
        if reasons:
            result.notes.append(f"{where} 未预填：上年{'；'.join(reasons)}")
            continue
        total = sum((v for v, _ in parts), 0)
        if total < 0 and target.type != "signed":
            result.notes.append(f"{where} 未预填：按上年数据计算为负数（{total}），请核对上年报表")
            continue
        report.values[target.key] = total
        result.filled.append(Filled(target.key, target.sheet, target.a1, target.labels, total))
    return result


def prefill_from_file(report: Report, path) -> Prefill:
    from xlsx_reports.xlsx.reader import read_workbook  # raises UnreadableWorkbook (CannotContinue)

    return prefill(report, read_workbook(path))
