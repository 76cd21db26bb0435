"""The cheap paths after a workbook's sheets are read (issue 9) give what the full work gives.

A sheet whose labels are all where the form prints them is taken as it is, without the
search; a moved sheet still goes through the search. Totals are summed through the form's
flat combination of inputs when they are whole numbers and term by term otherwise; total
formulas of a workbook laid out as the form is are judged once per formula.
"""
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from fixtures_check.workbooks import balanced, generate
from xlsx_reports.check.workbook import check_file
from xlsx_reports.form.compiled import combination, input_leaves
from xlsx_reports.form.definitions import get_form
from xlsx_reports.form.values import Report, Sums
from xlsx_reports.xlsx import fastread
from xlsx_reports.xlsx.locate import _exact, _search
from xlsx_reports.xlsx.rawsheet import address
from xlsx_reports.xlsx.reader import read_workbook

T3 = "三、依申请公开"


@pytest.fixture(scope="module")
def book_2021(tmp_path_factory) -> Path:
    return generate(balanced(2021), tmp_path_factory.mktemp("gen") / "东山镇.xlsx")


def _sheets(path: Path, form):
    raws = {r.name: r for r in fastread.read_sheets(path)}
    return [(sheet, raws[sheet.name]) for sheet in form.sheets]


def test_an_untouched_workbook_is_taken_in_place_and_the_search_agrees(book_2021):
    form = get_form("2021")
    for sheet, raw in _sheets(book_2021, form):
        exact, searched = _exact(sheet, raw), _search(sheet, raw)
        assert exact is not None and exact.found == searched.found == len(sheet.labels)
        assert exact.rows == searched.rows and exact.cols == searched.cols
        assert exact.labels == searched.labels
    reading = read_workbook(book_2021)
    assert reading.findings == []
    assert {k: (c.sheet, c.a1) for k, c in reading.cells.items()} == {
        f.key: (f.sheet, f.a1) for f in form.fields}


def test_a_label_with_spaces_or_a_split_merge_is_in_place_and_reported_as_before(book_2021, tmp_path):
    form = get_form("2021")
    sheet = form.sheet(T3)
    merged = next(lb for lb in sheet.labels if lb.merged)
    plain = next(lb for lb in sheet.labels if not lb.merged)
    wb = openpyxl.load_workbook(book_2021)
    ws = wb[T3]
    ws.cell(plain.row + 1, plain.col + 1).value = f"  {plain.text} "
    ws.unmerge_cells(merged.range)
    path = tmp_path / "东山镇.xlsx"
    wb.save(path)
    raw = next(r for r in fastread.read_sheets(path) if r.name == T3)
    exact, searched = _exact(sheet, raw), _search(sheet, raw)
    assert exact is not None and exact.labels == searched.labels
    spaced = next(lb for lb in exact.labels if lb.a1 == plain.a1)
    assert spaced.found == f"  {plain.text} " and spaced.located
    reading, findings = check_file(path)
    structure = [(f.sheet, f.cells, f.message) for f in findings if f.code == "STRUCTURE"]
    assert structure == [(T3, (merged.a1,), f"合并单元格 {merged.range}（“{merged.text}”）被拆分")]


def test_a_workbook_with_an_inserted_row_is_searched_and_followed(book_2021, tmp_path):
    form = get_form("2021")
    wb = openpyxl.load_workbook(book_2021)
    wb[T3].insert_rows(10)
    path = tmp_path / "东山镇.xlsx"
    wb.save(path)
    sheets = dict((s.name, (s, r)) for s, r in _sheets(path, form))
    assert _exact(*sheets[T3]) is None
    assert _exact(*sheets["四、复议诉讼"]) is not None
    reading = read_workbook(path)
    moved = form.field("t3.total.natural")   # below the inserted row: one row further down
    assert reading.cells[moved.key].a1 == address(moved.row + 1, moved.col)
    kept = form.field("t3.new.natural")      # above it: where it was
    assert reading.cells[kept.key].a1 == kept.a1
    shifts = [f.message for f in reading.findings if f.code == "STRUCTURE" and f.sheet == T3]
    assert shifts and "原在第 10 行，现在第 11 行：表格中插入了行" in shifts[0]


def _term_by_term(report: Report, key: str):
    """A total as the definition reads: each term's own sum, added in order from 0."""
    total = 0
    for term in report.form.field(key).terms:
        f = report.form.field(term)
        v = _term_by_term(report, f.key) if f.kind == "total" else report.values.get(f.key)
        v = v if isinstance(v, (int, Decimal)) and not isinstance(v, bool) else 0
        total += -v if term.startswith("-") else v
    return total


@pytest.mark.parametrize("odd", [
    {},                                                   # whole numbers: the flat sum
    {"t3.new.business": Decimal("2.5")},                  # a decimal typed into a count cell
    {"t3.new.natural": Decimal("1E+30"), "t3.new.business": Decimal("0.123456789")},  # rounds
    {"t3.new.legal": True, "t3.new.other_org": "12件", "t3.new.research": None},     # not numbers
])
def test_totals_are_what_the_term_by_term_sum_gives(odd):
    report = balanced(2021)
    for i, f in enumerate(report.form.numeric_inputs):
        if f.type == "count":
            report.values[f.key] = i % 7
    report.values.update(odd)
    for f in report.form.totals:
        want = _term_by_term(report, f.key)
        got = report.value(f.key)
        assert (got, type(got)) == (want, type(want)), f.key
        if isinstance(want, Decimal):
            assert got.as_tuple() == want.as_tuple()
    keys = ("t3.new.total", "t3.carried.total", "-t3.total.total")
    assert report.total(keys) == sum((report.number(k) for k in keys), 0)
    # the checks' sums, added from the totals worked out once: the same numbers, of the same type
    sums = Sums(report)
    for terms in [keys] + [side for c in report.form.checks for side in (c.left, c.right) if side]:
        want, got = report.total(terms), sums.total(terms)
        assert (got, type(got)) == (want, type(want)), terms
        if isinstance(want, Decimal):
            assert got.as_tuple() == want.as_tuple()


def test_the_flat_combination_expands_nested_totals_and_keeps_signs():
    form = get_form("2021")
    nested = next(f for f in form.totals if any(form.field(t).kind == "total" for t in f.terms))
    flat = dict(combination(form, nested.terms))
    assert set(flat) == {f.key for f in input_leaves(form, nested.terms)}
    assert dict(combination(form, ("t3.new.natural", "-t3.new.natural"))) == {"t3.new.natural": 0}
    assert dict(combination(form, ("-t3.new.total",))) == {
        k: -1 for k in form.field("t3.new.total").terms}


def test_a_total_formula_over_a_cell_outside_the_form_depends_on_that_cell(book_2021, tmp_path):
    """The same formula, kept from an earlier workbook, is judged again where it refers to a
    cell that is no form cell: harmless while that cell is empty, foreign once it is filled."""
    form = get_form("2021")
    total = form.field("t3.new.total")
    outside = address(total.row, total.col + 20)
    cells = [address(total.row, form.field(t).col) for t in total.terms]
    formula = "=" + "+".join(cells + [outside])
    results = []
    for name, extra in (("空.xlsx", None), ("填.xlsx", 5), ("空2.xlsx", None)):
        wb = openpyxl.load_workbook(book_2021)
        wb[T3][total.a1].value = formula
        wb[T3][outside].value = extra
        wb.save(tmp_path / name)
        _, findings = check_file(tmp_path / name)
        results.append([f.cells for f in findings if f.code == "FORMULA"])
    assert results == [[], [(total.a1,)], []]
