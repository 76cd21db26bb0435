"""The 填报说明 sheet: how to fill the workbook in, in plain Chinese, built from the form.

Sheet names, labels and units are read from the form so the guide never disagrees with
the sheets it describes.
"""
from __future__ import annotations

from typing import Iterable

from xlsx_reports.form.model import Form
from xlsx_reports.xlsx.meta import CHECK_SHEET, DETAIL_SHEET, GUIDE_TITLE_CELL, SUMMARY_SHEET, TEXTS_SHEET, TOTAL_ROW, Metadata
from xlsx_reports.form.values import Report, period_text
from xlsx_reports.xlsx.writer.sheets import text_units
from xlsx_reports.xlsx.writer.styles import Styles

WIDTH = 76  # fits portrait A4 at 100 %: LibreOffice ignores fit-to-width here
MAX_UNITS_NAMED = 30   # a merged guide names its units up to this many (汇总说明 lists all)


def _sheet_lines(form: Form) -> list[str]:
    lines = []
    for sheet in form.sheets:
        inputs = [f for f in sheet.fields if f.kind == "input"]
        numbers = [f for f in inputs if f.numeric]
        totals = [f for f in sheet.fields if f.kind == "total"]
        if sheet.role == "narrative":
            what = ("在下方的段落格中填写文字（表中有写作提示）：每格写一段，按 Enter 到下一段；"
                    "可以直接粘贴 Word 中的多段文字，每段自动占一格")
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
             *_care_rows()]
    keys = list(prefilled)
    if keys:
        rows.append(("head", "【已根据上年报表预填的单元格】"))
        for key in keys:
            f = form.field(key)
            rows.append(("text", f"·「{f.sheet}」{f.a1}：{' › '.join(f.labels)}"))
    return rows


def _care_rows() -> list[tuple[str, str]]:
    return [("head", "【注意事项】"),
            ("text", "工作表已保护：请不要增删行列、修改表头或重命名工作表，也不要删除隐藏的工作表。"),
            ("text", "复制粘贴会绕过输入检查，粘贴后请查看「校验」表。"),
            ("text", "填好后请保存为 .xlsx 格式（WPS 请不要另存为 .et 格式），按原文件名报送。")]


def _quoted(names: Iterable[str]) -> str:
    return "".join(f"「{name}」" for name in names)


def merged_guide_paragraphs(report: Report, metadata: Metadata) -> list[tuple[str, str]]:
    """The guide of a merged workbook (a 汇总): what it sums, that its numbers are locked,
    where each unit's figures and texts are, and what the district writes itself."""
    form, unit = report.form, report.unit
    numbers = [s.name for s in form.sheets if any(f.kind == "input" and f.numeric for f in s.fields)]
    texts = [s.name for s in form.sheets if s.role == "narrative"]
    info_sheet = next(s for s in form.sheets if s.role == "info")
    info = [f.labels[-1] for f in info_sheet.fields if f.kind == "input"]
    units = metadata.units
    named = "：" + "、".join(units) if len(units) <= MAX_UNITS_NAMED else ""
    files = f"（来自 {len(metadata.sources)} 个工作簿）" if len(metadata.sources) != len(units) else ""
    return [("head", "【这是汇总表】"),
            ("text", f"本工作簿是{unit}{report.year}年度政府信息公开工作年度报告的汇总表，"
                     f"汇总了 {len(units)} 个单位的报表{files}{named}。采用{form.basis}规定的格式"
                     f"（{form.format} 版格式），统计期限为{period_text(report.year)}。"),
            ("text", f"汇总数是各单位数据之和，不是{unit}本级的政府信息公开工作年度报告。"),
            ("head", "【数字已锁定】"),
            ("text", f"{_quoted(numbers)}中的数字是各单位填报数之和，已锁定（灰色底色），不能修改；"
                     "合计、总计由公式自动计算。某单位的数字有误时，请该单位更正后重新汇总，不要在本表中改数："
                     "改过的数字将不再等于各单位之和，校验时会报错。"),
            ("head", "【各单位的数据在哪里】"),
            ("text", f"「{DETAIL_SHEET}」：每个单位一行，列出全部数字；最后一行“{TOTAL_ROW}”等于本表的汇总数。"),
            ("text", f"「{TEXTS_SHEET}」：各单位{_quoted(texts)}的文字。"),
            ("text", f"「{SUMMARY_SHEET}」：纳入汇总、未纳入汇总和未报送的单位，主要数据合计，以及各来源文件的指纹。"),
            ("head", "【需要填写的】"),
            ("text", f"只有浅黄色单元格可以填写：「{info_sheet.name}」中的" + "、".join(info) + "；"
                     f"{_quoted(texts)}请撰写{unit}自己的文字（可参考「{TEXTS_SHEET}」，"
                     "不要简单拼接各单位的文字）。"),
            ("head", "【在哪里看校验结果】"),
            ("text", f"「{CHECK_SHEET}」表显示每一条规则的结果（✓ 通过，✗ 不通过）；"
                     f"校验汇总表时还会核对每个汇总数是否等于「{DETAIL_SHEET}」的“{TOTAL_ROW}”行和各单位之和。"),
            *_care_rows()]


def row_height(line: str) -> float:
    """The height of a guide row that shows its wrapped line in full (generate/stamp.py keys its
    templates on these heights, since a unit's name makes the first paragraph longer)."""
    lines = max(1, -(-text_units(line) // (WIDTH - 2)))
    return max(20, 15 * lines + 5)


def write_guide(ws, report: Report, styles: Styles, *, deadline: str | None,
                prefilled: Iterable[str], password: str | None,
                metadata: Metadata | None = None) -> None:
    ws.set_column(0, 0, WIDTH)
    merged = metadata is not None and metadata.kind == "merged"
    kind = "汇总表说明" if merged else "填报说明"
    title = f"{report.unit}{report.year}年度政府信息公开工作年度报告 {kind}"
    ws.write_string(*GUIDE_TITLE_CELL, title, styles.label("title"))
    ws.set_row(0, 32)
    head = styles.get(bold=True, font_size=12, text_wrap=True)
    text = styles.get(text_wrap=True, valign="top")
    rows = (merged_guide_paragraphs(report, metadata) if metadata is not None and merged
            else guide_paragraphs(report, deadline=deadline, prefilled=prefilled))
    for i, (role, line) in enumerate(rows):
        row = i + 1
        ws.write_string(row, 0, line, head if role == "head" else text)
        ws.set_row(row, row_height(line))
    ws.set_paper(9)
    ws.set_portrait()
    ws.set_margins(left=0.5, right=0.5)
    ws.fit_to_pages(1, 0)
    ws.protect(password or "", {"select_locked_cells": False, "select_unlocked_cells": True})
    ws.activate()
