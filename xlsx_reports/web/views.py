"""What the pages show, built from the ledger's plain data: labels, colours, counts.

The ledger speaks in stable English codes (status, decision) and keeps their short Chinese
labels; here they get their colours, the sentences an uploader reads about a file, and the
figures at the top of the district page, for the pages, the JSON API and the CSV export.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from xlsx_reports.core.findings import SEVERITY_TEXT
from xlsx_reports.ledger.intake import DECISION_TEXT
from xlsx_reports.ledger.status import STATUS_TEXT
from xlsx_reports.ledger.workspace import deadline_text

# status code → CSS class; the order is the default sort: what needs action first
STATUS_CSS = {"errors": "st-errors", "unreadable": "st-unreadable", "missing": "st-missing",
              "passed": "st-passed"}

# what an upload's sender reads about their file (the ledger's short labels are for tables)
DECISION = {
    "passed": "已接收，校验通过",
    "errors": "已接收，有错误需要改正",
    "unreadable": "已接收，但无法读取",
    "outside": "未计入：单位不在名单中",
    "duplicate": "与已收到的文件完全相同，未重复记录",
    "wrong_unit": "未接收：不是本单位的工作簿",
}


def status_label(code: str) -> str:
    return STATUS_TEXT.get(code) or DECISION_TEXT.get(code, code)


def time_text(iso: str | None) -> str:
    """'2025-01-15 10:23' from an ISO time; the clerk does not need seconds or a zone."""
    if not iso:
        return ""
    try:
        return datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso


def unit_row(row: dict[str, Any], deadline: str | None = None) -> dict[str, Any]:
    """One line of the status table, with what the template and the sort need. A unit that
    has sent nothing by the day after the deadline is overdue (逾期未报)."""
    code = row["status"]
    overdue = bool(code == "missing" and deadline
                   and date.today() > date.fromisoformat(deadline))
    return dict(row, label=status_label(code), css=STATUS_CSS.get(code, ""),
                order=list(STATUS_CSS).index(code) if code in STATUS_CSS else len(STATUS_CSS),
                overdue=overdue, received_text=time_text(row.get("received")))


def counts(status: dict[str, Any]) -> dict[str, Any]:
    """The figures at the top of the district page, from the ledger's summary."""
    s = status["summary"]
    return {"total": s["units"], "sent": s["received"], "passed": s["passed"],
            "errors": s["errors"], "unreadable": s["unreadable"], "missing": s["missing"],
            "late": s["late"], "outside": s.get("outside", 0),
            "sent_rate": _percent(s["报送率"]), "pass_rate": _percent(s["通过率"]),
            "deadline": deadline_text(date.fromisoformat(status["deadline"])) if status["deadline"] else ""}


def _percent(fraction: float) -> str:
    return f"{fraction * 100:.0f}%"


def finding_view(f) -> dict[str, Any]:
    """A finding (a Finding, or one as the ledger keeps it in JSON) as the pages and the API
    show it: where (sheet!cell), what, what to do."""
    data = f if isinstance(f, dict) else f.as_json()
    sheet, cells = data.get("sheet") or "", list(data.get("cells") or ())
    where = f"{sheet}!{','.join(cells)}" if sheet and cells else sheet
    severity = data.get("severity", "error")
    return {"code": data.get("code", ""), "severity": severity,
            "severity_text": SEVERITY_TEXT.get(severity, severity), "where": where,
            "sheet": sheet, "cells": cells, "message": data.get("message", ""),
            "advice": data.get("advice") or ""}


def intake_view(result) -> dict[str, Any]:
    """One intake result for the JSON API and the upload results list."""
    findings = [finding_view(f) for f in result.findings]
    return {"file": str(getattr(result, "name", "") or result.file), "unit": result.unit,
            "decision": result.decision, "label": DECISION.get(result.decision, result.decision),
            "late": bool(result.late), "version": result.version,
            "errors": sum(f["severity"] == "error" for f in findings),
            "warnings": sum(f["severity"] == "warning" for f in findings),
            "findings": findings}


def wrong_unit_text(result: dict[str, Any], own: str) -> str:
    found = result.get("unit") or "无法识别的单位"
    return f"这是“{found}”的工作簿，不是本单位（{own}）的，未接收。请上传{own}自己的填报表。"
