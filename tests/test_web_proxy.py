"""`serve --trusted-proxy`: behind a reverse proxy that serves https (nginx, a government
gateway), the pages follow the address people use — township links, secure cookies, the
same-origin check — from the proxy's forwarded headers, and from nobody else's. A real server
(waitress on 127.0.0.1, a free port), spoken to over HTTP as the proxy would."""
from __future__ import annotations

import http.client
import re
from urllib.parse import urlencode, urlsplit

import pytest
from click.testing import CliRunner

from web_helpers import Server, make_workspace
from xlsx_reports.cli import main

PASSWORD = "区里的密码2024"
PUBLIC = "gk.example.gov.cn"
VIA_PROXY = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": PUBLIC, "X-Forwarded-For": "10.1.2.3"}


class Browser:
    """One person's requests to the server at `url`, with the session cookie kept by hand
    (a Secure cookie is sent back: the proxy spoke https to them)."""

    def __init__(self, url: str, headers: dict[str, str]) -> None:
        self.address, self.headers, self.cookie = urlsplit(url).netloc, headers, ""

    def request(self, method: str, path: str, form: dict | None = None,
                headers: dict | None = None) -> tuple[http.client.HTTPResponse, str]:
        connection = http.client.HTTPConnection(self.address, timeout=60)
        sent = {**self.headers, **(headers or {}), **({"Cookie": self.cookie} if self.cookie else {})}
        body = urlencode(form) if form is not None else None
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        text = response.read().decode("utf-8")
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        connection.close()
        return response, text

    def log_in(self, origin: str) -> http.client.HTTPResponse:
        _, page = self.request("GET", "/login")
        token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        response, _ = self.request("POST", "/login", {"password": PASSWORD, "csrf_token": token},
                                   headers={"Origin": origin})
        return response


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = make_workspace(tmp_path_factory.mktemp("proxy"), ("河市镇", "马甲镇"))
    with Server(root, extra=("--trusted-proxy", "127.0.0.1"),
                env={"XLSX_REPORTS_PASSWORD": PASSWORD}) as running:
        yield running


def test_links_and_cookies_follow_the_address_the_proxy_was_asked_for(server):
    person = Browser(server.url, VIA_PROXY)
    login = person.log_in(origin=f"https://{PUBLIC}")
    assert login.status == 302
    assert "Secure" in login.getheader("Set-Cookie") and "HttpOnly" in login.getheader("Set-Cookie")
    response, page = person.request("GET", "/links")
    assert response.status == 200
    links = re.findall(r">(https?://[^<\s]+/t/[^<\s]+)<", page)
    assert len(links) == 2 and all(link.startswith(f"https://{PUBLIC}/t/") for link in links)


def test_on_the_servers_own_address_the_links_are_its_own(server):
    person = Browser(server.url, {})
    assert person.log_in(origin=server.url.rstrip("/")).status == 302
    _, page = person.request("GET", "/links")
    links = re.findall(r">(https?://[^<\s]+/t/[^<\s]+)<", page)
    assert len(links) == 2 and all(link.startswith(f"{server.url}t/") for link in links)


def test_a_page_of_another_site_cannot_post_through_the_proxy(server):
    person = Browser(server.url, VIA_PROXY)
    assert person.log_in(origin="https://evil.example").status == 403


def test_behind_a_proxy_the_server_will_not_start_without_a_password(tmp_path):
    root = make_workspace(tmp_path, ("河市镇",))
    result = CliRunner().invoke(main, ["serve", str(root), "--trusted-proxy", "127.0.0.1"],
                                env={"XLSX_REPORTS_PASSWORD": ""})
    assert result.exit_code == 2
    assert "在反向代理后面提供服务时，其他电脑也能访问区级页面，必须设置密码" in result.output
