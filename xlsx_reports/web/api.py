"""The JSON API beside the pages, for the bar and other tools.

District: GET /api/status (the shape of `status --json`), POST /api/upload (multipart field
`file`, one or many). Township, under its link: GET /t/<token>/api/status, POST
/t/<token>/api/upload. A POST carries the X-CSRF-Token header that every response brings
(or, for the district API on a server with a password, `Authorization: Bearer <password>`).
"""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from xlsx_reports.web import township
from xlsx_reports.web.district import site, version_views
from xlsx_reports.web.uploads import receive

routes = Blueprint("api", __name__, url_prefix="/api")
township_routes = Blueprint("township_api", __name__, url_prefix="/t/<token>/api")


def _with_status(results: list[dict]) -> list[dict]:
    """Each result with its unit's status after the upload (missing/passed/errors/unreadable)."""
    status = {r["unit"]: r["status"] for r in site().call(lambda ws: ws.status())["units"]}
    return [dict(r, status=status.get(r["unit"])) for r in results]


@routes.get("/status")
def status():
    return jsonify(site().call(lambda ws: ws.status()))


@routes.post("/upload")
def upload():
    files = request.files.getlist("file")
    if not files:
        return jsonify(error="没有收到文件：请用 multipart 表单字段 file 上传"), 400
    return jsonify(results=_with_status(receive(site(), files)))


@township_routes.get("/status")
def township_status(token):
    unit = township.unit_of(token)
    history = site().call(lambda ws: ws.history(unit))
    return jsonify(unit=township.without_paths(township.own_row(unit)),
                   versions=[township.without_paths(v) for v in version_views(history)])


@township_routes.post("/upload")
def township_upload(token):
    unit = township.unit_of(token)
    if not request.files.getlist("file"):
        return jsonify(error="没有收到文件：请用 multipart 表单字段 file 上传"), 400
    return jsonify(results=_with_status(township.upload_results(unit)))
