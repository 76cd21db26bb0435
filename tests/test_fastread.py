"""The fast reader sees exactly what openpyxl sees: every RawSheet fact, on workbooks written by
this project (new, batch, merged, annotated), saved by openpyxl, re-saved by LibreOffice, and a
few hundred seeded mutations of them. Where it does not understand a file, it says so and the
file is read by openpyxl; a bomb or an entity declaration is refused by both paths."""
from __future__ import annotations

import io
import random
import re
import subprocess
import zipfile
from pathlib import Path

import pytest

from conftest import REPO, need_program
from fixtures_check.workbooks import balanced, generate, openpyxl_edit
from merge_helpers import merged_district
from xlsx_reports.check.workbook import check_file
from xlsx_reports.xlsx import fastread, reader
from xlsx_reports.xlsx.meta import CHECK_SHEET
from xlsx_reports.xlsx.safexml import UnsafePart

FACTS = ("name", "state", "protected", "password", "values", "cached", "locked", "formats",
         "merged", "validations")
MUTANTS = 200
T3 = "三、依申请公开"
T3_PART = "xl/worksheets/sheet5.xml"   # where the writer puts it


def facts(raws) -> list[dict]:
    return [{k: getattr(r, k) for k in FACTS} for r in raws]


def both(path: Path):
    """(fast facts or the exception, openpyxl facts or the exception)."""
    out = []
    for read in (fastread.read_sheets, reader._load_openpyxl):
        try:
            out.append(facts(read(path)))
        except Exception as exc:  # noqa: BLE001 - compared below
            out.append(exc)
    return out


def assert_same(path: Path) -> int:
    """The fast path reads what openpyxl reads; returns how many sheets it read for their
    outline when asked to (assert_outlines)."""
    fast, full = both(path)
    assert not isinstance(fast, Exception), f"{path.name}: fast path gave up: {fast!r}"
    assert not isinstance(full, Exception), f"{path.name}: openpyxl failed: {full!r}"
    for a, b in zip(fast, full):
        for k in FACTS:
            assert a[k] == b[k], f"{path.name} {a['name']} {k}"
    assert len(fast) == len(full)
    return assert_outlines(path, full)


OUTLINE = ("name", "state", "protected", "password", "merged", "validations")


def assert_outlines(path: Path, full: list[dict]) -> int:
    """Every sheet asked for its outline only (as the reader asks for 校验) has openpyxl's
    protection, merged ranges and validations and no cell, and says so; one the shortcut
    cannot cut is read in full. Returns how many were outlined."""
    from xlsx_reports.xlsx import fastcells
    before = fastcells.STATS["outline"]
    outlined = fastread.read_sheets(path, [f["name"] for f in full])
    assert len(outlined) == len(full)
    for raw, b in zip(outlined, full):
        kept = FACTS if raw.cells_read else OUTLINE
        assert {k: getattr(raw, k) for k in kept} == {k: b[k] for k in kept}, f"{path.name} {raw.name}"
        if not raw.cells_read:
            assert not (raw.values or raw.cached or raw.locked or raw.formats), f"{path.name} {raw.name}"
    took = sum(not raw.cells_read for raw in outlined)
    assert fastcells.STATS["outline"] - before == took
    return took


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, Path]:
    """One workbook of each origin this project writes or receives."""
    from xlsx_reports.generate.batch import new_workbook
    from xlsx_reports.xlsx.annotate import annotate

    tmp = tmp_path_factory.mktemp("corpus")
    files = {"filled_2020": generate(balanced(2020), tmp / "filled_2020.xlsx"),
             "filled_2021": generate(balanced(2021, "西岭乡"), tmp / "filled_2021.xlsx")}
    new_workbook("南溪街道", 2021, tmp / "new.xlsx")
    files["new"] = tmp / "new.xlsx"
    _reports, _result, files["merged"] = merged_district(tmp, 2020)
    files["openpyxl"] = openpyxl_edit(files["filled_2020"], tmp / "openpyxl.xlsx",
                                      {(T3, "E5"): "12", (T3, "D26"): 3.5})
    reading, findings = check_file(files["openpyxl"])
    files["annotated"] = annotate(reading, findings, tmp / "annotated")
    for sample in sorted((REPO / "samples").glob("*.xlsx")) + sorted((REPO / "samples" / "district").glob("*.xlsx")):
        files[f"sample_{sample.stem}"] = sample
    return files


def test_project_and_openpyxl_files_read_the_same_both_ways(corpus):
    for path in corpus.values():
        with zipfile.ZipFile(path) as zf:
            sheets = sum(n.startswith("xl/worksheets/sheet") for n in zf.namelist())
        assert assert_same(path) == sheets, f"{path.name}: a sheet left the outline"


def test_batch_workbooks_read_the_same_both_ways(tmp_path):
    from xlsx_reports.core.roster import read_roster
    from xlsx_reports.generate.batch import run_batch

    roster = tmp_path / "roster.csv"
    roster.write_text("单位名称\n东山镇\n西岭乡\n", encoding="utf-8")
    run_batch(read_roster(roster), 2021, tmp_path / "out")
    made = sorted((tmp_path / "out").glob("*.xlsx"))
    assert len(made) == 2
    for path in made:
        assert_same(path)


def test_libreoffice_resaved_workbooks_read_the_same_both_ways(corpus, tmp_path):
    soffice = need_program("soffice")
    sources = [corpus["filled_2020"], corpus["merged"], corpus["annotated"]]
    outdir = tmp_path / "lo"
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "xlsx", "--outdir", str(outdir), *map(str, sources)],
                   check=True, capture_output=True, timeout=300)
    for source in sources:
        resaved = outdir / source.name
        assert resaved.exists(), resaved
        assert_same(resaved)
        with zipfile.ZipFile(resaved) as zf:
            strings = zf.read("xl/sharedStrings.xml")
        assert b"<r>" in strings   # LibreOffice saved labels as runs of text…
        assert fastread._plain_strings(strings) == fastread._strings(strings)   # …which the shortcut reads


# --- mutations --------------------------------------------------------------------------------

def _cells(xml: str) -> list[re.Match]:
    return list(re.finditer(r'<c r="([A-Z]+\d+)"([^>]*?)(/>|>(.*?)</c>)', xml))


def _replace_cell(xml: str, rnd: random.Random, body) -> str:
    cells = _cells(xml)
    if not cells:
        return xml
    m = rnd.choice(cells)
    style = re.search(r' s="\d+"', m.group(2))
    return xml[:m.start()] + body(m.group(1), style.group(0) if style else "") + xml[m.end():]


TEXTS = ("东山镇", " 前后空格 ", "x005F_x000D_", "&#20013;&#25991;", "&lt;b&gt;", "123", "=1+1", "")


def _sheet_mutation(xml: str, rnd: random.Random, styles: int) -> str:
    kind = rnd.randrange(14)
    if kind == 0:
        num = rnd.choice(["7", "-3", "2.5", "1E3", "0.1", "44197", "12345678901"])
        return _replace_cell(xml, rnd, lambda r, s: f'<c r="{r}"{s}><v>{num}</v></c>')
    if kind == 1:
        return _replace_cell(xml, rnd, lambda r, s: f'<c r="{r}"{s} t="b"><v>{rnd.choice("01")}</v></c>')
    if kind == 2:
        err = rnd.choice(["#DIV/0!", "#N/A", "#VALUE!", "#REF!"])
        return _replace_cell(xml, rnd, lambda r, s: f'<c r="{r}"{s} t="e"><v>{err}</v></c>')
    if kind == 3:
        text = rnd.choice(TEXTS)
        return _replace_cell(xml, rnd, lambda r, s: f'<c r="{r}"{s} t="inlineStr"><is><t>{text}</t></is></c>')
    if kind == 4:
        return _replace_cell(xml, rnd, lambda r, s: (
            f'<c r="{r}"{s} t="inlineStr"><is><r><t>甲</t></r><r><rPr><b/></rPr><t xml:space="preserve"> 乙</t>'
            f'</r><rPh sb="0" eb="1"><t>ジャ</t></rPh></is></c>'))
    if kind == 5:
        cached = rnd.choice(["<v>3</v>", "", "<v></v>"])
        return _replace_cell(xml, rnd, lambda r, s: f'<c r="{r}"{s}><f>SUM(A1:A2)</f>{cached}</c>')
    if kind == 6:
        return _replace_cell(xml, rnd, lambda r, s: f'<c r="{r}"{s} t="str"><f>"a"&amp;"b"</f><v>ab</v></c>')
    if kind == 7:
        return _replace_cell(xml, rnd, lambda r, s: f'<c r="{r}"{s}><f t="array" ref="{r}">1+2</f><v>3</v></c>')
    if kind == 8:
        idx = rnd.randrange(styles)
        return _replace_cell(xml, rnd, lambda r, s: f'<c r="{r}" s="{idx}"><v>1.5</v></c>')
    if kind == 9:
        m = list(re.finditer(r'<mergeCell ref="[^"]+"/>', xml))
        if m and rnd.random() < 0.5:
            gone = rnd.choice(m)
            return xml[:gone.start()] + xml[gone.end():]
        return xml.replace("</sheetData>", "</sheetData>", 1)
    if kind == 10:
        return re.sub(r'<sheetProtection[^>]*/>', rnd.choice(
            ['', '<sheetProtection sheet="0"/>', '<sheetProtection sheet="1" password="CE2A"/>',
             '<sheetProtection sheet="true" objects="1"/>']), xml)
    if kind == 11:
        return re.sub(r'type="(whole|decimal)"', lambda _m: rnd.choice(
            ['type="list"', 'type="custom"', '', 'type="textLength"']), xml, count=rnd.randrange(1, 4))
    if kind == 12:
        return re.sub(r'<formula1>[^<]*</formula1>', '<formula1>"甲,乙"</formula1>', xml, count=1)
    cells = _cells(xml)
    if cells:
        gone = rnd.choice(cells)
        return xml[:gone.start()] + xml[gone.end():]
    return xml


def _mutate(src: Path, dst: Path, seed: int) -> None:
    rnd = random.Random(seed)
    with zipfile.ZipFile(src) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist()}
    sheets = [n for n in parts if n.startswith("xl/worksheets/sheet")]
    styles = parts["xl/styles.xml"].decode()
    n_styles = len(re.findall(r"<xf ", styles.split("<cellXfs", 1)[1].split("</cellXfs>")[0]))
    for _ in range(rnd.randrange(1, 4)):
        roll = rnd.random()
        if roll < 0.75:
            name = rnd.choice(sheets)
            parts[name] = _sheet_mutation(parts[name].decode(), rnd, n_styles).encode()
        elif roll < 0.85:   # a date format on one style: numbers shown there become dates
            idx = rnd.randrange(n_styles)
            code = rnd.choice(["yyyy-mm-dd", "h:mm", "yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;", "0.00", "@"])
            text = parts["xl/styles.xml"].decode()
            if "<numFmts" not in text:
                text = text.replace("<fonts", '<numFmts count="0"></numFmts><fonts', 1)
            text = text.replace("</numFmts>", f'<numFmt numFmtId="{200 + idx}" formatCode="{code}"/></numFmts>', 1)
            xfs = list(re.finditer(r'<xf numFmtId="\d+"', text.split("<cellXfs", 1)[1]))
            offset = text.index("<cellXfs") + len("<cellXfs")
            hit = xfs[idx]
            text = (text[:offset + hit.start()] + f'<xf numFmtId="{200 + idx}"' + text[offset + hit.end():])
            parts["xl/styles.xml"] = text.encode()
        elif roll < 0.93:
            text = parts["xl/workbook.xml"].decode()
            text = re.sub(r'(<sheet [^>]*?) state="visible"', r"\1", text)
            spots = [m.start() for m in re.finditer(r"<sheet (?![^>]*state=)", text)]
            at = rnd.choice(spots) + len("<sheet ")
            state = rnd.choice(['state="hidden" ', 'state="veryHidden" '])
            parts["xl/workbook.xml"] = (text[:at] + state + text[at:]).encode()
        elif "xl/sharedStrings.xml" in parts:
            text = parts["xl/sharedStrings.xml"].decode()
            parts["xl/sharedStrings.xml"] = re.sub(
                r"<si><t>([^<]*)</t></si>",
                lambda m: f'<si><r><t>{m.group(1)}</t></r><r><t>x005F_尾</t></r><rPh sb="0" eb="1"><t>注</t></rPh></si>',
                text, count=rnd.randrange(1, 5)).encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    dst.write_bytes(buf.getvalue())


def test_mutated_workbooks_read_the_same_or_fall_back(corpus, tmp_path):
    """A mutant either reads the same both ways, or the fast path hands it on (NotUnderstood)
    and openpyxl decides; a file openpyxl cannot read is never read by the fast path alone."""
    bases = [corpus["filled_2020"], corpus["merged"], corpus["openpyxl"], corpus["filled_2021"]]
    gave_up = []
    for seed in range(MUTANTS):
        path = tmp_path / f"m{seed}.xlsx"
        _mutate(bases[seed % len(bases)], path, seed)
        fast, full = both(path)
        if isinstance(fast, fastread.NotUnderstood):
            gave_up.append(str(fast))
            continue
        if isinstance(full, Exception):   # broken for openpyxl: the fast path must not read it
            assert isinstance(fast, Exception), f"seed {seed}: openpyxl {full!r} but fast path read it"
            continue
        assert not isinstance(fast, Exception), f"seed {seed}: {fast!r}"
        assert fast == full, f"seed {seed}"
        path.unlink()
    assert len(gave_up) < MUTANTS // 10, gave_up   # the fast path reads nearly all of them


def test_a_zip_bomb_is_refused_after_a_few_megabytes(corpus, tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(corpus["filled_2020"]) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/sharedStrings.xml":
                data = data.replace(b"</sst>", b"<!--" + b" " * (300 << 20) + b"--></sst>")
            dst.writestr(item.filename, data)
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(buf.getvalue())
    assert path.stat().st_size < 2 << 20
    with pytest.raises(UnsafePart, match="压缩炸弹"):
        fastread.read_sheets(path)


def test_a_file_the_fast_path_does_not_understand_is_read_by_openpyxl_and_says_so(
        corpus, tmp_path, monkeypatch):
    """A shared formula (one text for a block of cells) is left to openpyxl, which translates it."""
    monkeypatch.delenv(reader.STRICT_ENV, raising=False)
    with zipfile.ZipFile(corpus["filled_2020"]) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist()}
    xml = parts["xl/worksheets/sheet10.xml"].decode()
    xml = xml.replace("</sheetData>", '<row r="90"><c r="A90"><f t="shared" ref="A90:B90" si="7">1+1</f>'
                                      '<v>2</v></c><c r="B90"><f t="shared" si="7"/><v>2</v></c></row>'
                                      "</sheetData>", 1)
    parts["xl/worksheets/sheet10.xml"] = xml.encode()
    path = tmp_path / "shared.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    reading = reader.read_workbook(path)
    assert reading.fallback == "含共享公式"
    from click.testing import CliRunner
    from xlsx_reports.cli import main
    out = CliRunner().invoke(main, ["check", "--verbose", str(path)])
    assert "说明：shared.xlsx 未能快速读取（含共享公式），已改用完整读取器" in out.output


def test_check_of_many_files_piped_draws_no_progress_bar(corpus, tmp_path):
    """12 files go to worker processes; piped output carries no bar (merge's would print its
    label), and every file is read by the fast path (fallback is forbidden in the tests, also
    inside the workers)."""
    import shutil

    from click.testing import CliRunner
    from xlsx_reports.cli import main

    folder = tmp_path / "returns"
    folder.mkdir()
    for i in range(12):
        shutil.copy(corpus["filled_2020"], folder / f"{i:02d}.xlsx")
    out = CliRunner().invoke(main, ["check", str(folder), "--jobs", "2"])
    assert out.stderr == ""
    assert "AGG-DUP" in out.output            # the same unit twelve times: all twelve were read
    assert out.output.count("东山镇") >= 12


# --- the cells shortcut (one regular expression over <sheetData>) against expat alone ------------

def _by_both_sheet_readers(path: Path):
    """(facts with the cells shortcut, facts by expat alone, sheets that took the shortcut)."""
    from xlsx_reports.xlsx import fastcells as fastsheet
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        parts = {n: zf.read(n) for n in names}
    before = fastsheet.STATS["regular"]
    quick = facts(fastread.read_parts(parts, names))
    took = fastsheet.STATS["regular"] - before
    return quick, facts(fastread.read_parts(parts, names, shortcut=False)), took


def test_every_project_and_openpyxl_sheet_takes_the_shortcut_and_reads_as_expat_does(corpus):
    for name, path in corpus.items():
        quick, slow, took = _by_both_sheet_readers(path)
        assert quick == slow, name
        assert took == len(quick), f"{name}: {len(quick) - took} sheets left the shortcut"


def _edit_sheet(src: Path, dst: Path, sheet: str, edit) -> Path:
    with zipfile.ZipFile(src) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist()}
    parts[sheet] = edit(parts[sheet].decode()).encode()
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return dst


def _first_cell(xml: str, new: str) -> str:
    return re.sub(r'<c r="A1"[^>]*?(/>|>.*?</c>)', new, xml, count=1)


SHAPES = [   # (what, how the 填报说明 sheet is changed, whether the cells shortcut still reads it)
    ("character references and entities in a formula and its text result",
     lambda x: _first_cell(x, '<c r="A1" t="str"><f>"&#20013;"&amp;"&lt;&gt;&quot;&apos;"&amp;"&#x6587;"</f>'
                              '<v>&#20013;&lt;&gt;"\'&#x6587;</v></c>'), True),
    ("a line end written as CR LF inside a text result",
     lambda x: _first_cell(x, '<c r="A1" t="str"><f>"a"</f><v>a\r\nb\rc</v></c>'), True),
    ("a formula whose cached result is a shared string",
     lambda x: _first_cell(x, '<c r="A1" t="s"><f>"x"</f><v>0</v></c>'), True),
    ("an empty formula element", lambda x: _first_cell(x, '<c r="A1"><f></f><v>1</v></c>'), True),
    ("LibreOffice's aca attribute", lambda x: _first_cell(x, '<c r="A1"><f aca="false">1+1</f><v>2</v></c>'), True),
    ("an inline string", lambda x: _first_cell(x, '<c r="A1" t="inlineStr"><is><t xml:space="preserve"> 甲 </t></is></c>'), True),
    ("line breaks and indentation between rows and cells",
     lambda x: x.replace("<row ", "\n  <row ").replace("<c ", "\n    <c "), True),
    ("a comment among the cells", lambda x: x.replace("</row>", "<!-- 注 --></row>", 1), False),
    ("the same address twice", lambda x: x.replace("</row>", '<c r="A1"><v>9</v></c></row>', 1), False),
    ("a cell without an address", lambda x: x.replace("</row>", "<c><v>9</v></c></row>", 1), False),
    ("attributes in another order", lambda x: _first_cell(x, '<c t="n" r="A1"><v>5</v></c>'), False),
    ("a sheetData hidden in a comment before the real one",
     lambda x: x.replace("<sheetData>", '<!-- <sheetData><row r="1"><c r="Z9"><v>1</v></c></row></sheetData> -->'
                                        "<sheetData>", 1), False),
    ("another encoding declared", lambda x: x.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"', 1), False),
    ("a header that is not plain text (a comment in it) is read in place",
     lambda x: x.replace("</oddHeader>", "<!-- 注 --></oddHeader>", 1), True),
    ("no header at all", lambda x: re.sub(r"<headerFooter>.*?</headerFooter>", "", x), True),
    ("the selection a clerk left, as Excel saves it",
     lambda x: x.replace('<sheetView workbookViewId="0"/>', '<sheetView tabSelected="1" workbookViewId="0">'
                         '<selection activeCell="A5" sqref="A5"/></sheetView>', 1), True),
    # the cells still take the shortcut; the validations are then read in place, not cut out
    ("a validation list hidden in a comment before the real one",
     lambda x: x.replace("<sheetProtection", '<!-- <dataValidations count="1"><dataValidation type="whole" '
                                            'sqref="A1"><formula1>1</formula1></dataValidation></dataValidations>'
                                            " --><sheetProtection", 1), True),
]


@pytest.mark.parametrize("what,edit,regular", SHAPES, ids=[s[0] for s in SHAPES])
def test_unusual_cell_shapes_read_as_openpyxl_reads_them(corpus, tmp_path, what, edit, regular):
    sheet = "xl/worksheets/sheet3.xml"   # 一、总体情况: formulas, merges and validations
    path = _edit_sheet(corpus["filled_2021"], tmp_path / "shape.xlsx", sheet, edit)
    quick, slow, took = _by_both_sheet_readers(path)
    assert quick == slow
    assert (took == len(quick)) is regular, what
    assert_same(path)


def test_plain_shared_strings_read_as_expat_reads_them(corpus):
    for name, path in corpus.items():
        with zipfile.ZipFile(path) as zf:
            if "xl/sharedStrings.xml" not in zf.namelist():
                continue   # openpyxl writes none when it keeps strings inline
            data = zf.read("xl/sharedStrings.xml")
        plain = fastread._plain_strings(data)
        if name in ("filled_2020", "filled_2021", "new", "merged"):
            assert plain is not None, name   # what this project writes takes the shortcut
        if plain is not None:
            assert plain == fastread._strings(data), name


def test_members_inflated_in_one_call_equal_what_zipfile_reads(corpus):
    from xlsx_reports.xlsx.safexml import _direct, inflated
    taken = 0
    for path in corpus.values():
        data = path.read_bytes()
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for info in zf.infolist():
                whole = b"".join(inflated(zf, info, 1 << 24, MemoryError, data))
                assert whole == zf.read(info), f"{path.name} {info.filename}"
                taken += _direct(data, info, 1 << 24, MemoryError) is not None
    assert taken > 50   # the one-call path is the one used


def test_a_damaged_member_is_left_to_zipfile_which_refuses_it(corpus, tmp_path):
    from xlsx_reports.xlsx.filetypes import DAMAGED, vet
    data = bytearray(corpus["filled_2021"].read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo("xl/styles.xml")
    start = info.header_offset + 30 + len(info.orig_filename.encode()) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0xFF   # the deflate stream or its checksum no longer holds
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(bytes(data))
    assert vet(path).reason == DAMAGED


def test_plain_shared_strings_with_entities_escapes_and_empty_items_read_as_expat_reads_them():
    items = ('<si><t>a&amp;b&lt;c&gt;&quot;&apos;</t></si><si><t xml:space="preserve"> x005F_x000D_ 尾 </t></si>'
             '<si><t/></si><si><t>&#20013;&#x6587;\r\n二行\r三行</t></si><si><t>&#38;lt;</t></si>')
    data = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats.org'
            f'/spreadsheetml/2006/main" count="5" uniqueCount="5">{items}</sst>').encode()
    plain = fastread._plain_strings(data)
    assert plain == fastread._strings(data)
    assert plain == ['a&b<c>"\'', " x000D_ 尾 ", "", "中文\n二行\n三行", "&lt;"]
    assert fastread._plain_strings(data.replace(b"&amp;b", b"&b")) is None   # a bare "&": expat judges


def test_shared_strings_of_formatted_runs_read_as_expat_reads_them():
    """LibreOffice saves every label as runs of text, one per change of script (宋体 digits
    among CJK characters): the shortcut reads them as expat does; phonetic runs it leaves to expat."""
    items = ('<si><r><rPr><b val="true"/><sz val="16"/><rFont val="宋体"/><family val="2"/></rPr>'
             '<t xml:space="preserve">基准</t></r><r><rPr><sz val="11"/></rPr><t>00&amp;08</t></r><r><t/></r>'
             '<r><t>镇x005F_x000D_</t></r></si><si><t>plain</t></si>'
             '<si><r><rPr><u/><vertAlign val="superscript"/></rPr><t>上</t></r></si>')
    data = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats.org'
            f'/spreadsheetml/2006/main" count="3" uniqueCount="3">{items}</sst>').encode()
    plain = fastread._plain_strings(data)
    assert plain == fastread._strings(data) == ["基准00&08镇x000D_", "plain", "上"]
    phonetic = data.replace(b"</r></si><si><t>plain", b'</r><rPh sb="0" eb="1"><t>zhen</t></rPh></si><si><t>plain')
    assert fastread._plain_strings(phonetic) is None   # expat reads it, leaving the phonetic text out
    assert fastread._strings(phonetic) == plain
    spaced = data.replace(b"</r><r><t/>", b"</r> <r><t/>")   # text between runs: expat judges it
    assert fastread._plain_strings(spaced) is None and fastread._strings(spaced) == plain


def test_strings_remembered_by_their_bytes_read_as_expat_reads_them_each_time():
    """An item is judged and decoded once; the same bytes again give the same text, and an
    item that differs by one byte is read on its own (a control character, an underscore
    escape written as a character reference, which openpyxl drops as it drops a literal one)."""
    head = '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    for items, expected in (
            ("<si><t>甲</t></si><si><t>&#120;005F_a</t></si>", ["甲", "a"]),
            ("<si><t>甲</t></si><si><t>x005F_b&amp;</t></si>", ["甲", "b&"]),
            ("<si><t>甲</t></si><si><t>&#120;005F_a</t></si>", ["甲", "a"]),
            ("<si><t>甲</t></si><si><t>a&#1;</t></si>", None),          # expat refuses the reference
            ("<si><t>甲</t></si><si><t>a\x01</t></si>", None),          # a character XML forbids
            ("<si><t>甲</t></si><si><t>&bogus;</t></si>", None)):        # an entity it does not know
        data = f"{head}{items}</sst>".encode()
        assert fastread._plain_strings(data) == expected
        if expected is not None:
            assert fastread._strings(data) == expected


def test_strings_items_remembered_stay_bounded_and_read_as_expat_reads_them(monkeypatch):
    """Items are remembered by their bytes (labels recur in every workbook of a template); a
    workbook of thousands of distinct items leaves no more than the bound behind."""
    monkeypatch.setattr(fastread, "ITEMS_KEPT_BYTES", 3000)
    fastread._ITEMS.clear()
    fastread._ITEMS_HELD[0] = 0
    for n in (30, 120, 120):
        items = "".join(f'<si><r><rPr><sz val="11"/></rPr><t>第{i}项</t></r><r><t>&amp;{i % 7}</t></r></si>'
                        if i % 2 else f"<si><t>{i}</t></si>" for i in range(n))
        data = (f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{items}</sst>').encode()
        plain = fastread._plain_strings(data)
        assert plain == fastread._strings(data) and len(plain) == n
        assert sum(map(len, fastread._ITEMS)) <= 3000 and fastread._ITEMS


@pytest.mark.parametrize("seed", range(4))
def test_stray_judges_a_long_text_by_its_bytes_as_by_its_characters(seed):
    """A long text's control characters are looked for in its UTF-8 bytes: the same verdict."""
    from xlsx_reports.xlsx.xmltext import stray
    rnd = random.Random(seed)
    alphabet = ["a", "中", "\n", "\t", "\r", "\x01", "\x1f", "\x0b", "\ufffe", "\uffff", "&", "&amp;", "&#1;",
                "]]>", "]", "]]", ">", "\x7f", "\x85", "\ud7ff", "😀", " ", "，"]
    verdicts = set()
    for _ in range(3000):
        text = "汉" * rnd.choice([0, 400]) + "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 30)))
        verdict = stray(text)
        assert stray(text, text.encode()) == verdict, repr(text[-30:])
        verdicts.add(verdict)
    assert verdicts == {True, False}


def test_a_number_typed_n_as_libreoffice_saves_it_is_read_at_its_slot_as_expat_reads_it(corpus, monkeypatch):
    """LibreOffice writes t="n" on every number: once such a sheet was read in full, the next
    one's numbers are read at their slots, as the usual whole numbers, and as expat reads them."""
    from xlsx_reports.xlsx import fastcells
    unusual, slot_value = [], fastcells._slot_value

    def spy(reader, slot, v):
        unusual.append((reader.raw.name, slot[0]))
        return slot_value(reader, slot, v)
    monkeypatch.setattr(fastcells, "_slot_value", spy)
    first = _t3_edited(corpus, rb'<c r="D5"( s="[0-9]+")><v>[0-9]+</v>',
                       lambda m: b'<c r="D5"' + m.group(1) + b' t="n"><v>7</v>')
    fastread.read_parts(first, set(first))   # its skeleton, with t="n", read in full and kept
    second = {**first, T3_PART: first[T3_PART].replace(b' t="n"><v>7</v>', b' t="n"><v>12</v>')}
    before = fastcells.STATS["slotted"]
    quick, slow, _left = _both_readers(second)
    assert fastcells.STATS["slotted"] - before == 10   # every sheet at its slots, T3 too
    assert quick == slow
    t3 = next(sheet for sheet in quick if sheet["name"] == T3)
    assert t3["values"][(4, 3)] == 12 and type(t3["values"][(4, 3)]) is int
    assert (T3, (4, 3)) not in unusual   # read as the usual whole number, not the general way


# --- what the shortcut remembers between workbooks, and what it leaves to the reader -------------

def test_a_cell_plan_serves_only_sheets_with_the_same_addresses_styles_and_formulas(corpus, tmp_path):
    """The first workbook's plan of 一、总体情况 must not be used for a copy in which one cell's
    style (an input locked) or one formula differs: each copy reads as expat and openpyxl read it."""
    from xlsx_reports.core.a1 import a1
    sheet, name = "xl/worksheets/sheet3.xml", "一、总体情况"
    src = corpus["filled_2021"]

    def read(path: Path):
        return next(r for r in fastread.read_sheets(path) if r.name == name)
    first = read(src)
    at = min(at for at, locked in first.locked.items() if locked is False)   # an input cell
    with zipfile.ZipFile(src) as zf:
        xml = zf.read(sheet).decode()
    cell = re.search(r'<c r="%s" s="[0-9]+"' % a1(*at), xml)
    formula = re.search(r"<f>([^<]+)</f>", xml)
    assert cell and formula
    restyled = _edit_sheet(src, tmp_path / "restyled.xlsx", sheet,
                           lambda x: x.replace(cell.group(0), f'<c r="{a1(*at)}" s="0"', 1))
    reformulated = _edit_sheet(src, tmp_path / "reformulated.xlsx", sheet,
                               lambda x: x.replace(formula.group(0), "<f>1+1</f>", 1))
    for path in (src, restyled, reformulated, src):
        quick, slow, took = _by_both_sheet_readers(path)
        assert quick == slow, path.name
        assert took == len(quick)
        assert_same(path)
    assert read(restyled).locked.get(at, True) is True
    assert "=1+1" in read(reformulated).values.values()
    assert "=1+1" not in read(src).values.values()


@pytest.mark.parametrize("regular", [True, False], ids=["shortcut", "expat"])
def test_a_cell_past_the_last_row_is_refused_by_the_reader_naming_the_sheet(corpus, tmp_path, regular):
    """The limits scan leaves the farthest cell to the reader: the shortcut finds it in its
    plan, expat's path scans for it first; the same refusal either way, before any reading."""
    far = '<c r="A10001"><v>1</v></c>' if regular else '<c t="n" r="A10001"><v>1</v></c>'
    path = _edit_sheet(corpus["filled_2021"], tmp_path / "far.xlsx", "xl/worksheets/sheet3.xml",
                       lambda x: x.replace("</sheetData>", f'<row r="10001">{far}</row></sheetData>'))
    with pytest.raises(reader.UnreadableWorkbook) as refused:
        reader.read_workbook(path)
    assert str(refused.value) == (
        "far.xlsx：工作表“一、总体情况”用到的行号至少 10,001，超过上限 10,000；不是正常的填报表（正常的填报表只有几十 KB、"
        "几百个单元格），为安全起见不予读取；请使用区里下发的填报表重新填写，或在 Excel 中把数据复制到下发的表中后重新提交")
    assert refused.value.code == "FILE-FOREIGN"


def test_opens_finds_exactly_what_a_plain_search_finds():
    """A "<!" or "<?" between start and end, whether the mark is rare or (as "!" in formulas
    that name other sheets) common enough that the search falls back to a plain one."""
    from xlsx_reports.xlsx.safexml import opens
    rnd = random.Random(7)
    for _ in range(20_000):
        data = bytes(rnd.choice(b"<!?ab") for _ in range(rnd.randint(0, 40)))
        mark = rnd.choice([b"!", b"?"])
        start, end = rnd.randint(0, len(data)), rnd.randint(0, len(data) + 2)
        assert opens(data, mark, start, end) == (b"<" + mark in data[start:end]), (data, mark, start, end)


def test_holds_finds_exactly_what_a_plain_search_finds():
    """A needle found by memchr on one of its bytes, that byte rare or common (more than the
    tries before the plain search), the needle at the very start or end of the range or past it."""
    from xlsx_reports.xlsx.safexml import holds
    rnd = random.Random(11)
    for _ in range(30_000):
        data = bytes(rnd.choice(b"hkyp") for _ in range(rnd.randint(0, 60)))
        needle = bytes(rnd.choice(b"hkyp") for _ in range(rnd.randint(1, 4)))
        rare = rnd.randrange(len(needle))
        start, end = rnd.randint(0, len(data)), rnd.randint(0, len(data) + 2)
        assert holds(data, needle, rare, start, end) == (needle in data[start:end]), (data, needle, rare, start, end)


def test_a_sheet_larger_than_any_template_is_read_but_its_plan_not_kept(corpus, tmp_path):
    """The plan's key holds a sheet's addresses and formulas: one from a hostile or odd file
    (here a 70 KB formula) must not stay in a long-running server's memory."""
    from xlsx_reports.xlsx import fastcells, slots
    long_formula = "+".join(["1"] * 35_000)
    path = _edit_sheet(corpus["filled_2021"], tmp_path / "long.xlsx", "xl/worksheets/sheet3.xml",
                       lambda x: _first_cell(x, f'<c r="A1"><f>{long_formula}</f><v>35000</v></c>'))
    fastread.read_sheets(corpus["filled_2021"])   # the template's plans, kept
    kept, kept_skeletons = dict(fastcells._PLANS), set(slots.KNOWN)
    quick, slow, took = _by_both_sheet_readers(path)
    assert quick == slow and took == len(quick)
    assert fastcells._PLANS.keys() - kept.keys() == set()
    assert slots.KNOWN.keys() - kept_skeletons == set()


@pytest.mark.parametrize("where", ["prolog", "rows"])
def test_a_million_comments_or_empty_rows_take_no_memory_to_get_past(corpus, tmp_path, where):
    """A regular expression that may backtrack keeps a note per repetition (~200–400 bytes):
    a million comments before a part's first element (where the limits scan looks for a
    DOCTYPE) or a million empty rows among the cells (the shortcut's check of what lies
    between them) would take hundreds of MB. Both are read, or refused, in little memory."""
    import tracemalloc
    sheet = "xl/worksheets/sheet3.xml"
    if where == "prolog":
        edit = lambda x: x.replace("?>", "?>" + "<!---->" * 1_000_000, 1)   # noqa: E731
    else:
        edit = lambda x: x.replace("</sheetData>", "<row/>" * 1_000_000 + "</sheetData>")  # noqa: E731
    path = _edit_sheet(corpus["filled_2021"], tmp_path / f"{where}.xlsx", sheet, edit)
    tracemalloc.start()
    try:
        reader.read_workbook(path)
    except reader.UnreadableWorkbook as refused:
        assert "超过上限" in str(refused)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 80 * 2**20, f"{peak / 2**20:.0f} MB"


def test_more_merged_ranges_than_the_limit_are_refused_before_they_are_spread(corpus, tmp_path):
    """The shortcut's frame stops listing merged ranges at the limit and hands the file on;
    the scan before openpyxl then refuses it with the limits scan's own words."""
    merges = "".join(f'<mergeCell ref="O{r}:P{r}"/><mergeCell ref="Q{r}:R{r}"/>' for r in range(40, 5041))
    path = _edit_sheet(corpus["filled_2021"], tmp_path / "merges.xlsx", "xl/worksheets/sheet3.xml",
                       lambda x: re.sub(r'<mergeCells count="(\d+)">',
                                        lambda m: f'<mergeCells count="{int(m.group(1)) + 10_002}">' + merges, x))
    with pytest.raises(reader.UnreadableWorkbook) as refused:
        reader.read_workbook(path)
    assert refused.value.code == "FILE-FOREIGN"
    assert re.match(r"merges\.xlsx：合并单元格区域的个数至少 10,0\d\d，超过上限 10,000；", str(refused.value))


def _both_readers(parts: dict[str, bytes]):
    """(the shortcut's facts, expat's facts, how many sheets the shortcut left to expat), facts
    being the exception's type where a reader gave up."""
    from xlsx_reports.xlsx import fastcells
    out, before = [], fastcells.STATS["irregular"]
    for shortcut in (True, False):
        try:
            out.append(facts(fastread.read_parts(parts, set(parts), shortcut=shortcut)))
        except Exception as exc:  # noqa: BLE001 - compared by the caller
            out.append(type(exc))
        if shortcut:
            left = fastcells.STATS["irregular"] - before
    return out[0], out[1], left


SLOT_VALUES = [   # (what an input's <v> holds, whether a full reading accepts it)
    (b"7", True), (b"007", True), (b"", True), (b"2.5", True), (b"&#55;", True), (b" 7", True), (b"1E3", True),
    (b"12345678901234567890", True),   # longer than the whole numbers fastcells remembers
    (b"\xef\xbf\xbe", False),   # U+FFFE, a character XML forbids
    (b"\xff", False),           # not UTF-8
    (b"a]]>b", False),          # "]]>" is not allowed in text
    (b"1&2", False),            # a bare "&"
]


@pytest.mark.parametrize("value,accepted", SLOT_VALUES, ids=[repr(v) for v, _ in SLOT_VALUES])
def test_a_value_read_at_its_slot_is_judged_as_a_full_reading_judges_it(corpus, value, accepted, monkeypatch):
    """Once a sheet's skeleton (its cells without their values) was read in full, a workbook
    with the same skeleton has only its values read; each must come out as expat reads it,
    and what expat refuses must leave the shortcut."""
    from xlsx_reports.xlsx import fastcells
    parts = _t3_edited(corpus, rb'(<c r="D5" s="[0-9]+"><v>)[0-9]+</v>',   # an input's whole number
                       lambda m: m.group(1) + value + b"</v>")
    slotted, regular = [], fastcells._read_regular

    def spy(data, reader, tally):
        before = fastcells.STATS["slotted"]
        try:
            return regular(data, reader, tally)
        finally:
            if fastcells.STATS["slotted"] > before:
                slotted.append(reader.raw.name)
    monkeypatch.setattr(fastcells, "_read_regular", spy)
    quick, slow, irregular = _both_readers(parts)
    assert quick == slow
    assert isinstance(quick, list) is accepted
    assert T3 in slotted   # its values were judged at their slots…
    assert irregular == (0 if accepted else 1)   # …and what expat refuses was left to it


@pytest.mark.parametrize("merge", [b"", b'<mergeCell ref="C5:D5"/>'], ids=["as written", "an input merged over"])
def test_a_sheet_read_before_has_what_its_frame_fixes_copied_as_a_full_reading_gives_it(corpus, merge,
                                                                                        monkeypatch):
    """A sheet whose cells' plan and frame were read before has its formats, locking, merges and
    validations copied in (fastcells.Fixed), only its values read; every fact is still as expat
    reads it, a value under a merge (here D5's, under C5:D5) dropped as well."""
    from xlsx_reports.xlsx import fastcells
    first = _t3_edited(corpus, rb'<mergeCells count="([0-9]+)">',
                       lambda m: b'<mergeCells count="%d">' % (int(m.group(1)) + bool(merge)) + merge)
    fastread.read_parts(first, set(first))   # the frame read in full, what it fixes kept
    second = dict(first)
    second[T3_PART] = re.sub(rb'(<c r="D5" s="[0-9]+"><v>)[0-9]+', rb"\g<1>4321", first[T3_PART], count=1)
    assert second[T3_PART] != first[T3_PART]
    copied, slotted = [], fastcells._slotted
    monkeypatch.setattr(fastcells, "_slotted", lambda reader, *a: copied.append(reader.raw.name) or slotted(reader, *a))
    quick, slow, _left = _both_readers(second)
    assert quick == slow
    assert copied.count(T3) == 1
    values = next(s["values"] for s in quick if s["name"] == T3)
    assert values.get((4, 3)) == (None if merge else 4321)


def test_whole_numbers_remembered_by_their_digits_stay_bounded_and_read_as_expat_reads_them(corpus, monkeypatch):
    """Typed and calculated whole numbers are remembered by their digits (the same few hundred
    recur in every return); a sheet of many distinct numbers leaves no more than the bound, and
    each number, remembered or not, reads as expat reads it."""
    from xlsx_reports.xlsx import fastcells
    monkeypatch.setattr(fastcells, "WHOLE_KEPT", 5)
    fastcells._WHOLE.clear()
    numbers = iter(range(10**11, 10**11 + 10_000, 7))
    for _ in range(3):
        parts = _t3_edited(corpus, rb'<sheetData>.*</sheetData>', lambda m: re.sub(
            rb'(<c r="[A-Z]+[0-9]+" s="[0-9]+"><v>)[0-9]+</v>', lambda c: c.group(1) + b"%d</v>" % next(numbers),
            m.group(0)))
        quick, slow, irregular = _both_readers(parts)
        assert quick == slow and irregular == 0
        assert 0 < len(fastcells._WHOLE) <= 5


def _t3_edited(corpus, pattern: bytes, edit) -> dict[str, bytes]:
    """The filled 2021 workbook's parts (its skeletons kept first) with the first match of
    `pattern` on 三、依申请公开 replaced by edit(match)."""
    sheet, src = T3_PART, corpus["filled_2021"]
    fastread.read_sheets(src)
    with zipfile.ZipFile(src) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist()}
    found = re.search(pattern, parts[sheet])
    assert found
    parts[sheet] = parts[sheet].replace(found.group(0), edit(found), 1)
    return parts


def test_limits_count_only_parts_long_enough_to_pass_them(corpus):
    """A cell takes at least four bytes (<c/>): a return's few hundred KB of sheets cannot hold
    200,000 cells and are not counted, but under a limit they could pass they are."""
    from xlsx_reports.xlsx import limits
    data = corpus["filled_2021"].read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        _parts, tally = limits.prescan(zf, data=data)
        assert "sheet" not in tally.countable and tally.cells == 0
        with pytest.raises(limits.Refused, match=r"^工作簿的单元格数至少 [0-9,]+，超过上限 100；"):
            limits.prescan(zf, limits.Limits(cells=100), data=data)
        with pytest.raises(limits.Refused, match=r"^不同文字（共享字符串）的个数至少 [0-9,]+，超过上限 10；"):
            limits.prescan(zf, limits.Limits(shared_strings=10), data=data)


@pytest.mark.parametrize("edit", [
    lambda m: m.group(1) + b"</c>",                     # the value element taken out: one value fewer
    lambda m: m.group(1) + b"<v></v>" + m.group(2),     # an empty value before it: one value more
], ids=["a value taken out", "an empty value added"])
def test_a_sheet_with_a_value_more_or_less_is_not_read_at_the_slots_of_another(corpus, edit):
    """Taking the values out of two sheets must not make them look alike when one holds a
    value element the other does not: each value must land in its own cell."""
    parts = _t3_edited(corpus, rb'(<c r="D5" s="[0-9]+">)(<v>[0-9]+</v></c>)', edit)
    quick, slow, _left = _both_readers(parts)
    assert quick == slow


@pytest.mark.parametrize("index,accepted", [(b"0", True), (b"99999", False)])
def test_a_shared_string_read_at_its_slot_is_the_one_expat_reads_or_none(corpus, index, accepted):
    """A label cell's string index read at its slot: out of the list, the fast path gives up
    as expat's path does, with the same words (openpyxl then judges the file)."""
    parts = _t3_edited(corpus, rb'(<c r="A5" s="[0-9]+" t="s"><v>)[0-9]+</v>', lambda m: m.group(1) + index + b"</v>")
    outcomes = []
    for shortcut in (True, False):
        try:
            outcomes.append(facts(fastread.read_parts(parts, set(parts), shortcut=shortcut)))
        except fastread.NotUnderstood as exc:
            outcomes.append(str(exc))
    assert outcomes[0] == outcomes[1]
    assert isinstance(outcomes[0], list) is accepted


# --- the 校验 sheet, read for its outline only ----------------------------------------------

def _part_of(path: Path, sheet: str) -> str:
    """The zip part that holds a sheet, as the workbook and its relationships name it."""
    from xlsx_reports.xlsx.limits import _sheet_names
    with zipfile.ZipFile(path) as zf:
        names = _sheet_names({n: zf.read(n) for n in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")})
    return next(part for part, name in names.items() if name == sheet)


@pytest.mark.parametrize("name", ["filled_2020", "filled_2021", "openpyxl", "annotated", "merged"])
def test_a_check_reads_the_check_sheet_for_its_outline_and_finds_what_a_full_reading_finds(
        corpus, name, monkeypatch):
    from xlsx_reports.xlsx import fastcells
    before = fastcells.STATS["outline"]
    outlined, found = check_file(corpus[name])
    assert fastcells.STATS["outline"] - before == 1
    monkeypatch.setattr(reader, "OUTLINED", ())
    full, found_in_full = check_file(corpus[name])
    assert fastcells.STATS["outline"] - before == 1   # the second read it in full
    assert found == found_in_full
    assert outlined.sheets == full.sheets
    assert [s.protected for s in outlined.sheets if s.name == CHECK_SHEET] == [True]


def test_a_check_sheet_the_shortcut_cannot_cut_is_read_in_full(corpus, tmp_path):
    """A comment before its cells could hide a "<sheetData>": expat reads the part whole."""
    from xlsx_reports.xlsx import fastcells
    src = corpus["filled_2021"]
    path = _edit_sheet(src, tmp_path / "comment.xlsx", _part_of(src, CHECK_SHEET),
                       lambda x: x.replace("<sheetData>", "<!-- 注 --><sheetData>", 1))
    before = dict(fastcells.STATS)
    reading, findings = check_file(path)
    assert fastcells.STATS["outline"] == before["outline"]
    assert fastcells.STATS["irregular"] - before["irregular"] == 1
    assert [f.code for f in findings if f.severity == "error"] == []
    assert [s.protected for s in reading.sheets if s.name == CHECK_SHEET] == [True]


def _form_cells(parts: dict[str, bytes]):
    """The form's cells of a 2021 workbook read twice (the second time its sheets slotted, what
    their frames fix copied in), and the same cells with every fact looked up afresh."""
    from xlsx_reports.form.definitions import get_form
    from xlsx_reports.xlsx import formcells
    form = get_form("2021")
    for _before in range(2):   # a skeleton's plan is kept when met, what its frame fixes when met again
        fastread.read_parts(parts, set(parts))
    raws = {r.name: r for r in fastread.read_parts(parts, set(parts))}
    spots = formcells._own(form)[0]
    remembered = formcells.read_cells(form, spots, raws, True)[0]
    fixed = [name for name, r in raws.items() if r.fixed is not None]
    for r in raws.values():
        r.fixed = None
    return remembered, formcells.read_cells(form, spots, raws, True)[0], fixed


def test_a_slotted_sheets_cell_facts_are_those_looked_up_and_never_another_templates(corpus):
    """Locking, validation and number format of each form cell on a sheet whose facts were copied
    from what its frame fixes are remembered per template; a workbook whose D5 has another
    style (a locked one) gets its own, not the remembered ones."""
    first = _t3_edited(corpus, rb'<c r="D5" s="[0-9]+"', lambda m: m.group(0))
    remembered, looked_up, fixed = _form_cells(first)
    assert T3 in fixed and remembered == looked_up
    assert remembered["t3.new.natural"].a1 == "D5" and remembered["t3.new.natural"].locked is False
    other = _t3_edited(corpus, rb'<c r="D5" s="[0-9]+"', lambda m: b'<c r="D5" s="0"')
    remembered, looked_up, fixed = _form_cells(other)
    assert T3 in fixed and remembered == looked_up
    assert remembered["t3.new.natural"].locked is True


CHECKS_PART = "xl/worksheets/sheet9.xml"   # 校验, where the writer puts it: each rule's row links to its cells
LINK_EDITS = [   # (what, how the 校验 sheet is changed, the cell then shown by its link, zero-based)
    ("a linked cell gone", lambda x: re.sub(r'<c r="G5"[^>]*>.*?</c>', "", x, count=1), (4, 6)),
    ("a linked cell's value empty (the same skeleton: read at its slots)",
     lambda x: re.sub(r'(<c r="G5"[^>]*>)<v>\d+</v>', r"\1<v></v>", x, count=1), (4, 6)),
    ("a linked formula without its result",
     lambda x: re.sub(r'(<c r="E5"[^>]*><f>[^<]*</f>)<v>[^<]*</v>', r"\1",
                      x.replace('<hyperlink ref="G5"', '<hyperlink ref="E5"', 1), count=1), (4, 4)),
    ("a range of links over an empty cell",
     lambda x: re.sub(r'<c r="H5"[^>]*>.*?</c>', "", x.replace('<hyperlink ref="G5"', '<hyperlink ref="G5:H5"', 1),
                      count=1), (4, 7)),
    ("a link on a cell under a merge goes to the merge's top-left cell",
     lambda x: re.sub(r'<c r="A3"[^>]*>.*?</c>', "", x, count=1).replace(
         "<hyperlinks>", "<hyperlinks><hyperlink ref=\"C3\" location=\"'三、依申请公开'!D5\"/>", 1), (2, 0)),
]


@pytest.mark.parametrize("what,edit,at", LINK_EDITS, ids=[e[0] for e in LINK_EDITS])
def test_a_linked_cell_left_empty_shows_its_link_as_openpyxl_reads_it(corpus, tmp_path, what, edit, at):
    """openpyxl binds hyperlinks after the cells: one left without a value (or a formula without
    its result) takes the link's location as its value; the fast path gives the same facts."""
    fastread.read_sheets(corpus["filled_2021"])   # the template's sheets known: slots, cuts and plans
    path = _edit_sheet(corpus["filled_2021"], tmp_path / "linked.xlsx", CHECKS_PART, edit)
    fast, full = both(path)
    assert not isinstance(fast, Exception), fast
    assert fast == full
    checks = next(f for f in fast if f["name"] == CHECK_SHEET)
    assert checks["cached"][at].startswith("'")   # a location: 'sheet'!cell
    quick, slow, _took = _by_both_sheet_readers(path)
    assert quick == slow == fast


def test_a_link_under_a_merge_whose_first_cell_lies_under_another_is_handed_on_as_openpyxl_fails(corpus, tmp_path):
    """openpyxl binds a link on a cell under a merge to the merge's top-left cell; where that
    cell lies under another merge, it fails (a merged cell takes no link), so the fast path hands
    the file on and the file is refused alike (found by fuzz_read.py --frames, seed 22070)."""
    path = _edit_sheet(corpus["filled_2021"], tmp_path / "overlap.xlsx", CHECKS_PART,
                       lambda x: x.replace('<mergeCell ref="A3:H3"/>', '<mergeCell ref="A3:H3"/><mergeCell ref="A2:A3"/>', 1)
                       .replace("<hyperlinks>", "<hyperlinks><hyperlink ref=\"C3\" location=\"'三、依申请公开'!D5\"/>", 1))
    with pytest.raises(fastread.NotUnderstood, match="超链接指向重叠的合并单元格"):
        fastread.read_sheets(path)
    fast, full = both(path)
    assert isinstance(fast, fastread.NotUnderstood) and isinstance(full, Exception)


EXTERNAL = ('<hyperlinks><hyperlink ref="{ref}" r:id="rId9" xmlns:r='
            '"http://schemas.openxmlformats.org/officeDocument/2006/relationships"/>')


def test_a_link_out_of_the_workbook_on_an_empty_cell_is_left_to_openpyxl(corpus, tmp_path):
    """Its text would be the target in the sheet's relationships, which only openpyxl reads;
    on a cell with a value (a web address a clerk typed, which Excel links) nothing changes."""
    empty = _edit_sheet(corpus["filled_2021"], tmp_path / "external.xlsx", CHECKS_PART,
                        lambda x: x.replace("<hyperlinks>", EXTERNAL.format(ref="I6"), 1))
    with pytest.raises(fastread.NotUnderstood, match="含指向外部的超链接的空单元格"):
        fastread.read_sheets(empty)
    typed = _edit_sheet(corpus["filled_2021"], tmp_path / "typed.xlsx", CHECKS_PART,
                        lambda x: x.replace("<hyperlinks>", EXTERNAL.format(ref="H6"), 1))
    with zipfile.ZipFile(typed, "a") as zf:   # where openpyxl finds the link's target
        zf.writestr("xl/worksheets/_rels/sheet9.xml.rels",
                    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns='
                    '"http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId9" '
                    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" '
                    'Target="http://www.gov.cn/" TargetMode="External"/></Relationships>')
    fast, full = both(typed)
    assert not isinstance(fast, Exception) and fast == full
    assert fast == facts(fastread.read_sheets(corpus["filled_2021"]))


def test_a_value_typed_under_a_merge_is_dropped_however_often_its_sheet_is_met(corpus, tmp_path):
    """openpyxl drops a value under a merge (the title A1:B1 of 基本信息). A sheet with one value
    more has the template's cell plan (addresses, styles, formulas) but slots of its own: what its
    frame fixes must not be the template's, which had no value there to drop (found by a
    differential campaign: seeds 6107 then 6159)."""
    base = corpus["filled_2021"]
    for _ in range(2):   # the template's sheets read in full, then at their slots
        fastread.read_sheets(base)
    path = _edit_sheet(base, tmp_path / "under.xlsx", "xl/worksheets/sheet2.xml",
                       lambda x: x.replace('<c r="B1" s="1"/>', '<c r="B1" s="1"><v>2.5</v></c>', 1))
    for _ in range(3):   # in full, then at its own slots, then again
        assert_same(path)
        info = next(r for r in fastread.read_sheets(path) if r.name == "基本信息")
        assert (0, 1) not in info.values and (0, 0, 0, 1) in info.merged


def test_a_link_over_thousands_of_empty_cells_reads_as_openpyxl_and_is_not_remembered(corpus, tmp_path):
    """openpyxl gives each cell of a link's range its location (30,000 here, under the limits'
    300,000); the fast path gives the same, and keeps nothing of that size for the next file."""
    from xlsx_reports.xlsx import fastcells, fastsheet

    path = _edit_sheet(corpus["filled_2021"], tmp_path / "wide.xlsx", CHECKS_PART, lambda x: x.replace(
        "<hyperlinks>", "<hyperlinks><hyperlink ref=\"A40:Z1193\" location=\"'三、依申请公开'!D5\"/>", 1))
    fast, full = both(path)
    assert not isinstance(fast, Exception) and fast == full
    checks = next(f for f in fast if f["name"] == CHECK_SHEET)
    assert checks["values"][(1192, 25)] == "'三、依申请公开'!D5"
    for _ in range(2):
        fastread.read_sheets(path)
    assert all(len(fixed.links) <= fastsheet.MAX_REMEMBERED_LINKED for _objects, fixed in fastcells._FIXED.table.values())


def test_a_skeleton_is_known_by_its_bytes_whichever_object_holds_them(monkeypatch):
    """slots.known finds a kept skeleton by comparing the bytes of the one kept at its length
    (not hashing each workbook's afresh): the same bytes in another object are known, other
    bytes of the same length are not, and one forgotten by KNOWN is not known any more."""
    from collections import OrderedDict
    from xlsx_reports.xlsx import slots
    monkeypatch.setattr(slots, "KNOWN", OrderedDict())
    monkeypatch.setattr(slots, "_BY_LENGTH", {})
    styles, plan, places = (), object(), ((((0, 0), None, False, None, 1)),)
    kept = b"<row r=\"1\"><c r=\"A1\"><v>\x00</v></c></row>"
    slots.keep(kept, styles, plan, places)
    again = bytes(bytearray(kept))
    assert again is not kept
    assert slots.known(again, styles, 1) == (plan, places)
    assert slots.known(again.replace(b"A1", b"B1"), styles, 1) is None   # as long, other bytes
    assert slots.known(again, styles, 2) is None                         # another count of values
    slots.KNOWN.clear()
    assert slots.known(again, styles, 1) is None
