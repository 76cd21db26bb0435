"""Rules across years (XY-*): this year's workbook against last year's of the same unit.

The Form's Carry objects say which cells continue which; they are evaluated by key, so
they hold across the 2020→2021 format change wherever both forms have the cells.
"""
from __future__ import annotations

import re
from typing import Iterator

from xlsx_reports.core.findings import Finding
from xlsx_reports.form.model import Carry
from xlsx_reports.xlsx.reader import Reading
from xlsx_reports.check.context import Context
from xlsx_reports.core.numbers import number_text

DUP_RATIO = 0.9       # narratives this similar (numbers ignored) count as copied
DUP_MIN_CHARS = 40    # shorter texts ("无其他需要报告的事项。") may legitimately repeat


def year_findings(ctx: Context, previous: Reading) -> Iterator[Finding]:
    prev = previous.report
    if prev is None:
        return
    if prev.year != ctx.report.year - 1:
        yield ctx.sheet_finding(
            "YEAR", "warning",
            f"用作上年对照的工作簿 {previous.path.name} 是 {prev.year} 年度的，不是 {ctx.report.year - 1} 年度，"
            "未做跨年校验", "", expected=ctx.report.year - 1, actual=prev.year,
            advice="请用 --previous 指定上一年度的工作簿。")
        return
    for carry in ctx.form.carries:
        if _applies(ctx, previous, carry):
            yield from _carry(ctx, previous, carry)
    yield from _duplicates(ctx, previous)


def _applies(ctx: Context, previous: Reading, carry: Carry) -> bool:
    keys = {carry.target, *carry.current}
    return (ctx.located(keys)
            and all(k.lstrip("-") in previous.cells for k in carry.previous))


def _carry(ctx: Context, previous: Reading, carry: Carry) -> Iterator[Finding]:
    assert previous.report is not None   # readings without a report are never compared
    before = previous.report.total(carry.previous)
    expected = before + ctx.report.total(carry.current)
    actual = ctx.value(carry.target)
    if isinstance(actual, str) or actual == expected:
        return  # text is already NONNUM; comparing it as 0 would only add noise
    prev_cells = "+".join(f"{previous.cells[k.lstrip('-')].a1}" for k in carry.previous)
    msg = (f"{carry.text}：本年 {ctx.where(carry.target)} = "
           f"{'空白' if actual is None else number_text(actual)}，"
           f"上年（{previous.path.name}）{prev_cells} = {number_text(before)}")
    if carry.current:
        msg += f"，加本年变动后应为 {number_text(expected)}"
    yield ctx.finding(carry.code, carry.severity, msg, [carry.target, *carry.current],
                      expected=expected, actual=actual,
                      advice="请核对上年报表的数字；本年数应与上年报表衔接，如上年数字有误请说明。")


def _normal(text: str) -> str:
    """Text with whitespace and punctuation removed and every number made alike, so a copy
    with only the year and figures changed still counts as a copy."""
    text = re.sub(r"\d+(\.\d+)?", "0", text)
    return re.sub(r"[\s\W_]", "", text)


def similarity(a: str, b: str) -> float:
    a, b = _normal(a), _normal(b)
    if not a or not b:
        return 0.0
    from difflib import SequenceMatcher   # here: only a check against last year compares texts
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < DUP_RATIO or matcher.quick_ratio() < DUP_RATIO:
        return matcher.quick_ratio()
    return matcher.ratio()


def _duplicates(ctx: Context, previous: Reading) -> Iterator[Finding]:
    for key in (s.text for s in ctx.form.narratives):
        if key not in ctx.reading.cells or key not in previous.cells:
            continue
        assert previous.report is not None
        now, before = ctx.report.text(key), previous.report.text(key)
        if len(_normal(now)) < DUP_MIN_CHARS:
            continue
        ratio = similarity(now, before)
        if ratio >= DUP_RATIO:
            title = ctx.form.section_of(ctx.form.field(key).sheet).heading
            yield ctx.finding(
                "XY-DUP", "warning",
                f"{ctx.where(key)}（{title}）与上年报告（{previous.path.name}）几乎相同"
                f"（相似度 {ratio:.0%}，数字不计）", [key], expected=None, actual=round(ratio, 3),
                advice="内容雷同、敷衍塞责是问责情形；请按本年实际情况重写本部分。")
