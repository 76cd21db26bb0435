"""The roster: which units get a workbook (a CSV with at least a 单位名称 column).

District staff save rosters from Excel, so UTF-8 (with or without BOM) and GBK are both
accepted. Problems stop the run with a Chinese message naming the file and line.
"""
from __future__ import annotations

import csv
import io
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from xlsx_reports.core import csvsafe
from xlsx_reports.core.files import refusal
from xlsx_reports.core.findings import CannotContinue, os_reason
from xlsx_reports.core.encodings import CSV_OUTPUT, decode

NAME_COLUMN = "单位名称"
DELIMITERS = (",", "\t", ";", "，")   # “Unicode 文本” is tab-separated; some Excel locales use ";"
WORKBOOK_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")   # .xlsx (zip), .xls / .et (OLE)
SPACES = " \t\u3000\ufeff"
MAX_UNIT_CHARS = 100   # every sheet's page header repeats the name, and Excel drops a header over 255


@dataclass(frozen=True)
class RosterEntry:
    name: str
    line: int                               # line number in the file (the header is line 1)
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class Roster:
    path: Path
    units: list[RosterEntry]
    encoding: str = CSV_OUTPUT

    @property
    def names(self) -> list[str]:
        return [u.name for u in self.units]


def clean(text: str | None) -> str:
    return (text or "").strip(SPACES)


def _decode(path: Path) -> tuple[str, str]:
    reason = refusal(path) if str(path) != "-" and path.exists() else None   # a FIFO or /dev/zero would never end
    if reason:
        raise CannotContinue(f"无法读取名单文件 {path}：{reason}", code="ROSTER-INVALID")
    try:   # "-": the roster piped in on standard input
        data = sys.stdin.buffer.read() if str(path) == "-" else path.read_bytes()
    except OSError as exc:
        raise CannotContinue(f"无法读取名单文件 {path}：{os_reason(exc)}", code="ROSTER-INVALID") from None
    if data.startswith(WORKBOOK_SIGNATURES):
        raise CannotContinue(f"名单文件 {path.name} 是 Excel 工作簿，不是 CSV 文件：请在 Excel 中"
                             "“另存为”“CSV UTF-8（逗号分隔）”后再用", code="ROSTER-INVALID")
    decoded = decode(data)   # also Excel's 另存为“Unicode 文本” (UTF-16)
    if decoded is not None:
        return decoded
    raise CannotContinue(f"名单文件 {path.name} 的编码无法识别：请另存为 UTF-8 或 GBK 编码的 CSV 文件", code="ROSTER-INVALID")


def unit_problem(name: str) -> str | None:
    """Why a unit name cannot be used (it goes into file names, titles and page headers)."""
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        return "中有换行符或其他控制字符"
    if len(name) > MAX_UNIT_CHARS:
        return f"太长（{len(name)} 个字，最多 {MAX_UNIT_CHARS} 个字）"
    return None


def shown(name: str, limit: int = 20) -> str:
    """A unit name quoted on one line of a message: control characters made visible, cut short."""
    text = "".join("↵" if unicodedata.category(ch) == "Cc" else ch for ch in name)
    return text if len(text) <= limit else text[:limit] + "…"


def _delimiter(text: str) -> str:
    """The separator under which the header line has a 单位名称 column (comma when none has)."""
    first = text.split("\n", 1)[0]
    for delimiter in DELIMITERS:
        if NAME_COLUMN in (clean(c) for c in next(csv.reader([first], delimiter=delimiter), [])):
            return delimiter
    return ","


def _name_column(path: Path, header: list[str]) -> int:
    columns = [i for i, h in enumerate(header) if h == NAME_COLUMN]
    if not columns:
        raise CannotContinue(f"名单文件 {path.name} 第 1 行（表头）没有“{NAME_COLUMN}”列："
                             f"现有列为 {'、'.join(h for h in header if h) or '（无）'}", code="ROSTER-INVALID")
    if len(columns) > 1:
        numbers = "、".join(str(i + 1) for i in columns)
        raise CannotContinue(f"名单文件 {path.name} 第 1 行（表头）有 {len(columns)} 个“{NAME_COLUMN}”列"
                             f"（第 {numbers} 列）：请只保留一列，其余改名或删除", code="ROSTER-INVALID")
    return columns[0]


def read_roster(path) -> Roster:
    path = Path(path)
    text, encoding = _decode(path)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text)))
    if not rows or not any(clean(c) for c in rows[0]):
        raise CannotContinue(f"名单文件 {path.name} 是空的：第 1 行应为表头，至少包含“{NAME_COLUMN}”一列", code="ROSTER-INVALID")
    header = [clean(c) for c in rows[0]]
    name_col = _name_column(path, header)
    units: list[RosterEntry] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(clean(c) for c in row):
            continue
        name = csvsafe.restored(clean(row[name_col])) if name_col < len(row) else ""
        if not name:
            raise CannotContinue(f"名单文件 {path.name} 第 {line} 行没有填写{NAME_COLUMN}", code="ROSTER-INVALID")
        if unit_problem(name):
            raise CannotContinue(f"名单文件 {path.name} 第 {line} 行的{NAME_COLUMN}{unit_problem(name)}，"
                                 "请改正后重试", code="ROSTER-INVALID")
        if name in seen:
            raise CannotContinue(f"名单文件 {path.name} 第 {seen[name]} 行和第 {line} 行是同一个单位"
                                 f"“{name}”：每个单位只能出现一次，请删除重复的行", code="ROSTER-INVALID")
        seen[name] = line
        extra = {h: clean(row[i]) for i, h in enumerate(header)
                 if h and i != name_col and i < len(row) and clean(row[i])}
        units.append(RosterEntry(name, line, extra))
    if not units:
        raise CannotContinue(f"名单文件 {path.name} 没有任何单位：请在表头下面逐行填写{NAME_COLUMN}", code="ROSTER-INVALID")
    return Roster(path, units, encoding)
