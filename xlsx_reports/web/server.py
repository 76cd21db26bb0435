"""Serving the app with waitress (pure Python, the same on Windows and Linux)."""
from __future__ import annotations

import logging
import threading
import webbrowser
from typing import Callable

from waitress.server import create_server

from xlsx_reports.core.findings import CannotContinue
from xlsx_reports.web.app import create_app
from xlsx_reports.web.security import is_loopback
from xlsx_reports.web.site import Site

THREADS = 8   # uploads queue on the ledger's one thread; more threads keep pages answering


def check_password(host: str, password: str | None, proxied: bool = False) -> str | None:
    """A password is required off the loopback address, and behind a proxy (which brings other
    computers to a loopback address); given, it is asked for everywhere (a district PC shared
    by several people may want it on 127.0.0.1 too)."""
    if not password and is_loopback(host) and not proxied:
        return None
    if not password:
        where = "在反向代理后面" if proxied else f"在 {host} 上"
        raise CannotContinue(
            f"{where}提供服务时，其他电脑也能访问区级页面，必须设置密码："
            "用 --password 或环境变量 XLSX_REPORTS_PASSWORD（推荐，密码不会出现在命令行记录中）")
    if len(password) < 8:
        raise CannotContinue("密码太短：请至少用 8 个字符")
    return password


# what a trusted proxy may tell: the scheme and address the person used (links and secure
# cookies follow them) and who they are (a paused login pauses them, not everyone behind it)
PROXY_HEADERS = frozenset({"x-forwarded-proto", "x-forwarded-host", "x-forwarded-port", "x-forwarded-for"})


def serve(root, *, host: str, port: int, password: str | None, open_browser: bool,
          say: Callable[[str], None], trusted_proxy: str | None = None) -> None:
    """trusted_proxy: the address of a reverse proxy in front; waitress applies its forwarded
    headers and drops them from anyone else."""
    # waitress reports a busy queue in English on the console; the clerk reads Chinese, and
    # uploads waiting their turn are expected (they queue on the ledger's thread)
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    site = Site.open(root, password=check_password(host, password, proxied=bool(trusted_proxy)))
    app = create_app(site)
    try:
        server = create_server(app, host=host, port=port, threads=THREADS,
                               # above Flask's limit, so the refusal is Flask's, in Chinese
                               max_request_body_size=app.config["MAX_CONTENT_LENGTH"] + 2**20,
                               ident="xlsx-reports", trusted_proxy=trusted_proxy or None,
                               # waitress refuses headers without a proxy to take them from
                               trusted_proxy_headers=set(PROXY_HEADERS) if trusted_proxy else set(),
                               clear_untrusted_proxy_headers=True)
    except OSError as exc:
        raise CannotContinue(f"无法在 {host}:{port} 上启动服务（{exc.strerror or exc}）："
                             "端口可能已被占用，请用 --port 换一个端口") from None
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{server.effective_port}/"   # type: ignore[union-attr]  # not in types-waitress
    say(f"已启动：{url}" + (f"（经 {trusted_proxy} 上的反向代理访问）" if trusted_proxy else ""))
    say("区级页面" + ("无需登录（只有本机能访问）" if site.gate.open else "需要密码登录")
        + "；各单位上传链接见页面上的“上传链接”。按 Ctrl+C 停止。")
    if open_browser:
        threading.Timer(0.5, webbrowser.open, args=(url,)).start()
    try:
        server.run()
    except KeyboardInterrupt:   # Ctrl+C is how the clerk stops it: not an interruption of work
        say("已停止服务。")
    finally:
        site.close()
