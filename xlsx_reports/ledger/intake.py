"""Judging one received file: which unit it is from, what its check found, and the decision.

Decisions: passed (no errors), errors, unreadable, outside (a unit not on the roster),
wrong_unit (sent through another unit's upload link), duplicate (content already received;
decided by the ledger, not here). A return is tied to what was distributed by the workbook
id in its metadata; a workbook this workspace did not hand out is still read and checked,
and told apart with a warning (LEDGER-ID).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from xlsx_reports.check.workbook import check_file, sort_findings
from xlsx_reports.core.findings import Finding, has_errors

DECISIONS = ("passed", "errors", "unreadable", "outside", "duplicate", "wrong_unit")
COUNTED = ("passed", "errors", "unreadable")     # these become a version of a roster unit
DECISION_TEXT = {"passed": "已通过", "errors": "有错误", "unreadable": "无法读取",
                 "outside": "名单外", "duplicate": "重复", "wrong_unit": "单位不符"}


@dataclass
class IntakeResult:
    file: str                     # the name it was sent under
    sha256: str
    unit: str | None
    decision: str
    late: bool
    findings: list[Finding] = field(default_factory=list)
    stored: Path | None = None
    version: int | None = None

    @property
    def decision_text(self) -> str:
        return DECISION_TEXT[self.decision] + ("（逾期）" if self.late and self.decision in COUNTED
                                                  else "")


@dataclass(frozen=True)
class Season:
    """What a return is judged against: the workspace's year, roster and deadline."""
    year: int
    units: tuple[str, ...]
    unit_by_workbook_id: dict
    deadline: date | None


def is_late(received: str, deadline: date | None) -> bool:
    """Late when received on a day after the deadline (the deadline day itself counts)."""
    return deadline is not None and datetime.fromisoformat(received).date() > deadline


def judge(stored: Path, name: str, received: str, season: Season,
          expect_unit: str | None, data: bytes | None = None) -> dict:
    """The ledger row (without version) for one stored file; `data`: its bytes, when they are
    at hand (intake fingerprinted them), so what is judged is what was fingerprinted."""
    reading, findings = check_file(stored, data=data)
    if reading is None or reading.report is None:
        unit = expect_unit or guess_unit(name, season.units)
        return _entry(unit, "unreadable", findings, received, season)
    meta = reading.metadata
    known = season.unit_by_workbook_id.get(meta.workbook_id) if meta else None
    unit = known or (meta.unit if meta and meta.unit else reading.report.unit)
    findings = findings + list(_ledger_findings(reading, unit, known, season))
    findings = sort_findings(findings, [s.name for s in reading.sheets])
    if expect_unit is not None and unit != expect_unit:
        decision = "wrong_unit"
    elif unit not in season.units:
        decision = "outside"
    else:
        decision = "errors" if has_errors(findings) else "passed"
    return _entry(unit, decision, findings, received, season)


def counted(entry: dict, season: Season) -> bool:
    """Whether a judged file becomes the next version of a roster unit."""
    return entry["decision"] in COUNTED and entry["unit"] in season.units


def _entry(unit, decision, findings, received, season) -> dict:
    return {"unit": unit, "decision": decision, "late": is_late(received, season.deadline),
            "errors": sum(f.severity == "error" for f in findings),
            "warnings": sum(f.severity == "warning" for f in findings),
            "findings": [f.as_json() for f in findings]}


def _ledger_findings(reading, unit: str, known: str | None, season: Season):
    year = reading.report.year
    if year != season.year:
        yield Finding("YEAR", "error", f"{reading.path.name} 是 {year} 年度的工作簿，本工作区收集的是 "
                      f"{season.year} 年度的报表", file=str(reading.path), unit=unit,
                      expected=season.year, actual=year,
                      advice=f"请提交 {season.year} 年度的填报表（可能误交了其他年度的文件）。")
    if known is None and unit in season.units and reading.metadata is not None \
            and reading.metadata.kind == "unit":
        yield Finding("LEDGER-ID", "warning", f"{reading.path.name} 不是本工作区下发给“{unit}”的填报表"
                      "（工作簿编号不符），已按单位名称登记", file=str(reading.path), unit=unit,
                      actual=reading.metadata.workbook_id,
                      advice="请确认该单位使用的是本次下发的填报表；如是另行生成的表，核对无误即可。")


def guess_unit(name: str, units: tuple[str, ...]) -> str | None:
    """The roster unit named in a file name (the longest one, so 河市镇 beats 河市)."""
    stem = Path(name).stem
    named = [u for u in units if u in stem]
    return max(named, key=len) if named else None


def findings_from_json(items: list[dict], file: str, unit: str | None) -> list[Finding]:
    return [Finding(**dict(item, cells=tuple(item.get("cells") or ())), file=file, unit=unit or "")
            for item in items]
