"""Who may see what: the district password, CSRF tokens, same-origin checks, response headers.

On 127.0.0.1 only someone at the district's own PC can connect, so the district pages need no
login; there the Host header must also be the loopback address (a web page elsewhere cannot
reach the server by rebinding its own name to 127.0.0.1). Served on any other address, the
district pages need the password given at start. Township pages are opened by their token and
never by the password. Every state-changing request carries the session's CSRF token (form
field or X-CSRF-Token header) and, when the browser says where it comes from, the same origin.
"""
from __future__ import annotations

import hmac
import secrets
import threading
import time
from dataclasses import dataclass, field
from ipaddress import ip_address
from urllib.parse import urlsplit

from flask import abort, request, session

LOOPBACK_NAMES = {"localhost"}
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
FAILED_LOGINS_ALLOWED = 5       # per address, then a pause: guessing the password takes forever
LOGIN_PAUSE_SECONDS = 60


def is_loopback(host: str) -> bool:
    host = host.strip("[]")
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def csrf_token() -> str:
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def check_csrf() -> None:
    """Refuse a state-changing request without this session's token or from another origin."""
    origin = request.headers.get("Origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.host:
        abort(403, "请求来自其他网站，已拒绝。")
    sent = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD, "")
    expected = session.get("csrf", "")
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        abort(403, "页面已过期或请求不是从本页面发出，请刷新页面后重试。")


def check_local_host() -> None:
    """Without a password the server answers only to a Host naming the loopback address."""
    host = urlsplit(f"//{request.host}").hostname or ""
    if not is_loopback(host):
        abort(403, "本服务只在本机（127.0.0.1）使用，不接受通过其他地址访问。")


@dataclass
class Gate:
    """The district password (None: loopback, no login) and the record of failed attempts."""
    password: str | None
    _failures: dict[str, list[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def open(self) -> bool:
        return self.password is None

    def signed_in(self) -> bool:
        return self.open or session.get("district") is True

    def authorised_header(self) -> bool:
        """A tool may send `Authorization: Bearer <password>` instead of logging in."""
        header = request.headers.get("Authorization", "")
        scheme, _, given = header.partition(" ")
        return (self.password is not None and scheme.lower() == "bearer"
                and hmac.compare_digest(given.encode(), self.password.encode()))

    def paused(self, who: str) -> bool:
        with self._lock:
            recent = [t for t in self._failures.get(who, []) if time.monotonic() - t < LOGIN_PAUSE_SECONDS]
            self._failures[who] = recent
            return len(recent) >= FAILED_LOGINS_ALLOWED

    def try_login(self, given: str, who: str) -> bool:
        if self.open:
            return True
        assert self.password is not None
        if hmac.compare_digest(given.encode(), self.password.encode()):
            session.clear()
            session["district"] = True
            session.permanent = False
            return True
        with self._lock:
            self._failures.setdefault(who, []).append(time.monotonic())
        return False


def secure_headers(response):
    """No outside resources, no framing, no referrer (a township link is a secret)."""
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers.setdefault("Cache-Control", "no-store")
    return response
