"""Property-based: random balanced workbooks merge into exact sums, in any grouping (AGG-SUM)."""
from __future__ import annotations

import random
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # benchmarks/ beside tests/

from benchmarks.balanced import balanced_report  # noqa: E402
from xlsx_reports.check.workbook import check_file  # noqa: E402
from xlsx_reports.merge.workbooks import merge_files, sum_reports  # noqa: E402
from xlsx_reports.xlsx.reader import read_workbook  # noqa: E402
from xlsx_reports.xlsx.writer import write_workbook  # noqa: E402
from xlsx_reports.xlsx.writer.merged import write_merged  # noqa: E402

NAMES = ("甲镇", "乙乡", "丙街道", "丁镇", "戊乡")
YEARS = st.sampled_from([2020, 2021])
BUSY = st.sampled_from([0.0, 0.3, 1.0])


def reports(year: int, seeds: list[int], busy: float):
    return [balanced_report(NAMES[i], year, random.Random(seed), busy=busy)
            for i, seed in enumerate(seeds)]


def numeric(report) -> dict:
    return {f.key: report.value(f.key) for f in report.form.fields if f.numeric and f.kind != "fixed"}


@settings(max_examples=40, deadline=None)
@given(year=YEARS, seeds=st.lists(st.integers(0, 2 ** 32), min_size=1, max_size=5), busy=BUSY)
def test_sum_is_exact_for_inputs_and_linear_for_totals(year, seeds, busy):
    units = reports(year, seeds, busy)
    merged = sum_reports("区", year, units[0].form.format, units)
    for f in merged.form.fields:
        if not f.numeric or f.kind == "fixed":   # info.year is the year, not a sum
            continue
        expected = sum((u.number(f.key) for u in units), 0)
        assert merged.value(f.key) == expected, f.key
        if f.type == "money":
            assert isinstance(merged.value(f.key), Decimal)
        elif f.kind == "input":
            assert type(merged.value(f.key)) is int


def _write(folder: Path, units) -> list[Path]:
    paths = []
    for report in units:
        path = folder / f"{report.unit}.xlsx"
        write_workbook(report, path)
        paths.append(path)
    return paths


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(year=YEARS, seeds=st.lists(st.integers(0, 2 ** 32), min_size=3, max_size=3), busy=BUSY)
def test_merged_file_is_the_sum_in_any_grouping_and_passes_check(year, seeds, busy):
    units = reports(year, seeds, busy)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        a, b, c = _write(folder, units)
        ab, abc, ab_c = folder / "ab.xlsx", folder / "abc.xlsx", folder / "ab_c.xlsx"
        write_merged(merge_files([a, b], unit="区"), ab)
        write_merged(merge_files([a, b, c], unit="市"), abc)
        write_merged(merge_files([ab, c], unit="市"), ab_c)
        flat, nested = read_workbook(abc), read_workbook(ab_c)
        for f in flat.form.numeric_inputs:
            assert flat.report.value(f.key) == sum((u.number(f.key) for u in units), 0), f.key
        for f in flat.form.totals:
            assert flat.cells[f.key].cached == sum(u.value(f.key) for u in units), f.key
        assert numeric(nested.report) == numeric(flat.report)
        assert sorted(nested.metadata.units) == sorted(flat.metadata.units) == sorted(NAMES[:3])
        for path in (ab, abc, ab_c):
            _, findings = check_file(path)
            assert [f for f in findings if f.severity == "error"] == [], path.name
