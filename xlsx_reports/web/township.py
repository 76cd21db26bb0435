"""A township's page, opened by its private link /t/<token>: its own status, versions and
findings, its upload, its blank and annotated workbooks. No route here takes a unit name:
the unit is what the token stands for, so one link can reach nothing of another unit."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from xlsx_reports.web import outputs
from xlsx_reports.web.district import version_views
from xlsx_reports.web.uploads import receive
from xlsx_reports.web.views import unit_row, wrong_unit_text

pages = Blueprint("township", __name__, url_prefix="/t/<token>")
INVALID = "链接无效或已作废。请向区政务公开办索取本单位的新链接。"


def site():
    return current_app.extensions["xlsx_reports"]


def unit_of(token: str) -> str:
    unit = site().call(lambda ws: ws.unit_for_token(token)) if token else None
    if unit is None:
        abort(404, INVALID)
    return unit


def own_row(unit: str) -> dict:
    status = site().call(lambda ws: ws.status())
    return unit_row(next(r for r in status["units"] if r["unit"] == unit), status["deadline"])


def upload_results(unit: str) -> list[dict]:
    """Each file through intake as this unit's; another unit's workbook is refused by name."""
    results = receive(site(), request.files.getlist("file"), unit=unit)
    for r in results:
        # a copy of a file another unit sent earlier is that unit's, not a duplicate of ours
        if r["decision"] == "wrong_unit" or (r["decision"] == "duplicate" and r["unit"] != unit):
            r.update(label=wrong_unit_text(r, unit), findings=[], errors=0, warnings=0)
    return results


def without_paths(entry: dict) -> dict:
    """What a township may see of a row: not where the server keeps the files."""
    return {k: v for k, v in entry.items() if k != "file"}


@pages.get("")
def home(token):
    unit = unit_of(token)
    history = site().call(lambda ws: ws.history(unit))
    return render_template(
        "township.html", unit=unit, token=token, row=own_row(unit),
        versions=version_views(history), file_url=None,
        annotated_url=lambda v: url_for(".annotated", token=token, version=v["version"]))


@pages.post("/upload")
def upload(token):
    unit = unit_of(token)
    results = upload_results(unit)
    if not results:
        flash("没有选择文件。", "error")
    for r in results:   # short: the findings themselves are shown from the ledger
        flash({"file": r["file"], "label": r["label"], "decision": r["decision"],
               "errors": r["errors"], "warnings": r["warnings"], "late": r["late"]}, "result")
    return redirect(url_for(".home", token=token), code=303)


@pages.get("/blank")
def blank(token):
    return outputs.send_blank(site(), unit_of(token))


@pages.get("/annotated/<int:version>")
def annotated(token, version):
    return outputs.send_annotated(site(), unit_of(token), version)
