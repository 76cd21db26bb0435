"""What the reader remembers from one workbook to the next (parts packed in the same bytes, a
sheet's validations) serves only the same bytes, stays bounded, and never hides from the limits
scan or the reader anything a changed byte adds."""
from __future__ import annotations

import random
import shutil
import zipfile
import zlib
from pathlib import Path

import pytest

from fixtures_check.workbooks import balanced, generate
from hostile_corpus import T3_SHEET, _patch_entry, edit_sheet, parts, sheet_part, write_zip
from xlsx_reports.core.memo import ByIdentity
from xlsx_reports.xlsx import fastcells, fastread, known, limits, reader, safexml, sheetcut
from xlsx_reports.core.findings import CannotContinue
from xlsx_reports.xlsx.filetypes import DAMAGED, vet
from xlsx_reports.xlsx.reader import read_workbook

FACTS = ("name", "state", "protected", "password", "values", "cached", "locked", "formats",
         "merged", "validations")


@pytest.fixture(scope="module")
def valid(tmp_path_factory) -> Path:
    return generate(balanced(2021, "西岭乡"), tmp_path_factory.mktemp("remembered") / "valid.xlsx")


def facts(raws) -> list[dict]:
    return [{k: getattr(r, k) for k in FACTS} for r in raws]


def test_a_part_packed_as_before_is_served_as_the_same_bytes(valid, tmp_path, monkeypatch):
    monkeypatch.setattr(safexml, "_SEEN", set())
    copy = shutil.copyfile(valid, tmp_path / "copy.xlsx")
    first, second, third = vet(valid), vet(copy), vet(copy)
    assert first.reason is None and second.reason is None and third.reason is None
    for name in ("xl/styles.xml", "xl/workbook.xml", "xl/sharedStrings.xml"):
        assert second.parts[name] == first.parts[name]   # met twice: kept from the second on
        assert third.parts[name] is second.parts[name]   # inflated and CRC-checked once more
    assert facts(reader._load(copy, third)[0]) == facts(fastread.read_sheets(valid, reader.OUTLINED))


def test_a_part_met_once_is_not_kept(valid, tmp_path, monkeypatch):
    """A unit's own sheets differ from every other unit's: kept, they filled the bound and made
    the template's parts be forgotten every ~20 workbooks."""
    for name, empty in (("_INFLATED", {}), ("_INFLATED_HELD", [0]), ("_SEEN", set())):
        monkeypatch.setattr(safexml, name, empty)
    others = []
    for i, unit in enumerate(("东岭乡", "南岭乡", "北岭乡")):
        report = balanced(2021, unit)
        report.values["t3.new.natural"] += i   # and so on down the table: each its own sheet
        report.values["t3.public.natural"] += i
        others.append(generate(report, tmp_path / f"{unit}.xlsx"))
    for path in others:
        assert vet(path).reason is None
    with zipfile.ZipFile(others[0]) as zf:
        t3 = zf.getinfo(sheet_part(parts(others[0]), T3_SHEET))
        styles = zf.getinfo("xl/styles.xml")
    kept = {key[0] for key in safexml._INFLATED}
    assert styles.CRC in kept   # the same in every workbook of the template
    assert t3.CRC not in kept and len(safexml._SEEN) >= 3   # each unit's own: noted, not kept


def test_the_same_packed_bytes_under_another_declared_crc_are_refused_as_damaged(valid, tmp_path):
    vet(valid)   # the styles remembered
    with zipfile.ZipFile(valid) as zf:
        crc = zf.getinfo("xl/styles.xml").CRC
    damaged = shutil.copyfile(valid, tmp_path / "damaged.xlsx")
    _patch_entry(damaged, "xl/styles.xml", crc=crc ^ 1)   # the packed bytes unchanged
    assert vet(damaged).reason == DAMAGED


def test_remembered_parts_stay_within_their_bound_and_are_right_after_forgetting(valid, tmp_path, monkeypatch):
    monkeypatch.setattr(safexml, "INFLATED_KEPT", 40_000)
    monkeypatch.setattr(safexml, "_INFLATED", {})
    monkeypatch.setattr(safexml, "_INFLATED_HELD", [0])
    monkeypatch.setattr(safexml, "_SEEN", set())
    others = [generate(balanced(2021, unit), tmp_path / f"{unit}.xlsx") for unit in ("东岭乡", "南岭乡")]
    for path in [valid, *others] * 2:
        with zipfile.ZipFile(path) as zf:
            expected = {i.filename: zf.read(i) for i in zf.infolist()}
        got = vet(path)
        assert {name: got.parts[name] for name in got.parts} == {n: expected[n] for n in got.parts}
        held = sum(len(packed) + len(out) for packed, out in safexml._INFLATED.values())
        assert held == safexml._INFLATED_HELD[0] <= 40_000
    assert safexml._INFLATED   # something small enough was kept


def test_a_part_declared_as_a_remembered_one_but_packed_otherwise_is_inflated_afresh(valid, monkeypatch):
    """Remembered parts are found by what the directory declares (CRC, sizes, method) and then
    their packed bytes compared: another part declared alike is inflated from its own bytes, and
    kept instead of all that was remembered, the bytes held counted once."""
    data = valid.read_bytes()
    with zipfile.ZipFile(valid) as zf:
        info = zf.getinfo("xl/styles.xml")
        expected = zf.read(info)
    monkeypatch.setattr(safexml, "_INFLATED", {})
    monkeypatch.setattr(safexml, "_INFLATED_HELD", [0])
    key = (info.CRC, info.file_size, info.compress_size, info.compress_type)
    planted = (b"\x00" * info.compress_size, b"not the styles")
    safexml._keep_inflated(key, *planted)
    got = safexml.inflated_whole(None, info, 1 << 20, ValueError, data)
    assert got == expected
    packed, out = safexml._INFLATED[key]
    assert out == expected and packed != planted[0]
    assert safexml._INFLATED_HELD[0] == len(packed) + len(out)


def _t3_xml(path: Path) -> str:
    files = parts(path)
    return files[sheet_part(files, T3_SHEET)].decode()


def test_a_sheet_whose_validations_are_known_reads_as_openpyxl_reads_it(valid, tmp_path):
    fastread.read_sheets(valid)   # its validations remembered
    xml = _t3_xml(valid)
    start = xml.index("<dataValidations")
    assert known.at(xml.encode(), len(xml[:start].encode())) is not None
    prompt = xml.index('prompt="', start) + len('prompt="')
    edited = tmp_path / "edited_prompt.xlsx"   # the same start, a prompt changed: searched afresh
    edit_sheet(valid, edited, T3_SHEET, lambda x: x[:prompt] + "改" + x[prompt:])
    loosened = tmp_path / "loosened.xlsx"      # the last rule allows negative numbers: a fact
    edit_sheet(valid, loosened, T3_SHEET, lambda x: x.replace(
        "<formula1>0</formula1></dataValidation></dataValidations>",
        "<formula1>-9</formula1></dataValidation></dataValidations>"))
    commented = tmp_path / "commented.xlsx"    # a comment before it: expat reads the rest in place
    edit_sheet(valid, commented, T3_SHEET, lambda x: x.replace("<dataValidations", "<!-- 注 --><dataValidations", 1))
    for path in (valid, edited, loosened, commented):
        fastcells.STATS["irregular"] = 0
        fast = facts(fastread.read_sheets(path))
        assert fast == facts(reader._load_openpyxl(path)), path.name
        assert fastcells.STATS["irregular"] == 0, path.name   # each sheet read by the shortcut
    t3 = next(f for f in facts(fastread.read_sheets(edited)) if f["name"] == T3_SHEET)
    assert t3["validations"] == next(f for f in facts(fastread.read_sheets(valid))
                                     if f["name"] == T3_SHEET)["validations"]   # prompts are not facts


@pytest.mark.parametrize("where", ["before", "after"])
def test_a_hyperlink_beside_known_validations_is_counted_by_the_limits_scan(valid, tmp_path, where,
                                                                            monkeypatch):
    monkeypatch.setattr(sheetcut, "_CUTS", [()])   # cut in full: not compared with a sheet cut before
    monkeypatch.setattr(sheetcut, "_ASKED", ByIdentity(keep=sheetcut.ASKED_KEPT))
    fastread.read_sheets(valid)   # its validations remembered
    link = '<hyperlinks><hyperlink ref="A1:XFD1048576" location="A1"/></hyperlinks>'
    hostile = tmp_path / f"link_{where}.xlsx"
    edit_sheet(valid, hostile, T3_SHEET, lambda x: x.replace(
        "</sheetData>", "</sheetData>" + link, 1) if where == "before" else x.replace(
        "</dataValidations>", "</dataValidations>" + link, 1))
    xml = _t3_xml(hostile).encode()
    assert known.at(xml, xml.index(b"<dataValidations")) is not None   # the element is the known one
    reason = vet(hostile).reason
    assert reason is not None and "超链接" in reason and "上限" in reason


def test_known_elements_stay_bounded_and_a_large_one_is_not_kept(monkeypatch):
    monkeypatch.setattr(known, "_KNOWN", [()])
    elements = [b'<dataValidations count="1"><dataValidation sqref="A%d"/></dataValidations>' % i
                for i in range(known.KEPT + 5)]
    for element in elements:
        known.remember(element)
        known.remember(element)   # once only
    assert len(known._KNOWN[0]) == known.KEPT
    assert known.at(b"xx" + elements[-1] + b"yy", 2) is elements[-1]
    assert known.at(elements[0], 0) is None   # the oldest forgotten
    large = b"<dataValidations>" + b" " * (1 << 20) + b"</dataValidations>"
    known.remember(large)
    assert known.at(large, 0) is None
    linked = b'<dataValidations><dataValidation prompt="hyperlink"/></dataValidations>'
    known.remember(linked)
    assert known.mentions_link(known.at(linked, 0)) and not known.mentions_link(elements[-1])
    for i in range(20):   # 200 KB each: no more than KEPT_BYTES held
        known.remember(b"<dataValidations>%d" % i + b" " * 200_000 + b"</dataValidations>")
    assert sum(len(e) for e, _ in known._KNOWN[0]) <= known.KEPT_BYTES and len(known._KNOWN[0]) == 5


def test_parts_are_inflated_by_zlib_ng_as_the_standard_library_inflates_them(valid):
    assert safexml.zlib.__name__ == "zlib_ng.zlib_ng"   # a declared dependency, with a wheel everywhere
    with zipfile.ZipFile(valid) as zf:
        for info in zf.infolist():
            data = zf.read(info)
            packed = zlib.compressobj(6, zlib.DEFLATED, -15)
            packed_bytes = packed.compress(data) + packed.flush()
            assert safexml.zlib.decompressobj(-15).decompress(packed_bytes) == data
            assert safexml.zlib.crc32(data) == zlib.crc32(data) == info.CRC


def test_what_is_derived_from_a_part_is_kept_only_for_the_very_bytes_met_again(valid, tmp_path, monkeypatch):
    for name, empty in (("_INFLATED", {}), ("_INFLATED_HELD", [0]), ("_REMEMBERED", {}), ("_DERIVED", {}),
                        ("_SEEN", set())):
        monkeypatch.setattr(safexml, name, empty)
    calls: list[bytes] = []

    def work(data: bytes) -> int:
        calls.append(data)
        return len(data)
    copy = shutil.copyfile(valid, tmp_path / "copy.xlsx")
    vet(valid)   # the part's declaration noted: kept from its second sighting on
    first = vet(valid).parts["xl/styles.xml"]
    assert safexml.derived(first, "n", work) == len(first)   # met once: not kept
    second = vet(copy).parts["xl/styles.xml"]
    assert second is first
    for _ in range(3):
        assert safexml.derived(second, "n", work) == len(first)
    assert len(calls) == 2                                      # once when met again, then kept
    equal = bytes(bytearray(first))                             # equal bytes, another object
    assert safexml.derived(equal, "n", work) == len(first) and len(calls) == 3

    def fails(data: bytes) -> int:
        calls.append(data)
        raise ValueError
    for _ in range(2):
        with pytest.raises(ValueError):
            safexml.derived(second, "fails", fails)
    assert len(calls) == 5                                      # what it raises is not kept


def test_a_sheet_cut_up_once_still_reads_each_workbooks_own_strings(tmp_path):
    """The guide sheet is the same bytes in every workbook of a template, but the title it
    shows is a shared string holding the unit's name: each reading has its own."""
    units = ("东岭乡", "南岭乡", "北岭乡")
    paths = [generate(balanced(2021, unit), tmp_path / f"{unit}.xlsx") for unit in units]
    with zipfile.ZipFile(paths[0]) as a, zipfile.ZipFile(paths[1]) as b:
        guide = sheet_part(parts(paths[0]), "填报说明")
        assert a.read(guide) == b.read(guide)
    cut = []
    original = sheetcut.shape
    monkey = pytest.MonkeyPatch()
    monkey.setattr(sheetcut, "shape", lambda data: cut.append(data) or original(data))
    try:
        titles = [reader.read_workbook(p).guide_title for p in paths * 2]
    finally:
        monkey.undo()
    assert [t.split("2021")[0] for t in titles] == list(units) * 2
    assert len(cut) < 10 * len(titles)   # the guide (and the metadata sheet) cut up once


# --- parts only openpyxl reads ---------------------------------------------------------------

def _with_part(valid: Path, target: Path, name: str, data: bytes, level: int = 6) -> Path:
    files = parts(valid)
    files[name] = data
    write_zip(target, files, level=level)
    return target


def _by_openpyxl(monkeypatch) -> None:
    """The fast path passes every file on, as it does a file it does not understand."""
    monkeypatch.delenv(reader.STRICT_ENV, raising=False)
    monkeypatch.setattr(reader, "_read_fast", lambda vetted: (None, "测试：交给 openpyxl"))


def test_parts_only_openpyxl_reads_are_not_inflated_and_the_reading_is_the_same(valid):
    vetted = vet(valid)
    left = {"[Content_Types].xml", "docProps/app.xml", "docProps/core.xml", "xl/theme/theme1.xml"}
    assert left <= vetted.names and not left & set(vetted.parts)
    assert "xl/_rels/workbook.xml.rels" in vetted.parts and "_rels/.rels" in vetted.parts
    assert facts(reader._load(valid, vetted)[0]) == facts(fastread.read_sheets(valid, reader.OUTLINED))


def test_a_bomb_among_the_parts_only_openpyxl_reads_is_still_refused(valid, tmp_path):
    """A part that could inflate past a limit is inflated and counted, wherever it is."""
    bomb = _with_part(valid, tmp_path / "bomb.xlsx", "docProps/thumbnail.jpeg", bytes(100 << 20), level=9)
    assert vet(bomb).reason == f"部件 docProps/thumbnail.jpeg解压后超过 50 MB 的上限；{limits.TOO_BIG}"
    # a real picture packs to about its size: the most it could inflate to (300 MB) passes the
    # limit, so it is inflated and counted as what it is, and the workbook is read
    picture = _with_part(valid, tmp_path / "picture.xlsx", "xl/media/image1.png", random.randbytes(300_000))
    assert vet(picture).reason is None and read_workbook(picture).report.unit == "西岭乡"


def test_unsafe_xml_in_a_part_only_openpyxl_reads_is_refused_before_openpyxl_reads_it(valid, tmp_path, monkeypatch):
    """openpyxl parses the package's properties with entities and all: the whole package is
    scanned before it does."""
    core = parts(valid)["docProps/core.xml"].replace(b"<cp:coreProperties", b'<!DOCTYPE x [<!ENTITY e "x">]>'
                                                                          b"<cp:coreProperties", 1)
    path = _with_part(valid, tmp_path / "entity_in_properties.xlsx", "docProps/core.xml", core)
    assert read_workbook(path).report.unit == "西岭乡"   # the fast path never parses it
    _by_openpyxl(monkeypatch)
    with pytest.raises(CannotContinue, match="不安全"):
        read_workbook(path)


def test_a_damaged_part_only_openpyxl_reads_is_refused_before_openpyxl_reads_it(valid, tmp_path, monkeypatch):
    damaged = shutil.copyfile(valid, tmp_path / "damaged_properties.xlsx")
    with zipfile.ZipFile(valid) as zf:
        crc = zf.getinfo("docProps/app.xml").CRC
    _patch_entry(damaged, "docProps/app.xml", crc=crc ^ 1)
    assert read_workbook(damaged).report.unit == "西岭乡"   # what is read is sound
    _by_openpyxl(monkeypatch)
    with pytest.raises(CannotContinue, match="损坏"):
        read_workbook(damaged)


def _sst(texts: list[str]) -> bytes:
    items = "".join(f"<si><t>{t}</t></si>" for t in texts)
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{fastread.MAIN.strip()}" '
            f'count="{len(texts)}" uniqueCount="{len(texts)}">{items}</sst>').encode()


def test_shared_strings_are_taken_from_the_last_list_only_where_its_bytes_are_the_same(monkeypatch):
    """A list of as many items as the last one is compared with it place by place: an item
    that differs, moved or not, is read from its own bytes, as expat reads the whole list."""
    for name, empty in (("_LAST", {}), ("_ITEMS", {}), ("_ITEMS_HELD", [0])):
        monkeypatch.setattr(fastread, name, empty)
    first = ["单位名称", "东岭乡", "本年新收政府信息公开申请数量", "一、总体情况"]
    for texts in (first, ["单位名称", "南岭乡", "本年新收政府信息公开申请数量", "一、总体情况"],
                  ["一、总体情况", "南岭乡", "单位名称", "本年新收政府信息公开申请数量"],
                  ["单位名称", "南岭乡", "本年新收政府信息公开申请数量", "一、总体情况", "多一项"]):
        data = _sst(texts)
        assert fastread._plain_strings(data) == fastread._strings(data) == texts
    assert set(fastread._LAST) == {4, 5}
    pieces, _texts = fastread._LAST[4]
    fastread._LAST[4] = (pieces, ("甲", "乙", "丙", "丁"))   # what the last list held: served only for its bytes
    again = ["一、总体情况", "西岭乡", "单位名称", "本年新收政府信息公开申请数量"]
    assert fastread._plain_strings(_sst(again)) == ["甲", "西岭乡", "丙", "丁"]
