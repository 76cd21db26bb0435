"""Who has sent what: the status of every roster unit, its history, and whether the total is stale.

status() is the stable shape of `status --json`:
  {"year", "unit", "deadline", "units": [{"unit", "status", "versions", "errors", "warnings",
   "received", "late", "file"}], "outside": [...], "summary": {...}, "stale_total", "total"}
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from xlsx_reports.ledger.workspace import Workspace

STATUS_TEXT = {"missing": "未报送", "passed": "已通过", "errors": "有错误", "unreadable": "无法读取"}


def unit_entry(ws: "Workspace", unit: str, current: dict | None, versions: int) -> dict:
    if current is None:
        return {"unit": unit, "status": "missing", "versions": 0, "errors": 0, "warnings": 0,
                "received": None, "late": False, "file": None}
    return {"unit": unit, "status": current["decision"], "versions": versions,
            "errors": current["errors"], "warnings": current["warnings"],
            "received": current["received"], "late": current["late"],
            "file": str(ws.root / current["stored"])}


def status(ws: "Workspace") -> dict:
    current = ws.ledger.current_versions()
    counts = ws.ledger.version_counts()
    units = [unit_entry(ws, u, current.get(u), counts.get(u, 0)) for u in ws.units()]
    outside = [{"unit": r["unit"], "file": r["name"], "decision": r["decision"],
                "received": r["received"], "stored": str(ws.root / r["stored"])}
               for r in ws.ledger.uncounted()]
    last = ws.ledger.last_merge()
    return {"year": ws.year, "unit": ws.unit,
            "deadline": ws.deadline.isoformat() if ws.deadline else None,
            "units": units, "outside": outside, "summary": summary(units, len(outside)),
            "stale_total": total_is_stale(ws),
            "total": None if last is None else {"made": last["made"], "file": last["output"],
                                                "units": len(last["sources"])}}


def summary(units: list[dict], outside: int) -> dict:
    """报送率 = units that sent something / roster units; 通过率 = units whose current version
    passed / units that sent something (both as fractions, 4 decimals)."""
    n = len(units)
    count = {s: sum(u["status"] == s for u in units) for s in STATUS_TEXT}
    received = n - count["missing"]
    return {"units": n, "received": received, "missing": count["missing"],
            "passed": count["passed"], "errors": count["errors"],
            "unreadable": count["unreadable"], "late": sum(u["late"] for u in units),
            "outside": outside,
            "报送率": round(received / n, 4) if n else 0.0,
            "通过率": round(count["passed"] / received, 4) if received else 0.0}


def version_entry(ws: "Workspace", row: dict) -> dict:
    return {"version": row["version"], "received": row["received"], "name": row["name"],
            "sha256": row["sha256"], "decision": row["decision"], "late": row["late"],
            "errors": row["errors"], "warnings": row["warnings"], "findings": row["findings"],
            "file": str(ws.root / row["stored"])}


def total_is_stale(ws: "Workspace") -> bool:
    """True when the last merge no longer holds exactly the versions a merge would take now."""
    last = ws.ledger.last_merge()
    if last is None:
        return False
    now = {r["sha256"] for r in ws.mergeable(last["allow_errors"])}
    return now != {s["sha256"] for s in last["sources"]}
