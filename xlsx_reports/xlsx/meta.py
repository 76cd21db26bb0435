"""Names of the sheets the tool adds around the form, and the metadata it leaves in a workbook.

The hidden metadata sheet holds one key per row: column A the key, column B the value
(text; lists are JSON). A returned workbook is recognised and verified through it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Sequence

GUIDE_SHEET = "填报说明"
GUIDE_TITLE_CELL = (0, 0)        # 填报说明 title (names unit and year): written, read, checked
CHECK_SHEET = "校验"
META_SHEET = "_meta"
DETAIL_SHEET = "分单位明细"     # merged workbooks only
TEXTS_SHEET = "各单位文字材料"  # merged workbooks only
SUMMARY_SHEET = "汇总说明"      # merged workbooks only
# 分单位明细 is read back by `check`: its rows are found through these texts and the row of
# field keys, never through fixed addresses.
DETAIL_HEAD = ("单位", "文件")   # the first columns, before one column per numeric input
TOTAL_ROW = "合计"               # the 单位 text of the row that sums the unit rows

TOOL_NAME = "xlsx-reports"
# Excel keeps at most 32767 characters in a cell (xlsxwriter truncates longer text), and a
# merged total of a few hundred units lists more than that: long values continue on rows
# "key.2", "key.3", … which from_rows joins again.
CELL_CHUNK = 32000


@dataclass
class Metadata:
    format: str
    unit: str
    year: int
    fingerprint: str              # layout fingerprint of the form (Form.fingerprint)
    workbook_id: str              # unique per generated workbook
    generated: str                # ISO 8601 time of generation
    version: str
    tool: str = TOOL_NAME
    kind: str = "unit"            # "unit" or "merged"
    units: list[str] = field(default_factory=list)       # merged: every unit contained
    sources: list[dict[str, Any]] = field(default_factory=list)  # merged: unit, file, workbook_id, sha256

    def rows(self) -> list[tuple[str, str]]:
        return [part for key, value in self._rows() for part in _split(key, value)]

    def _rows(self) -> list[tuple[str, str]]:
        return [
            ("tool", self.tool), ("version", self.version), ("format", self.format),
            ("unit", self.unit), ("year", str(self.year)), ("fingerprint", self.fingerprint),
            ("workbook_id", self.workbook_id), ("generated", self.generated), ("kind", self.kind),
            ("units", json.dumps(self.units, ensure_ascii=False)),
            ("sources", json.dumps(self.sources, ensure_ascii=False)),
        ]

    @classmethod
    def from_rows(cls, rows: dict[str, str]) -> "Metadata":
        """Raises KeyError/ValueError when the rows are not metadata this tool wrote."""
        rows = {key: _joined(rows, key) for key in rows if not _continuation(key)}
        return cls(
            tool=rows["tool"], version=rows["version"], format=rows["format"], unit=rows["unit"],
            year=int(rows["year"]), fingerprint=rows["fingerprint"],
            workbook_id=rows["workbook_id"], generated=rows["generated"],
            kind=rows.get("kind", "unit"), units=_units(json.loads(rows.get("units") or "[]")),
            sources=_sources(json.loads(rows.get("sources") or "[]")),
        )


def _units(value: Any) -> list[str]:
    """A list of unit names; anything else (hand-edited metadata) is ValueError, as for a
    missing key, so the reader reports the metadata as modified instead of failing later."""
    if not isinstance(value, list) or not all(isinstance(u, str) for u in value):
        raise ValueError("units is not a list of names")
    return value


def _sources(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise ValueError("sources is not a list")
    for source in value:
        if not isinstance(source, dict) or not isinstance(source.get("unit"), str):
            raise ValueError("a source without a unit name")
        if "units" in source:
            _units(source["units"])
        if not all(isinstance(source.get(k, ""), str) for k in ("file", "workbook_id", "sha256")):
            raise ValueError("a source field is not text")
    return value


def source_label(source: dict[str, Any]) -> str:
    """How a source of a merged workbook is named on 分单位明细 (an entry of Metadata.sources)."""
    return unit_label(source["unit"], source.get("units"))


def unit_label(unit: str, units: Sequence[str] | None) -> str:
    """A source's unit, or, for a total merged again (`units`: those it contains), the unit
    and how many units it contains."""
    return unit if units is None else f"{unit}（汇总，含 {len(units)} 个单位）"


def _split(key: str, value: str) -> list[tuple[str, str]]:
    parts = [value[i:i + CELL_CHUNK] for i in range(0, len(value), CELL_CHUNK)] or [""]
    return [(key, parts[0])] + [(f"{key}.{n}", part) for n, part in enumerate(parts[1:], 2)]


def _continuation(key: str) -> bool:
    base, _, n = key.rpartition(".")
    return bool(base) and n.isdigit() and int(n) >= 2


def _joined(rows: dict[str, str], key: str) -> str:
    value, n = rows[key], 2
    while f"{key}.{n}" in rows:
        value += rows[f"{key}.{n}"]
        n += 1
    return value
