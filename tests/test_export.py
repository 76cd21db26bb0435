"""`export`: every cell of the form as a record, for analysts and other tools."""
from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from click.testing import CliRunner
from test_writer_helpers import filled_report, seed_report

from xlsx_reports.cli import main
from xlsx_reports.report.export import FIELDS, export_records, to_csv, to_json
from xlsx_reports.form.values import Report
from xlsx_reports.xlsx.writer import write_workbook


@pytest.fixture()
def two_files(tmp_path):
    seed = seed_report()
    a = tmp_path / "河市镇_2020.xlsx"
    write_workbook(seed, a)
    new = filled_report("2021", unit="新九镇", year=2021)
    new.values["t3.public.legal"] = None
    b = tmp_path / "新九镇_2021.xlsx"
    write_workbook(new, b)
    return (seed, a), (new, b)


def test_one_record_per_form_cell_with_statutory_path(two_files):
    (seed, a), (new, b) = two_files
    records = export_records([a, b])
    assert len(records) == len(seed.form.fields) + len(new.form.fields)
    by = {(r["unit"], r["key"]): r for r in records}
    r = by[("新九镇", "t3.withheld.secret.business")]
    assert r == {"unit": "新九镇", "year": 2021, "format": "2021", "key": "t3.withheld.secret.business",
                 "labels": ["三、本年度办理结果", "（三）不予公开", "1.属于国家秘密", "法人或其他组织", "商业企业"],
                 "kind": "input", "sheet": "三、依申请公开", "cell": "E9",
                 "value": new.values["t3.withheld.secret.business"], "text": None}
    assert by[("新九镇", "t3.public.legal")]["value"] is None
    total = by[("新九镇", "t3.total.total")]
    assert (total["kind"], total["cell"], total["value"]) == ("total", "J28", new.value("t3.total.total"))
    assert by[("河市镇", "t2.procurement.amount")]["value"] == 39340
    assert by[("河市镇", "t4.direct.total")]["value"] == 1
    assert by[("河市镇", "info.unit")]["kind"] == "fixed"


def test_narratives_are_records_with_text(two_files):
    (seed, a), _ = two_files
    records = {r["key"]: r for r in export_records([a])}
    s6 = records["s6.text"]
    assert (s6["labels"], s6["text"], s6["value"]) == (["六、其他需要报告的事项"], "无其他需要报告的事项。", None)
    # one paragraph a cell: the blank lines between paragraphs are not kept
    paragraphs = [p for p in seed.values["s1.text"].split("\n") if p.strip()]
    assert records["s1.text"]["text"] == "\n".join(paragraphs)


def test_money_keeps_its_decimals(tmp_path):
    report = Report.blank("测试镇", 2024)
    report.values["t2.fees.amount"] = Decimal("9.63211")
    path = tmp_path / "t.xlsx"
    write_workbook(report, path)
    records = export_records([path])
    record = next(r for r in records if r["key"] == "t2.fees.amount")
    assert record["value"] == Decimal("9.63211")   # exact, never a float
    assert '"value": 9.63211,' in to_json(records)
    assert ",9.63211," in to_csv(records)


def test_amounts_beyond_float_precision_are_written_exactly():
    record = {"unit": "镇", "value": Decimal("12345678901234.5678"), "labels": []}
    assert '"value": 12345678901234.5678' in to_json([record])
    assert json.loads(to_json([record]), parse_float=Decimal)[0]["value"] == Decimal("12345678901234.5678")
    assert "12345678901234.5678" in to_csv([dict.fromkeys(FIELDS, None) | record])


def test_csv_joins_labels_and_leaves_blank_empty(two_files):
    _, (new, b) = two_files
    rows = list(csv.DictReader(io.StringIO(to_csv(export_records([b])))))
    row = next(r for r in rows if r["key"] == "t3.public.legal")
    assert row["labels"] == "三、本年度办理结果 | （一）予以公开 | 法人或其他组织 | 法律服务机构"
    assert row["value"] == "" and row["cell"] == "H7"


def test_cli_export_json_and_csv(two_files, tmp_path):
    (seed, a), (new, b) = two_files
    runner = CliRunner()
    result = runner.invoke(main, ["export", str(a)])
    assert result.exit_code == 0
    assert len(json.loads(result.output)) == len(seed.form.fields)
    out = tmp_path / "cells.csv"
    result = runner.invoke(main, ["export", str(a), str(b), "--format", "csv", "-o", str(out)])
    assert result.exit_code == 0 and f"已导出 {len(seed.form.fields) + len(new.form.fields)} 条记录" in result.output
    assert out.read_bytes().startswith(b"\xef\xbb\xbfunit,year,format,key,labels,kind,sheet,cell,value,text")


def test_cli_export_unreadable_file_exit_2(tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04broken")
    result = CliRunner().invoke(main, ["export", str(bad)])
    assert result.exit_code == 2 and "bad.xlsx" in result.output and "Traceback" not in result.output


def test_cli_export_never_writes_over_a_workbook(two_files):
    (_, a), _ = two_files
    before = a.read_bytes()
    result = CliRunner().invoke(main, ["export", str(a), "-o", str(a)])
    assert result.exit_code == 2 and a.read_bytes() == before
    assert result.output == f"错误：输出文件 {a} 就是要导出的工作簿：请另取一个以 .json 或 .csv 结尾的文件名\n"


def test_cli_export_format_follows_the_output_extension(two_files, tmp_path):
    (_, a), _ = two_files
    out = tmp_path / "cells.CSV"
    assert CliRunner().invoke(main, ["export", str(a), "-o", str(out)]).exit_code == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbfunit,year,format,key")
    for args, message in ((["-o", str(tmp_path / "c.json"), "--format", "csv"],
                           f"错误：--format csv 与输出文件的扩展名 .json 不符：{tmp_path / 'c.json'}"),
                          (["-o", str(tmp_path / "c.xlsx")],
                           f"错误：导出文件应以 .json 或 .csv 结尾：{tmp_path / 'c.xlsx'}")):
        result = CliRunner().invoke(main, ["export", str(a), *args])
        assert (result.exit_code, result.output.strip()) == (2, message)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cells.CSV", "新九镇_2021.xlsx", "河市镇_2020.xlsx"]


def test_cli_export_to_an_unwritable_place_names_the_output(two_files, tmp_path):
    (_, a), _ = two_files
    out = a / "cells.json"      # under a file, not a folder
    result = CliRunner().invoke(main, ["export", str(a), "-o", str(out)])
    assert (result.exit_code, result.output) == (2, f"错误：无法写入 {out}：路径中有一部分是文件，不是文件夹\n")
