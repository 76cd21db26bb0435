"""The form definitions reproduce the statutory formats (shared/spec/statutory-formats.md)."""
from decimal import Decimal

import pytest

from xlsx_reports.form.definitions import format_for_year, get_form
from xlsx_reports.form.values import Report


@pytest.mark.parametrize("fmt, rows", [("2019", 23), ("2021", 25)])
def test_table3_has_statutory_rows_and_columns(fmt, rows):
    t3 = get_form(fmt).table_fields("t3")
    assert len(t3) == rows * 7
    assert sum(f.kind == "input" for f in t3) == (rows - 1) * 6


def test_table3_cell_keys_and_labels_are_stable():
    form = get_form("2021")
    f = form.field("t3.withheld.secret.business")
    assert f.labels == ("三、本年度办理结果", "（三）不予公开", "1.属于国家秘密", "法人或其他组织", "商业企业")
    assert (f.sheet, f.a1) == ("三、依申请公开", "E9")
    assert form.field("t3.new.natural").a1 == "D5"
    assert form.field("t3.total.total").a1 == "J28"
    assert form.field("t3.carry_over.total").a1 == "J29"
    assert get_form("2019").field("t3.carry_over.natural").a1 == "D27"


def test_table4_totals_sum_the_four_results():
    form = get_form("2019")
    total = form.field("t4.direct.total")
    assert total.a1 == "J5" and total.kind == "total" and total.rule == "T4-SUM"
    assert total.terms == ("t4.direct.upheld", "t4.direct.corrected", "t4.direct.other",
                           "t4.direct.pending")


def test_2021_format_differences():
    old, new = get_form("2019"), get_form("2021")
    assert "t2.procurement.amount" in old.by_key and "t2.procurement.amount" not in new.by_key
    assert new.field("t2.fees.amount").labels[-1] == "本年收费金额（单位：万元）"
    assert new.field("t2.normative.issued").labels[1] == "行政规范性文件"
    assert old.field("t2.normative.made").labels[1] == "规范性文件"
    assert old.field("t2.licensing.change").type == "signed"
    assert new.field("s6.fee.amount").type == "money"
    assert "s6.fee.amount" not in old.by_key


def test_format_follows_year():
    assert [format_for_year(y) for y in (2019, 2020, 2021, 2025)] == ["2019", "2019", "2021", "2021"]
    assert get_form("2019").fits_year(2020) and not get_form("2019").fits_year(2021)


def test_totals_recompute_from_inputs_with_blank_as_zero():
    r = Report.blank("测试镇", 2024)
    r.values.update({"t3.new.natural": 3, "t3.new.legal": 2, "t3.public.natural": 4,
                     "t3.rejected.repeat.natural": 1})
    assert r.value("t3.new.total") == 5
    assert r.value("t3.total.natural") == 5
    assert r.value("t3.total.total") == 5
    r.values["t2.fees.amount"] = Decimal("9.63211")
    assert r.value("t2.fees.amount") == Decimal("9.63211")


def test_fingerprints_differ_between_formats():
    assert get_form("2019").fingerprint != get_form("2021").fingerprint


def test_fingerprints_are_pinned():
    """A change to the Form's records must not move a cell unnoticed. The 单位层级 row and the
    paragraph cells of the narratives moved it from 50d2200190399bb2 / eb9c64c6e90c4a5b
    (workbooks of that layout are still read: tests/test_level.py, form/legacy.py)."""
    assert get_form("2019").fingerprint == "10b976f6542487be"
    assert get_form("2021").fingerprint == "c287a0f7f230e2f7"


@pytest.mark.parametrize("fmt, others", [("2019", ["other"]),
                                         ("2021", ["other.overdue_correction", "other.overdue_fee",
                                                   "other.other"])])
def test_table3_groups_are_declared_and_are_what_the_total_sums(fmt, others):
    form = get_form(fmt)
    assert [(g.number, g.short) for g in form.groups] == [
        ("（一）", "予以公开"), ("（二）", "部分公开"), ("（三）", "不予公开"), ("（四）", "无法提供"),
        ("（五）", "不予处理"), ("（六）", "其他处理")]
    assert form.group("other").rows == tuple(others)
    assert form.group("withheld").label == "（三）不予公开" and len(form.group("withheld").rows) == 8
    rows = [r for g in form.groups for r in g.rows]
    assert form.results_total.rows == tuple(rows)
    assert form.field("t3.total.natural").terms == tuple(f"t3.{r}.natural" for r in rows)
    assert form.field("t3.total.natural").labels[1] == form.results_total.label == "（七）总计"
    assert dict(form.numbered) == {"一": "new", "二": "carried", "（七）": "total", "四": "carry_over"}


def test_sections_declare_their_kind_text_and_extra_numbers():
    old, new = get_form("2019"), get_form("2021")
    assert [s.kind for s in new.sections] == ["narrative", "table", "table", "table", "narrative",
                                              "narrative"]
    assert [s.number for s in new.narratives] == ["一", "五", "六"]
    assert new.section("一").text == "s1.text" and new.section("三").table == "t3"
    assert new.section("四").part == "政府信息公开行政复议、行政诉讼情况"
    assert new.section("六").extra == ("s6.fee.count", "s6.fee.amount") and not old.section("六").extra
    assert {new.field(k).short for k in new.section("六").extra} == {"信息处理费"}
    assert new.field("info.phone").short == "联系电话"


@pytest.mark.parametrize("fmt", ["2019", "2021"])
@pytest.mark.parametrize("pool", [
    [None, 0, 3, 250, -4, Decimal("1.5"), Decimal("2"), True, "十二"],
    [None, 0, 3, 250, -4],   # the usual return: whole numbers and blanks (Report.totals' pass in C)
])
def test_all_totals_at_once_are_each_total_recomputed(fmt, pool):
    """Report.totals (a check's one pass) gives what Report.value gives for every total, of the
    same type: counts and blanks, decimals (added term by term), booleans and text (as 0)."""
    import random
    rng = random.Random(7)
    for _ in range(40):
        r = Report.blank("东山镇", 2021 if fmt == "2021" else 2020)
        for f in r.form.numeric_inputs:
            r.values[f.key] = rng.choice(pool)
        totals = r.totals()
        assert list(totals) == [f.key for f in r.form.totals]
        assert {k: (v, type(v)) for k, v in totals.items()} == {
            f.key: (r.value(f.key), type(r.value(f.key))) for f in r.form.totals}
