"""read_workbook: every form cell located, values as the spreadsheet holds them."""
import json
from decimal import Decimal
from pathlib import Path

import pytest

from fixtures_check.workbooks import plain_workbook
from xlsx_reports.xlsx.meta import Metadata
from xlsx_reports.form.values import Report
from xlsx_reports.xlsx.cellvalue import meant_value
from xlsx_reports.xlsx.reader import read_workbook

REPO = Path(__file__).resolve().parent.parent


def sample() -> Report:
    data = json.loads((REPO / "samples/data/河市镇_2020.json").read_text(encoding="utf-8"))
    return Report.from_dict(data)


def metadata(report: Report) -> Metadata:
    return Metadata(format=report.form.format, unit=report.unit, year=report.year,
                    fingerprint=report.form.fingerprint, workbook_id="test", generated="2026-01-01",
                    version="0.1.0")


def test_plain_workbook_reads_back_every_value(tmp_path):
    report = sample()
    path = tmp_path / "a.xlsx"
    plain_workbook(report, path, metadata(report))
    reading = read_workbook(path)
    assert reading.findings == []
    assert reading.form.format == "2019" and reading.metadata.unit == "河市镇"
    read = {k: v for k, v in reading.report.values.items() if v is not None}
    assert read == report.values and reading.report.values["info.contact"] is None
    assert reading.report.values["t2.procurement.amount"] == Decimal("39340")
    total = reading.cells["t3.total.total"]
    assert (total.sheet, total.a1, total.formula) == ("三、依申请公开", "J26", "=D26+E26+F26+G26+H26+I26")


@pytest.mark.parametrize("value_type, raw, meant", [
    ("count", 12, 12), ("count", 12.0, 12), ("count", 2.5, Decimal("2.5")), ("count", "12", "12"),
    ("count", "１２", "１２"), ("count", None, None), ("count", "", None), ("money", 39340, Decimal(39340)),
    ("money", 9.63211, Decimal("9.63211")), ("text", 13800000000, "13800000000"), ("count", True, "TRUE"),
])
def test_meant_value_keeps_text_numbers_as_text(value_type, raw, meant):
    assert meant_value(value_type, raw) == meant


def test_a_reading_sent_between_processes_comes_back_the_same(tmp_path):
    """Worker processes send readings back pickled, as a tuple of their fields: every field comes back equal, the form
    as the same object, the sheets as SheetReadings."""
    import pickle

    from fixtures_check.workbooks import balanced, generate
    from xlsx_reports.xlsx.reader import SheetReading

    reading = read_workbook(generate(balanced(2021, "西岭乡"), tmp_path / "西岭乡.xlsx"))
    reading.filled = {}   # views of the sheets' cells, which check.batch never sends
    back = pickle.loads(pickle.dumps(reading, pickle.HIGHEST_PROTOCOL))
    assert back.__dict__.keys() == reading.__dict__.keys()
    assert {k: v for k, v in back.__dict__.items() if v != reading.__dict__[k]} == {}
    assert back.form is reading.form and back.report.form is reading.form
    assert isinstance(back.path, Path) and {type(s) for s in back.sheets} == {SheetReading}
    assert len(back.cells) > 200 and back.report.values == reading.report.values
