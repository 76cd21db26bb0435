"""The district clerk's pages: the status table, uploads, a unit's versions, township links,
and the long work (total, report, blank workbooks, export) started as jobs."""
from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

from flask import (Blueprint, abort, current_app, flash, jsonify, redirect, render_template,
                   request, send_file, session, url_for)

from xlsx_reports.web import outputs
from xlsx_reports.web.uploads import receive
from xlsx_reports.ledger.workspace import DEADLINE_PRINTED, deadline_text
from xlsx_reports.web.views import counts, finding_view, status_label, time_text, unit_row

pages = Blueprint("district", __name__)


def site():
    return current_app.extensions["xlsx_reports"]


def _table():
    status = site().call(lambda ws: ws.status())
    rows = [unit_row(r, status["deadline"]) for r in status["units"]]
    rows.sort(key=lambda r: r["order"])
    return status, rows


@pages.get("/")
def home():
    status, rows = _table()
    return render_template("district.html", status=status, rows=rows, counts=counts(status),
                           district=status["unit"] or "全区")


@pages.get("/partials/table")
def table_fragment():
    status, rows = _table()
    return render_template("_status_table.html", rows=rows, counts=counts(status), status=status)


@pages.post("/upload")
def upload():
    """Without JavaScript: every chosen file through intake, the results on one page."""
    results = receive(site(), request.files.getlist("file"))
    if not results:
        flash("没有选择文件。", "error")
        return redirect(url_for(".home"))
    return render_template("upload_results.html", results=results)


@pages.route("/login", methods=["GET", "POST"])
def login():
    gate = site().gate
    target = _safe_next(request.values.get("next", ""))
    if gate.open:
        return redirect(target)
    who = request.remote_addr or "?"
    if request.method == "POST":
        if gate.paused(who):
            flash("密码错误次数过多，请一分钟后再试。", "error")
        elif gate.try_login(request.form.get("password", ""), who):
            return redirect(target)
        else:
            flash("密码不对，请重新输入。", "error")
    return render_template("login.html", next=target)


@pages.post("/logout")
def logout():
    session.clear()
    return redirect(url_for(".login"))


def _safe_next(target: str) -> str:
    """Only a path on this server (no scheme, no host) may follow the login."""
    parts = urlsplit(target)
    if not target.startswith("/") or target.startswith("//") or parts.scheme or parts.netloc:
        return url_for(".home")
    return target


# --- the deadline ---------------------------------------------------------------------------

@pages.post("/deadline")
def set_deadline():
    """A deadline moved (or dropped, left empty): every version received is judged late afresh."""
    text = request.form.get("deadline", "").strip()
    try:
        day = date.fromisoformat(text) if text else None
    except ValueError:
        flash(f"截止日期“{text}”无法识别，未作修改：请写成 2025-01-31。", "error")
        return redirect(url_for(".home"))
    changed = site().call(lambda ws: ws.set_deadline(day))
    shown = deadline_text(day) if day else "（不设）"
    flash(f"截止日期已改为{shown}；{changed} 个已收到的版本的逾期标记随之改变。{DEADLINE_PRINTED}。", "ok")
    return redirect(url_for(".home"))


# --- one unit ------------------------------------------------------------------------------

def _known(unit: str) -> str:
    if unit not in site().call(lambda ws: ws.units()):
        abort(404, "名单中没有这个单位。")
    return unit


@pages.get("/unit/<path:unit>")
def unit_page(unit):
    _known(unit)
    status, rows = _table()
    row = next(r for r in rows if r["unit"] == unit)
    history = site().call(lambda ws: ws.history(unit))
    return render_template(
        "unit.html", unit=unit, row=row, versions=version_views(history),
        file_url=lambda v: url_for(".stored_file", unit=unit, version=v["version"]),
        annotated_url=lambda v: url_for(".annotated", unit=unit, version=v["version"]))


def version_views(history: list[dict]) -> list[dict]:
    """Newest first: each counted version with its label and findings as shown (a workbook
    refused as another unit's is no version of this unit)."""
    out = []
    for entry in reversed([e for e in history if e.get("version") is not None]):
        findings = [finding_view(f) for f in entry.get("findings") or ()]
        out.append(dict(entry, label=status_label(entry.get("decision", "")),
                        received_text=time_text(entry.get("received")), findings=findings))
    return out


@pages.get("/unit/<path:unit>/file/<int:version>")
def stored_file(unit, version):
    _known(unit)
    history = site().call(lambda ws: ws.history(unit))
    entry = next((e for e in history if e.get("version") == version), None)
    if entry is None:
        abort(404, "没有这个版本。")
    path = site().inside(entry["file"])
    return send_file(path, as_attachment=True, download_name=entry.get("name") or path.name)


@pages.get("/unit/<path:unit>/annotated/<int:version>")
def annotated(unit, version):
    _known(unit)
    return outputs.send_annotated(site(), unit, version)


@pages.get("/unit/<path:unit>/blank")
def blank(unit):
    _known(unit)
    return outputs.send_blank(site(), unit)


# --- township links -----------------------------------------------------------------------

@pages.get("/links")
def links():
    tokens = site().call(lambda ws: ws.tokens())
    base = request.host_url.rstrip("/")
    rows = [(unit, f"{base}{url_for('township.home', token=token)}") for unit, token in tokens.items()]
    return render_template("links.html", rows=rows)


@pages.post("/links/<path:unit>/reissue")
def reissue(unit):
    _known(unit)
    site().call(lambda ws: ws.reissue_token(unit))
    flash(f"已为{unit}生成新链接，旧链接已作废。请把新链接发给该单位。", "ok")
    return redirect(url_for(".links"))


# --- long work ------------------------------------------------------------------------------

@pages.post("/jobs/<kind>")
def start_job(kind):
    work = outputs.job_work(site(), kind, request.form)
    if work is None:
        abort(404, "没有这项操作。")
    job = site().jobs.start(*work)
    return redirect(url_for(".job_page", job_id=job.id), code=303)


@pages.get("/jobs/<job_id>")
def job_page(job_id):
    job = site().jobs.get(job_id) or abort(404, "没有这项任务（服务重启后任务记录会清空）。")
    return render_template("job.html", job=job.as_json())


@pages.get("/jobs/<job_id>.json")
def job_json(job_id):
    job = site().jobs.get(job_id) or abort(404, "没有这项任务。")
    return jsonify(job.as_json())


@pages.get("/download/<name>")
def download(name):
    return send_file(site().output(name), as_attachment=True, download_name=name)


@pages.get("/export/status.csv")
def status_csv():
    status = site().call(lambda ws: ws.status())
    return outputs.status_csv_response(status)
