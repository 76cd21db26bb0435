"""The hidden _meta sheet and the workbook properties that let a returned workbook be
recognised and verified (tool, version, format, unit, year, layout fingerprint, id)."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

from xlsx_reports import __version__
from xlsx_reports.xlsx.meta import TOOL_NAME, Metadata
from xlsx_reports.form.values import Report

PROPERTY_MAX = 255


def fresh_metadata(report: Report) -> Metadata:
    return Metadata(format=report.form.format, unit=report.unit, year=report.year,
                    fingerprint=report.form.fingerprint, workbook_id=uuid.uuid4().hex,
                    generated=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                    version=__version__)


def write_meta(ws, metadata: Metadata, *, password: str | None) -> None:
    ws.set_column(0, 0, 14)
    ws.set_column(1, 1, 60)
    for r, (key, value) in enumerate(metadata.rows()):
        ws.write_string(r, 0, key)
        ws.write_string(r, 1, value)
    ws.protect(password or "")
    ws.hide()


def set_properties(workbook, report: Report, metadata: Metadata) -> None:
    created = _parse_time(metadata.generated)
    workbook.set_properties({
        "title": f"{report.unit}{report.year}年度政府信息公开工作年度报告"
                 f"（{'汇总表' if metadata.kind == 'merged' else '填报表'}）",
        "subject": f"政府信息公开工作年度报告 {report.form.format} 版格式（{report.form.basis}）",
        "author": TOOL_NAME, "company": report.unit, "keywords": "政府信息公开,年度报告",
        "comments": f"由 {TOOL_NAME} {metadata.version} 生成；请勿修改隐藏的 _meta 工作表。",
        **({"created": created} if created else {}),
    })
    for key, value in metadata.rows():
        if len(value) <= PROPERTY_MAX:
            workbook.set_custom_property(f"{TOOL_NAME}.{key}", value)


def _parse_time(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None
