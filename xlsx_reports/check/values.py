"""Rules on single input cells: NONNUM, T2/T3/T4-TYPE, BLANK and NARRATIVE.

Values are judged as the spreadsheet sees them (text is not a number, even "12"), and
the message says which number the person meant so the fix is obvious.
"""
from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any, Iterator

from xlsx_reports.core.findings import Finding
from xlsx_reports.core.numbers import number_text  # noqa: F401  (also imported from here)
from xlsx_reports.core.numerals import CHINESE, chinese_number
from xlsx_reports.form.compiled import derived
from xlsx_reports.form.model import Field, Form
from xlsx_reports.form.types import text_problem
from xlsx_reports.check.context import Context

TYPE_CODE = {"t2": "T2-TYPE", "t3": "T3-TYPE", "t4": "T4-TYPE"}
UNIT_WORDS = ("万元", "元", "件", "个", "条", "项", "次", "份", "人", "起")
PLACEHOLDERS = {"无", "略", "暂无", "同上", "待补充", "待填写", "待定", "xxx", "xx", "x", "/", "-", "—",
                "——", "…", "……", "0", "空", "见附件", "详见附件"}
MIN_HINT_COPY = 15    # a text this long found inside the hint was copied from it


def meant_number(text: str) -> Decimal | None:
    """The number a person meant by text in a numeric cell: "１２", " 12 ", "1,200", "12件", "三"."""
    s = unicodedata.normalize("NFKC", text).strip().replace(",", "").replace(" ", "")
    for word in UNIT_WORDS:
        if s.endswith(word) and len(s) > len(word):
            s = s[: -len(word)]
            break
    if re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", s):
        try:
            return Decimal(s)
        except InvalidOperation:
            return None
    return chinese_number(s) if re.fullmatch(rf"[{CHINESE}万亿]+", s) else None


def value_findings(ctx: Context) -> Iterator[Finding]:
    empty = _never_filled(ctx)
    if empty:
        yield empty
    blanks: dict[str, list[Field]] = {}
    cells, values = ctx.reading.cells, ctx.report.values
    for f, key, numeric, signed in _inputs(ctx.form):
        if key not in cells:
            continue
        value = values.get(key)   # an input's value as meant (Report.value)
        if value is None:
            if f.type != "longtext" and not f.optional and not (empty and f.table in _tables(ctx)):
                blanks.setdefault(ctx.sheet_of(key), []).append(f)
            continue
        if numeric:
            if value.__class__ is int and (signed or value >= 0):
                continue   # a whole number of the right sign: nothing to say (the usual cell)
            yield from _numeric(ctx, f, value)
        elif not ctx.warnings:
            continue
        elif problem := text_problem(f.type, str(value)) or f.choice_problem(str(value)):
            yield ctx.finding("INFO", "warning", f"{ctx.where(f.key)}（{f.labels[-1]}）“{value}”{problem}",
                              [f.key], actual=str(value),
                              advice=f"请重新填写{f.labels[-1]}，以便公众和上级联系核实。")
    if not ctx.warnings:   # BLANK and NARRATIVE warn
        return
    for sheet, fields in blanks.items():
        yield _blank(ctx, sheet, fields)
    yield from _narratives(ctx)


@derived
def _inputs(form: Form) -> tuple[tuple[Field, str, bool, bool], ...]:
    """(field, key, numeric, signed) of each input, in form order: read for every workbook."""
    return tuple((f, f.key, f.numeric, f.type == "signed") for f in form.inputs)


def _tables(ctx: Context) -> set[str]:
    return _table_names(ctx.form)


@derived
def _table_names(form: Form) -> set[str]:
    return {s.table for s in form.sheets if s.role == "table"}


@derived
def _table_inputs(form: Form) -> tuple[Field, ...]:
    tables = _table_names(form)
    return tuple(f for f in form.inputs if f.table in tables)


def _never_filled(ctx: Context) -> Finding | None:
    """EMPTY: a template saved without a single table input typed is not a return (it
    would be summed as zeros and rendered as a final report with empty tables)."""
    meta = ctx.reading.metadata
    if meta is not None and meta.kind != "unit":
        return None
    cells, values = ctx.reading.cells, ctx.report.values
    if any(values.get(f.key) is not None and f.key in cells for f in _table_inputs(ctx.form)):
        return None   # the usual return: its first input is filled, and the answer is there
    inputs = [f for f in _table_inputs(ctx.form) if f.key in cells]
    if not inputs:
        return None
    names = "、".join(s.name for s in ctx.form.sheets if s.role == "table")
    return ctx.sheet_finding(
        "EMPTY", "error", f"表格一个数字都没有填写（{names} 的 {len(inputs)} 个输入格全部空白），"
        "这不是一份填好的年度报表", "", expected=len(inputs), actual=0,
        advice="请在各表格中逐格填写本年度的数字（没有发生的填 0）后重新报送。")


def _numeric(ctx: Context, f: Field, value) -> Iterator[Finding]:
    where = ctx.where(f.key)
    if isinstance(value, str):
        meant = meant_number(value)
        if meant is not None and not _fits(f, meant):
            meant = None   # "-3" in a count cell: no number of the right kind was meant
        if meant is not None:
            msg = (f"{where}（{ctx.path(f)}）填的是文本“{value}”，不是数字：表格的求和公式不会计入它"
                   f"（按 0 计）；应填数字 {number_text(meant)}")
            advice = f"请删除该格内容后重新输入数字 {number_text(meant)}（不要带单位、空格或全角数字，不要设置为文本格式）。"
        else:
            msg = f"{where}（{ctx.path(f)}）填的是“{value}”，不是{_kind(f)}"
            advice = "请填写数字；没有的请填 0，不要填“/”“—”“无”或文字。"
        yield ctx.finding("NONNUM", "error", msg, [f.key], expected=meant, actual=value,
                          advice=advice)
        return
    problem = _type_problem(f, value)
    if problem:
        code = TYPE_CODE.get(f.table, "NONNUM")
        yield ctx.finding(code, "error", f"{where}（{ctx.path(f)}）填的是 {number_text(value)}，{problem}",
                          [f.key], actual=value,
                          advice=f"请改为{_kind(f)}。")


def _fits(f: Field, n: Decimal) -> bool:
    return _type_problem(f, n) is None


def _type_problem(f: Field, n) -> str | None:
    whole = n == int(n)
    if f.type in ("count", "signed") and not whole:
        return "应为整数，不能有小数"
    if f.type in ("count", "money") and n < 0:
        return "不能为负数"
    return None


def _kind(f: Field) -> str:
    return {"count": "不小于 0 的整数", "signed": "整数（减少填负数）",
            "money": f"不小于 0 的金额（单位：{f.unit or '元'}）"}.get(f.type, "数字")


def _blank(ctx: Context, sheet: str, fields: list[Field]) -> Finding:
    cells = [f.key for f in fields]
    numeric = all(f.numeric for f in fields)
    if numeric:
        shown = "、".join(ctx.a1(k) for k in cells[:12]) + (" 等" if len(cells) > 12 else "")
        msg = f"{sheet} 有 {len(cells)} 个单元格未填：{shown}。空白不等于 0"
    else:   # 基本信息: name the items, an address alone means nothing to the township
        shown = "、".join(f"{f.labels[-1]}（{ctx.a1(f.key)}）" for f in fields)
        msg = f"{sheet} 有 {len(cells)} 项未填：{shown}"
    advice = ("请逐格填写；没有发生的请填 0，不要留空。" if numeric
              else "请补充填写这些项目。")
    return ctx.finding("BLANK", "warning", msg, cells, expected=0 if numeric else None,
                       actual=None, advice=advice)


def _narratives(ctx: Context) -> Iterator[Finding]:
    for sheet, f in _narrative_fields(ctx.form):
        if f.key not in ctx.reading.cells:
            continue
        text = ctx.report.text(f.key).strip()
        problem = _narrative_problem(text, sheet)
        if problem:
            yield ctx.finding("NARRATIVE", "warning", f"{ctx.where(f.key)}（{sheet.title}）{problem}",
                              [f.key], actual=text or None,
                              advice=_narrative_advice(sheet))


@derived
def _bare_hint(sheet) -> str:
    """The sheet's hint without blanks."""
    return re.sub(r"\s", "", sheet.hint or "")


def _narrative_advice(sheet) -> str:
    advice = "请按本页提示写明本部分内容，用具体做法和数字说明。"
    if sheet.none_ok:   # the form says this section may report that there is nothing
        advice += "确无内容的，写“无其他需要报告的事项。”"
    return advice


NOTHING = {"无", "没有", "暂无"}   # "nothing to report", acceptable where the form says so


_NOT_BARE = re.compile(r"[\s。．.，,；;：:！!]")


def _bare(text: str, enough: int) -> str:
    """The text without blanks and punctuation; only its start when that is longer than
    `enough` already (every test below then has its answer: a published report's section
    runs to thousands of characters)."""
    head = _NOT_BARE.sub("", text[:2 * enough])
    return head if len(head) > enough else _NOT_BARE.sub("", text)


@derived
def _narrative_fields(form: Form) -> tuple[tuple[Any, Field], ...]:
    """(sheet, its longtext field) of each narrative sheet, in form order."""
    return tuple((sheet, next(x for x in sheet.fields if x.type == "longtext"))
                 for sheet in form.sheets if sheet.role == "narrative")


_ENOUGH = max(MIN_HINT_COPY, *map(len, PLACEHOLDERS))


def _narrative_problem(text: str, sheet) -> str | None:
    hint = sheet.hint
    bare = _bare(text, max(len(hint or ""), sheet.min_chars, _ENOUGH))
    if not bare:
        return "未填写"
    if sheet.none_ok and bare in NOTHING:
        return None
    if bare.lower() in PLACEHOLDERS:
        return f"只填了“{text}”，不是实际内容"
    if hint and (len(bare) >= MIN_HINT_COPY and bare in _bare_hint(sheet) or text.startswith(hint[:12])):
        return "填的是填写提示，不是实际内容"
    if len(bare) < sheet.min_chars:
        return f"只有 {len(bare)} 个字，不足以说明{sheet.title.split('、', 1)[-1]}"
    return None
