"""The committed samples are what samples/make_samples.py builds, and carry the real figures."""
from __future__ import annotations

import importlib.util
import json

import pytest

from xlsx_reports.form.definitions import get_form
from conftest import need_shared
from test_writer_helpers import REPO, meta_rows, open_both

from xlsx_reports.core.roster import read_roster

SAMPLES = REPO / "samples"


def load_maker():
    spec = importlib.util.spec_from_file_location("make_samples", SAMPLES / "make_samples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cells(wb) -> dict:
    return {(ws.title, c.coordinate): c.value for ws in wb.worksheets
            for row in ws.iter_rows() for c in row if c.value is not None}


@pytest.mark.parametrize("name", ["河市镇_2020", "新九镇_2021"])
def test_committed_sample_equals_a_fresh_build_cell_by_cell(tmp_path, name):
    load_maker().main(tmp_path)
    fresh, committed = open_both(tmp_path / f"{name}.xlsx"), open_both(SAMPLES / f"{name}.xlsx")
    assert cells(fresh.wb) == cells(committed.wb)
    assert cells(fresh.cached) == cells(committed.cached)
    assert (tmp_path / "roster.csv").read_bytes() == (SAMPLES / "roster.csv").read_bytes()


def test_hshi_sample_holds_the_published_figures():
    text = need_shared("reports/泉州市洛江区河市镇_2020.txt").read_text(encoding="utf-8")
    o = open_both(SAMPLES / "河市镇_2020.xlsx")
    meta = meta_rows(o.wb)
    assert (meta["unit"], meta["year"], meta["format"]) == ("河市镇", "2020", "2019")
    t2, t4 = o.cached["二、主动公开"], o.cached["四、复议诉讼"]
    assert (t2["B19"].value, t2["C19"].value) == (4, 39340)
    assert [t4.cell(5, c).value for c in range(1, 16)] == [0] * 6 + [1, 0, 0, 1] + [0] * 5
    assert "0595-22039158" in text and o.wb["基本信息"]["B7"].value == "0595-22039158"
    first = o.wb["一、总体情况"]["A3"].value
    assert first.splitlines()[0] in text


def test_xinjiu_sample_uses_the_real_text_and_says_what_is_invented():
    text = need_shared("reports/盐边县新九镇_2021.txt").read_text(encoding="utf-8")
    data = json.loads((SAMPLES / "data" / "新九镇_2021.json").read_text(encoding="utf-8"))
    assert "编造" in data["source"] and data["format"] == "2021"
    o = open_both(SAMPLES / "新九镇_2021.xlsx")
    assert o.wb["一、总体情况"]["A3"].value in text
    form = get_form("2021")
    fees = [form.field(k) for k in ("s6.fee.count", "s6.fee.amount")]
    assert [o.wb[f.sheet][f.a1].value for f in fees] == [0, 0]
    balance = [o.cached["校验"].cell(r, 4).value for r in range(5, 12)]
    assert balance == ["✓"] * 7


def test_sample_roster_reads():
    roster = read_roster(SAMPLES / "roster.csv")
    assert roster.names[:3] == ["河市镇", "马甲镇", "罗溪镇"] and len(roster.units) == 6
    assert roster.units[0].extra == {"联系部门": "党政办", "上级单位": "洛江区"}
