"""The shared helpers every stage prints or reads with: A1 addresses, numbers, encodings,
unbreakable pieces of text, and the HTML outline the Word report is laid out from."""
from __future__ import annotations

from decimal import Decimal

import pytest

from xlsx_reports.core.a1 import a1, cell_range, col_index, col_letter, parse
from xlsx_reports.core.encodings import decode
from xlsx_reports.core.numbers import cell_text, decimals, excel_number, number_text, plain_number
from xlsx_reports.report.nobreak import split_nobreak
from xlsx_reports.report.outline import read_outline


@pytest.mark.parametrize("col, letters", [(0, "A"), (25, "Z"), (26, "AA"), (701, "ZZ"), (702, "AAA")])
def test_column_letters_both_ways(col, letters):
    assert col_letter(col) == letters and col_index(letters) == col


def test_addresses():
    assert a1(6, 1) == "B7" and a1(6, 1, absolute=True) == "$B$7"
    assert cell_range((1, 0), (3, 2)) == "A2:C4"
    assert parse("$B$7") == (6, 1) and parse(" c12 ") == (11, 2)
    for bad in ("B0", "7B", "B", ""):
        with pytest.raises(ValueError):
            parse(bad)


def test_numbers_are_written_without_exponent_or_trailing_zeros():
    assert number_text(Decimal("5.00")) == "5" and number_text(Decimal("1E+2")) == "100"
    assert number_text(Decimal("9.63210")) == "9.6321" and number_text(-3) == "-3"
    assert cell_text(None) == "" and cell_text(Decimal("0.000")) == "0" and cell_text("无") == "无"
    assert excel_number(Decimal("9.5")) == 9.5 and excel_number(3) == 3
    assert plain_number(Decimal("39340.00")) == 39340 and isinstance(plain_number(Decimal("2")), int)
    assert decimals(Decimal("9.63210")) == 4 and decimals(12) == 0


def test_text_encodings_tried_in_order():
    assert decode("单位名称".encode("utf-8-sig")) == ("单位名称", "utf-8-sig")
    assert decode("单位名称".encode("gbk")) == ("单位名称", "gb18030")
    assert decode("单位名称".encode("utf-16")) == ("单位名称", "utf-16")


def test_phone_numbers_and_addresses_are_found_in_prose():
    pieces = split_nobreak("电话（0595）22039158转8001或13800138000，网址http://www.qzlj.gov.cn/下载，共39340元")
    assert [p for p, keep in pieces if keep] == ["（0595）22039158转8001", "13800138000",
                                                 "http://www.qzlj.gov.cn/"]
    assert split_nobreak("2020年收到5件") == [("2020年收到5件", False)]


def test_outline_reads_headings_paragraphs_spans_and_tables():
    outline = read_outline(
        '<html><head><title>标题</title><style>p{}</style></head><body class="draft">'
        '<h1>年度报告</h1><p class="missing">电话：<span class="nobr">0595-1</span>。</p>'
        '<p>见 <a href="x">http://a.cn/</a>\n  下载</p>'
        '<table><colgroup><col style="width:25%"><col style="width:75%"></colgroup>'
        '<thead><tr><th rowspan="2">甲</th><th>乙</th></tr><tr><th>丙</th></tr></thead>'
        '<tbody><tr><td colspan="2">1</td></tr></tbody></table></body></html>')
    assert outline.title == "标题" and outline.draft
    h1, missing, link = outline.paragraphs
    assert (h1.level, h1.text) == (1, "年度报告") and missing.classes == ("missing",)
    assert [(r.text, r.nobreak) for r in missing.runs] == [("电话：", False), ("0595-1", True), ("。", False)]
    assert [(r.text, r.nobreak) for r in link.runs] == [("见 ", False), ("http://a.cn/", True), (" 下载", False)]
    table = outline.tables[0]
    assert table.place() == 2 and table.head_rows == 2 and table.widths == [25.0, 75.0]
    assert [(c.text, c.row, c.col) for line in table.rows for c in line] == [
        ("甲", 0, 0), ("乙", 0, 1), ("丙", 1, 1), ("1", 2, 0)]


def test_remembered_works_out_each_distinct_input_once_and_keeps_no_large_one():
    from xlsx_reports.core import memo
    calls = []

    @memo.remembered(keep=2)
    def length(data: bytes) -> int:
        calls.append(data)
        return len(data)

    assert [length(b"ab"), length(b"ab"), length(b"abc"), length(b"ab")] == [2, 2, 3, 2]
    assert calls == [b"ab", b"abc"]
    length(b"x"), length(b"ab"), length(b"abc")   # keeps the two last used: b"abc" was pushed out
    assert calls == [b"ab", b"abc", b"x", b"abc"]
    big = b"0" * (memo.MAX_BYTES + 1)
    assert length(big) == length(big) == memo.MAX_BYTES + 1
    assert calls[-2:] == [big, big]   # worked out each time, never kept


def test_remembered_answers_threads_that_evict_each_others_entries():
    """The web server may read workbooks on more than one thread: an entry found by one may
    be evicted by another before it is marked as used (this raised KeyError)."""
    import sys
    import threading
    from xlsx_reports.core import memo

    @memo.remembered(keep=2)
    def length(data: bytes) -> int:
        return len(data)

    keys = [bytes(range(i + 1)) for i in range(4)]
    wrong: list[object] = []

    def work(step: int) -> None:
        try:
            for i in range(150_000):
                key = keys[(i * step) % 4]
                if length(key) != len(key):
                    wrong.append(key)
        except Exception as exc:  # noqa: BLE001 - what the test looks for
            wrong.append(exc)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)   # switch threads as often as possible
    try:
        threads = [threading.Thread(target=work, args=(step,)) for step in (1, 3, 5, 7, 9, 11, 13, 15)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    assert wrong == []


def test_a_folders_workbooks_come_in_the_order_of_their_paths(tmp_path):
    """Sorted by a key made once per file, in the order the paths themselves sort (part by
    part: "a/x" before "a b/x", though " " sorts before "/")."""
    from xlsx_reports.core.inputs import folder_files
    names = ["a/x.xlsx", "a b/x.xlsx", "a/b/c.xlsx", "B.xlsx", "b.xlsx", "甲镇.xlsx", "乙镇.xlsx",
             "a-b.xlsx", "a.b/x.xlsx", "z/甲.xlsx", "A/y.xlsx", "a/x.xlsx.xlsx", "~$锁.xlsx", ".隐藏.xlsx"]
    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"")
    found = folder_files(tmp_path)
    assert found == sorted(found)
    assert [str(f.relative_to(tmp_path)) for f in found] == [
        "A/y.xlsx", "B.xlsx", "a/b/c.xlsx", "a/x.xlsx", "a/x.xlsx.xlsx", "a b/x.xlsx", "a-b.xlsx",
        "a.b/x.xlsx", "b.xlsx", "z/甲.xlsx", "乙镇.xlsx", "甲镇.xlsx"]


def test_a_folder_walk_keeps_what_rglob_finds(tmp_path):
    """The walk (os.scandir, links known from each entry) keeps the entries a walk with
    Path.rglob keeps: not into linked folders, past folders it may not read, a folder named
    like a workbook kept to be reported and not searched, hidden folders searched."""
    import os
    from pathlib import Path
    from xlsx_reports.core.inputs import SKIPPED_PREFIXES, WORKBOOK_SUFFIXES, collect, folder_files
    for name in ["a/x.xlsx", ".隐藏/y.xlsx", "b.xlsx/inner.xlsx", "c/d/e.XLSX", "c/~$f.xlsx",
                 "c/.~lockg.xlsx#", "名单.csv", "h.txt", "outside/o.xlsx", "closed/z.xlsx"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "a" / "linked").symlink_to(tmp_path / "outside", target_is_directory=True)
    (tmp_path / "a" / "链接.xlsx").symlink_to(tmp_path / "c" / "d" / "e.XLSX")
    root = tmp_path / "c"
    (tmp_path / "closed").chmod(0)
    closed = [] if not os.access(tmp_path / "closed", os.R_OK) else ["closed/z.xlsx"]   # root reads it
    try:
        def by_rglob(folder):
            found = [f for f in folder.rglob("*") if f.suffix.lower() in WORKBOOK_SUFFIXES
                     and not f.name.startswith(SKIPPED_PREFIXES)
                     and not any(p.suffix.lower() in WORKBOOK_SUFFIXES
                                 for p in f.relative_to(folder).parents if p != Path("."))]
            return sorted(found, key=lambda f: tuple(map(os.path.normcase, f.parts)))
        assert folder_files(tmp_path) == by_rglob(tmp_path)
        assert folder_files(root) == by_rglob(root) == [root / "d" / "e.XLSX"]
        found = {str(f.relative_to(tmp_path)) for f in folder_files(tmp_path)}
        assert "b.xlsx" in found and "a/linked/o.xlsx" not in found and ".隐藏/y.xlsx" in found
        # the link and the file it points to are one input, named as first found
        assert [str(f.relative_to(tmp_path)) for f in collect([tmp_path], {".xlsx"})] == [
            ".隐藏/y.xlsx", "a/x.xlsx", "a/链接.xlsx", "b.xlsx", *closed, "outside/o.xlsx"]
    finally:
        (tmp_path / "closed").chmod(0o755)
