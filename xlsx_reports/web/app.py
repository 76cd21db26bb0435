"""The web application: district pages, township pages under their token, the JSON API.

Flask (with its Jinja2, already how this project renders reports) served by waitress: both
pure Python, so the district's Windows PC runs it with `pip install` and nothing else.
"""
from __future__ import annotations

import secrets
from pathlib import Path

from flask import Flask, jsonify, redirect, render_template, request, url_for
from flask.json.provider import DefaultJSONProvider
from flask.sessions import SecureCookieSessionInterface
from werkzeug.exceptions import HTTPException

from xlsx_reports.core.findings import CannotContinue
from xlsx_reports.web import api, district, security, township
from xlsx_reports.web.site import Site
from xlsx_reports.web.uploads import MAX_REQUEST_BYTES, WorkspaceRequest
from xlsx_reports.web.views import status_label, time_text

HERE = Path(__file__).resolve().parent
ERROR_TEXT = {400: "请求无效", 401: "需要登录", 403: "没有权限", 404: "页面不存在",
              405: "不支持这种请求", 413: "上传的文件太大", 500: "服务器内部错误"}


class SessionCookies(SecureCookieSessionInterface):
    """Cookies marked Secure whenever the page itself came over https (behind a proxy)."""

    def get_cookie_secure(self, app) -> bool:
        return request.is_secure


def create_app(site: Site) -> Flask:
    app = Flask("xlsx_reports.web", root_path=str(HERE), static_folder="static",
                template_folder="templates")
    app.request_class = WorkspaceRequest
    app.session_interface = SessionCookies()
    app.config.update(
        SECRET_KEY=secrets.token_bytes(32),   # per start: a restart signs everyone out
        SESSION_COOKIE_NAME="xlsx_reports_session", SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax", MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        MAX_FORM_PARTS=1000, TEMPLATES_AUTO_RELOAD=False, JSON_AS_ASCII=False)
    assert isinstance(app.json, DefaultJSONProvider)
    app.json.ensure_ascii = False
    app.extensions["xlsx_reports"] = site
    app.jinja_env.globals.update(csrf_token=security.csrf_token, site=site,
                                 label_of=status_label, time_text=time_text)

    app.register_blueprint(district.pages)
    app.register_blueprint(township.pages)
    app.register_blueprint(api.routes)
    app.register_blueprint(api.township_routes)
    _guard(app, site)
    _errors(app)
    return app


_PUBLIC = {"district.login", "static"}   # district endpoints open without the password


def _guard(app: Flask, site: Site) -> None:
    @app.before_request
    def _who_may():
        """Who first (so a stranger's upload is not even read), then the CSRF token."""
        if site.gate.open:
            security.check_local_host()
        if request.blueprint in ("township", "township_api"):
            township.unit_of((request.view_args or {}).get("token", ""))
        elif request.blueprint in ("district", "api") and request.endpoint not in _PUBLIC:
            if not (site.gate.signed_in() or site.gate.authorised_header()):
                if request.blueprint == "api":
                    return jsonify(error="需要登录：请先在区级页面输入密码，"
                                         "或在请求头中加 Authorization: Bearer 密码"), 401
                return redirect(url_for("district.login", next=request.full_path))
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            if not (request.blueprint == "api" and site.gate.authorised_header()):
                security.check_csrf()
        return None

    @app.after_request
    def _headers(response):
        # Tools driving the API read the token here, then send it back as X-CSRF-Token.
        response.headers["X-CSRF-Token"] = security.csrf_token()
        return security.secure_headers(response)


def _errors(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        text = (exc.description or "") if _ours(exc) else ERROR_TEXT.get(exc.code or 0, "请求出错")
        if exc.code == 413:
            text = f"上传的内容超过 {MAX_REQUEST_BYTES // (1024 * 1024)} MB，请分批上传。"
        return _failure(exc.code or 500, text)

    @app.errorhandler(CannotContinue)
    def _cannot(exc: CannotContinue):
        return _failure(400, str(exc))


def _ours(exc: HTTPException) -> bool:
    """abort(code, "中文") sets a description of ours; werkzeug's own are English."""
    description = exc.description or ""
    return any("\u4e00" <= ch <= "\u9fff" for ch in description)


def _failure(code: int, text: str):
    if request.path.startswith("/api/") or "/api/" in request.path:
        return jsonify(error=text), code
    return render_template("error.html", code=code, title=ERROR_TEXT.get(code, "出错了"),
                           text=text), code

