"""Data validation for input cells: the type rule plus a Chinese prompt and error message.

Validation stops wrong typing in Excel, WPS and LibreOffice; pasting bypasses it, which
is why the 校验 sheet and the checker look at the values again.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from xlsx_reports.form.model import Field

TITLE_MAX, MESSAGE_MAX = 32, 255
SIGNED_LIMIT = 999_999_999
NO_BLANK = "没有的请填 0，不要留空。"


def _where(field: Field) -> str:
    return "位置：" + " › ".join(field.labels)


def _rule(field: Field) -> tuple[dict[str, Any], str, str]:
    """(xlsxwriter validation options, prompt, error message) for the field's type."""
    unit = field.unit
    if field.type == "count":
        return ({"validate": "integer", "criteria": ">=", "value": 0},
                "请填写不小于 0 的整数。" + NO_BLANK,
                "只能填写不小于 0 的整数，如 0、3、12；不能填写小数、负数、文字或“/”。")
    if field.type == "signed":
        return ({"validate": "integer", "criteria": "between",
                 "minimum": -SIGNED_LIMIT, "maximum": SIGNED_LIMIT},
                "请填写整数：增加填正数，减少填负数（如 -8），没有变化填 0，不要留空。",
                "只能填写整数；减少请填负数，如 -8。")
    if field.type == "money":
        return ({"validate": "decimal", "criteria": ">=", "value": 0},
                f"请填写金额（单位：{unit}），可以带小数。" + NO_BLANK,
                f"只能填写不小于 0 的数字（单位：{unit}），不要带“元”“万元”等文字。")
    if field.type == "date":
        return ({"validate": "date", "criteria": "between",
                 "minimum": date(2000, 1, 1), "maximum": date(2100, 12, 31)},
                "请填写日期，如 2025-01-20。", "请填写有效日期，格式如 2025-01-20。")
    if field.type == "phone":
        cell = field.a1
        digits = f'SUBSTITUTE(SUBSTITUTE(SUBSTITUTE({cell},"-","")," ",""),"转","")'
        formula = f"=AND(LEN({cell})>=7,LEN({cell})<=20,ISNUMBER(VALUE({digits})))"
        return ({"validate": "custom", "value": formula},
                "请填写联系电话，如 0595-22039158 或 13800138000（可带区号和“-”）。",
                "电话号码只能包含数字和“-”，长度 7～20 位，如 0595-22039158。")
    if field.choices:
        return ({"validate": "list", "source": list(field.choices)},
                f"请从下拉列表中选择{field.labels[-1]}。",
                f"请从下拉列表中选择：{'、'.join(field.choices)}。")
    if field.type == "longtext":
        return ({"validate": "any"},
                "请在这个大单元格内填写本部分文字。换行：Excel/WPS 按 Alt+Enter，LibreOffice 按 Ctrl+Enter。",
                "")
    return ({"validate": "any"}, f"请填写{field.labels[-1]}。", "")


def validation_options(field: Field) -> dict[str, Any]:
    options, prompt, error = _rule(field)
    message = prompt if field.type in ("longtext",) else f"{prompt}\n{_where(field)}"
    options = dict(options, input_title=field.labels[-1][:TITLE_MAX],
                   input_message=message[:MESSAGE_MAX])
    if error:
        options.update(error_title="填写有误"[:TITLE_MAX], error_message=error[:MESSAGE_MAX],
                       error_type="stop")
    return options


def add_validation(worksheet, field: Field) -> None:
    worksheet.data_validation(field.row, field.col, field.row, field.right,
                              validation_options(field))
