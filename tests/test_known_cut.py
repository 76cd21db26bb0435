"""A sheet cut up once is cut again by comparison (sheetcut._known_cut) only where every byte
around its cells is the remembered sheet's, but for a plain selection and a plain header; the
result is then exactly what cutting it up in full gives, and anything else is cut in full."""
from __future__ import annotations

import re

import pytest

from fixtures_check.workbooks import balanced, generate
from hostile_corpus import T3_SHEET, parts, sheet_part
from xlsx_reports.core.memo import MAX_BYTES, ByIdentity
from xlsx_reports.xlsx import limits, mentions, sheetcut
from xlsx_reports.xlsx.meta import CHECK_SHEET
from xlsx_reports.xlsx.fastsheet import Irregular

SELECTED = b'<sheetView workbookViewId="0"><selection activeCell="B7" sqref="B7"/></sheetView>'


@pytest.fixture(scope="module")
def sheets(tmp_path_factory) -> dict[str, dict[str, bytes]]:
    """Each unit's 三、依申请公开 and 基本信息 parts: the same template, the unit's own header."""
    folder = tmp_path_factory.mktemp("cut")
    out = {}
    for unit in ("东岭乡", "南岭乡"):
        files = parts(generate(balanced(2021, unit), folder / f"{unit}.xlsx"))
        out[unit] = {sheet: files[sheet_part(files, sheet)] for sheet in (T3_SHEET, "基本信息", CHECK_SHEET)}
    return out


@pytest.fixture
def spy(monkeypatch) -> list[bytes]:
    """The parts cut up in full (by _split) while the test runs, from an empty memory."""
    monkeypatch.setattr(sheetcut, "_CUTS", [()])
    monkeypatch.setattr(sheetcut, "_ASKED", ByIdentity(keep=sheetcut.ASKED_KEPT))
    cut: list[bytes] = []
    original = sheetcut._split
    monkeypatch.setattr(sheetcut, "_split", lambda data: cut.append(data) or original(data))
    return cut


def in_full(data: bytes) -> sheetcut.Shape:
    kept, asked = sheetcut._CUTS[0], dict(sheetcut._ASKED.table)
    sheetcut._CUTS[0] = ()
    sheetcut._ASKED.table.clear()
    try:
        return sheetcut.shape(data)
    finally:
        sheetcut._CUTS[0] = kept
        sheetcut._ASKED.table.clear()
        sheetcut._ASKED.table.update(asked)


def outcome(cut, data: bytes):
    try:
        return cut(data)
    except Exception as exc:  # noqa: BLE001 - the same refusal either way
        return type(exc)


def test_another_units_sheet_is_cut_by_comparison_and_as_in_full(sheets, spy):
    east, south = sheets["东岭乡"][T3_SHEET], sheets["南岭乡"][T3_SHEET]
    assert "东岭乡".encode() in east[east.find(b"</sheetData>"):]   # the header names the unit
    sheetcut.shape(east)
    assert spy == [east]
    assert sheetcut.shape(south) == in_full(south)
    assert spy == [east, south]   # the second only for in_full: shape compared, cut nothing


def test_a_selection_saved_by_the_clerk_still_compares(sheets, spy):
    east = sheets["东岭乡"]["基本信息"]
    selected = east.replace(b'<sheetView workbookViewId="0"/>', SELECTED)
    assert selected != east
    sheetcut.shape(east)
    assert sheetcut.shape(selected) == in_full(selected)
    assert spy == [east, selected]


def test_the_remembered_selection_and_header_compare_as_bytes_and_others_by_their_pattern(sheets, spy, monkeypatch):
    """An element that _ignored cuts, when it is the very bytes of the remembered one (a
    selection nobody moved), compares without its pattern; another is matched by the pattern."""
    east = sheets["东岭乡"]["基本信息"]
    same = bytes(bytearray(east))   # equal bytes, another object: not answered by identity
    selected = east.replace(b'<sheetView workbookViewId="0"/>', SELECTED)
    sheetcut.shape(east)
    monkeypatch.setattr(sheetcut, "_VIEWS", (sheetcut._VIEWS[0], re.compile(rb"(?!)")))   # matches nothing
    monkeypatch.setattr(sheetcut, "_HEADER", (sheetcut._HEADER[0], re.compile(rb"(?!)")))
    assert sheetcut.around(same) is not None
    assert sheetcut.shape(same) == in_full(same)
    assert sheetcut.around(selected) is None   # another selection: only its pattern would match it
    assert spy == [east, same]   # the second only for in_full


@pytest.mark.parametrize("change, why", [
    (lambda d: d.replace(b'<pageMargins left="0.5"', b'<pageMargins left="0.6"'), "a byte beside the cells"),
    (lambda d: d.replace(b"<oddHeader>", b"<oddHeader>A & B"), "a header only expat may judge"),
    (lambda d: d.replace(b"<headerFooter>", b"<!-- x --><headerFooter>"), "a comment before the header"),
    (lambda d: d.replace(b"</sheetViews>", b"</sheetViews><sheetViews/>"), "another element after the views"),
])
def test_anything_else_around_the_cells_is_cut_in_full(sheets, spy, change, why):
    east = sheets["东岭乡"]["基本信息"]
    other = change(east)
    assert other != east, why
    sheetcut.shape(east)
    assert outcome(sheetcut.shape, other) == outcome(in_full, other)
    assert spy.count(other) == 2, why   # cut in full by shape too, not compared


def test_what_the_cells_must_not_hold_is_refused_as_when_cut_in_full(sheets, spy):
    east = sheets["东岭乡"]["基本信息"]
    cells_at = east.find(b"<sheetData>") + 11
    foreign = east[:cells_at] + b'<row r="99" xmlns:x="urn:x"/>' + east[cells_at:]
    sheetcut.shape(east)
    for cut in (in_full, sheetcut.shape):
        with pytest.raises(Irregular):
            cut(foreign)


def test_a_sheet_cut_with_its_header_kept_compares_only_with_the_same_header(sheets, spy):
    east, south = (sheets[u]["基本信息"].replace(b"<headerFooter>", b"<!-- x --><headerFooter>")
                   for u in ("东岭乡", "南岭乡"))
    sheetcut.shape(east)
    assert sheetcut.shape(east) == in_full(east)
    assert sheetcut.shape(south) == in_full(south)
    assert spy.count(east) == 2 and spy.count(south) == 2   # east compared once; south never


def test_what_is_remembered_stays_bounded(sheets, spy):
    east = sheets["东岭乡"]["基本信息"]
    for i in range(sheetcut.CUTS_KEPT + 10):
        sheetcut.shape(re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:B%d"/>' % (i + 10), east))
    assert len(sheetcut._CUTS[0]) == sheetcut.CUTS_KEPT
    padded = east.replace(b"</worksheet>", b"<extLst>" + b" " * MAX_BYTES + b"</extLst></worksheet>")
    kept = sheetcut._CUTS[0]
    assert sheetcut.shape(padded) == in_full(padded)
    assert sheetcut._CUTS[0] is kept   # larger than a template's part: cut, not kept


def test_the_limits_scan_searches_only_the_cells_of_a_sheet_cut_before_and_finds_the_same(sheets, spy):
    """mentions.links: a sheet compared with one cut before is searched for hyperlinks in its cells
    only, what lies around them being known; the answer is the full search's."""
    east, checks = sheets["东岭乡"]["基本信息"], sheets["南岭乡"][CHECK_SHEET]
    at = east.find(b"</sheetData>")
    mentioned = east[:at] + b'<row r="90"><c r="A90" t="inlineStr"><is><t>hyperlink</t></is></c></row>' + east[at:]
    sheetcut.shape(east)
    sheetcut.shape(sheets["东岭乡"][CHECK_SHEET])
    for part, expected in ((east, False), (mentioned, True), (checks, True)):
        assert sheetcut.around(part) is not None
        assert mentions.links(part) is expected
        sheetcut._CUTS[0], cuts = (), sheetcut._CUTS[0]
        sheetcut._ASKED.table.clear()
        assert sheetcut.around(part) is None and mentions.links(part) is expected   # searched in full
        sheetcut._CUTS[0] = cuts
