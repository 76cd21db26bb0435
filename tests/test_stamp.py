"""Blank workbooks stamped from a template (generate/stamp.py): the package xlsxwriter writes for
the same unit, part for part; read back and checked like it; xlsxwriter whenever the stamp
cannot promise that."""
from __future__ import annotations

import csv
import zipfile
from dataclasses import asdict, replace

import pytest

from xlsx_reports.check.workbook import check_file
from xlsx_reports.core.roster import Roster, RosterEntry
from xlsx_reports.form.definitions import TOWNSHIP
from xlsx_reports.form.values import Report
from xlsx_reports.generate.batch import blank_report, blank_workbook, run_batch
from xlsx_reports.generate.stamp import build_template, shape_of, stamp_workbook
from xlsx_reports.xlsx.reader import read_workbook
from xlsx_reports.xlsx.writer import write_workbook
from xlsx_reports.xlsx.writer.metasheet import fresh_metadata

# XML specials, quotes, spaces inside, the longest name allowed (one and four guide lines),
# characters outside the BMP, a name equal to part of a label
NAMES = ["河市镇", "A<B>镇", "Tom's \"镇\" <Co>", "a > b", "罗溪 镇", "乙" * 100, "𠀀" * 100,
         "乡", "政府信息公开"]
ITEMS = {"联系人": "张三 & <李四>", "联系电话": "0595-22039158", "联系部门": "党政办\"综合\"",
         "发布网址": "https://example.gov.cn/?a=1&b=2", "层级": TOWNSHIP}


def members(path) -> list[tuple]:
    """Every member as zipfile reads it (CRCs checked): name, header fields, bytes, in order."""
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
        return [(i.filename, i.date_time, i.compress_type, i.create_system, i.create_version,
                 i.extract_version, i.flag_bits, i.external_attr, i.file_size, z.read(i))
                for i in z.infolist()]


def stamped_and_written(tmp_path, unit, year, info=None, **options):
    """The unit's workbook stamped and written by xlsxwriter with the same id and time, each as
    x.xlsx in its own folder."""
    report, filled, _ = blank_report(unit, year, None, info)
    metadata = fresh_metadata(report)
    stamped, written = tmp_path / "stamped" / "x.xlsx", tmp_path / "written" / "x.xlsx"
    assert stamp_workbook(report, stamped, filled=filled, metadata=metadata, **options) == metadata
    write_workbook(report, written, metadata=metadata, **options)
    return stamped, written, metadata


def findings(path) -> list[dict]:
    """What check reports, but the folder (each workbook is x.xlsx in a folder of its own)."""
    reading, found = check_file(path)
    return [{**asdict(f), "file": path.name} for f in found]


@pytest.mark.parametrize("year", [2020, 2021])
@pytest.mark.parametrize("unit", NAMES)
def test_stamped_package_is_what_xlsxwriter_writes(tmp_path, unit, year):
    stamped, written, metadata = stamped_and_written(tmp_path, unit, year)
    assert members(stamped) == members(written)
    reading = read_workbook(stamped)
    assert reading.metadata == metadata
    assert (reading.report.unit, reading.report.year) == (unit, year)
    assert reading.report.values["info.unit"] == unit


@pytest.mark.parametrize("year", [2020, 2023])
def test_roster_items_password_and_deadline_stamped(tmp_path, year):
    stamped, written, metadata = stamped_and_written(tmp_path, "A<B>镇", year, ITEMS,
                                                     password="p&w\"<", deadline="2024年1月15日 <前>")
    assert members(stamped) == members(written)
    values = read_workbook(stamped).report.values
    assert (values["info.contact"], values["info.level"], values["info.website"]) == (
        "张三 & <李四>", TOWNSHIP, "https://example.gov.cn/?a=1&b=2")
    assert findings(stamped) == findings(written)


def test_stamped_blank_checks_like_written(tmp_path):
    stamped, written, _ = stamped_and_written(tmp_path, "河市镇", 2021, {"层级": TOWNSHIP})
    found = findings(stamped)
    assert found == findings(written)
    assert {f["code"] for f in found} == {"BLANK", "EMPTY", "NARRATIVE"}   # nothing about the package


@pytest.mark.parametrize("unit, info", [
    ("A&B<镇>", None),                 # "&" is "＆" in the page header only
    ("Tom's \"镇\" & <Co>", None),
    ("A&G镇", None),
    ("A&[Picture]镇", None),
    ("甲_x0041_镇", None),              # xlsxwriter escapes the escape
    ("单位名称", None),                 # equals a label: xlsxwriter shares the string
    ("河市镇", {"联系人": "河市镇"}),    # an item equal to the name
    ("河市镇", {"联系人": "张三", "联系部门": "张三"}),
    ("河市镇", {"联系人": "单位名称"}),
    ("河市镇", {"联系人": "张三\n李四"}),
    ("河市镇", {"联系部门": "\ue000"}),
])
@pytest.mark.filterwarnings("ignore:Number of (header|footer) images")
def test_what_the_stamp_does_not_cover_is_written_by_xlsxwriter(tmp_path, unit, info):
    report, filled, _ = blank_report(unit, 2021, None, info)
    target = tmp_path / "x.xlsx"
    assert stamp_workbook(report, target, filled=filled) is None
    assert not target.exists()
    generated = blank_workbook(unit, 2021, target, info=info)
    metadata = generated.metadata
    reference = tmp_path / "ref" / "x.xlsx"
    write_workbook(report, reference, metadata=metadata)
    assert members(target) == members(reference)
    assert read_workbook(target).report.values["info.unit"] == unit


def test_names_past_the_page_header_limit_are_left_to_xlsxwriter(tmp_path):
    """Longer than a roster allows: xlsxwriter drops such a page header, so no stamp is made,
    neither for the unit nor as a template (a placeholder as long would lose its headers)."""
    report = Report.blank("乙" * 201, 2021)
    assert stamp_workbook(report, tmp_path / "x.xlsx", filled={}) is None
    assert build_template(shape_of(Report.blank("乙" * 150, 2021), {}, None, None)) is None
    assert not (tmp_path / "x.xlsx").exists()


def test_only_blank_unit_workbooks_are_stamped(tmp_path):
    """A value beyond the roster's items (e.g. prefilled) or metadata other than a fresh unit's
    (a total, another version) is not in any template."""
    report, filled, _ = blank_report("河市镇", 2021, None, {"联系人": "张三"})
    fresh = fresh_metadata(report)
    report.values["t3.carried.natural"] = 3
    assert stamp_workbook(report, tmp_path / "a.xlsx", filled=filled) is None
    report, filled, _ = blank_report("河市镇", 2021, None, {"联系人": "张三"})
    assert stamp_workbook(report, tmp_path / "b.xlsx", filled={}) is None
    for other in (replace(fresh, kind="merged"), replace(fresh, version="0.0.1")):
        assert stamp_workbook(report, tmp_path / "c.xlsx", filled=filled, metadata=other) is None
    assert not list(tmp_path.iterdir())


def test_batch_of_mixed_shapes_writes_what_xlsxwriter_writes(tmp_path):
    """Levels, filled items and name lengths vary from unit to unit (a template each); every
    file is the unit's xlsxwriter package with its own id, as the manifest lists it."""
    names = NAMES + ["A&G镇", "单位名称"]
    levels = [TOWNSHIP, None, "其他"]
    infos = [{k: v for k, v in {"联系人": f"联系人{i}" if i % 2 else None,
                               "层级": levels[i % 3]}.items() if v} for i in range(len(names))]
    units = [RosterEntry(n, i + 2, info) for i, (n, info) in enumerate(zip(names, infos))]
    result = run_batch(Roster(tmp_path / "r.csv", units), 2021, tmp_path / "out")
    with open(result.manifest, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["单位名称"] for r in rows] == names
    assert len({r["工作簿编号"] for r in rows}) == len(names)
    for row, name, info in zip(rows, names, infos):
        path = tmp_path / "out" / row["文件"]
        metadata = read_workbook(path).metadata
        assert (metadata.unit, metadata.workbook_id) == (name, row["工作簿编号"])
        report, _, _ = blank_report(name, 2021, None, info)
        write_workbook(report, tmp_path / "ref.xlsx", metadata=metadata)
        assert members(path) == members(tmp_path / "ref.xlsx"), name


def test_unusable_last_year_workbook_gives_a_stamped_blank_with_a_note(tmp_path):
    previous = tmp_path / "2020"
    write_workbook(Report.blank("马甲镇", 2020), previous / "河市镇_2020.xlsx")   # another unit's
    units = [RosterEntry("河市镇", 2)]
    result = run_batch(Roster(tmp_path / "r.csv", units), 2021, tmp_path / "out", previous_dir=previous)
    made = result.generated[0]
    assert made.prefill is None
    assert any("河市镇_2020.xlsx 不能用于预填" in note and "马甲镇" in note for note in made.notes)
    report, _, _ = blank_report("河市镇", 2021, None, None)
    write_workbook(report, tmp_path / "ref.xlsx", metadata=made.metadata)
    assert members(made.path) == members(tmp_path / "ref.xlsx")
