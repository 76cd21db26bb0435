"""The eleven real reports of ../shared/reports keyed into workbooks and checked (issue 11).

What remains on each is what a careful reader agrees with: blanks and empty sections where
the stored copy of the report is partial, and three real slips in the prose.
"""
from __future__ import annotations

import json
from decimal import Decimal

import pytest
from click.testing import CliRunner

from conftest import SHARED
from real_reports import REPORTS, keyed_report, keyed_workbook
from xlsx_reports.check.batch import check_paths
from xlsx_reports.check.text import check_report, check_text
from xlsx_reports.check.workbook import check_file
from xlsx_reports.cli import main
from xlsx_reports.form.definitions import CITY, COUNTY, PROVINCE, TOWNSHIP
from xlsx_reports.xlsx.writer import write_workbook

REPORT_DIR = SHARED / "reports"
pytestmark = pytest.mark.skipif(not REPORT_DIR.exists(), reason="../shared/reports not available")

# Findings other than BLANK and an empty section of a partial copy, per report: all right.
EXPECTED = {
    "上海市人民政府办公厅_2019": [
        # 258 is the natural-person column of （一）; with the rest of （一） and （二）: 275
        ("TXT-T3", "一、总体情况", 275, 258),
        # 265 is the 本机关不掌握 row alone; （四）无法提供 in all is 337
        ("TXT-T3", "一、总体情况", 337, 265)],
    # 372 人次 of 咨询, listed as 331 + 61 = 392
    "耒阳市马水镇_2019": [("TXT-SUM", "一、总体情况", 392, 372)],
}
PARTIAL = {"BLANK", "NARRATIVE"}   # the stored copies end early: tables and sections missing


def _check(tmp_path, stem: str):
    path = keyed_workbook(REPORT_DIR / f"{stem}.txt", tmp_path)
    return check_file(path)[1]


@pytest.mark.parametrize("stem", sorted(REPORTS))
def test_real_report_keyed_and_checked_has_only_findings_a_reader_agrees_with(tmp_path, stem):
    findings = _check(tmp_path, stem)
    assert [f for f in findings if f.severity == "error"] == []
    rest = [(f.code, f.sheet, f.expected, f.actual) for f in findings if f.code not in PARTIAL]
    assert rest == EXPECTED.get(stem, [])
    for f in findings:
        if f.code == "NARRATIVE":   # only sections the stored copy does not reach
            assert "未填写" in f.message


def test_full_reports_have_no_blank_section(tmp_path):
    for stem in ("宿迁市_2023", "泉州市洛江区河市镇_2020", "上海市人民政府办公厅_2019"):
        codes = {f.code for f in _check(tmp_path, stem)}
        assert codes <= {"BLANK", "TXT-T3"}, stem


# --- levels: T2-GUIZHANG and T2-FEE-UNIT -----------------------------------------------------

def _codes(report, tmp_path, name="x.xlsx"):
    path = tmp_path / name
    write_workbook(report, path)
    return [f.code for f in check_file(path)[1]]


def test_guizhang_only_for_county_and_township_levels(tmp_path):
    shanghai = keyed_report(REPORT_DIR / "上海市人民政府办公厅_2019.txt")   # 规章 13, province
    assert "T2-GUIZHANG" not in _codes(shanghai, tmp_path)
    shanghai.values["info.level"] = CITY
    assert "T2-GUIZHANG" not in _codes(shanghai, tmp_path)
    shanghai.values["info.level"] = None
    assert "T2-GUIZHANG" not in _codes(shanghai, tmp_path)
    for level in (COUNTY, TOWNSHIP):   # negative control: the rule still fires
        shanghai.values["info.level"] = level
        assert "T2-GUIZHANG" in _codes(shanghai, tmp_path)


def test_fee_ceiling_depends_on_level(tmp_path):
    suqian = keyed_report(REPORT_DIR / "宿迁市_2023.txt")   # 59237.2449 万元, a city
    assert "T2-FEE-UNIT" not in _codes(suqian, tmp_path)
    suqian.values["info.level"] = None
    assert "T2-FEE-UNIT" not in _codes(suqian, tmp_path)
    suqian.values["info.level"] = TOWNSHIP
    assert _codes(suqian, tmp_path).count("T2-FEE-UNIT") == 1
    suqian.values["info.level"] = PROVINCE
    suqian.values["t2.fees.amount"] = Decimal("59237.24491")   # decimals: any level
    assert _codes(suqian, tmp_path).count("T2-FEE-UNIT") == 1


# --- the prose reader on real sentences ------------------------------------------------------

def test_combined_categories_are_one_figure(tmp_path):
    r = keyed_report(REPORT_DIR / "上海市人民政府办公厅_2019.txt")
    assert check_text("予以公开及部分公开275件，占33.9%。", r) == []
    found = check_text("予以公开及部分公开258件，占33.9%。", r)
    assert [(f.expected, f.actual) for f in found] == [(275, 258)]
    # the real sentence's other figures agree with the table
    assert check_text("不予公开35件，占4.34%；不予处理158件，占19.6%；其他处理0件。", r) == []


def test_slogans_ordinals_and_estimates_are_not_counts():
    r = keyed_report(REPORT_DIR / "宿迁市_2023.txt")
    for text in ("推进“办好一件事”，依申请办结一件事。", "一是办结申请工作规范化；第一件办结的申请。",
                 "全市共向社会主动公开政府信息18万余条。", "受理申请近4000件，办结率100%。",
                 "学习《关于依法受理申请3000件的通报》。"):
        assert check_text(text, r) == [], text


def test_real_breakdowns_add_up_and_a_total_is_not_summed_past_a_semicolon():
    r = keyed_report(REPORT_DIR / "宿迁市_2023.txt")
    assert check_report(r) == []   # "2950元。其中…420元；…290元；…" and the 3607 list
    text = "收到申请20件，其中自然人15件，法人5件；办结18件，其中予以公开10件。"
    # 20≠3511, 18≠3486, 予以公开 10≠1191: the claims, but no sum across the "；"
    assert [f.code for f in check_text(text, r)] == ["TXT-T3"] * 3
    assert not any(f.code == "TXT-SUM" for f in check_text(text, r))
    wrong = "公开信息47条，其中工作动态34条，其他文件20条。"
    assert [(f.code, f.expected) for f in check_text(wrong, r)] == [("TXT-SUM", 54)]


def test_chinese_numerals_with_wan():
    r = keyed_report(REPORT_DIR / "宿迁市_2023.txt")
    assert check_text("全年予以公开一千一百九十一件。", r) == []
    assert [f.actual for f in check_text("全年予以公开1.2万件。", r)] == [12000]


# --- TXT in check, YEAR and TXT-HEAD on narratives, 2019 decisions, NARRATIVE 无 ---------------

def test_check_shows_prose_findings_with_sheet_and_cell(tmp_path):
    path = keyed_workbook(REPORT_DIR / "耒阳市马水镇_2019.txt", tmp_path)
    result = CliRunner().invoke(main, ["check", "--json", str(path)])
    data = json.loads(result.output)
    found = [f for f in data["files"][0]["findings"] if f["code"] == "TXT-SUM"]
    assert [(f["sheet"], f["cells"]) for f in found] == [("一、总体情况", ["A3"])]
    text = CliRunner().invoke(main, ["check", str(path)]).output
    assert "TXT-SUM" in text and "372人次" in text


def test_narrative_calling_itself_last_years_report(tmp_path):
    r = keyed_report(REPORT_DIR / "陆丰市湖东镇_2025.txt")
    assert not any(f.code == "YEAR-TEXT" for f in check_report(r))
    r.year = 2026   # the 2025 text copied into next year's workbook
    found = [f for f in check_report(r) if f.code == "YEAR-TEXT"]
    assert [(f.expected, f.actual, f.cells) for f in found] == [(2026, 2025, ("A3",))]


def test_pasted_heading_in_a_narrative(tmp_path):
    r = keyed_report(REPORT_DIR / "泉州市洛江区河市镇_2020.txt")
    assert not any(f.code == "TXT-HEAD" for f in check_report(r))
    r.values["s5.text"] = "五、存在的主要问题及今后努力方向\n" + r.values["s5.text"]
    found = [f for f in check_report(r) if f.code == "TXT-HEAD"]
    assert [(f.sheet, f.actual) for f in found] == [("五、问题改进", "五、存在的主要问题及今后努力方向")]


def test_2019_decisions_filled_with_the_number_of_items(tmp_path):
    wuhai = keyed_report(REPORT_DIR / "乌海市工业和信息化局_2020.txt")   # 2 +2 → 114 decisions
    assert "T2-2019-DEC" not in _codes(wuhai, tmp_path)
    wuhai.values["t2.other_services.decisions"] = 4
    assert _codes(wuhai, tmp_path).count("T2-2019-DEC") == 1


def test_plain_nothing_accepted_only_where_the_form_allows(tmp_path):
    shanghai = keyed_report(REPORT_DIR / "上海市人民政府办公厅_2019.txt")   # 六：无。
    assert "NARRATIVE" not in _codes(shanghai, tmp_path)
    shanghai.values["s5.text"] = "无。"
    assert _codes(shanghai, tmp_path).count("NARRATIVE") == 1


def test_cell_messages_carry_row_and_column_labels(tmp_path):
    r = keyed_report(REPORT_DIR / "宿迁市_2023.txt")
    r.values["t3.public.business"] = "12件"
    path = tmp_path / "x.xlsx"
    write_workbook(r, path)
    found = [f for f in check_file(path)[1] if f.code == "NONNUM"]
    assert "三、本年度办理结果／（一）予以公开／法人或其他组织／商业企业" in found[0].message


def test_one_unit_two_years_is_not_a_duplicate(tmp_path):
    a = keyed_workbook(REPORT_DIR / "泉州市洛江区河市镇_2020.txt", tmp_path)
    r = keyed_report(REPORT_DIR / "泉州市洛江区河市镇_2020.txt")
    r.year = 2019
    r.values.update({"info.year": 2019, "info.period": "2019年1月1日至2019年12月31日"})
    b = tmp_path / "河市镇_2019.xlsx"
    write_workbook(r, b)
    codes = [f.code for e in check_paths([a, b], jobs=1).files for f in e.findings]
    assert "AGG-DUP" not in codes
    c = tmp_path / "河市镇_again.xlsx"
    c.write_bytes(a.read_bytes())
    codes = [f.code for e in check_paths([a, c], jobs=1).files for f in e.findings]
    assert codes.count("AGG-DUP") == 2


def test_figures_of_other_things_or_periods_are_not_claims():
    r = keyed_report(REPORT_DIR / "宿迁市_2023.txt")   # new 3511, 办结 3486, 复议 440
    for text in ("12345热线办结群众诉求工单300件。", "上年收到政府信息公开申请2000件。",
                 "较2022年受理申请2000件增长75%。", "新收和上年结转申请共3607件。",
                 "组织行政复议培训2次。"):
        assert check_text(text, r) == [], text
    # negative controls: the same words about this year's applications are compared
    assert [f.actual for f in check_text("办结政府信息公开申请300件。", r)] == [300]
    assert [f.actual for f in check_text("2023年受理申请2000件。", r)] == [2000]


def test_annotate_and_render_show_the_prose_finding(tmp_path):
    path = keyed_workbook(REPORT_DIR / "耒阳市马水镇_2019.txt", tmp_path)
    CliRunner().invoke(main, ["check", "--annotate", str(tmp_path / "ann"), str(path)])
    import openpyxl
    annotated = next((tmp_path / "ann").glob("*.xlsx"))
    comment = openpyxl.load_workbook(annotated)["一、总体情况"]["A3"].comment
    assert "TXT-SUM" in comment.text
    result = CliRunner().invoke(main, ["render", str(path), "-o", str(tmp_path / "r.md")])
    assert "TXT-SUM" in result.output


PROSE_PIECES = ["2020", "43", "1,200", "3.5", "一", "十二", "两", "零", "第", "约", "近", "件", "条", "人次", "万元",
                "万", "元", "其中", "：", "，", "、", "。", "；", "（", "）", "“", "”", "《", "》", "予以公开", "部分公开",
                "不予公开", "不", "和", "及", "分别", "申请", "余", "%", " ", "\n", "是", "收到",
                "４３", "٤", "\u3000", "办结", "未", "：", "(", "条，其中", "其中：", "43 件"]


@pytest.mark.parametrize("seed", range(3))
def test_rules_that_jump_between_numbers_find_what_a_full_scan_finds(seed):
    """The prose rules try their patterns only where a number (or a group's name) starts:
    the same matches as trying every character, on random prose."""
    import random
    from xlsx_reports.check import prose, text
    from xlsx_reports.core.numerals import CHINESE
    from xlsx_reports.form.definitions import get_form
    # a count never starts inside a run of digits and numerals: a run is tried at its start only
    assert prose.COUNTS.match("是5件", 1) is not None
    assert all(prose.COUNTS.match(ch + "5件", 1) is None for ch in "0123456789１" + CHINESE)
    assert prose.NUMERALS.fullmatch("0123456789１" + CHINESE)
    pattern, starts, _groups = text._categories(get_form("2021"))
    rnd = random.Random(seed)
    found = 0
    for _ in range(1500):
        t = "".join(rnd.choice(PROSE_PIECES) for _ in range(rnd.randint(0, 60)))
        spans = lambda ms: [(m.span(), m.groupdict()) for m in ms]   # noqa: E731
        assert spans(prose.counted(prose.COUNTS, t)) == spans(prose.COUNTS.finditer(t)), t
        assert spans(prose.counted(prose.BREAKDOWN, t)) == spans(prose.BREAKDOWN.finditer(t)), t
        final = t.rfind("其中")   # as breakdowns() stops: no breakdown starts past the last 其中
        assert (spans(prose.counted(prose.BREAKDOWN, t, until=final) if final > 0 else ())
                == spans(prose.BREAKDOWN.finditer(t))), t
        assert spans(prose._led(t)) == spans(prose.BREAKDOWN.finditer(t)), t   # tried before each 其中 only
        for claim in text._claims(get_form("2021")):   # a claim that opens with a lookbehind jumps too
            assert spans(claim.found(t)) == spans(claim.phrase.finditer(t)), t
        assert spans(prose.matches(pattern, starts, t)) == spans(pattern.finditer(t)), t
        found += len(spans(prose.BREAKDOWN.finditer(t))) + len(spans(pattern.finditer(t)))
    assert found > 30   # the random prose does hold breakdowns and category claims
