"""The 校验 sheet: every Form.check as a live formula (✓ / ✗ / 待填), blank and text-number
counts per sheet, the total-formula sanity, and in-place highlighting on the table sheets.

The formulas come from the same Check objects the checker evaluates, so what a township
sees while typing is what the district will find.
"""
from __future__ import annotations

from decimal import Decimal

from xlsx_reports.core.findings import SEVERITY_TEXT
from xlsx_reports.form.model import Check, Field, Form
from xlsx_reports.form.operators import FAIL, PASS, PENDING, evaluate
from xlsx_reports.form.values import Report
from xlsx_reports.xlsx.writer.formulas import (check_status, check_violated, quote_sheet, range_list,
                       sum_expr, totals_mismatch)
from xlsx_reports.xlsx.writer.styles import ROLE, Styles

HEAD = ("规则", "级别", "检查内容", "结果", "左边合计", "右边", "涉及单元格", "处理建议")
WIDTHS = (14, 6, 52, 8, 10, 10, 24, 52)
# The two lower sections reuse the columns above: A name, B count, C text, D result (the
# column the ✓/✗ colours apply to), then the numbers.
SHEET_HEAD = ("工作表", "应填", "说明", "结果", "未填", "文本数字")
TOTAL_HEAD = ("工作表", "合计数", "说明", "结果", "不符")
BLANK_NOTE = "空白不等于 0：没有发生的事项请填 0。文本形式的数字不参与合计，请重新输入为数字。"
TOTAL_NOTE = "合计由公式自动计算；如不为 0，说明合计单元格被改动，请向下发单位索取新表。"


def _cells_text(form: Form, check: Check) -> tuple[str, str]:
    fields = [form.field(k) for k in dict.fromkeys(check.keys)]
    first = fields[0]
    cells = ",".join(range_list(fields))
    return f"{first.sheet}!{cells}", f"internal:{quote_sheet(first.sheet)}!{first.a1}"


def check_result(report: Report, check: Check) -> str:
    """The status the 校验 formula shows, cached for readers that never recalculate."""
    return evaluate(check, report).status


def _num(value):
    return float(value) if isinstance(value, Decimal) else value


class CheckSheet:
    def __init__(self, ws, form: Form, report: Report, styles: Styles, sheets: dict):
        self.ws, self.form, self.report, self.styles = ws, form, report, styles
        self.ws_by_name = sheets
        self.flag, self.text_flag = styles.flag(), styles.text_flag()
        self.row = 0
        self.results: list[tuple[str, str]] = []   # (severity, status) of every check

    def write(self, password: str | None) -> None:
        ws = self.ws
        for i, w in enumerate(WIDTHS):
            ws.set_column(i, i, w)
        ws.merge_range(0, 0, 0, len(HEAD) - 1, "校验结果（随填写自动更新）", self.styles.label("title"))
        ws.set_row(0, 30)
        self.row = 3
        first = self._checks()
        self._summary(first, self.row - 1)
        self.row += 1
        self._sheet_counts()
        self.row += 1
        self._totals()
        self._result_colours()
        ws.freeze_panes(3, 0)
        ws.set_paper(9)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.protect(password or "", {"select_locked_cells": False, "select_unlocked_cells": True})

    def _header(self, texts: tuple[str, ...]) -> None:
        fmt = self.styles.label("header")
        for c, text in enumerate(texts):
            self.ws.write_string(self.row, c, text, fmt)
        self.row += 1

    def _summary(self, first: int, last: int) -> None:
        ws, s = self.ws, self.styles
        rng = lambda col: f"${col}${first + 1}:${col}${last + 1}"  # noqa: E731
        parts = [
            ("不通过的错误", f'=COUNTIFS({rng("D")},"{FAIL}",{rng("B")},"{SEVERITY_TEXT["error"]}")'),
            ("不通过的提示", f'=COUNTIFS({rng("D")},"{FAIL}",{rng("B")},"{SEVERITY_TEXT["warning"]}")'),
            ("待填的规则", f'=COUNTIF({rng("D")},"{PENDING}")'),
        ]
        cached = [sum(1 for sev, st in self.results if st == FAIL and sev == "error"),
                  sum(1 for sev, st in self.results if st == FAIL and sev == "warning"),
                  sum(1 for _, st in self.results if st == PENDING)]
        for i, ((text, formula), value) in enumerate(zip(parts, cached)):
            ws.write_string(1, 2 * i, text, s.label("header"))
            ws.write_formula(1, 2 * i + 1, formula, s.cell("total", "count"), value)
        ws.merge_range(2, 0, 2, len(HEAD) - 1,
                       "✓ 通过　✗ 不通过（请按处理建议修改，原表中的相关单元格以红色标出）　待填 相关单元格尚未填完",
                       s.label("hint", bordered=False))

    def _checks(self) -> int:
        ws, s, form = self.ws, self.styles, self.form
        self._header(HEAD)
        first = self.row
        text_fmt = s.label("row")
        link_fmt = s.get(**ROLE["row"], locked=False)
        for check in form.checks:
            r = self.row
            where, link = _cells_text(form, check)
            right = (sum_expr(form, check.right, sheet=True) if check.right
                     else str(check.const if check.const is not None else 0))
            ws.write_string(r, 0, check.code, text_fmt)
            ws.write_string(r, 1, SEVERITY_TEXT[check.severity], text_fmt)
            ws.write_string(r, 2, check.text, text_fmt)
            status = check_result(self.report, check)
            self.results.append((check.severity, status))
            right_value = (self.report.total(check.right) if check.right else check.const or 0)
            ws.write_formula(r, 3, check_status(form, check), s.cell("total", "text"), status)
            ws.write_formula(r, 4, "=" + sum_expr(form, check.left, sheet=True),
                             s.cell("total", "money"), _num(self.report.total(check.left)))
            ws.write_formula(r, 5, "=" + right, s.cell("total", "money"), _num(right_value))
            # the only selectable cells here: locked cells cannot be clicked, links must be
            ws.write_url(r, 6, link, link_fmt, string=where, tip="转到相关单元格")
            ws.write_string(r, 7, check.advice, text_fmt)
            ws.set_row(r, 32)
            self._highlight(check)
            self.row += 1
        return first

    def _highlight(self, check: Check) -> None:
        """Mark every cell of a violated rule in place, on its own sheet."""
        fields = [self.form.field(k) for k in dict.fromkeys(check.keys)]
        sheet_ws = self.ws_by_name[fields[0].sheet]
        sheet_ws.conditional_format(
            fields[0].a1, {"type": "formula", "criteria": check_violated(self.form, check),
                           "format": self.flag, "multi_range": " ".join(range_list(fields))})

    def _input_groups(self) -> list[tuple[str, list[Field]]]:
        groups: dict[str, list[Field]] = {}
        for f in self.form.inputs:
            groups.setdefault(f.sheet, []).append(f)
        return list(groups.items())

    def _sheet_counts(self) -> None:
        ws, s = self.ws, self.styles
        self._header(SHEET_HEAD)
        for name, fields in self._input_groups():
            r = self.row
            areas = range_list(fields, sheet=True)
            numeric = range_list([f for f in fields if f.numeric], sheet=True)
            blank = "=" + "+".join(f"COUNTBLANK({a})" for a in areas)
            text = "=" + ("+".join(f"SUMPRODUCT(--ISTEXT({a}))" for a in numeric) if numeric else "0")
            ws.write_string(r, 0, name, s.label("row"))
            ws.write_number(r, 1, len(fields), s.cell("total", "count"))
            values = [self.report.values.get(f.key) for f in fields]
            n_blank = sum(1 for v in values if v is None or v == "")
            n_text = sum(1 for f, v in zip(fields, values) if f.numeric and isinstance(v, str) and v)
            status = FAIL if n_text else PENDING if n_blank else PASS
            ws.write_string(r, 2, BLANK_NOTE, s.label("row"))
            ws.write_formula(r, 3, f'=IF(F{r + 1}>0,"{FAIL}",IF(E{r + 1}>0,"{PENDING}","{PASS}"))',
                             s.cell("total", "text"), status)
            ws.write_formula(r, 4, blank, s.cell("total", "count"), n_blank)
            ws.write_formula(r, 5, text, s.cell("total", "count"), n_text)
            ws.set_row(r, 32)
            self._text_highlight(fields)
            self.row += 1

    def _text_highlight(self, fields: list[Field]) -> None:
        numeric = [f for f in fields if f.numeric]
        if not numeric:
            return
        sheet_ws = self.ws_by_name[numeric[0].sheet]
        for area in range_list(numeric):
            top_left = area.split(":")[0]
            sheet_ws.conditional_format(area, {"type": "formula", "criteria": f"=ISTEXT({top_left})",
                                               "format": self.text_flag})

    def _totals(self) -> None:
        ws, s = self.ws, self.styles
        groups: dict[str, list[Field]] = {}
        for t in self.form.totals:
            groups.setdefault(t.sheet, []).append(t)
        if not groups:
            return
        self._header(TOTAL_HEAD)
        for name, totals in groups.items():
            r = self.row
            ws.write_string(r, 0, name, s.label("row"))
            ws.write_number(r, 1, len(totals), s.cell("total", "count"))
            ws.write_string(r, 2, TOTAL_NOTE, s.label("row"))
            ws.write_formula(r, 3, f'=IF(E{r + 1}=0,"{PASS}","{FAIL}")', s.cell("total", "text"), PASS)
            ws.write_formula(r, 4, totals_mismatch(self.form, totals), s.cell("total", "count"), 0)
            ws.set_row(r, 32)
            self.row += 1

    def _result_colours(self) -> None:
        colours = {FAIL: ("#FFC7CE", "#9C0006"), PASS: ("#C6EFCE", "#006100"),
                   PENDING: ("#EDEDED", "#595959")}
        area = f"D4:D{self.row}"
        for mark, (bg, fg) in colours.items():
            fmt = self.styles.workbook.add_format({"bg_color": bg, "font_color": fg})
            self.ws.conditional_format(area, {"type": "cell", "criteria": "==",
                                              "value": f'"{mark}"', "format": fmt})


def write_check_sheet(ws, report: Report, styles: Styles, sheets: dict, *,
                      password: str | None) -> None:
    CheckSheet(ws, report.form, report, styles, sheets).write(password)
