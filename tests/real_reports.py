"""The eleven real reports of ../shared/reports keyed into workbooks, as a district would.

Narratives are cut from each .txt at its statutory headings; table figures are keyed here
by hand from the same .txt (the published tables are laid out too differently — tabs,
pipes, one cell per line, blanks dropped — for a parser to be trusted with them). A figure
the stored copy does not show is left blank: most copies are partial (see each NOTE line).
"""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from xlsx_reports.form.definitions import CITY, COUNTY, PROVINCE, TOWNSHIP
from xlsx_reports.form.values import Report
from xlsx_reports.xlsx.writer import write_workbook

Z6 = [0] * 6


def _t3(rows: dict[str, list[int]]) -> dict[str, int]:
    cols = ("natural", "business", "research", "nonprofit", "legal", "other_org")
    return {f"t3.{row}.{c}": v for row, vals in rows.items() for c, v in zip(cols, vals)}


def _t4(values: list[int | None]) -> dict[str, int]:
    keys = [f"t4.{g}.{r}" for g in ("review", "direct", "after_review")
            for r in ("upheld", "corrected", "other", "pending")]
    return {k: v for k, v in zip(keys, values) if v is not None}


def _t2(**rows: tuple) -> dict[str, object]:
    cols_2019 = {"rules": ("made", "published", "total_published"),
                 "normative": ("made", "published", "total_published"),
                 "licensing": ("prev_items", "change", "decisions"),
                 "other_services": ("prev_items", "change", "decisions"),
                 "penalty": ("prev_items", "change", "decisions"),
                 "enforcement": ("prev_items", "change", "decisions"),
                 "fees": ("prev_items", "change"), "procurement": ("projects", "amount")}
    cols_2021 = {"rules": ("issued", "repealed", "in_force"),
                 "normative": ("issued", "repealed", "in_force"),
                 "licensing": ("decisions",), "penalty": ("decisions",),
                 "enforcement": ("decisions",), "fees": ("amount",)}
    fmt = rows.pop("fmt")
    cols = cols_2019 if fmt == "2019" else cols_2021
    return {f"t2.{r}.{c}": v for r, vals in rows.items() for c, v in zip(cols[r], vals)}


ZERO_T3_2019 = {r: Z6 for r in (
    "new", "carried", "public", "partial", "withheld.secret", "withheld.prohibited",
    "withheld.security", "withheld.third_party", "withheld.internal", "withheld.process",
    "withheld.enforcement", "withheld.query", "unavailable.not_held", "unavailable.needs_creation",
    "unavailable.unclear", "rejected.petition", "rejected.repeat", "rejected.publication",
    "rejected.excessive", "rejected.confirm", "other", "carry_over")}


def _shanghai_t3() -> dict[str, list[int]]:
    rows = dict(ZERO_T3_2019)   # the published table leaves a cell of no applications blank
    rows.update({
        "new": [821, 35, 0, 0, 2, 1], "carried": [18, 0, 0, 0, 0, 0],
        "public": [258, 12, 0, 0, 1, 1], "partial": [3, 0, 0, 0, 0, 0],
        "withheld.secret": [14, 0, 0, 0, 0, 0], "withheld.internal": [5, 0, 0, 0, 0, 0],
        "withheld.process": [3, 1, 0, 0, 0, 0], "withheld.query": [10, 2, 0, 0, 0, 0],
        "unavailable.not_held": [252, 12, 0, 0, 1, 0],
        "unavailable.needs_creation": [44, 3, 0, 0, 0, 0],
        "unavailable.unclear": [25, 0, 0, 0, 0, 0], "rejected.petition": [148, 1, 0, 0, 0, 0],
        "rejected.repeat": [5, 4, 0, 0, 0, 0], "carry_over": [72, 0, 0, 0, 0, 0]})
    return rows


def _suqian_t3() -> dict[str, list[int]]:
    return {
        "new": [3402, 99, 0, 4, 5, 1], "carried": [91, 3, 0, 0, 2, 0],
        "public": [1175, 12, 0, 3, 1, 0], "partial": [319, 7, 0, 0, 2, 0],
        "withheld.secret": Z6, "withheld.prohibited": [27, 0, 0, 0, 0, 0],
        "withheld.security": [6, 0, 0, 0, 0, 0], "withheld.third_party": [38, 0, 0, 0, 0, 0],
        "withheld.internal": [20, 0, 0, 0, 0, 0], "withheld.process": [9, 0, 0, 0, 0, 0],
        "withheld.enforcement": [21, 0, 0, 0, 0, 0], "withheld.query": [20, 1, 0, 0, 0, 0],
        "unavailable.not_held": [968, 74, 0, 1, 3, 1],
        "unavailable.needs_creation": [26, 2, 0, 0, 0, 0],
        "unavailable.unclear": [3, 0, 0, 0, 0, 0], "rejected.petition": [305, 0, 0, 0, 0, 0],
        "rejected.repeat": [39, 0, 0, 0, 0, 0], "rejected.publication": Z6,
        "rejected.excessive": [58, 0, 0, 0, 0, 0], "rejected.confirm": [4, 0, 0, 0, 0, 0],
        "other.overdue_correction": [40, 0, 0, 0, 0, 0], "other.overdue_fee": [10, 0, 0, 0, 0, 0],
        "other.other": [287, 3, 0, 0, 1, 0], "carry_over": [118, 3, 0, 0, 0, 0]}


Z3 = (0, 0, 0)
# file stem -> (unit, year, level, values, text lines wrapped by the PDF extraction)
REPORTS: dict[str, tuple[str, int, str, dict, bool]] = {
    "上海市人民政府办公厅_2019": ("上海市人民政府办公厅", 2019, PROVINCE, {
        **_t2(fmt="2019", rules=(13, 13, 524), normative=(60, 60, 368), licensing=Z3,
              other_services=Z3, penalty=Z3, enforcement=Z3, fees=(0, 0),
              procurement=(6, 251000)),
        **_t3(_shanghai_t3()), **_t4([5, 0, 0, 2, 8, 0, 0, 1, 0, 0, 0, 0])}, False),
    "上海市人民政府参事室_2022": ("上海市人民政府参事室", 2022, PROVINCE, {
        **_t2(fmt="2021", rules=Z3, normative=Z3, licensing=(0,))}, False),
    "乌海市工业和信息化局_2020": ("乌海市工业和信息化局", 2020, CITY, {
        **_t2(fmt="2019", rules=Z3, normative=Z3, licensing=(1, 0, 0),
              other_services=(2, 2, 114), penalty=(25, -1, 0), enforcement=Z3)}, False),
    "宿迁市_2023": ("宿迁市", 2023, CITY, {
        **_t2(fmt="2021", rules=(2, 0, 11), normative=(109, 489, 597), licensing=(1808595,),
              penalty=(2822652,), enforcement=(20163,), fees=("59237.2449",)),
        **_t3(_suqian_t3()), **_t4([309, 17, 88, 26, 1, 1, 16, 6, 13, 0, 67, 9]),
        "s6.fee.count": 25, "s6.fee.amount": 2950}, True),
    "杨陵区统计局_2020": ("杨陵区统计局", 2020, COUNTY, {
        **_t2(fmt="2019", rules=Z3, normative=Z3, licensing=Z3, other_services=Z3,
              penalty=Z3, enforcement=Z3)}, False),
    "泉州市洛江区河市镇_2020": ("河市镇", 2020, TOWNSHIP, {
        **_t2(fmt="2019", rules=Z3, normative=Z3, licensing=Z3, other_services=Z3, penalty=Z3,
              enforcement=Z3, fees=(0, 0), procurement=(4, 39340)),
        **_t3(ZERO_T3_2019), **_t4([0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0])}, False),
    "盐边县新九镇_2021": ("新九镇", 2021, TOWNSHIP, {
        **_t2(fmt="2021", rules=Z3, normative=Z3, licensing=(0,), penalty=(0,),
              enforcement=(0,), fees=(0,)),
        **_t3({"new": Z6, "carried": Z6, "public": Z6})}, False),
    "耒阳市马水镇_2019": ("马水镇", 2019, TOWNSHIP, {
        **_t2(fmt="2019", rules=Z3, normative=Z3, licensing=Z3, other_services=Z3,
              penalty=Z3, enforcement=Z3)}, False),
    "陆丰市湖东镇_2025": ("湖东镇", 2025, TOWNSHIP, {
        **_t2(fmt="2021", rules=Z3, normative=Z3, licensing=(349,), penalty=(12,),
              enforcement=(0,))}, False),
    "雄县某乡_2019": ("雄县某乡", 2019, TOWNSHIP, {"t2.rules.made": 0}, False),
    "雷州市乌石镇_2021": ("乌石镇", 2021, TOWNSHIP, {
        **_t2(fmt="2021", rules=Z3, normative=(3, 0, 3), licensing=(0,))}, False),
}

HEADING = re.compile(r"^\s*([一二三四五六])、")
STOP = "[... stored copy ends here ...]"


def narratives(text: str, wrapped: bool) -> dict[str, str]:
    """s1/s5/s6: the lines under 一、 / 五、 / 六、 up to the next numbered heading."""
    parts: dict[str, list[str]] = {}
    current = None
    for line in text.split(STOP)[0].splitlines():
        if line.startswith(("SOURCE:", "NOTE:")):
            continue
        m = HEADING.match(line)
        if m and len(line.strip()) < 30 and "。" not in line:
            current = {"一": "s1", "五": "s5", "六": "s6"}.get(m.group(1))
            continue
        if current and line.strip():
            parts.setdefault(current, []).append(line.strip())
    joiner = "" if wrapped else "\n"
    return {f"{k}.text": joiner.join(v) for k, v in parts.items()}


def keyed_report(source: Path) -> Report:
    unit, year, level, values, wrapped = REPORTS[source.stem]
    report = Report.blank(unit, year)
    report.values["info.level"] = level
    report.values.update(narratives(source.read_text(encoding="utf-8"), wrapped))
    for key, value in values.items():
        report.values[key] = _typed(report, key, value)
    return report


def _typed(report: Report, key: str, value):
    """Money as Decimal (a KeyError here means a key the form does not have: a keying slip)."""
    return Decimal(str(value)) if report.form.field(key).type == "money" else value


def keyed_workbook(source: Path, folder: Path) -> Path:
    path = folder / f"{source.stem}.xlsx"
    write_workbook(keyed_report(source), path)
    return path
