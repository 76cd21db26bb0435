"""check on generated workbooks edited the way openpyxl-based tools leave them (no cached
results): each rule broken once, with the exact findings (code, severity, sheet, cells)."""
import json
from decimal import Decimal
from pathlib import Path

import pytest

from fixtures_check.workbooks import balanced, generate, openpyxl_edit
from xlsx_reports.check.workbook import check_file, check_reading
from xlsx_reports.form.values import Report
from xlsx_reports.xlsx.reader import read_workbook

REPO = Path(__file__).resolve().parent.parent
T2, T3, T4, INFO = "二、主动公开", "三、依申请公开", "四、复议诉讼", "基本信息"
NEVER_CALCULATED = ("CACHED", "warning", "", ())


def found(findings):
    return sorted((f.code, f.severity, f.sheet, f.cells) for f in findings)


def expect(*items):
    return sorted(items)


@pytest.fixture(scope="module")
def blank_2020(tmp_path_factory) -> Path:
    return generate(balanced(2020), tmp_path_factory.mktemp("gen") / "东山镇.xlsx")


@pytest.fixture(scope="module")
def blank_2021(tmp_path_factory) -> Path:
    return generate(balanced(2021), tmp_path_factory.mktemp("gen") / "东山镇.xlsx")


def edited(src: Path, tmp_path: Path, cells, **kw) -> list:
    path = openpyxl_edit(src, tmp_path / "东山镇.xlsx", cells, **kw)
    reading, findings = check_file(path)
    assert reading is not None
    return findings


@pytest.mark.parametrize("year", [2020, 2021])
def test_balanced_generated_workbook_has_no_findings(tmp_path, year):
    path = generate(balanced(year), tmp_path / "东山镇.xlsx")
    assert check_file(path)[1] == []


def test_sample_hexizhen_2020_passes_without_errors(tmp_path):
    data = json.loads((REPO / "samples/data/河市镇_2020.json").read_text(encoding="utf-8"))
    path = generate(Report.from_dict(data), tmp_path / "河市镇_2020.xlsx")
    findings = check_file(path)[1]
    assert [f for f in findings if f.severity == "error"] == []
    # the published report names no contact person: the one blank the sample has
    assert found(findings) == [("BLANK", "warning", INFO, ("B6",))]


def test_openpyxl_save_loses_cached_results_once_per_file(blank_2020, tmp_path):
    assert found(edited(blank_2020, tmp_path, {})) == [NEVER_CALCULATED]


def test_t3_balance_broken_in_one_column(blank_2020, tmp_path):
    findings = edited(blank_2020, tmp_path, {(T3, "E5"): 2})
    assert found(findings) == expect(
        ("T3-BALANCE", "error", T3, ("E5", "E6", "E26", "E27")),
        ("T3-BALANCE", "error", T3, ("J5", "J6", "J26", "J27")), NEVER_CALCULATED)
    business = next(f for f in findings if f.cells[:1] == ("E5",))
    assert business.message == (
        "三（商业企业）：一、本年新收＋二、上年结转＝三、（七）总计＋四、结转下年度继续办理："
        "E5+E6 = 2+0 = 2，应等于 E26+E27 = 0+0 = 0")
    assert (business.expected, business.actual) == (0, 2)


def test_typed_over_row_total_is_formula_and_rowsum(blank_2020, tmp_path):
    findings = edited(blank_2020, tmp_path, {(T3, "D26"): 7})
    rows = tuple(f"D{r}" for r in range(7, 26))
    assert found(findings) == expect(
        ("FORMULA", "error", T3, ("D26",)), ("T3-ROWSUM", "error", T3, ("D26",) + rows),
        NEVER_CALCULATED)
    formula = next(f for f in findings if f.code == "FORMULA")
    assert "直接填写的“7”；按公式应为 5" in formula.message
    rowsum = next(f for f in findings if f.code == "T3-ROWSUM")
    assert rowsum.message == ("三、依申请公开!D26（三、本年度办理结果／（七）总计／自然人）显示 7，"
                              "但 D7+D8+D21 = 3+1+1 = 5（其余各项为 0 或空白）")
    assert (formula.expected, formula.actual) == (5, 7)


def test_typed_over_column_total_is_colsum(blank_2020, tmp_path):
    findings = edited(blank_2020, tmp_path, {(T3, "J5"): 9})
    assert found(findings) == expect(
        ("FORMULA", "error", T3, ("J5",)),
        ("T3-COLSUM", "error", T3, ("J5", "D5", "E5", "F5", "G5", "H5", "I5")), NEVER_CALCULATED)


def test_typed_over_total_with_the_right_number_is_still_formula(blank_2020, tmp_path):
    assert found(edited(blank_2020, tmp_path, {(T4, "E5"): 1})) == expect(
        ("FORMULA", "error", T4, ("E5",)), NEVER_CALCULATED)


def test_t4_sum_and_deleted_formula(blank_2020, tmp_path):
    findings = edited(blank_2020, tmp_path, {(T4, "E5"): 3, (T4, "J5"): None})
    assert found(findings) == expect(
        ("FORMULA", "error", T4, ("E5",)), ("T4-SUM", "error", T4, ("E5", "A5", "B5", "C5", "D5")),
        ("FORMULA", "error", T4, ("J5",)), NEVER_CALCULATED)
    deleted = next(f for f in findings if f.cells == ("J5",))
    assert "合计公式被删除，该格为空；按公式应为 2" in deleted.message


def test_changed_formula_is_reported_but_equivalent_spelling_is_not(blank_2020, tmp_path):
    findings = edited(blank_2020, tmp_path, {(T4, "E5"): "=A5+B5+C5", (T4, "J5"): "=sum( $F$5:$I$5 )"})
    assert found(findings) == expect(("FORMULA", "error", T4, ("E5",)), NEVER_CALCULATED)
    assert "被改为 =A5+B5+C5" in findings[0].message or "被改为 =A5+B5+C5" in findings[1].message


def test_number_stored_as_text_says_which_number_was_meant(blank_2020, tmp_path):
    findings = edited(blank_2020, tmp_path, {(T3, "D5"): "５"})
    assert found(findings) == expect(
        ("NONNUM", "error", T3, ("D5",)),
        ("T3-BALANCE", "error", T3, ("D5", "D6", "D26", "D27")),
        ("T3-BALANCE", "error", T3, ("J5", "J6", "J26", "J27")), NEVER_CALCULATED)
    nonnum = next(f for f in findings if f.code == "NONNUM")
    assert nonnum.message == ("三、依申请公开!D5（一、本年新收政府信息公开申请数量／自然人）填的是文本“５”，"
                              "不是数字：表格的求和公式不会计入它（按 0 计）；应填数字 5")
    assert (nonnum.expected, nonnum.actual) == (Decimal(5), "５")


@pytest.mark.parametrize("typed, meant", [("/", None), ("12件", Decimal(12)), ("三", Decimal(3)),
                                          ("1,200", Decimal(1200)), (" 7 ", Decimal(7))])
def test_text_in_numeric_cell(blank_2020, tmp_path, typed, meant):
    findings = edited(blank_2020, tmp_path, {(T4, "F5"): typed})
    nonnum = [f for f in findings if f.code == "NONNUM"]
    assert [(f.cells, f.expected, f.actual) for f in nonnum] == [(("F5",), meant, typed)]


def test_blanks_are_listed_and_never_zero(blank_2020, tmp_path):
    findings = edited(blank_2020, tmp_path, {(T3, "D5"): None, (T3, "E7"): None, (INFO, "B6"): None})
    assert found(findings) == expect(
        ("BLANK", "warning", T3, ("D5", "E7")), ("BLANK", "warning", INFO, ("B6",)),
        ("T3-BALANCE", "error", T3, ("D5", "D6", "D26", "D27")),
        ("T3-BALANCE", "error", T3, ("J5", "J6", "J26", "J27")), NEVER_CALCULATED)
    balance = next(f for f in findings if f.code == "T3-BALANCE" and f.cells[:1] == ("D5",))
    assert balance.message.endswith("（其中 D5 空白，按 0 计）")


def test_type_rules_per_table(blank_2020, tmp_path):
    findings = edited(blank_2020, tmp_path, {(T3, "D7"): 2.5, (T3, "D26"): None, (T4, "B5"): -1,
                                             (T2, "C8"): 1.5})
    types = [(f.code, f.cells) for f in findings if f.code.endswith("-TYPE")]
    assert sorted(types) == [("T2-TYPE", ("C8",)), ("T3-TYPE", ("D7",)), ("T4-TYPE", ("B5",))]


def test_table2_rules_2019(blank_2020, tmp_path):
    findings = edited(blank_2020, tmp_path, {
        (T2, "B4"): 1,                                   # 规章 made by a township
        (T2, "B5"): 5, (T2, "C5"): 3, (T2, "D5"): 1,     # 规范性文件 published > total, < made
        (T2, "C8"): -12,                                 # 行政许可 10 - 12 < 0
        (T2, "C19"): 0,                                  # 采购金额 0 with 4 projects
        ("基本信息", "B10"): "乡镇人民政府/街道办事处",      # the level T2-GUIZHANG depends on
    })
    assert found(findings) == expect(
        ("T2-GUIZHANG", "warning", T2, ("B4", "C4", "D4")),
        ("T2-2019-PUB", "error", T2, ("C5", "D5")),
        ("T2-2019-UNPUB", "warning", T2, ("C5", "B5")),
        ("T2-2019-ITEMS", "error", T2, ("B8", "C8")),
        ("T2-2019-CAIGOU", "warning", T2, ("B19", "C19")), NEVER_CALCULATED)


def test_table2_rules_2021(blank_2021, tmp_path):
    township = ("基本信息", "B10"), "乡镇人民政府/街道办事处"
    findings = edited(blank_2021, tmp_path, {(T2, "D5"): 1, (T2, "B15"): 39340, township[0]: township[1]})
    assert found(findings) == expect(
        ("T2-VALID", "warning", T2, ("D5", "B5", "C5")),
        ("T2-FEE-UNIT", "warning", T2, ("B15",)), NEVER_CALCULATED)
    findings = edited(blank_2021, tmp_path, {(T2, "B15"): 9.632111})
    assert found(findings) == expect(("T2-FEE-UNIT", "warning", T2, ("B15",)), NEVER_CALCULATED)


def test_narratives_empty_or_placeholder(blank_2020, tmp_path):
    findings = edited(blank_2020, tmp_path, {("一、总体情况", "A3"): None, ("五、问题改进", "A3"): "无。"})
    assert found(findings) == expect(
        ("NARRATIVE", "warning", "一、总体情况", ("A3",)),
        ("NARRATIVE", "warning", "五、问题改进", ("A3",)), NEVER_CALCULATED)


def test_renamed_sheet_is_structure_and_still_checked(blank_2020, tmp_path):
    findings = edited(blank_2020, tmp_path, {(T4, "A5"): 4}, rename={T4: "复议诉讼"})
    assert found(findings) == expect(
        ("STRUCTURE", "error", "复议诉讼", ()),
        ("CACHED", "warning", "", ()))
    assert findings[0].message == "工作表“四、复议诉讼”被改名为“复议诉讼”"


def test_removed_protection_is_structure(blank_2020, tmp_path):
    findings = edited(blank_2020, tmp_path, {}, unprotect=[T3])
    assert found(findings) == expect(("STRUCTURE", "error", T3, ()), NEVER_CALCULATED)
    assert findings[0].message == "工作表“三、依申请公开”的保护被取消"


def test_changed_label_is_structure(blank_2020, tmp_path):
    findings = edited(blank_2020, tmp_path, {(T3, "C9"): "1.国家秘密"})
    assert found(findings) == expect(("STRUCTURE", "error", T3, ("C9",)), NEVER_CALCULATED)
    assert findings[0].message == "标签被修改：应为“1.属于国家秘密”，现为“1.国家秘密”"


def test_wrong_year_inside_the_workbook(blank_2020, tmp_path):
    findings = edited(blank_2020, tmp_path, {(INFO, "B3"): 2019, (INFO, "B4"): "2019年1月1日至2019年12月31日"})
    assert found(findings) == expect(
        ("YEAR", "error", INFO, ("B3",)), ("YEAR", "error", INFO, ("B4",)), NEVER_CALCULATED)


def test_year_in_file_name_differs(blank_2020, tmp_path):
    path = tmp_path / "东山镇_2019年报.xlsx"
    path.write_bytes(blank_2020.read_bytes())
    assert found(check_file(path)[1]) == [("YEAR-NAME", "warning", "", ())]


def test_format_must_fit_the_year(tmp_path):
    report = balanced(2021)
    report.year = 2020   # a 2021-format workbook issued for 2020
    report.values.update({"info.year": 2020, "info.period": "2020年1月1日至2020年12月31日"})
    path = generate(report, tmp_path / "东山镇.xlsx")
    assert found(check_file(path)[1]) == [("FORMAT", "error", "", ())]


def test_missing_metadata_is_origin_but_still_checked(blank_2020, tmp_path):
    findings = edited(blank_2020, tmp_path, {(T3, "E5"): 2}, delete_sheets=["_meta"])
    assert [f.code for f in findings if f.code != "T3-BALANCE"] == ["ORIGIN", "CACHED"]
    assert sum(f.code == "T3-BALANCE" for f in findings) == 2


def _previous(tmp_path, year, **values) -> Path:
    report = balanced(year)
    report.values.update(values)
    return generate(report, tmp_path / f"东山镇_{year}.xlsx")


def test_carry_over_from_last_year(blank_2020, tmp_path):
    last = read_workbook(_previous(tmp_path, 2019, **{"t3.carry_over.natural": 2,
                                                     "t3.public.natural": 2,
                                                     "t2.licensing.prev_items": 12,
                                                     "s1.text": "上年的总体情况" * 10}))
    findings = check_reading(read_workbook(blank_2020), previous=last)
    assert found(findings) == expect(("XY-CARRY", "error", T3, ("D6",)))
    assert findings[0].message == ("三（自然人）：本年“二、上年结转”应等于上年“四、结转下年度继续办理”：本年 "
                                   "三、依申请公开!D6 = 1，上年（东山镇_2019.xlsx）D27 = 2")


def test_items_carry_2019_and_copied_narrative(blank_2020, tmp_path):
    last = read_workbook(_previous(tmp_path, 2019, **{"t2.licensing.prev_items": 12}))
    findings = check_reading(read_workbook(blank_2020), previous=last)
    # last year 12 - 2 = 10 = this year's 10; the 总体情况 text is the same as last year's
    assert found(findings) == expect(("XY-DUP", "warning", "一、总体情况", ("A3",)))
    last = read_workbook(_previous(tmp_path, 2019, **{"t2.licensing.change": 3,
                                                     "s1.text": "全新的总体情况" * 10}))
    findings = check_reading(read_workbook(blank_2020), previous=last)
    assert found(findings) == expect(("XY-2019-ITEMS", "warning", T2, ("B8",)))


def test_carry_across_the_format_change_and_valid_count(blank_2021, tmp_path):
    last = read_workbook(_previous(tmp_path, 2020, **{"t3.carry_over.natural": 0,
                                                     "t3.public.natural": 4,
                                                     "s1.text": "另一段文字" * 10}))
    findings = check_reading(read_workbook(blank_2021), previous=last)
    assert found(findings) == expect(("XY-CARRY", "error", T3, ("D6",)))
    prior = tmp_path / "prior"
    prior.mkdir()
    report = balanced(2021)
    report.values.update({"t2.normative.in_force": 9, "s1.text": "另一段文字" * 10})
    previous = read_workbook(generate(report, prior / "东山镇_2021.xlsx"))
    this = balanced(2022)
    this.values["s1.text"] = "又一段文字" * 10
    current = read_workbook(generate(this, tmp_path / "东山镇_2022.xlsx"))
    findings = check_reading(current, previous=previous)
    # 9 + 2 issued - 0 repealed = 11, this year says 12
    assert found(findings) == expect(("XY-VALID", "warning", T2, ("D5", "B5", "C5")))


@pytest.mark.parametrize("name", ["河市镇_2020.xlsx", "新九镇_2021.xlsx"])
def test_shipped_samples_pass_without_errors(name):
    reading, findings = check_file(REPO / "samples" / name)
    assert reading is not None and reading.metadata is not None
    assert [f for f in findings if f.severity == "error"] == []


META, GUIDE = "_meta", "填报说明"


@pytest.mark.parametrize("cell, value, expected", [
    ("B6", "0000000000000000", [("ORIGIN", "error", META, ())]),
    ("B3", "2021", [("ORIGIN", "error", META, ())]),
    ("B1", "another-tool", [("ORIGIN", "error", META, ())]),
    ("B4", "西岭乡", [("ORIGIN", "error", INFO, ("B2",))]),
    ("B5", "2021", [("FORMAT", "error", "", ()), ("YEAR", "error", GUIDE, ("A1",)),
                    ("YEAR", "error", INFO, ("B3",)), ("YEAR", "error", INFO, ("B4",))]),
])
def test_altered_metadata(blank_2020, tmp_path, cell, value, expected):
    findings = edited(blank_2020, tmp_path, {(META, cell): value})
    assert found(findings) == expect(*expected, NEVER_CALCULATED)


def test_metadata_format_contradicted_by_the_tables(blank_2020, tmp_path):
    findings = edited(blank_2020, tmp_path, {(META, "B3"): "2021"})
    assert findings[0].message == "元数据标明的表式为 2021 版，但表格内容是 2019 版"


def test_title_year_changed(blank_2020, tmp_path):
    findings = edited(blank_2020, tmp_path, {(GUIDE, "A1"): "东山镇2019年度政府信息公开工作年度报告 填报说明"})
    assert found(findings) == expect(("YEAR", "error", GUIDE, ("A1",)), NEVER_CALCULATED)


def test_removed_or_loosened_validation_is_structure(blank_2020, tmp_path):
    import openpyxl
    wb = openpyxl.load_workbook(blank_2020)
    ws = wb[T4]
    kept = [dv for dv in ws.data_validations.dataValidation if "A5" not in dv.sqref]
    loosened = [dv for dv in ws.data_validations.dataValidation if "B5" in dv.sqref]
    for dv in loosened:
        dv.type = "decimal"
    ws.data_validations.dataValidation = kept
    path = tmp_path / "东山镇.xlsx"
    wb.save(path)
    findings = check_file(path)[1]
    assert found(findings) == expect(("STRUCTURE", "error", T4, ("A5", "B5")), NEVER_CALCULATED)


@pytest.mark.parametrize("formula, terms", [
    ("=SUM(D5:D6)", {"a": 1, "b": 1}),
    ("=sum( $D$5 : $D$6 )", {"a": 1, "b": 1}),
    ("='三、依申请公开'!D5+三、依申请公开!$D6", {"a": 1, "b": 1}),
    ("=D5+D6+D7", {"a": 1, "b": 1}),          # D7 is empty: harmless
    ("=SUM(D5,D6)-D8", None),                   # D8 holds something that is no form cell
    ("=D5-D6", {"a": 1, "b": -1}),
    ("=D5+D6+1", None),
    ("=AVERAGE(D5:D6)", None),
    ("=D5*D6", None),
])
def test_formulas_compare_by_the_cells_they_add(formula, terms):
    from xlsx_reports.check.totals import formula_terms
    index = {("三、依申请公开", "D5"): "a", ("三、依申请公开", "D6"): "b"}
    filled = {("三、依申请公开", "D8")}
    result = formula_terms(formula, "三、依申请公开", index, filled)
    assert (dict(result) if result is not None else None) == terms


def test_the_seed_sample_passes_and_names_the_missing_contact():
    reading, findings = check_file(REPO / "samples" / "河市镇_2020.xlsx")
    assert [(f.code, f.severity, f.sheet, f.cells, f.message) for f in findings] == [
        ("BLANK", "warning", "基本信息", ("B6",), "基本信息 有 1 项未填：联系人（B6）")]


def test_an_empty_section_asks_for_its_text_and_only_six_may_say_nothing(tmp_path):
    report = balanced(2021, "东山镇")
    report.values["s1.text"] = None
    report.values["s6.text"] = None
    findings = check_file(generate(report, tmp_path / "东山镇.xlsx"))[1]
    advice = {f.sheet: f.advice for f in findings if f.code == "NARRATIVE"}
    assert advice == {
        "一、总体情况": "请按本页提示写明本部分内容，用具体做法和数字说明。",
        "六、其他事项": "请按本页提示写明本部分内容，用具体做法和数字说明。确无内容的，写“无其他需要报告的事项。”"}


def test_a_pasted_phone_or_date_that_breaks_the_cell_rule_is_named(tmp_path):
    report = balanced(2021, "东山镇")
    report.values.update({"info.phone": "电话待定", "info.date": "1月20日"})
    findings = check_file(generate(report, tmp_path / "东山镇.xlsx"))[1]
    assert [(f.code, f.severity, f.cells, f.message) for f in findings if f.code == "INFO"] == [
        ("INFO", "warning", ("B7",), "基本信息!B7（联系电话）“电话待定”不是电话号码（只能填数字，可带区号括号、"
                                     "“-”、分机“转”，几个号码之间用“、”隔开，如（0595）22039158、13800138000）"),
        ("INFO", "warning", ("B9",), "基本信息!B9（填报日期）“1月20日”没有写年份，请写明年、月、日，"
                                     "如 2025年1月20日 或 2025-01-20"),
    ]


@pytest.mark.parametrize("phone, day", [
    ("（0595）22039158", "2025年1月20日"), ("(0595)22039158转8001", "2025-01-20"),
    ("0595-22039158、13800138000", "2025/1/20"), ("13800138000；0595 2203 9158", "20250120"),
])
def test_phones_and_dates_as_offices_write_them_pass(tmp_path, phone, day):
    report = balanced(2021, "东山镇")
    report.values.update({"info.phone": phone, "info.date": day})
    findings = check_file(generate(report, tmp_path / "东山镇.xlsx"))[1]
    assert [f for f in findings if f.code == "INFO"] == []


def test_a_template_saved_without_a_number_typed_is_not_a_return(tmp_path):
    findings = check_file(generate(Report.blank("东山镇", 2021), tmp_path / "东山镇.xlsx"))[1]
    empty = [f for f in findings if f.code == "EMPTY"]
    assert [(f.severity, f.message) for f in empty] == [(
        "error", "表格一个数字都没有填写（二、主动公开、三、依申请公开、四、复议诉讼 的 166 个输入格全部空白），"
                 "这不是一份填好的年度报表")]
    assert {f.sheet for f in findings if f.code == "BLANK"} == {"基本信息", "六、其他事项"}  # not the tables
    one = Report.blank("东山镇", 2021)
    one.values["t3.new.natural"] = 0
    assert "EMPTY" not in {f.code for f in check_file(generate(one, tmp_path / "一格.xlsx"))[1]}


def test_a_total_whose_term_cell_was_not_located_is_still_reported(tmp_path):
    """Found by benchmarks/fuzz_check.py: a damaged label left one term of a sum unlocated;
    the sum's finding names the cells that were found instead of failing."""
    from xlsx_reports.check.workbook import check_reading
    from xlsx_reports.xlsx.reader import read_workbook

    reading = read_workbook(Path(__file__).parents[1] / "samples" / "新九镇_2021.xlsx")
    term = "t3.other.overdue_correction.business"
    reading.cells.pop(term)
    reading.report.values[term] = 7   # the shown total no longer matches its terms
    findings = check_reading(reading)
    sums = [f for f in findings if f.code == "T3-COLSUM" or f.code == "T3-ROWSUM"]
    assert sums and all(f.cells and f.sheet == "三、依申请公开" for f in sums)


@pytest.mark.parametrize("fmt", ["2019", "2021"])
def test_a_narratives_problem_is_judged_from_its_start_as_from_the_whole_text(fmt):
    """A long section is judged from its first characters once those already settle every
    test (NARRATIVE): the same verdict as over the whole text, at every length around the
    thresholds, for text, blanks and punctuation, placeholders and the hint itself."""
    import random
    import re as re_
    from xlsx_reports.check import values as V
    from xlsx_reports.form.definitions import get_form

    def whole(text, sheet):   # the verdict over the whole text, as it was worked out before
        original = V._bare
        V._bare = lambda t, _enough: re_.sub(r"[\s。．.，,；;：:！!]", "", t)
        try:
            return V._narrative_problem(text, sheet)
        finally:
            V._bare = original
    rnd = random.Random(7)
    pieces = ["政务公开", "。", "，", " ", "\n", "\u3000", "无", "略", "!", "．", "2021", "x"]
    for sheet in (s for s in get_form(fmt).sheets if s.role == "narrative"):
        texts = [sheet.hint or "", (sheet.hint or "")[:40], "无", "……", "。" * 900 + "略", " " * 3000]
        texts += ["".join(rnd.choice(pieces) for _ in range(rnd.randrange(1, 700))) for _ in range(300)]
        enough = max(len(sheet.hint or ""), sheet.min_chars, V.MIN_HINT_COPY, *map(len, V.PLACEHOLDERS))
        for blanks in sorted({0, 1, enough // 2, 2 * enough - 30, 2 * enough - 1, 2 * enough, 3 * enough}):
            texts += ["。" * blanks + "政" * n for n in range(1, 3 * enough, 7)]
            texts += ["，" * blanks + (sheet.hint or "")[:n] for n in (15, 40, 200)]
        for text in texts:
            assert V._narrative_problem(text, sheet) == whole(text, sheet), text[:60]
