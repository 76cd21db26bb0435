"""merge as a stream: each input is summed when its check comes back and its values wait on
disk, yet the total is the exact sum of exactly the inputs finally included — also when a
duplicate, a minority year or an input with errors is left out only after being summed."""
from __future__ import annotations

import math
import random
import shutil
import sys
import tempfile
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # benchmarks/ beside tests/

from benchmarks.balanced import balanced_report  # noqa: E402
from xlsx_reports.form.definitions import get_form  # noqa: E402
from xlsx_reports.form.values import Report  # noqa: E402
from xlsx_reports.merge.inputs import check_inputs  # noqa: E402
from xlsx_reports.merge.workbooks import merge_candidates, merge_files  # noqa: E402
from xlsx_reports.xlsx.meta import DETAIL_SHEET  # noqa: E402
from xlsx_reports.xlsx.writer import write_workbook  # noqa: E402
from xlsx_reports.xlsx.writer import merged as merged_writer  # noqa: E402
from xlsx_reports.xlsx.writer.merged import detail_column, write_merged  # noqa: E402
from xlsx_reports.xlsx.writer.rowbyrow import RowByRow  # noqa: E402

KEY = "t3.new.natural"


def make_unit(folder: Path, unit: str, year: int, seed: int, **values) -> tuple[Report, Path]:
    report = balanced_report(unit, year, random.Random(seed))
    report.values.update(values)
    path = folder / f"{unit}.xlsx"
    write_workbook(report, path)
    return report, path


def assert_total_is(result, reports: list[Report]) -> None:
    for f in result.report.form.numeric_inputs:
        expected = sum((r.number(f.key) for r in reports), 0)
        got = result.report.value(f.key)
        assert got == expected, f.key
        assert type(got) is (Decimal if f.type == "money" else int), f.key


def test_a_duplicate_summed_before_it_was_found_is_taken_out_exactly(tmp_path):
    first, a = make_unit(tmp_path, "甲镇", 2021, 1, **{"t2.fees.amount": Decimal("0.3")})
    others = [make_unit(tmp_path, "乙镇", 2021, 2, **{"t2.fees.amount": Decimal("0.1")})[0],
              make_unit(tmp_path, "丙镇", 2021, 3, **{"t2.fees.amount": Decimal("0.25")})[0]]
    shutil.copy(a, tmp_path / "甲镇（副本）.xlsx")   # arrives after 甲镇 was summed
    candidates = check_inputs(sorted(tmp_path.glob("*.xlsx")), jobs=1)
    result = merge_candidates(candidates, unit="洛江区")
    assert sorted(s.unit for s in result.included) == ["丙镇", "乙镇"]
    assert [e.code for e in result.excluded] == ["AGG-DUP", "AGG-DUP"]
    assert_total_is(result, others)
    assert result.report.value("t2.fees.amount") == Decimal("0.35")
    assert result.report.value(KEY) != sum(r.number(KEY) for r in [first, *others])
    assert all(c.row is None for c in candidates)   # the values left the candidates at once


def test_a_merged_total_holding_a_unit_sent_again_leaves_both_out_of_the_sum(tmp_path):
    towns = tmp_path / "towns"
    towns.mkdir()
    reports = [make_unit(towns, name, 2021, seed)[0] for seed, name in enumerate(("甲镇", "乙镇"))]
    district = tmp_path / "in" / "洛江区.xlsx"
    district.parent.mkdir()
    write_merged(merge_files([towns], unit="洛江区"), district)
    last, _ = make_unit(district.parent, "丙镇", 2021, 7)
    shutil.copy(towns / "乙镇.xlsx", district.parent / "乙镇.xlsx")
    result = merge_files([district.parent], unit="泉州市")
    assert [s.unit for s in result.included] == ["丙镇"]
    assert_total_is(result, [last])
    assert reports[1].number(KEY) or reports[0].number(KEY)   # the district did hold something


def test_only_the_year_most_inputs_have_is_summed_and_another_year_can_be_asked_for(tmp_path):
    new = [make_unit(tmp_path, name, 2021, seed)[0] for seed, name in enumerate(("甲镇", "乙镇"))]
    old, _ = make_unit(tmp_path, "丙镇", 2020, 5)
    result = merge_files([tmp_path], unit="洛江区")
    assert (result.report.year, result.report.form.format) == (2021, "2021")
    assert [e.code for e in result.excluded] == ["AGG-FMT"]
    assert_total_is(result, new)
    earlier = merge_files([tmp_path], unit="洛江区", year=2020)
    assert (earlier.report.year, earlier.report.form.format) == (2020, "2019")
    assert_total_is(earlier, [old])


def test_an_input_with_errors_is_summed_only_when_allowed_and_its_text_counts_0(tmp_path):
    fine = [make_unit(tmp_path, name, 2021, seed)[0] for seed, name in enumerate(("甲镇", "乙镇"))]
    wrong, _ = make_unit(tmp_path, "丙镇", 2021, 9, **{KEY: "十二"})
    strict = merge_files([tmp_path], unit="洛江区")
    assert [e.code for e in strict.excluded] == ["AGG-CHECK"]
    assert_total_is(strict, fine)
    forced = merge_files([tmp_path], unit="洛江区", allow_errors=True)
    assert [s.unit for s in forced.included] == ["丙镇", "乙镇", "甲镇"]
    assert_total_is(forced, [*fine, wrong])
    assert forced.report.value(KEY) == sum(r.number(KEY) for r in fine)


def test_each_units_values_and_texts_come_back_from_disk_for_the_workbook(tmp_path):
    towns = tmp_path / "towns"
    towns.mkdir()
    reports = {name: make_unit(towns, name, 2021, seed, **{"s1.text": f"{name}\n第二段"})[0]
               for seed, name in enumerate(("甲镇", "乙镇", "丙镇"))}
    result = merge_files([towns], unit="洛江区")
    for s in result.included:
        for f in result.report.form.numeric_inputs:
            assert s.report.value(f.key) == reports[s.unit].value(f.key), (s.unit, f.key)
        assert s.report.text("s1.text") == f"{s.unit}\n第二段"
    out = tmp_path / "total.xlsx"
    write_merged(result, out)
    ws = openpyxl.load_workbook(out)[DETAIL_SHEET]
    assert {"A2:A4", "B2:B4"} <= {str(r) for r in ws.merged_cells.ranges}
    assert (ws["A2"].value, ws["B2"].value) == ("单位", "文件")
    assert [ws[f"A{r}"].value for r in range(5, 9)] == [s.label for s in result.included] + ["合计"]


def test_a_row_of_numbers_is_written_exactly_as_xlsxwriter_writes_each_cell(tmp_path):
    rows = [[0, 7, None, Decimal("9.63211"), True, -3, 12345678901234567890, Decimal("0.1")],
            [Decimal("1E+3"), None, 1, 2**53 - 1, 2**53, 2**53 + 1, -(2**53 - 1), Decimal("-0.25")],
            [0, 7, -3, 2**53 - 1, -(2**53 - 1), 12, 1, 5],    # whole numbers only: by slices
            [1, 2, 3],                                       # fewer values than columns
            [0, 7, -3, 2**53, 4, 12, 1, 5],                  # one past exact as a float
            [4, 0, 12, 9999, 3, 5, 8, 1],                    # counts only: each looked up
            [4, 0, 12, 9999, 3, True, 8, Decimal("2")],      # a count's hash, not a count
            [4, 0, Decimal("0"), 9999, 3, 5, 8, Decimal("0")],   # a form's money: Decimal
            [4, 0, Decimal("-0"), 10000, 3, 5, 8, Decimal("1.5")],  # at the same places
            [4, Decimal("0"), 3, 9999, 3, 5, 8, 1]]           # at another
    out = tmp_path / "rows.xlsx"
    wb = xlsxwriter.Workbook(str(out))
    formats = [wb.add_format({"num_format": "0" if i % 2 else "0.00", "border": 1}) for i in range(8)]
    fast, slow = wb.add_worksheet("fast", RowByRow), wb.add_worksheet("slow", RowByRow)
    fast.number_columns(2, formats)
    for r, values in enumerate(rows, 4):
        for ws in (fast, slow):
            ws.write_string(r, 0, f"第{r}行")
        assert fast.write_numbers(r, values)
        for c, v in enumerate(values):
            if v is None or isinstance(v, bool):
                slow.write_blank(r, 2 + c, None, formats[c])
            else:
                slow.write_number(r, 2 + c, float(v) if isinstance(v, Decimal) else v, formats[c])
    assert not fast.write_numbers(9, [1, "十二"])   # text: the caller writes the row cell by cell
    wb.close()
    with zipfile.ZipFile(out) as z:
        fast_xml, slow_xml = (z.read(f"xl/worksheets/sheet{i}.xml").decode() for i in (1, 2))
    data = [x[x.index("<sheetData>"):x.index("</sheetData>")] for x in (fast_xml, slow_xml)]
    assert data[0] == data[1] and "9.63211" in data[0]


def test_a_row_of_texts_is_written_exactly_as_xlsxwriter_writes_each_cell(tmp_path):
    rows = [["甲镇", "甲镇.xlsx", "一、总体情况", "第一段\n第二段"],
            [" 前后有空格 ", "a&b<c>\"d\"'e'", "控制\x01字符\x1f", "_x0041_ 与 _x005F_ 照写"],
            ["", "\t制表符", "表情😀与\ufffe", "结尾换行\n"],
            ["\u3000全角空格开头", "不间断空格结尾\u00a0", "_x00zz_ 与 _x1234 不是转义", "\uffff\x1c"],
            ["<r>像标记</r>", "x", "y", "z"],            # rich-text shaped: cell by cell
            ["长", "x", "y", "字" * 20_000]]              # may pass the cell's limit: cell by cell
    out = tmp_path / "texts.xlsx"
    wb = xlsxwriter.Workbook(str(out))
    formats = [wb.add_format({"text_wrap": bool(i % 2), "border": 1}) for i in range(4)]
    fast, slow = wb.add_worksheet("fast", RowByRow), wb.add_worksheet("slow", RowByRow)
    rendered = []
    for r, texts in enumerate(rows + rows, 2):   # the short ones again on other rows
        rendered.append(fast.write_texts(r, 1, texts, formats))
        if not rendered[-1]:
            for c, text in enumerate(texts):
                fast.write_string(r, 1 + c, text, formats[c])
        for c, text in enumerate(texts):
            slow.write_string(r, 1 + c, text, formats[c])
    assert rendered == [True, True, True, True, False, False] * 2
    wb.close()
    with zipfile.ZipFile(out) as z:
        fast_xml, slow_xml = (z.read(f"xl/worksheets/sheet{i}.xml").decode() for i in (1, 2))
    data = [x[x.index("<sheetData>"):x.index("</sheetData>")] for x in (fast_xml, slow_xml)]
    assert data[0] == data[1] and "_x0001_" in data[0] and "a&amp;b&lt;c&gt;" in data[0]
    book = openpyxl.load_workbook(out)
    assert [book["fast"].cell(4, c).value for c in range(2, 5)] == [" 前后有空格 ", "a&b<c>\"d\"'e'",
                                                                   "控制_x0001_字符_x001F_"]


def test_texts_met_once_are_rendered_alike_but_not_kept_for_other_rows(tmp_path):
    """汇总说明's rows (a file's name, id and fingerprint) are each met once: rendered as any
    short text is, without filling the memory of short cells that other rows draw on."""
    wb = xlsxwriter.Workbook(str(tmp_path / "once.xlsx"))
    fmt = wb.add_format({"border": 1})
    ws = wb.add_worksheet("x", RowByRow)
    texts = ("甲镇", "a&b.xlsx", "0f" * 16, "e3" * 32)   # 32 and 64 characters: short
    kept = ws.text_cells(7, 0, texts, (fmt,) * 4)
    assert len(ws._short_cells) == 4
    ws._short_cells.clear()
    assert ws.text_cells(7, 0, texts, (fmt,) * 4, once=True) == kept
    assert ws._short_cells == {}
    assert '<c r="B8" s="1" t="inlineStr"><is><t>a&amp;b.xlsx</t></is></c>' in kept
    wb.close()


def test_a_whole_row_put_at_once_is_written_exactly_as_xlsxwriter_writes_it_after_set_row(tmp_path):
    """put_row writes a row's rendered cells and its height at once, without holding the row:
    the sheet is the one xlsxwriter writes cell by cell after set_row, and a row it cannot put
    (begun already, written already, outside the sheet) is left to the caller."""
    heights = [None, 15, 15.2, 20, 35.5, 409, 12]
    out = tmp_path / "put.xlsx"
    wb = xlsxwriter.Workbook(str(out))
    fmt = wb.add_format({"text_wrap": True, "border": 1})
    fast, slow = wb.add_worksheet("fast", RowByRow), wb.add_worksheet("slow", RowByRow)
    for ws in (fast, slow):
        ws.write_string(0, 0, "标题", fmt)
        ws.set_row(0, 30)
    fast.write_string(1, 0, "已开始的行", fmt)
    assert not fast.put_row(1, 1, 1, "<c/>")             # begun: its cells are held
    slow.write_string(1, 0, "已开始的行", fmt)
    for r, height in enumerate(heights, 2):
        texts = (f"第{r}行", "甲&乙" * r)
        assert fast.put_row(r, 0, 1, fast.text_cells(r, 0, texts, (fmt, fmt)), height)
        for c, text in enumerate(texts):
            slow.write_string(r, c, text, fmt)
        if height is not None:
            slow.set_row(r, height)
    last = 2 + len(heights) - 1
    assert not fast.put_row(last, 0, 1, "<c/>")          # written already
    assert fast.write_string(last, 0, "再写", fmt) == -1  # and xlsxwriter refuses it too
    assert not fast.put_row(last + 1, 0, 1, "<c/>", 0.3)  # a height of 0 px hides the row
    assert not fast.put_row(last + 1, 0, 16_384, "<c/>")  # past the last column
    for ws in (fast, slow):
        ws.write_string(last + 1, 1, "其后", fmt)
    wb.close()
    with zipfile.ZipFile(out) as z:
        fast_xml, slow_xml = (z.read(f"xl/worksheets/sheet{i}.xml").decode() for i in (1, 2))
    data = [x[x.index("<dimension"):x.index("</sheetData>")].replace("<sheetView tabSelected=\"1\" ", "<sheetView ")
            for x in (fast_xml, slow_xml)]
    assert data[0] == data[1] and '<row r="8" ht="408.75" customHeight="1">' in data[0]
    # 15 pt and 15.2 pt are both 20 px, the default row; 20 pt is 27 px
    assert '<row r="4"><c' in data[0] and '<row r="5"><c' in data[0] and '<row r="6" ht="20.25"' in data[0]


def test_text_typed_in_a_numeric_cell_is_kept_on_the_detail_sheet(tmp_path):
    towns = tmp_path / "towns"
    towns.mkdir()
    make_unit(towns, "甲镇", 2021, 1)
    make_unit(towns, "乙镇", 2021, 2, **{KEY: "十二"})
    result = merge_files([towns], unit="洛江区", allow_errors=True)
    out = tmp_path / "total.xlsx"
    write_merged(result, out)
    ws = openpyxl.load_workbook(out)[DETAIL_SHEET]
    rows = {ws[f"A{r}"].value: r for r in (5, 6)}
    col = detail_column(result.report.form, KEY)
    assert ws[f"{col}{rows['乙镇']}"].value == "十二"
    assert isinstance(ws[f"{col}{rows['甲镇']}"].value, int)


RICH_SHAPED = ("<r>坏<x>&amp;</r>", "<r><t>看似富文本</t></r>")


def test_texts_shaped_like_rich_text_markup_are_written_and_merged_as_typed(tmp_path):
    """xlsxwriter passes a text that starts with <r> and ends with </r> through as markup: a
    unit's narrative of that shape once broke its own template and the district's merged
    workbook (the texts sheet). Each comes back as typed, from the unit's workbook and the merge."""
    from xlsx_reports.xlsx.meta import TEXTS_SHEET
    from xlsx_reports.xlsx.reader import read_workbook
    towns = tmp_path / "towns"
    towns.mkdir()
    paths = {name: make_unit(towns, name, 2021, seed, **{"s1.text": text})[1]
             for seed, (name, text) in enumerate(zip(("甲镇", "乙镇"), RICH_SHAPED))}
    for (name, path), text in zip(paths.items(), RICH_SHAPED):
        assert read_workbook(path).report.values["s1.text"] == text, name
    out = tmp_path / "total.xlsx"
    write_merged(merge_files([towns], unit="洛江区"), out)
    texts = [c.value for row in openpyxl.load_workbook(out)[TEXTS_SHEET].iter_rows() for c in row]
    assert all(text in texts for text in RICH_SHAPED)
    assert read_workbook(out).report.unit == "洛江区"


def test_a_rich_shaped_text_too_long_for_a_cell_is_shortened_as_text_not_left_as_markup(tmp_path):
    """Escaped and wrapped, a long text would be cut by xlsxwriter inside the markup (its
    limit of 32,767 counts the markup); it is shortened first to the longest start whose markup
    fits, so the cell still reads back as text, the start of what was typed."""
    from xml.sax.saxutils import escape
    from xlsx_reports.xlsx.reader import read_workbook
    text = "<r>" + "甲&" * 20_000 + "</r>"
    _report, path = make_unit(tmp_path, "甲镇", 2021, 1, **{"s1.text": text})
    read = read_workbook(path).report.values["s1.text"]
    assert text.startswith(read) and read.startswith("<r>甲&甲&")
    markup = len(f'<r><t xml:space="preserve">{escape(read)}</t></r>')
    assert 32_767 - len("甲&amp;") < markup <= 32_767


def test_a_merged_write_that_fails_midway_leaves_no_temporary_files_and_no_output(tmp_path, monkeypatch):
    towns = tmp_path / "towns"
    towns.mkdir()
    for seed, name in enumerate(("甲镇", "乙镇")):
        make_unit(towns, name, 2021, seed)
    result = merge_files([towns], unit="洛江区")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))

    def fails(*_args, **_kwargs):   # as a full disk would, after the detail sheet's rows began
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(merged_writer, "_texts_sheet", fails)
    out = tmp_path / "total.xlsx"
    with pytest.raises(OSError):
        write_merged(result, out)
    assert list(scratch.iterdir()) == []
    assert not out.exists() and [p.name for p in tmp_path.iterdir()] == ["towns", "tmp"]
    monkeypatch.undo()
    write_merged(result, out)   # and the same merge then writes
    assert openpyxl.load_workbook(out, read_only=True)[DETAIL_SHEET]["A5"].value == result.included[0].label


@pytest.mark.parametrize("year", [2020, 2021])
def test_a_units_values_read_back_by_position_are_its_reports_values(year):
    from xlsx_reports.merge.rows import row_of, values_in
    report = balanced_report("甲镇", year, random.Random(year))
    report.values[report.form.numeric_inputs[3].key] = None   # a blank among them
    row, fmt = row_of(report), report.form.format
    numeric = report.form.numeric_inputs
    narratives = tuple(f for f in report.form.inputs if f.type == "longtext")
    scattered = (numeric[5], narratives[0], numeric[0], report.form.field("info.unit"))  # not in the row
    for fields in (numeric, narratives, scattered):
        assert list(values_in(fmt, row, fields)) == [report.values.get(f.key) if f in numeric + narratives
                                                     else None for f in fields]


def _raw_member(path: Path, info: zipfile.ZipInfo) -> bytes:
    """A member's deflate stream as stored (zipfile hands out only what it inflates)."""
    with open(path, "rb") as fh:
        fh.seek(info.header_offset)
        head = fh.read(30)
        name_len, extra_len = int.from_bytes(head[26:28], "little"), int.from_bytes(head[28:30], "little")
        fh.seek(info.header_offset + 30 + name_len + extra_len)
        return fh.read(info.compress_size)


def test_a_merged_workbook_is_deflated_by_zlib_ng_and_xlsxwriter_left_as_it_was(tmp_path):
    from xlsx_reports.core.zlibs import WRITE_LEVEL, zlib
    towns = tmp_path / "towns"
    towns.mkdir()
    for i, name in enumerate(("甲镇", "乙镇", "丙镇")):
        make_unit(towns, name, 2021, i)
    out = tmp_path / "total.xlsx"
    write_merged(merge_files([towns], unit="洛江区"), out)
    assert xlsxwriter.workbook.ZipFile is zipfile.ZipFile   # lent for the write only
    assert zlib.__name__ == "zlib_ng.zlib_ng" and WRITE_LEVEL == 3
    with zipfile.ZipFile(out) as z:
        assert z.testzip() is None
        members = [(info, z.read(info)) for info in z.infolist()]
    for info, data in members:
        assert info.compress_type == zipfile.ZIP_DEFLATED
        deflater = zlib.compressobj(WRITE_LEVEL, zlib.DEFLATED, -15)
        assert _raw_member(out, info) == deflater.compress(data) + deflater.flush(), info.filename
    assert openpyxl.load_workbook(out)[DETAIL_SHEET]["A5"].value


def test_a_total_adds_numbers_and_counts_text_and_booleans_as_0_as_the_spreadsheet_sums_them():
    from xlsx_reports.merge.rows import Total
    n = len(get_form("2021").numeric_inputs)
    rows = [tuple(range(n)),
            tuple(None if i % 3 else i for i in range(n)),          # blanks add 0
            (True, "十二", Decimal("0.5"), None) + (1,) * (n - 4),    # so do text and TRUE
            tuple(Decimal(i) / 4 if i % 5 else i for i in range(n)),  # numbers only: added at once
            (2,) * (n - 1)]                                          # a short row: the rest kept
    total = Total("2021")
    for row in rows:
        total.add(row)
    expected = [sum(r[i] for r in rows if i < len(r) and type(r[i]) in (int, Decimal)) for i in range(n)]
    assert total.sums == expected
    assert total.sums[:4] == [0 + 0 + 0 + 2, 1 + Decimal("0.25") + 2, 2 + Decimal("0.5") + Decimal("0.5") + 2,
                              3 + 3 + Decimal("0.75") + 2]


def test_a_text_row_filling_the_largest_row_is_given_it_without_measuring_each_character():
    from xlsx_reports.xlsx.writer import merged
    from xlsx_reports.xlsx.writer.sheets import text_units

    def measured(text: str) -> float:
        lines = sum(max(1, math.ceil(text_units(p) / (merged.TEXT_WIDTH - 2))) for p in text.split("\n"))
        return min(merged.MAX_ROW_PT, lines * merged.LINE_PT + 5)
    for text in ("", "短", "a" * 88 * 26, "a" * (88 * 26 + 1), "\n" * 26, "\n" * 25, "政" * 41 * 27,
                 "政府信息公开\n" * 30, ("abc " * 200 + "\n") * 5, "政" * 40 * 13 + "\n" + "x" * 1200):
        assert merged._text_height(text) == measured(text), text[:20]


def test_rows_spooled_between_reads_come_back_as_they_were_put():
    """The spool appends without seeking to its end each time (a seek flushes the buffer):
    a row put after one is read back must still go at the end, not where the read stopped."""
    from xlsx_reports.merge.rows import Spool, pack
    spool = Spool()
    rows = [(1, Decimal("2.5"), None, "甲" * 9000), (3, 4, "乙"), ("丙",), (5, None)]
    at = [spool.put(pack(rows[0])), spool.put(pack(rows[1]))]
    assert spool.get(at[0]) == rows[0]
    at.append(spool.put(pack(rows[2])))
    assert spool.get(at[1]) == rows[1]
    at.append(spool.put(pack(rows[3])))
    assert [spool.get(a) for a in at] == rows
    spool.close()
