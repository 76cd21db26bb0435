"""Data validation for input cells, from the form's value-type table (form/types.py): the
type rule plus a Chinese prompt and error message.

Validation stops wrong typing in Excel, WPS and LibreOffice; pasting bypasses it, which
is why the 校验 sheet and the checker look at the values again (with the same rule).
"""
from __future__ import annotations

from typing import Any

from xlsx_reports.form.model import Field
from xlsx_reports.form.types import value_rule

TITLE_MAX, MESSAGE_MAX, FORMULA_MAX = 32, 255, 255


def _where(field: Field) -> str:
    return "位置：" + " › ".join(field.labels)


def _rule(field: Field) -> tuple[dict[str, Any], str, str]:
    """(xlsxwriter validation options, prompt, error message) for the field's type."""
    if field.choices:
        return ({"validate": "list", "source": list(field.choices)},
                f"请从下拉列表中选择{field.labels[-1]}。",
                f"请从下拉列表中选择：{'、'.join(field.choices)}。")
    rule = value_rule(field.type)
    words = {"unit": field.unit, "label": field.labels[-1]}
    if rule.formula is not None:
        formula = rule.formula(field.a1)
        assert len(formula) <= FORMULA_MAX + 1, "Excel refuses longer validation formulas"
        options: dict[str, Any] = {"validate": "custom", "value": formula}
    else:
        options = dict(rule.criteria or {"validate": "any"})
    return options, rule.prompt.format(**words), rule.error.format(**words)


def validation_options(field: Field) -> dict[str, Any]:
    options, prompt, error = _rule(field)
    message = prompt if field.type == "longtext" else f"{prompt}\n{_where(field)}"
    options = dict(options, input_title=field.labels[-1][:TITLE_MAX],
                   input_message=message[:MESSAGE_MAX])
    if error:
        options.update(error_title="填写有误"[:TITLE_MAX], error_message=error[:MESSAGE_MAX],
                       error_type="stop")
    return options


def add_validation(worksheet, field: Field) -> None:
    worksheet.data_validation(field.row, field.col, field.bottom, field.right,
                              validation_options(field))
