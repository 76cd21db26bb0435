"""Generated workbooks read back with openpyxl and compared cell by cell with the form."""
from __future__ import annotations

from decimal import Decimal

import pytest

from xlsx_reports.form.types import value_rule
from test_writer_helpers import filled_report, meta_rows, validations_at, write_and_open

from xlsx_reports.form.definitions import get_form
from xlsx_reports.xlsx.meta import CHECK_SHEET, GUIDE_SHEET, META_SHEET, Metadata
from xlsx_reports.form.values import Report

FORMATS = ("2019", "2021")


@pytest.fixture(scope="module", params=FORMATS)
def written(request, tmp_path_factory):
    report = filled_report(request.param)
    opened, metadata = write_and_open(tmp_path_factory.mktemp(request.param), report)
    return report, opened, metadata


def test_sheet_order_protection_and_hidden_meta(written):
    report, o, _ = written
    names = [s.name for s in report.form.sheets]
    assert o.wb.sheetnames == [GUIDE_SHEET, *names, CHECK_SHEET, META_SHEET]
    for ws in o.wb.worksheets:
        assert ws.protection.sheet, ws.title
    assert o.wb[META_SHEET].sheet_state == "hidden"
    assert all(o.wb[n].sheet_state == "visible" for n in o.wb.sheetnames[:-1])


def test_every_label_at_its_address_with_its_merge(written):
    report, o, _ = written
    for sheet in report.form.sheets:
        ws = o.wb[sheet.name]
        merges = {str(r) for r in ws.merged_cells.ranges}
        expected = {lb.range for lb in sheet.labels if lb.merged}
        for lb in sheet.labels:
            assert ws[lb.a1].value == lb.text, (sheet.name, lb.a1)
            assert ws[lb.a1].protection.locked
        merged_fields = {f"{f.a1}:{ws.cell(f.row + 1, f.right + 1).coordinate}"
                         for f in sheet.fields if f.right != f.col}
        assert merges == expected | merged_fields, sheet.name


TYPE_RULES = {"count": ("whole", "greaterThanOrEqual", "0"),
              "signed": ("whole", None, "-999999999"),
              "money": ("decimal", "greaterThanOrEqual", "0")}


def test_every_input_unlocked_shaded_and_validated_by_type(written):
    report, o, _ = written
    for f in report.form.inputs:
        ws = o.wb[f.sheet]
        cell = ws[f.a1]
        assert cell.protection.locked is False, f.key
        assert cell.fill.fgColor.rgb in ("FFFFF2CC",), f.key
        rules = validations_at(ws, f.a1)
        assert len(rules) == 1, f.key
        dv = rules[0]
        assert dv.prompt and dv.promptTitle == f.labels[-1][:32], f.key
        if f.type in TYPE_RULES:
            assert (dv.type, dv.operator, dv.formula1) == TYPE_RULES[f.type], f.key
            assert dv.error and dv.errorStyle in (None, "stop") and dv.showErrorMessage
        elif f.type in ("phone", "date"):   # the type table's formula, for this very cell
            assert dv.type == "custom" and "=" + dv.formula1 == value_rule(f.type).formula(f.a1)
            assert dv.error and dv.showErrorMessage
        elif f.choices:   # 单位层级: the closed list, exactly
            assert dv.type == "list" and dv.formula1 == '"' + ",".join(f.choices) + '"', f.key
        else:
            assert dv.type is None, f.key


def test_signed_and_money_prompts_are_chinese_and_name_the_unit():
    form = get_form("2021")
    from xlsx_reports.xlsx.writer.validation import validation_options
    fee = validation_options(form.field("t2.fees.amount"))
    assert "单位：万元" in fee["input_message"] and "单位：万元" in fee["error_message"]
    change = validation_options(get_form("2019").field("t2.licensing.change"))
    assert change["minimum"] < 0 and "负数" in change["input_message"]


def test_cells_outside_the_inputs_are_locked(written):
    report, o, _ = written
    inputs = {(f.sheet, f.a1) for f in report.form.inputs}
    for sheet in report.form.sheets:
        for row in o.wb[sheet.name].iter_rows():
            for cell in row:
                if (sheet.name, cell.coordinate) not in inputs and cell.value is not None:
                    assert cell.protection.locked, (sheet.name, cell.coordinate)


def test_totals_are_locked_formulas_with_the_recomputed_value_cached(written):
    report, o, _ = written
    assert report.form.totals
    for f in report.form.totals:
        cell = o.wb[f.sheet][f.a1]
        assert isinstance(cell.value, str) and cell.value.startswith("=SUM("), f.key
        assert cell.protection.locked
        assert o.cached[f.sheet][f.a1].value == report.value(f.key) != 0, f.key


@pytest.mark.parametrize("fmt, key, formula", [
    ("2021", "t3.new.total", "=SUM(D5:I5)"),
    ("2021", "t3.total.natural", "=SUM(D7:D27)"),
    ("2021", "t3.total.total", "=SUM(D28:I28)"),
    ("2019", "t3.total.legal", "=SUM(H7:H25)"),
    ("2019", "t4.review.total", "=SUM(A5:D5)"),
    ("2021", "t4.direct.total", "=SUM(F5:I5)"),
    ("2021", "t4.after_review.total", "=SUM(K5:N5)"),
])
def test_total_formulas_sum_contiguous_ranges(tmp_path, fmt, key, formula):
    report = filled_report(fmt)
    o, _ = write_and_open(tmp_path, report)
    f = report.form.field(key)
    assert o.wb[f.sheet][f.a1].value == formula


def test_input_values_written_with_their_types(written):
    report, o, _ = written
    for f in report.form.inputs:
        got = o.cached[f.sheet][f.a1].value
        want = report.values.get(f.key)
        if f.type == "money":
            assert Decimal(str(got)) == want, f.key
        elif f.type == "date":   # a text cell: the date as typed, never a machine-year date
            assert got == want and o.wb[f.sheet][f.a1].number_format == "@"
        else:
            assert got == want, f.key


def test_fixed_info_prefilled_and_locked(written):
    report, o, _ = written
    ws = o.wb["基本信息"]
    fixed = [f for f in report.form.fields if f.kind == "fixed"]
    assert [ws[f.a1].value for f in fixed] == [report.unit, report.year,
                                              f"{report.year}年1月1日至{report.year}年12月31日"]
    assert all(ws[f.a1].protection.locked for f in fixed)


def test_text_in_a_numeric_input_is_written_as_text_and_ignored_by_totals(tmp_path):
    report = filled_report("2021")
    report.values["t3.new.natural"] = "12件"
    o, _ = write_and_open(tmp_path, report)
    ws = o.wb["三、依申请公开"]
    assert ws["D5"].value == "12件" and ws["D5"].data_type == "s"
    assert o.cached["三、依申请公开"]["J5"].value == report.value("t3.new.total")
    assert report.value("t3.new.total") == sum(report.number(f"t3.new.{c}") for c in
                                               ("business", "research", "nonprofit", "legal", "other_org"))


def test_blank_template_has_blank_inputs_and_zero_totals(tmp_path):
    report = Report.blank("测试镇", 2024)
    o, _ = write_and_open(tmp_path, report)
    for f in report.form.inputs:
        assert o.wb[f.sheet][f.a1].value is None, f.key
    for f in report.form.totals:
        assert o.cached[f.sheet][f.a1].value == 0


def test_metadata_sheet_and_workbook_properties(written):
    report, o, metadata = written
    assert Metadata.from_rows(meta_rows(o.wb)) == metadata
    assert (metadata.format, metadata.unit, metadata.year, metadata.kind) == (
        report.form.format, report.unit, report.year, "unit")
    assert metadata.fingerprint == report.form.fingerprint and len(metadata.workbook_id) == 32
    props = {p.name: p.value for p in o.wb.custom_doc_props.props}
    assert props["xlsx-reports.fingerprint"] == report.form.fingerprint
    assert props["xlsx-reports.workbook_id"] == metadata.workbook_id
    assert report.unit in o.wb.properties.title


def test_given_metadata_is_written_unchanged(tmp_path):
    report = filled_report("2019")
    given = Metadata(format="2019", unit="测试镇", year=2020, fingerprint=report.form.fingerprint,
                     workbook_id="fixed-id", generated="2021-01-01T00:00:00+00:00",
                     version="9.9", kind="merged", units=["甲镇", "乙镇"])
    o, back = write_and_open(tmp_path, report, metadata=given)
    assert back is given and Metadata.from_rows(meta_rows(o.wb)) == given


def test_print_setup_and_frozen_panes(written):
    report, o, _ = written
    for sheet in report.form.sheets:
        ws = o.wb[sheet.name]
        assert ws.page_setup.paperSize == 9, sheet.name
        assert ws.page_setup.orientation == ("landscape" if sheet.landscape else "portrait")
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0
        if sheet.freeze:
            assert ws.freeze_panes == ws.cell(sheet.freeze[0] + 1, sheet.freeze[1] + 1).coordinate
        if sheet.header_rows:
            assert ws.print_title_rows == f"${sheet.header_rows[0] + 1}:${sheet.header_rows[1] + 1}"
        for i, width in enumerate(sheet.widths):
            assert abs(column_width(ws, i + 1) - width) < 1, (sheet.name, i)
    t3 = o.wb["三、依申请公开"]
    assert t3.freeze_panes == "D5" and t3.print_title_rows == "$1:$4"


def column_width(ws, col: int) -> float:
    """openpyxl files equal adjacent widths under the first column's letter (min..max)."""
    dims = [d for d in ws.column_dimensions.values() if d.min <= col <= d.max]
    return dims[0].width


def test_one_cjk_font_throughout(written):
    report, o, _ = written
    for ws in o.wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    assert cell.font.name == "宋体", (ws.title, cell.coordinate)


def test_password_protects_every_sheet(tmp_path):
    o, _ = write_and_open(tmp_path, filled_report("2021"), password="secret")
    for ws in o.wb.worksheets:
        assert ws.protection.sheet and ws.protection.password, ws.title


def test_annotation_marks_the_cell_red_with_a_comment(tmp_path):
    report = filled_report("2021")
    notes = {("三、依申请公开", "D5"): "此处应为 3", ("三、依申请公开", "J5"): "合计被改写"}
    o, _ = write_and_open(tmp_path, report, annotations=notes)
    ws = o.wb["三、依申请公开"]
    for cell, text in (("D5", "此处应为 3"), ("J5", "合计被改写")):
        assert ws[cell].fill.fgColor.rgb == "FFFFC7CE" and ws[cell].comment.text == text
    assert ws["E5"].comment is None and ws["E5"].fill.fgColor.rgb == "FFFFF2CC"
    assert ws["J5"].value == "=SUM(D5:I5)"


def test_annotation_on_a_label_or_an_empty_cell(tmp_path):
    report = filled_report("2021")
    notes = {("三、依申请公开", "A5"): "此行标签被改动", ("三、依申请公开", "L40"): "此处多了一行",
             ("不存在的表", "A1"): "忽略"}
    o, _ = write_and_open(tmp_path, report, annotations=notes)
    ws = o.wb["三、依申请公开"]
    assert ws["A5"].value == "一、本年新收政府信息公开申请数量"
    assert ws["A5"].fill.fgColor.rgb == "FFFFC7CE" and ws["A5"].comment.text == "此行标签被改动"
    assert ws["L40"].fill.fgColor.rgb == "FFFFC7CE" and ws["L40"].comment.text == "此处多了一行"
    assert ws["L40"].protection.locked and "不存在的表" not in o.wb.sheetnames


def test_extra_callback_adds_sheets_after_meta(tmp_path):
    def extra(workbook):
        workbook.add_worksheet("分单位明细").write_string(0, 0, "明细")
    o, _ = write_and_open(tmp_path, filled_report("2021"), extra=extra)
    assert o.wb.sheetnames[-2:] == [META_SHEET, "分单位明细"]
    assert o.wb["分单位明细"]["A1"].value == "明细"


def test_writing_is_atomic_and_leaves_no_partial_file(tmp_path):
    def boom(workbook):
        raise RuntimeError("interrupted")
    target = tmp_path / "out.xlsx"
    with pytest.raises(RuntimeError):
        from xlsx_reports.xlsx.writer import write_workbook
        write_workbook(filled_report("2021"), target, extra=boom)
    assert list(tmp_path.iterdir()) == []


def test_locked_cells_cannot_be_selected_on_any_sheet_a_township_sees(written):
    """OOXML selectLockedCells="1" forbids selecting locked cells: no keystroke reaches them."""
    report, o, _ = written
    for name in [s.name for s in report.form.sheets] + [GUIDE_SHEET, CHECK_SHEET]:
        protection = o.wb[name].protection
        assert protection.sheet and protection.selectLockedCells, name
        assert not protection.selectUnlockedCells, name
    links = [c for row in o.wb[CHECK_SHEET].iter_rows() for c in row if c.hyperlink]
    assert links and all(c.protection.locked is False for c in links)   # still clickable


def test_an_ampersand_in_the_unit_name_prints_as_itself_in_the_page_header(tmp_path):
    """Excel reads "&" in a header as a code (&G a picture, &B bold): the name's own prints as
    the full-width "＆", and xlsxwriter no longer drops the header over a picture it never had."""
    import warnings
    import zipfile
    from xlsx_reports.generate.batch import new_workbook
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        new_workbook("A&G镇", 2021, tmp_path / "x.xlsx")
    with zipfile.ZipFile(tmp_path / "x.xlsx") as zf:
        sheet = zf.read("xl/worksheets/sheet2.xml").decode()
    assert "<oddHeader>&amp;L&amp;8A＆G镇 2021 年度&amp;R&amp;8基本信息</oddHeader>" in sheet


def test_text_width_counts_each_wide_character_as_unicodedata_does():
    """Row heights follow the width of the text: the blocks counted at once hold only
    characters unicodedata calls wide, and any text measures as character by character."""
    import random
    import unicodedata
    from xlsx_reports.xlsx.writer import sheets
    assert not [hex(c) for c in range(0x10000)
                if sheets._WIDE.fullmatch(chr(c)) and unicodedata.east_asian_width(chr(c)) not in "WF"]
    rnd = random.Random(3)
    pool = ([chr(c) for c in range(0x20, 0x3100, 5)] + list("政府信息公开，。（）“”：；、—…《》１２ａ\n\t")
            + [chr(rnd.randint(0x10000, 0x2FFFF)) for _ in range(40)])
    for _ in range(3000):
        text = "".join(rnd.choice(pool) for _ in range(rnd.randint(0, 200)))
        by_character = sum(2.15 if unicodedata.east_asian_width(ch) in "WF" else 1.05 for ch in text)
        assert sheets.text_units(text) == pytest.approx(by_character, abs=1e-9), text
    assert sheets.text_units("2021年，“依申请公开”……") == (215 * 7 + 105 * 8) / 100   # 年，依申请公开 wide


def test_a_style_asked_again_is_the_format_it_was_built_as(tmp_path):
    """Styles remembers label() and cell() by their arguments: each combination gives the
    format built from its own properties (what xlsxwriter writes: its xf key), the same
    object when asked again, and different combinations stay as different as they were."""
    import itertools
    import xlsxwriter
    from xlsx_reports.xlsx.writer.styles import ROLE, Styles
    book = xlsxwriter.Workbook(str(tmp_path / "s.xlsx"))
    styles = Styles(book)
    asked = [("label", (role,), {"bordered": b, "flagged": f})
             for role, b, f in itertools.product([*ROLE, "other"], (True, False), (True, False))]
    asked += [("cell", (kind, vt), {"prefilled": p, "flagged": f, "bordered": b})
              for kind, vt, p, f, b in itertools.product(("input", "fixed", "total", "summed"),
                                                         ("count", "money", "text", "longtext"),
                                                         (True, False), (True, False), (True, False))]
    keys = []
    for how, args, flags in asked:
        first = getattr(styles, how)(*args, **flags)
        assert getattr(styles, how)(*args, **flags) is first
        afresh = getattr(Styles(book), how)(*args, **flags)
        assert afresh is not first and afresh._get_format_key() == first._get_format_key()
        keys.append(first._get_format_key())
    assert len(set(keys)) == len({id(getattr(styles, how)(*args, **flags)) for how, args, flags in asked})
    book.close()
