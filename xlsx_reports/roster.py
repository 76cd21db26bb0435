"""The roster: which units get a workbook (a CSV with at least a 单位名称 column).

District staff save rosters from Excel, so UTF-8 (with or without BOM) and GBK are both
accepted. Problems stop the run with a Chinese message naming the file and line.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from .findings import CannotContinue, os_reason

NAME_COLUMN = "单位名称"
ENCODINGS = ("utf-8-sig", "gb18030")
SPACES = " \t\u3000\ufeff"


@dataclass(frozen=True)
class RosterEntry:
    name: str
    line: int                               # line number in the file (the header is line 1)
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class Roster:
    path: Path
    units: list[RosterEntry]
    encoding: str = "utf-8-sig"

    @property
    def names(self) -> list[str]:
        return [u.name for u in self.units]


def clean(text: str | None) -> str:
    return (text or "").strip(SPACES)


def _decode(path: Path) -> tuple[str, str]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CannotContinue(f"无法读取名单文件 {path}：{os_reason(exc)}") from None
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise CannotContinue(f"名单文件 {path.name} 的编码无法识别：请另存为 UTF-8 或 GBK 编码的 CSV 文件")


def read_roster(path) -> Roster:
    path = Path(path)
    text, encoding = _decode(path)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows or not any(clean(c) for c in rows[0]):
        raise CannotContinue(f"名单文件 {path.name} 是空的：第 1 行应为表头，至少包含“{NAME_COLUMN}”一列")
    header = [clean(c) for c in rows[0]]
    if NAME_COLUMN not in header:
        raise CannotContinue(f"名单文件 {path.name} 第 1 行（表头）没有“{NAME_COLUMN}”列："
                             f"现有列为 {'、'.join(h for h in header if h) or '（无）'}")
    name_col = header.index(NAME_COLUMN)
    units: list[RosterEntry] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(clean(c) for c in row):
            continue
        name = clean(row[name_col]) if name_col < len(row) else ""
        if not name:
            raise CannotContinue(f"名单文件 {path.name} 第 {line} 行没有填写{NAME_COLUMN}")
        if name in seen:
            raise CannotContinue(f"名单文件 {path.name} 第 {seen[name]} 行和第 {line} 行是同一个单位"
                                 f"“{name}”：每个单位只能出现一次，请删除重复的行")
        seen[name] = line
        extra = {h: clean(row[i]) for i, h in enumerate(header)
                 if h and i != name_col and i < len(row) and clean(row[i])}
        units.append(RosterEntry(name, line, extra))
    if not units:
        raise CannotContinue(f"名单文件 {path.name} 没有任何单位：请在表头下面逐行填写{NAME_COLUMN}")
    return Roster(path, units, encoding)
