"""The 填报说明 sheet: how to fill the workbook in, in plain Chinese, built from the form.

Sheet names, labels and units are read from the form so the guide never disagrees with
the sheets it describes.
"""
from __future__ import annotations

from typing import Iterable

from ..form import Form
from ..meta import CHECK_SHEET
from ..model import Report, period_text
from .sheets import text_units
from .styles import Styles

WIDTH = 76  # fits portrait A4 at 100 %: LibreOffice ignores fit-to-width here


def _sheet_lines(form: Form) -> list[str]:
    lines = []
    for sheet in form.sheets:
        inputs = [f for f in sheet.fields if f.kind == "input"]
        numbers = [f for f in inputs if f.numeric]
        totals = [f for f in sheet.fields if f.kind == "total"]
        if sheet.role == "narrative":
            what = "在下方的大单元格中填写文字（表中有写作提示）"
            if numbers:
                what += "，并填写" + "、".join(f.labels[-1] for f in numbers)
        elif numbers:
            what = f"填写 {len(numbers)} 个数字单元格"
        else:
            what = "填写" + "、".join(f.labels[-1] for f in inputs)
        if totals:
            what += f"；{len(totals)} 个合计（总计）单元格由公式自动计算，不用填写"
        lines.append(f"·「{sheet.name}」：{what}。")
    return lines


def _unit_lines(form: Form) -> list[str]:
    lines = []
    for f in form.numeric_inputs:
        where = f"「{f.sheet}」{' › '.join(f.labels)}"
        if f.type == "money":
            lines.append(f"· {where}：单位是{f.unit}，可以带小数，不要写“元”“万元”等文字。")
        elif f.type == "signed":
            lines.append(f"· {where}：增加填正数，减少填负数（如 -8），没有变化填 0。")
    return lines


def guide_paragraphs(report: Report, *, deadline: str | None, prefilled: Iterable[str]) -> list[tuple[str, str]]:
    """(role, text) rows of the guide; role "head" rows are printed bold."""
    form = report.form
    rows = [("head", "【基本情况】"),
            ("text", f"本工作簿用于填报{report.unit}{report.year}年度政府信息公开工作年度报告，"
                     f"采用{form.basis}规定的格式（{form.format} 版格式），统计期限为{period_text(report.year)}。")]
    if deadline:
        rows.append(("text", f"填报截止时间：{deadline}。请在截止时间前填好并报送本文件。"))
    rows += [("head", "【哪些单元格需要填写】"),
             ("text", "浅黄色底色的单元格需要填写；灰色底色的是表头、固定信息和自动计算的合计，已锁定，不能修改。"
                      "浅蓝色底色的单元格已根据上年报表预填，请核对，如有出入可以直接修改。")]
    rows += [("text", line) for line in _sheet_lines(form)]
    rows += [("head", "【数字怎么填】"),
             ("text", "没有发生的事项请填 0，不要留空，也不要填“/”“—”“无”等文字：空白不等于 0，"
                      "空白单元格在「校验」表中计为未填。"),
             ("text", "件数、个数只能填整数，不要带“件”“个”等文字；数字请直接输入，不要设置成文本格式。")]
    rows += [("text", line) for line in _unit_lines(form)]
    rows += [("head", "【在哪里看校验结果】"),
             ("text", f"「{CHECK_SHEET}」表随填写自动显示每一条规则的结果：✓ 表示通过，✗ 表示不通过"
                      "（请按“处理建议”修改），“待填”表示相关单元格还没有填完。"
                      "不通过的单元格在原表中以红色标出；以文本形式填写的数字以橙色标出，这种数字不参与合计，请重新输入。"),
             ("head", "【注意事项】"),
             ("text", "工作表已保护：请不要增删行列、修改表头或重命名工作表，也不要删除隐藏的工作表。"),
             ("text", "复制粘贴会绕过输入检查，粘贴后请查看「校验」表。"),
             ("text", "填好后请保存为 .xlsx 格式（WPS 请不要另存为 .et 格式），按原文件名报送。")]
    keys = list(prefilled)
    if keys:
        rows.append(("head", "【已根据上年报表预填的单元格】"))
        for key in keys:
            f = form.field(key)
            rows.append(("text", f"·「{f.sheet}」{f.a1}：{' › '.join(f.labels)}"))
    return rows


def write_guide(ws, report: Report, styles: Styles, *, deadline: str | None,
                prefilled: Iterable[str], password: str | None) -> None:
    ws.set_column(0, 0, WIDTH)
    title = f"{report.unit}{report.year}年度政府信息公开工作年度报告 填报说明"
    ws.write_string(0, 0, title, styles.label("title"))
    ws.set_row(0, 32)
    head = styles.get(bold=True, font_size=12, text_wrap=True)
    text = styles.get(text_wrap=True, valign="top")
    for i, (role, line) in enumerate(guide_paragraphs(report, deadline=deadline, prefilled=prefilled)):
        row = i + 1
        ws.write_string(row, 0, line, head if role == "head" else text)
        lines = max(1, -(-text_units(line) // (WIDTH - 2)))
        ws.set_row(row, max(20, 15 * lines + 5))
    ws.set_paper(9)
    ws.set_portrait()
    ws.set_margins(left=0.5, right=0.5)
    ws.fit_to_pages(1, 0)
    ws.protect(password or "", {"select_locked_cells": True, "select_unlocked_cells": True})
    ws.activate()
