"""What a narrative says about itself: its heading (TXT-HEAD) and its year (YEAR).

The report prints each statutory heading above its narrative, so a heading pasted into the
text is printed twice; and a narrative copied from last year's report still calls itself
"2020年…年度报告" in a 2021 workbook. Both are warnings: the text is the unit's own.
"""
from __future__ import annotations

import re

from xlsx_reports.core.findings import Finding
from xlsx_reports.form.model import Section
from xlsx_reports.form.values import Report

NUMBERS = "一二三四五六"
# A line that is a heading of the report: "五、…" short, without a full stop.
HEADING_LINE = re.compile(rf"^\s*([{NUMBERS}])、([^。；;]{{2,30}})\s*$")
# The report naming itself: "现将2020年…年度报告如下", "本年度报告…统计期限自2020年1月1日".
# Each with a word it cannot match without, looked for first (a search of the text for a
# word takes a fraction of the pattern's own pass over it).
SELF_YEAR = (
    (re.compile(r"(?:现将|现公布|现予公布|现发布|特发布|本报告为|本年度报告为)[^。；]{0,30}?"
                r"(20\d\d)\s*年[^。；]{0,30}?报告"), "报告"),
    (re.compile(r"《[^》]{0,30}?(20\d\d)\s*年[^》]{0,20}?政府信息公开[^》]{0,10}?年度报告》"
                r"(?=[^。；]{0,10}(?:如下|现予|特此))"), "年度报告》"),
    (re.compile(r"统计(?:期限|时限|区间)[^。；]{0,12}?(20\d\d)\s*年\s*1\s*月\s*1\s*日"), "统计"),
)


def narrative_findings(text: str, report: Report, section: Section, *, file: str = "",
                       sheet: str = "", cells: tuple[str, ...] = (), unit: str = ""
                       ) -> list[Finding]:
    where = dict(file=file, sheet=sheet, cells=cells, unit=unit or report.unit)
    return _headings(text, report, section, where) + _years(text, report, where)


def _headings(text: str, report: Report, section: Section, where) -> list[Finding]:
    """TXT-HEAD: a statutory heading (or this section's own, reworded) as a line of the text."""
    statutory = {s.heading for s in report.form.sections}
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    out = []
    for i, line in enumerate(lines):
        m = HEADING_LINE.match(line)
        own = i == 0 and m is not None and m.group(1) == section.number
        if line in statutory or own:
            out.append(Finding(
                "TXT-HEAD", "warning",
                f"文字中有标题“{line}”：报告会在本部分文字前自动印出法定标题“{section.heading}”，"
                f"这一行会使标题重复或错位",
                expected=section.heading, actual=line,
                advice="请删除文字中的这一行标题；各部分标题由报告按法定格式自动生成。", **where))
    return out


def _years(text: str, report: Report, where) -> list[Finding]:
    """YEAR-TEXT: the narrative names its own report as another year's."""
    for pattern, word in SELF_YEAR:
        for m in pattern.finditer(text) if word in text else ():
            named = int(m.group(1))
            if named != report.year:
                return [Finding(
                    "YEAR-TEXT", "warning",
                    f"文字写“{m.group(0)[:60]}”，称本报告为 {named} 年度的，但本填报表是 "
                    f"{report.year} 年度的",
                    expected=report.year, actual=named,
                    advice="文字可能沿用了往年报告，请改为本年度的年份并核对其中的数字。", **where)]
    return []
