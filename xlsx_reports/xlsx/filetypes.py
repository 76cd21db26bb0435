"""Recognises files that are not an xlsx workbook before any parser sees them.

Each foreign kind gets one Chinese sentence saying what the file is and what the township
should do; the reader raises it as UnreadableWorkbook. Magic bytes decide, not the name,
except where only the name tells kinds apart (a WPS .et and an old .xls are both OLE files).
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from xlsx_reports.core.encodings import TEXT_ENCODINGS
from xlsx_reports.core.files import NotRegular, read_regular, refusal, unreadable_reason
from xlsx_reports.xlsx import limits, zipdir

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"

SAVE_AS = "请在 Excel 或 WPS 中打开，“另存为” Excel 工作簿（*.xlsx）后重新提交"
REQUEST_NEW = "请重新下载或向报送单位索要原文件后再校验"


@dataclass(frozen=True)
class Vetted:
    """A file looked at once: why it is not a workbook (Chinese, without the file name), or
    its bytes and inflated XML parts, which the readers parse (nothing is read twice, and
    what was checked is what gets parsed)."""
    reason: str | None
    data: bytes = b""
    parts: dict[str, bytes] = field(default_factory=dict)
    names: frozenset[str] = frozenset()
    tally: limits.Tally | None = None   # the limits scan, for the reader to carry on


def foreign_reason(path: Path) -> str | None:
    """Why the file cannot be an xlsx workbook (Chinese, without the file name), or None."""
    return vet(path).reason


def vet(path: Path, data: bytes | None = None, *, whole: bool = False) -> Vetted:
    """The first thing any reader calls: a special or unreadable file, another format, or a
    workbook beyond the limits (xlsx/limits.py) is refused here, before any parser runs.
    `data`: the file's bytes, read already by read_bounded (what is judged is what was read;
    whoever read them asked refusal() first, or the read of a FIFO would never have ended).
    Without it, the file is read without blocking and judged as opened (files.read_regular).
    whole: every part scanned, those only openpyxl reads too (limits.prescan)."""
    if data is None:
        try:   # judged on the file opened (read_regular): a regular readable file needs no look before
            data = read_bounded(path)
        except NotRegular as exc:
            return Vetted(str(exc.strerror))
        except OSError as exc:   # why, as refusal() words it; a file that came back meanwhile, as it is
            return Vetted(refusal(path) or unreadable_reason(exc))
    if len(data) > limits.LIMITS.file_bytes:   # read_bounded stops one byte past the limit
        size = max(len(data), path.stat().st_size)
        return Vetted(f"文件有 {size // 1024 // 1024} MB，超过 {limits.LIMITS.file_bytes // 1024 // 1024} MB "
                      f"的上限，{limits.TOO_BIG}")
    head = data[:4096]
    if not head:
        return Vetted(f"文件是空的（0 字节），可能下载或复制时中断；{REQUEST_NEW}")
    if head.startswith(OLE_MAGIC):
        return Vetted(_ole_reason(path, data))
    if head.startswith(ZIP_MAGIC) or head.startswith(EMPTY_ZIP_MAGIC):
        return _zip_vetted(path, data, whole)
    return Vetted(_text_reason(path, head))


def read_bounded(path: Path) -> bytes:
    """The file's bytes, at most one past the size limit (vet refuses it then): the size it
    has, and one byte past the limit however it grows meanwhile (asking for the limit itself
    would make Python set aside 30 MB for every small file). files.NotRegular when it is no
    longer a regular file."""
    return read_regular(path, limits.LIMITS.file_bytes + 1)


def _ole_reason(path: Path, data: bytes) -> str:
    if "EncryptionInfo".encode("utf-16-le") in data:
        return ("工作簿设置了打开密码（已加密），无法读取；请在 Excel 或 WPS 中取消“打开密码”"
                "（文件→信息→保护工作簿→用密码进行加密，清空密码）后另存为 .xlsx 重新提交")
    if path.suffix.lower() in (".et", ".ett"):
        return f"这是 WPS 表格专用格式（.et），不是 Excel 工作簿；{SAVE_AS}"
    if path.suffix.lower() in (".doc", ".wps"):
        return "这是 Word 或 WPS 文字文档，不是填报用的工作簿；请提交下发的 .xlsx 填报表"
    return f"这是旧版 Excel 97-2003 格式（.xls）；{SAVE_AS}"


DAMAGED = f"文件不完整或已损坏（可能下载中断）；{REQUEST_NEW}"
UNSUPPORTED_ZIP = ("工作簿的压缩方式不是 Excel 使用的（可能由压缩软件改动过，或已损坏）；"
                   "请在 Excel 或 WPS 中打开后另存为 .xlsx 重新提交")
ENCRYPTED_ZIP = "压缩包设置了密码，无法读取；请提交未加密的 .xlsx 填报表"


def _zip_vetted(path: Path, data: bytes, whole: bool = False) -> Vetted:
    """Names the kind of zip; for a workbook, runs the limits scan (xlsx/limits.py)."""
    try:
        refused = limits.directory_refusal(io.BytesIO(data))
        if refused:
            return Vetted(refused)
        with zipdir.open_zip(data) as zf:
            reason = _zip_kind(path, zf)
            if reason is not None:
                return Vetted(reason)
            parts, tally = limits.prescan(zf, data=data, whole=whole)
            return Vetted(None, data, parts, frozenset(zf.namelist()), tally)
    except limits.Refused as exc:
        return Vetted(str(exc))
    except NotImplementedError:   # a "version needed" or compression method zipfile lacks
        return Vetted(UNSUPPORTED_ZIP)
    except RuntimeError as exc:   # zipfile: "File ... is encrypted, password required"
        return Vetted(ENCRYPTED_ZIP if "encrypted" in str(exc) else DAMAGED)
    except Exception:   # noqa: BLE001 - any other fault in a broken zip (zlib, struct, …) is damage
        return Vetted(DAMAGED)


def _zip_kind(path: Path, zf: zipdir.Archive) -> str | None:
    names = set(zf.namelist())
    mimetype = b""
    if "mimetype" in names:
        with zf.open("mimetype") as part:
            mimetype = part.read(80)
    if b"opendocument.spreadsheet" in mimetype:
        return f"这是 OpenDocument 表格（.ods）；{SAVE_AS}"
    if "word/document.xml" in names:
        return "这是 Word 文档（.docx），不是填报用的工作簿；请提交下发的 .xlsx 填报表"
    if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
        return "这是一个压缩包，不是 Excel 工作簿；请解压后提交其中的 .xlsx 填报表"
    if "xl/workbook.bin" in names:
        return f"这是 Excel 二进制工作簿（.xlsb）；{SAVE_AS}"
    if "xl/vbaProject.bin" in names or path.suffix.lower() in (".xlsm", ".xltm"):
        return ("这是含宏的工作簿（.xlsm），为安全起见不予读取；请“另存为” Excel 工作簿（*.xlsx，"
                "不含宏）后重新提交")
    return None


def _text_reason(path: Path, head: bytes) -> str:
    text = _decode(head)
    lowered = text.lstrip().lower()
    if lowered.startswith(("<html", "<!doctype html", "<table")) or "<html" in lowered[:300]:
        return f"这是网页文件（HTML），只是扩展名像工作簿；{SAVE_AS}"
    if lowered.startswith("<?xml") and "spreadsheetml" in lowered:
        return f"这是 Excel 2003 XML 表格，不是 .xlsx 工作簿；{SAVE_AS}"
    if text and ("," in text or "\t" in text) and "\x00" not in text:
        what = ("这是 CSV 或纯文本文件，不是下发的填报表" if path.suffix.lower() in (".csv", ".txt")
                else "这是 CSV 或纯文本文件，只是改了扩展名，不是下发的填报表")
        return f"{what}；请在下发的 .xlsx 填报表中填写后提交"
    if head.startswith(b"%PDF"):
        return "这是 PDF 文件，不是填报用的工作簿；请提交下发的 .xlsx 填报表"
    return f"不是 Excel 工作簿（无法识别的文件格式）；{REQUEST_NEW}"


def _decode(head: bytes) -> str:
    """Text of the first bytes, or "" for binary; the cut at 4096 bytes may split a character."""
    for encoding in TEXT_ENCODINGS:
        for cut in range(4):
            try:
                return head[: len(head) - cut].decode(encoding)
            except UnicodeDecodeError:
                continue
    return ""
