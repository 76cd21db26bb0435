"""merge: returned workbooks summed into one total that is itself a workbook of the form."""
from __future__ import annotations

import hashlib
import json
import random
import sys
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # benchmarks/ beside tests/

from benchmarks.balanced import balanced_report  # noqa: E402
from fixtures_check.workbooks import openpyxl_edit  # noqa: E402
from xlsx_reports.check import workbook  # noqa: E402
from xlsx_reports.check.workbook import check_file  # noqa: E402
from xlsx_reports.core.findings import CannotContinue  # noqa: E402
from xlsx_reports.merge.inputs import error_reason  # noqa: E402
from xlsx_reports.merge.workbooks import merge_files, merged_metadata  # noqa: E402
from xlsx_reports.xlsx.meta import DETAIL_SHEET, SUMMARY_SHEET, TEXTS_SHEET  # noqa: E402
from xlsx_reports.xlsx.reader import read_workbook  # noqa: E402
from xlsx_reports.xlsx.writer import write_workbook  # noqa: E402
from xlsx_reports.xlsx.writer.merged import detail_column, write_merged  # noqa: E402

TOWNS = ("东山镇", "西岭乡", "南溪街道")


def make_unit(folder: Path, unit: str, year: int, seed: int, **values):
    report = balanced_report(unit, year, random.Random(seed))
    report.values.update(values)
    path = folder / f"{unit}.xlsx"
    write_workbook(report, path)
    return report, path


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    """Three balanced 2021 townships (money in 万元 with decimals) merged into 洛江区."""
    folder = tmp_path_factory.mktemp("district")
    units = [make_unit(folder, name, 2021, seed) for seed, name in enumerate(TOWNS)]
    result = merge_files([folder], unit="洛江区")
    out = folder.parent / f"{folder.name}_total.xlsx"
    write_merged(result, out)
    return units, result, out


def test_every_merged_input_is_the_exact_sum_and_totals_are_formulas(district):
    units, result, out = district
    reading = read_workbook(out)
    form = reading.form
    for f in form.numeric_inputs:
        expected = sum((r.number(f.key) for r, _ in units), 0)
        assert reading.report.value(f.key) == expected, f.key
        if f.type == "count":
            assert type(reading.report.value(f.key)) is int, f.key
    for f in form.totals:
        cell = reading.cells[f.key]
        assert cell.formula and cell.formula.startswith("=SUM("), f.key
        assert cell.cached == reading.report.value(f.key) == sum(r.value(f.key) for r, _ in units)


def test_merged_workbook_passes_check(district):
    _, _, out = district
    reading, findings = check_file(out)
    assert reading.metadata.kind == "merged"
    assert [f for f in findings if f.severity == "error"] == []


def test_metadata_names_every_unit_and_source_fingerprint(district):
    units, result, out = district
    meta = read_workbook(out).metadata
    assert (meta.unit, meta.year, meta.format, meta.kind) == ("洛江区", 2021, "2021", "merged")
    assert sorted(meta.units) == sorted(TOWNS)
    assert sorted((s["unit"], s["file"], s["sha256"]) for s in meta.sources) == sorted(
        (r.unit, p.name, sha(p)) for r, p in units)
    ids = {read_workbook(p).metadata.workbook_id for _, p in units}
    assert {s["workbook_id"] for s in meta.sources} == ids


def test_detail_sheet_has_a_row_per_unit_and_a_sum_row_equal_to_the_merged_values(district):
    units, result, out = district
    form = result.report.form
    ws = openpyxl.load_workbook(out)[DETAIL_SHEET]
    cached = openpyxl.load_workbook(out, data_only=True)[DETAIL_SHEET]
    assert detail_column(form, "t2.rules.issued") == "C"
    assert detail_column(form, "t3.new.natural") == "M"
    assert ws["C2"].value == "二、主动公开" and ws["M2"].value == "三、依申请公开"
    assert ws["M3"].value == "一、本年新收政府信息公开申请数量／自然人"
    assert ws["M4"].value == "t3.new.natural"
    rows = {ws[f"A{r}"].value: r for r in range(5, 8)}
    assert set(rows) == set(TOWNS)
    assert ws["A8"].value == "合计"
    for f in form.numeric_inputs:
        c = detail_column(form, f.key)
        assert ws[f"{c}4"].value == f.key
        for report, _ in units:
            got = ws[f"{c}{rows[report.unit]}"].value
            assert Decimal(repr(got)) == report.number(f.key), (f.key, report.unit)
        assert ws[f"{c}8"].value == f"=SUM({c}5:{c}7)"
        assert Decimal(repr(cached[f"{c}8"].value)) == result.report.value(f.key)


def test_texts_sheet_lists_each_units_narrative_sections(district):
    units, _, out = district
    ws = openpyxl.load_workbook(out)[TEXTS_SHEET]
    rows = [tuple(c.value for c in row) for row in ws.iter_rows(min_row=3, max_col=4)]
    for report, path in units:
        assert (report.unit, path.name, "一、总体情况", report.text("s1.text")) in rows
        assert (report.unit, path.name, "五、存在的主要问题及改进情况", report.text("s5.text")) in rows
    assert len(rows) == 3 * 3


def test_summary_sheet_lists_units_and_key_figures(district):
    units, result, out = district
    ws = openpyxl.load_workbook(out)[SUMMARY_SHEET]
    lines = [ws.cell(r, 1).value for r in range(2, ws.max_row + 1)]
    new = sum(r.value("t3.new.total") for r, _ in units)
    suits = sum(r.value("t4.direct.total") + r.value("t4.after_review.total") for r, _ in units)
    assert "纳入汇总：3 个工作簿，共 3 个单位" in lines
    assert f"  本年新收政府信息公开申请：{new} 件" in lines
    assert f"  行政诉讼：{suits} 件" in lines
    assert any(line and line.startswith("说明：本工作簿是上列单位报表的汇总，不是洛江区本级") for line in lines)
    shas = {ws.cell(r, 4).value for r in range(1, ws.max_row + 1)}
    assert {sha(p) for _, p in units} <= shas


def test_money_in_wan_yuan_sums_without_float_drift(tmp_path):
    make_unit(tmp_path, "甲镇", 2021, 1, **{"t2.fees.amount": Decimal("0.1")})
    make_unit(tmp_path, "乙镇", 2021, 2, **{"t2.fees.amount": Decimal("0.2")})
    make_unit(tmp_path, "丙镇", 2021, 3, **{"t2.fees.amount": Decimal("9.63211")})
    result = merge_files([tmp_path], unit="洛江区")
    assert result.report.value("t2.fees.amount") == Decimal("9.93211")
    out = tmp_path / "out" / "total.xlsx"
    write_merged(result, out)
    assert read_workbook(out).report.value("t2.fees.amount") == Decimal("9.93211")


def test_a_merged_total_merges_again_without_counting_a_unit_twice(tmp_path):
    towns = tmp_path / "towns"
    towns.mkdir()
    (a, pa), (b, pb), (c, pc) = (make_unit(towns, n, 2020, i) for i, n in enumerate(TOWNS))
    district = tmp_path / "区.xlsx"
    write_merged(merge_files([pa, pb], unit="洛江区"), district)
    city = merge_files([district, pc], unit="泉州市")
    flat = merge_files([pa, pb, pc], unit="泉州市")
    keys = [f.key for f in flat.report.form.fields if f.numeric and f.kind != "fixed"]
    assert [city.report.value(k) for k in keys] == [flat.report.value(k) for k in keys]
    assert sorted(city.metadata.units) == sorted(TOWNS)
    assert [s.label for s in city.included] == ["洛江区（汇总，含 2 个单位）", "南溪街道"]
    assert city.metadata.sources[0]["units"] == ["东山镇", "西岭乡"]


def test_a_unit_contained_in_a_total_and_sent_again_is_refused_naming_both_files(tmp_path):
    (_, pa), (_, pb) = (make_unit(tmp_path, n, 2020, i) for i, n in enumerate(TOWNS[:2]))
    district = tmp_path / "total" / "区.xlsx"
    write_merged(merge_files([pa, pb], unit="洛江区"), district)
    (_, pc) = make_unit(tmp_path, TOWNS[2], 2020, 7)
    result = merge_files([pa, district, pc], unit="泉州市")
    dup = [f for f in result.findings if f.code == "AGG-DUP"]
    assert [f.message for f in dup] == [
        f"单位“东山镇”重复：{pa}、{district}（洛江区汇总表）；这些文件均未纳入汇总"]
    assert dup[0].severity == "error"
    assert [s.unit for s in result.included] == ["南溪街道"]
    assert {(e.file, e.code) for e in result.excluded} == {(pa, "AGG-DUP"), (district, "AGG-DUP")}


def test_nothing_mergeable_cannot_continue(tmp_path):
    bad = tmp_path / "坏.xlsx"
    bad.write_text("not a workbook", encoding="utf-8")
    with pytest.raises(CannotContinue, match="没有可以汇总的工作簿（共 1 个文件）"):
        merge_files([bad], unit="洛江区")


def test_metadata_of_a_large_total_survives_the_cell_length_limit(tmp_path):
    """300 sources are ~50 000 characters of JSON; one Excel cell holds 32 767."""
    report = balanced_report("全市", 2021, random.Random(0))
    sources = [{"unit": f"第{i:03d}镇", "file": f"第{i:03d}镇.xlsx", "workbook_id": f"{i:032x}",
                "sha256": hashlib.sha256(str(i).encode()).hexdigest()} for i in range(300)]
    meta = merged_metadata(report, [])
    meta.units, meta.sources = [s["unit"] for s in sources], sources
    assert len(json.dumps(sources, ensure_ascii=False)) > 32767
    out = tmp_path / "全市.xlsx"
    write_workbook(report, out, metadata=meta)
    back = read_workbook(out).metadata
    assert back.sources == sources and back.units == meta.units


def test_sample_district_total_is_the_sum_of_its_township_workbooks():
    district = Path(__file__).resolve().parent.parent / "samples" / "district"
    towns = sorted((district / "乡镇").glob("*.xlsx"))
    total = read_workbook(district / "全区汇总.xlsx")
    assert sorted((s["file"], s["sha256"]) for s in total.metadata.sources) == \
        sorted((p.name, sha(p)) for p in towns)
    reports = [read_workbook(p).report for p in towns]
    for f in total.form.numeric_inputs:
        assert total.report.value(f.key) == sum((r.number(f.key) for r in reports), 0), f.key
    _, findings = check_file(district / "全区汇总.xlsx")
    assert [f for f in findings if f.severity == "error"] == []


def test_the_merge_checks_its_inputs_for_errors_alone(tmp_path, monkeypatch):
    """The merge sums a workbook or leaves it out by its errors, so it looks for nothing that can
    only warn (check_reading(warnings=False)): an input's prose is not read against its tables;
    its errors are the check's, and it is left out for the same errors."""
    _, path = make_unit(tmp_path, "东山镇", 2021, 1, **{
        "s1.text": "本年度共收到政府信息公开申请99999件。主动公开政府信息5条，其中：文件3条、动态4条。",
        "s5.text": "略", "t2.rules.issued": None, "t3.new.natural": "十二"})
    reading, found = check_file(path)
    _, errors_only = check_file(path, warnings=False)
    assert {"TXT-T3", "TXT-SUM", "NARRATIVE", "BLANK", "NONNUM"} <= {f.code for f in found}
    assert [f for f in errors_only if f.severity == "error"] == [f for f in found if f.severity == "error"]
    assert [f for f in errors_only if f.severity == "warning"] == []
    (_, good) = make_unit(tmp_path, "西岭乡", 2021, 2)
    monkeypatch.setattr(workbook, "text_findings", lambda ctx: pytest.fail("the merge read the prose"))
    result = merge_files([path, good], unit="洛江区")   # two files: checked in this process
    [left_out] = result.excluded
    assert (left_out.file, left_out.code) == (path, "AGG-CHECK")
    assert left_out.reason == error_reason(found)
    assert left_out.reason.startswith("有 3 处错误（三、依申请公开!D5：三、依申请公开!D5（一、本年新收")


FAULTS = (-3, "十二", "12件", Decimal("1.5"), None, "", 10**7, "/")


@pytest.mark.parametrize("year", [2020, 2021])
def test_a_check_for_errors_alone_finds_every_error_of_the_full_check(tmp_path, year):
    """Workbooks with faults of every kind (text, negative, decimal and blank inputs, broken
    balances, totals typed over and never calculated, placeholder narratives): the errors of
    check_reading(warnings=False) are exactly the full check's."""
    rng = random.Random(year)
    for n in range(12):
        report = balanced_report(f"单位{n}", year, rng)
        inputs = [f.key for f in report.form.inputs]
        for key in rng.sample(inputs, rng.randrange(0, 6)):
            report.values[key] = rng.choice(FAULTS)
        path = write_unit(report, tmp_path / f"u{n}.xlsx")
        if n % 4 == 3:   # a total typed over, and every cached result lost (openpyxl saves none)
            total = rng.choice(report.form.totals)
            path = openpyxl_edit(path, tmp_path / f"e{n}.xlsx", {(total.sheet, total.a1): 7})
        _, full = check_file(path)
        _, errors_only = check_file(path, warnings=False)
        assert [f for f in errors_only if f.severity == "error"] == [f for f in full if f.severity == "error"], n
        assert {f.code for f in errors_only} <= {f.code for f in full}, n


def write_unit(report, path: Path) -> Path:
    write_workbook(report, path)
    return path
