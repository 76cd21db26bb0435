"""What the pages hand out: blank and annotated workbooks, the district total and report, a
zip of every blank workbook, the status and data exports. Everything is made inside the
workspace (the ledger's own folders or the web output folder) and sent from there."""
from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from typing import Any, Callable, Mapping

from flask import Response, abort, send_file

from xlsx_reports.core.atomic import atomic_path, write_text
from xlsx_reports.core.findings import CannotContinue
from xlsx_reports.merge.workbooks import FIGURE_UNIT
from xlsx_reports.web.jobs import Job
from xlsx_reports.web.views import counts, status_label, time_text

REPORT_FORMATS = {"docx": "Word", "html": "网页"}
EXPORT_FORMATS = ("csv", "json")


def _name(site, what: str, suffix: str) -> Path:
    """An output file of the web pages: 洛江区_2024年度汇总.xlsx and the like."""
    unit, year = site.call(lambda ws: (ws.unit or "全区", ws.year))
    return site.outputs / f"{unit}_{year}年度{what}.{suffix}"


def send_blank(site, unit: str):
    path = site.inside(site.call(lambda ws: ws.blank_workbook(unit)))
    return send_file(path, as_attachment=True, download_name=path.name)


def send_annotated(site, unit: str, version: int | None):
    try:
        path = site.call(lambda ws: ws.annotated(unit, version))
    except CannotContinue as exc:
        abort(404, str(exc))
    path = site.inside(path)
    return send_file(path, as_attachment=True, download_name=path.name)


def status_csv_response(status: dict[str, Any]) -> Response:
    """The status table for Excel: UTF-8 with a BOM, so Excel on Windows reads the Chinese."""
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n")
    out.writerow(["单位", "状态", "逾期", "版本数", "错误", "提示", "最近报送时间"])
    for r in status["units"]:
        out.writerow([r["unit"], status_label(r["status"]), "是" if r.get("late") else "",
                      r.get("versions", 0), r.get("errors", 0), r.get("warnings", 0),
                      time_text(r.get("received"))])
    c = counts(status)
    out.writerow([])
    out.writerow(["报送率", c["sent_rate"], "通过率", c["pass_rate"]])
    name = f"{status['year']}年报送情况.csv"
    return Response(("\ufeff" + buf.getvalue()).encode("utf-8"), mimetype="text/csv",
                    headers={"Content-Disposition": _attachment(name)})


def _attachment(name: str) -> str:
    from urllib.parse import quote
    return f"attachment; filename=\"status.csv\"; filename*=UTF-8''{quote(name)}"


# --- jobs --------------------------------------------------------------------------------------

def job_work(site, kind: str, form: Mapping[str, str]) -> tuple[str, Callable[[Job], Path]] | None:
    """(title, work) for a job the district page may start, or None."""
    if kind == "merge":
        allow = form.get("allow_errors") == "1"
        return "汇总全区", lambda job: merge_total(site, job, allow_errors=allow)
    if kind == "report":
        fmt = form.get("format", "docx")
        if fmt not in REPORT_FORMATS:
            return None
        return f"生成全区报告（{REPORT_FORMATS[fmt]}）", lambda job: district_report(site, job, fmt)
    if kind == "blanks":
        return "打包全部空白填报表", lambda job: blank_zip(site, job)
    if kind == "export":
        fmt = form.get("format", "csv")
        if fmt not in EXPORT_FORMATS:
            return None
        return f"导出各单位数据（{fmt.upper()}）", lambda job: export_data(site, job, fmt)
    return None


def merge_total(site, job: Job, *, allow_errors: bool) -> Path:
    job.progress(0, 1, "正在校验并汇总各单位的当前版本……")
    out = _name(site, "汇总", "xlsx")
    result, path = site.aside(lambda ws: ws.merge(out, allow_errors=allow_errors))
    job.notes = merge_notes(site, result)
    job.progress(1, 1, "汇总完成")
    return site.inside(path)


def merge_notes(site, result) -> list[str]:
    """Which units the total holds and which not (with why), and its key figures; the
    store's file paths of the merge's own summary mean nothing to the clerk."""
    status = site.call(lambda ws: ws.status())
    left_out = [f"{u['unit']}（{status_label(u['status'])}）" for u in status["units"]
                if u["unit"] not in result.units]
    notes = [f"纳入汇总：{len(result.units)} 个单位：{'、'.join(result.units)}"]
    if left_out:
        notes.append(f"未纳入：{len(left_out)} 个单位：{'、'.join(left_out)}")
    return notes + [f"{name}：{value} {FIGURE_UNIT}" for name, value in result.key_figures()]


def district_report(site, job: Job, fmt: str) -> Path:
    """The district total's report, rendered as `render` does; the total is made afresh when
    it is missing or a newer version arrived since."""
    from xlsx_reports.report.render import render_file

    total = _name(site, "汇总", "xlsx")
    if not total.is_file() or site.call(lambda ws: ws.total_is_stale()):
        total = merge_total(site, job, allow_errors=False)
    job.progress(1, 2, "正在生成报告……")
    out = _name(site, "汇总报告", fmt)
    rendered = render_file(total, out, force=True)
    if rendered.draft:
        job.notes.append("汇总表有校验错误，报告已标为“草稿”。")
    job.notes += [f"{f.message}" for f in rendered.warnings]
    job.progress(2, 2, "报告已生成")
    return site.inside(out)


def blank_zip(site, job: Job) -> Path:
    units = site.call(lambda ws: ws.units())
    out = _name(site, "空白填报表", "zip")
    with atomic_path(out) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for i, unit in enumerate(units):
            job.progress(i, len(units), f"正在打包：{unit}")
            path = site.inside(site.call(lambda ws, u=unit: ws.blank_workbook(u)))
            zf.write(path, arcname=path.name)
    job.progress(len(units), len(units), "打包完成")
    return site.inside(out)


def export_data(site, job: Job, fmt: str) -> Path:
    """Every cell of each unit's current version, one record a cell (as `export` writes)."""
    from xlsx_reports.report.export import to_csv, to_json

    job.progress(0, 1, "正在读取各单位的当前版本……")
    records = site.aside(lambda ws: ws.export_records())
    out = _name(site, "各单位数据", fmt)
    # Excel on Windows reads a UTF-8 CSV as Chinese only with the byte-order mark
    write_text(out, "\ufeff" + to_csv(records) if fmt == "csv" else to_json(records))
    job.progress(1, 1, f"已导出 {len({r['unit'] for r in records})} 个单位")
    return site.inside(out)
