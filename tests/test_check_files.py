"""Files that are not one of our workbooks: one Chinese line each, no traceback, nothing else
read. (A real .xls written by LibreOffice is in test_lo_roundtrip.py.)"""
import io
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from fixtures_check.workbooks import balanced, generate
from xlsx_reports.check.workbook import check_file
from xlsx_reports.xlsx.filetypes import OLE_MAGIC
from xlsx_reports.xlsx.reader import UnreadableWorkbook, read_workbook

SAVE_AS = "请在 Excel 或 WPS 中打开，“另存为” Excel 工作簿（*.xlsx）后重新提交"


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    return generate(balanced(2020), tmp_path_factory.mktemp("gen") / "东山镇.xlsx")


def ole_file(path: Path, *stream_names: str) -> Path:
    """An OLE compound file header followed by directory entry names, as Office writes them."""
    body = b"".join(name.encode("utf-16-le") + b"\0\0" for name in stream_names)
    path.write_bytes(OLE_MAGIC + b"\0" * 504 + body + b"\0" * 1024)
    return path


def xlsm(good: Path, path: Path) -> Path:
    buf = io.BytesIO(good.read_bytes())
    with zipfile.ZipFile(buf, "a") as zf:
        zf.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0macro")
    path.write_bytes(buf.getvalue())
    return path


def foreign_workbook(path: Path) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Sheet1")
    ws.write_row(0, 0, ["单位", "申请数"])
    ws.write_row(1, 0, ["东山镇", 5])
    wb.close()
    return path


CASES = {
    "not a zip": (lambda d, g: _write(d / "a.xlsx", b"\x00\x01binary garbage\xff" * 20),
                  "a.xlsx：不是 Excel 工作簿（无法识别的文件格式）；请重新下载或向报送单位索要原文件后再校验"),
    "old xls": (lambda d, g: ole_file(d / "b.xls", "Root Entry", "Workbook"),
                f"b.xls：这是旧版 Excel 97-2003 格式（.xls）；{SAVE_AS}"),
    "encrypted": (lambda d, g: ole_file(d / "c.xlsx", "Root Entry", "EncryptionInfo", "EncryptedPackage"),
                  "c.xlsx：工作簿设置了打开密码（已加密），无法读取；请在 Excel 或 WPS 中取消“打开密码”"
                  "（文件→信息→保护工作簿→用密码进行加密，清空密码）后另存为 .xlsx 重新提交"),
    "wps et": (lambda d, g: ole_file(d / "d.et", "Root Entry", "Workbook"),
               f"d.et：这是 WPS 表格专用格式（.et），不是 Excel 工作簿；{SAVE_AS}"),
    "macro": (lambda d, g: xlsm(g, d / "e.xlsm"),
              "e.xlsm：这是含宏的工作簿（.xlsm），为安全起见不予读取；请“另存为” Excel 工作簿（*.xlsx，不含宏）后重新提交"),
    "truncated": (lambda d, g: _write(d / "f.xlsx", g.read_bytes()[: g.stat().st_size // 2]),
                  "f.xlsx：文件不完整或已损坏（可能下载中断）；请重新下载或向报送单位索要原文件后再校验"),
    "foreign workbook": (lambda d, g: foreign_workbook(d / "g.xlsx"),
                         "g.xlsx：不是本工具生成的填报表（没有找到年度报告表格的标签），请使用区里下发的填报表填写后重新提交"),
    "csv renamed": (lambda d, g: _write(d / "h.xlsx", "单位,申请数\n东山镇,5\n".encode("gbk")),
                    "h.xlsx：这是 CSV 或纯文本文件，只是改了扩展名，不是下发的填报表；请在下发的 .xlsx 填报表中填写后提交"),
    "empty": (lambda d, g: _write(d / "i.xlsx", b""),
              "i.xlsx：文件是空的（0 字节），可能下载或复制时中断；请重新下载或向报送单位索要原文件后再校验"),
    "html": (lambda d, g: _write(d / "j.xls", b"<html><body><table><tr><td>1</td></tr></table></body></html>"),
             f"j.xls：这是网页文件（HTML），只是扩展名像工作簿；{SAVE_AS}"),
    "missing": (lambda d, g: d / "k.xlsx", "k.xlsx：文件不存在，请检查文件名和路径"),
}


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("case", list(CASES))
def test_foreign_file_gets_one_clear_line(case, good, tmp_path):
    make, message = CASES[case]
    path = make(tmp_path, good)
    with pytest.raises(UnreadableWorkbook) as exc:
        read_workbook(path)
    assert str(exc.value) == message
    reading, findings = check_file(path)
    assert reading is None
    assert [(f.code, f.severity, f.message, f.file) for f in findings] == [
        ("UNREADABLE", "error", message, str(path))]


def test_broken_part_inside_a_valid_zip_is_unreadable_not_a_crash(good, tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(buf, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/workbook.xml":
                data = data[: len(data) // 2]
            dst.writestr(item, data)
    path = _write(tmp_path / "broken.xlsx", buf.getvalue())
    reading, findings = check_file(path)
    assert reading is None and [f.code for f in findings] == ["UNREADABLE"]
    assert findings[0].message.startswith("broken.xlsx：")


BOMB = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>')


@pytest.mark.parametrize("part", ["xl/sharedStrings.xml", "xl/worksheets/sheet2.xml"])
def test_xml_entities_are_refused_not_expanded(good, tmp_path, part):
    """defusedxml guards openpyxl's parser: a part declaring entities is not read at all."""
    buf = io.BytesIO()
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(buf, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == part:
                data = BOMB + data.split(b"?>", 1)[1]
            dst.writestr(item, data)
    path = _write(tmp_path / "bomb.xlsx", buf.getvalue())
    reading, findings = check_file(path)
    assert reading is None
    assert findings[0].message == ("bomb.xlsx：工作簿中含有不安全的 XML 内容（实体声明），为安全起见不予读取；"
                                   "请在 Excel 或 WPS 中打开后另存为 .xlsx 重新提交")


def test_our_workbook_with_its_tables_wiped_is_unreadable_with_its_own_message(good, tmp_path):
    import openpyxl
    wb = openpyxl.load_workbook(good)
    for ws in wb.worksheets:
        if ws.title not in ("_meta", "填报说明"):
            ws.delete_rows(1, ws.max_row)
    path = tmp_path / "wiped.xlsx"
    wb.save(path)
    reading, findings = check_file(path)
    assert reading is None
    assert findings[0].message == ("wiped.xlsx：是本工具下发的填报表，但表格被大幅改动（大部分标签找不到），"
                                   "无法可靠定位数据；请使用下发的原表重新填写")
