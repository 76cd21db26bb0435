"""The web app through Flask's test client: pages, uploads, the JSON API, jobs and downloads."""
from __future__ import annotations

import io
import json
import re
import time
import zipfile
from urllib.parse import unquote

import pytest

from web_helpers import DISTRICT, UNITS, fresh_copy, workspace_with_returns
from xlsx_reports.ledger import Workspace
from xlsx_reports.web import Site, create_app


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    return workspace_with_returns(tmp_path_factory.mktemp("web"))


@pytest.fixture
def app_for(made, tmp_path):
    """app_for(password=None) -> (app, site) over a fresh copy of the workspace."""
    sites = []

    def make(password=None):
        site = Site.open(fresh_copy(made[0], tmp_path), password=password)
        sites.append(site)
        app = create_app(site)
        app.testing = True
        return app, site

    yield make
    for site in sites:
        site.close()


@pytest.fixture
def returns(made):
    return made[1]


def token_of(client, path="/") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def upload(client, url, *paths, token=None, names=None):
    files = [(io.BytesIO(p.read_bytes()), n) for p, n in zip(paths, names or [p.name for p in paths])]
    return client.post(url, data={"file": files}, content_type="multipart/form-data",
                       headers={"X-CSRF-Token": token or token_of(client)})


def status_of(site) -> dict[str, str]:
    return {u["unit"]: u["status"] for u in site.call(lambda ws: ws.status())["units"]}


# --- district page and API -------------------------------------------------------------------

def test_district_page_lists_every_unit_as_not_sent(app_for):
    app, _ = app_for()
    page = app.test_client().get("/").get_data(as_text=True)
    assert all(f">{u}</a>" in page for u in UNITS)
    assert page.count('<span class="badge st-missing">未报送</span>') == len(UNITS)
    assert 'id="sent-rate">0%<' in page and DISTRICT in page


def test_api_upload_answers_unit_status_and_findings_and_the_table_changes(app_for, returns):
    app, site = app_for()
    client = app.test_client()
    ok, bad = returns["correct"]["河市镇"], returns["wrong"]["马甲镇"]
    response = upload(client, "/api/upload", ok, bad)
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert [(r["unit"], r["decision"], r["status"]) for r in results] == [
        ("河市镇", "passed", "passed"), ("马甲镇", "errors", "errors")]
    balance = [f for f in results[1]["findings"] if f["code"] == "T3-BALANCE"]
    assert balance and balance[0]["where"].startswith("三、") and "!" in balance[0]["where"]
    assert status_of(site) == {"河市镇": "passed", "马甲镇": "errors", "罗溪镇": "missing",
                               "虹山乡": "missing", "双阳街道": "missing"}
    api = client.get("/api/status").get_json()
    assert api["summary"]["received"] == 2 and api["summary"]["报送率"] == 0.4
    table = client.get("/partials/table").get_data(as_text=True)
    assert 'id="sent-rate">40%<' in table and table.count("st-errors") >= 2


def test_unit_page_shows_each_version_with_cell_message_remedy_and_downloads(app_for, returns):
    app, _ = app_for()
    client = app.test_client()
    upload(client, "/api/upload", returns["wrong"]["马甲镇"])
    upload(client, "/api/upload", returns["correct"]["马甲镇"])
    page = client.get("/unit/马甲镇").get_data(as_text=True)
    assert "第 2 版（当前版本）" in page and "第 1 版" in page
    assert re.search(r'<td class="where">三、[^<]*![A-Z]+\d+', page)
    stored = client.get("/unit/马甲镇/file/1")
    assert stored.status_code == 200
    assert stored.data == returns["wrong"]["马甲镇"].read_bytes()
    annotated = client.get("/unit/马甲镇/annotated/1")
    assert annotated.status_code == 200 and annotated.data[:2] == b"PK"
    assert "_批注" in annotated.headers["Content-Disposition"] or "%E6%89%B9" in \
        annotated.headers["Content-Disposition"]


def test_csv_export_of_the_status_opens_in_excel(app_for, returns):
    app, _ = app_for()
    client = app.test_client()
    upload(client, "/api/upload", returns["correct"]["罗溪镇"])
    text = client.get("/export/status.csv").data.decode("utf-8")
    assert text.startswith("\ufeff单位,状态,")
    assert "罗溪镇,已通过," in text and "虹山乡,未报送," in text and "报送率,20%" in text


# --- jobs: total, report, blank workbooks, export ------------------------------------------------

def run_job(client, kind, **form):
    form["csrf_token"] = token_of(client)
    response = client.post(f"/jobs/{kind}", data=form)
    assert response.status_code == 303
    job_url = response.headers["Location"]
    site = client.application.extensions["xlsx_reports"]
    job = site.jobs.get(job_url.rsplit("/", 1)[1])
    for _ in range(600):
        if job.state != "running":
            break
        time.sleep(0.1)
    data = client.get(job_url + ".json").get_json()
    assert data["state"] == "finished", data
    return data, client.get(f"/download/{data['download']}")


def test_merge_job_gives_the_district_total_of_the_passing_units(app_for, returns):
    app, _ = app_for()
    client = app.test_client()
    upload(client, "/api/upload", returns["correct"]["河市镇"], returns["correct"]["罗溪镇"],
           returns["wrong"]["虹山乡"])
    job, total = run_job(client, "merge")
    assert job["download"] == f"{DISTRICT}_2024年度汇总.xlsx" and total.data[:2] == b"PK"
    assert any("河市镇" in n and "罗溪镇" in n for n in job["notes"])
    with Workspace.open(client.application.extensions["xlsx_reports"].root) as ws:
        assert {s["unit"] for s in ws.ledger.last_merge()["sources"]} == {"河市镇", "罗溪镇"}


def test_report_blanks_and_data_export_jobs(app_for, returns):
    app, _ = app_for()
    client = app.test_client()
    upload(client, "/api/upload", returns["correct"]["河市镇"])
    _, report = run_job(client, "report", format="html")
    assert "政府信息公开工作年度报告" in report.get_data(as_text=True)
    _, blanks = run_job(client, "blanks")
    names = zipfile.ZipFile(io.BytesIO(blanks.data)).namelist()
    assert sorted(n.split("_")[0] for n in names) == sorted(UNITS)
    _, data = run_job(client, "export", format="json")
    records = json.loads(data.data)
    assert {r["unit"] for r in records} == {"河市镇"} and any(r["key"] == "t3.new.natural" for r in records)


# --- townships ---------------------------------------------------------------------------------

def test_township_link_shows_only_its_unit_and_refuses_another_units_workbook(app_for, returns):
    app, site = app_for()
    client = app.test_client()
    tokens = site.call(lambda ws: ws.tokens())
    home = f"/t/{tokens['罗溪镇']}"
    page = client.get(home).get_data(as_text=True)
    assert "罗溪镇" in page and "河市镇" not in page
    response = upload(client, f"{home}/api/upload", returns["correct"]["河市镇"], token=token_of(client, home))
    result = response.get_json()["results"][0]
    assert result["decision"] == "wrong_unit" and "“河市镇”的工作簿" in result["label"]
    assert status_of(site)["河市镇"] == "missing" and status_of(site)["罗溪镇"] == "missing"
    listed = client.get("/").get_data(as_text=True).split("未计入任何单位的文件")[1]
    assert "<td>河市镇</td><td>单位不符</td>" in listed
    response = client.post(f"{home}/upload", data={"file": [(io.BytesIO(
        returns["wrong"]["罗溪镇"].read_bytes()), "罗溪镇.xlsx")], "csrf_token": token_of(client, home)},
        content_type="multipart/form-data")
    assert response.status_code == 303
    page = client.get(home).get_data(as_text=True).replace(tokens["罗溪镇"], "")   # a random token may hold "T3"
    page = re.sub(r'(name="csrf-token" content|name="csrf_token" value)="[^"]*"', "", page)   # so may these
    assert "已接收，有错误需要改正" in page and "T3" not in page.split("报送记录")[0]
    assert re.search(r'<td class="where">三、[^<]*![A-Z]+\d+', page)
    api = client.get(f"{home}/api/status").get_json()
    assert api["unit"]["unit"] == "罗溪镇" and api["unit"]["status"] == "errors"
    assert "file" not in api["unit"] and str(site.root) not in json.dumps(api, ensure_ascii=False)
    assert client.get(f"{home}/annotated/1").data[:2] == b"PK"
    assert client.get(f"{home}/blank").status_code == 200


def test_a_reissued_link_replaces_the_old_one(app_for):
    app, site = app_for()
    client = app.test_client()
    old = site.call(lambda ws: ws.tokens())["虹山乡"]
    response = client.post("/links/虹山乡/reissue", data={"csrf_token": token_of(client)})
    assert response.status_code == 302
    new = site.call(lambda ws: ws.tokens())["虹山乡"]
    assert new != old
    assert client.get(f"/t/{old}").status_code == 404
    assert "链接无效或已作废" in client.get(f"/t/{old}").get_data(as_text=True)
    assert client.get(f"/t/{new}").status_code == 200
    assert new in client.get("/links").get_data(as_text=True)


# --- security ----------------------------------------------------------------------------------

def test_a_post_without_this_sessions_token_or_from_another_site_is_refused(app_for, returns):
    app, site = app_for()
    client = app.test_client()
    path = returns["correct"]["河市镇"]
    bare = client.post("/api/upload", data={"file": [(io.BytesIO(path.read_bytes()), path.name)]},
                       content_type="multipart/form-data")
    assert bare.status_code == 403 and "刷新页面" in bare.get_json()["error"]
    forged = client.post("/links/河市镇/reissue", data={"csrf_token": "forged"})
    assert forged.status_code == 403
    cross = client.post("/links/河市镇/reissue", data={"csrf_token": token_of(client)},
                        headers={"Origin": "http://evil.example"})
    assert cross.status_code == 403
    assert status_of(site)["河市镇"] == "missing"


def test_without_a_password_only_a_loopback_host_name_is_answered(app_for):
    app, _ = app_for()
    client = app.test_client()
    assert client.get("/", headers={"Host": "127.0.0.1:8000"}).status_code == 200
    rebound = client.get("/", headers={"Host": "attacker.example:8000"})
    assert rebound.status_code == 403 and "127.0.0.1" in rebound.get_data(as_text=True)


def test_with_a_password_the_district_pages_need_login_and_townships_do_not(app_for):
    app, site = app_for(password="正确的密码123")
    client = app.test_client()
    assert client.get("/").status_code == 302
    assert client.get("/unit/河市镇").headers["Location"].startswith("/login")
    assert client.get("/api/status").status_code == 401
    token = site.call(lambda ws: ws.tokens())["河市镇"]
    assert client.get(f"/t/{token}").status_code == 200
    assert client.get(f"/t/{token}/../unit/马甲镇").status_code in (302, 404)
    wrong = client.post("/login", data={"password": "猜的", "csrf_token": token_of(client, "/login")})
    assert "密码不对" in wrong.get_data(as_text=True)
    right = client.post("/login", data={"password": "正确的密码123", "next": "/unit/河市镇",
                                        "csrf_token": token_of(client, "/login")})
    assert right.status_code == 302 and unquote(right.headers["Location"]) == "/unit/河市镇"
    cookie = right.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert client.get("/").status_code == 200
    bearer = app.test_client().get("/api/status", headers={"Authorization": "Bearer 正确的密码123"})
    assert bearer.status_code == 200


def test_login_goes_only_to_a_page_of_this_server_and_cookies_are_secure_over_https(app_for):
    app, _ = app_for(password="正确的密码123")
    client = app.test_client()
    form = {"password": "正确的密码123", "next": "//evil.example/x"}
    response = client.post("/login", data=dict(form, csrf_token=token_of(client, "/login")))
    assert response.headers["Location"] == "/"
    https = app.test_client()
    page = https.get("/login", base_url="https://localhost").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    response = https.post("/login", data=dict(form, csrf_token=token), base_url="https://localhost")
    assert "Secure" in response.headers["Set-Cookie"]


def test_repeated_wrong_passwords_pause_the_login(app_for):
    app, _ = app_for(password="正确的密码123")
    client = app.test_client()
    for _ in range(5):
        client.post("/login", data={"password": "x", "csrf_token": token_of(client, "/login")})
    paused = client.post("/login", data={"password": "正确的密码123",
                                         "csrf_token": token_of(client, "/login")})
    assert "一分钟后再试" in paused.get_data(as_text=True)


def test_uploads_of_other_kinds_or_too_large_are_refused_and_never_stored(app_for, returns, monkeypatch):
    from xlsx_reports.web import uploads
    app, site = app_for()
    client = app.test_client()
    before = sorted(p for p in (site.root / "store").rglob("*") if p.is_file())
    pdf = client.post("/api/upload", data={"file": [(io.BytesIO(b"%PDF-1.4"), "通知.pdf")]},
                      content_type="multipart/form-data", headers={"X-CSRF-Token": token_of(client)})
    assert pdf.get_json()["results"][0]["decision"] == "refused"
    assert "不是 Excel 工作簿" in pdf.get_json()["results"][0]["label"]
    monkeypatch.setattr(uploads, "MAX_FILE_BYTES", 1000)
    big = upload(client, "/api/upload", returns["correct"]["河市镇"])
    assert big.get_json()["results"][0]["decision"] == "refused"
    assert sorted(p for p in (site.root / "store").rglob("*") if p.is_file()) == before
    assert list(site.incoming.iterdir()) == []


def test_upload_bytes_are_spooled_inside_the_workspace_not_the_system_temp(app_for, returns,
                                                                         tmp_path, monkeypatch):
    import tempfile
    app, site = app_for()
    system_temp = tmp_path / "系统临时"
    system_temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_temp))
    seen = []
    original = site.call
    monkeypatch.setattr(site, "call", lambda work: (seen.append(sorted(
        p.name for p in site.root.joinpath(".web-incoming").iterdir())), original(work))[1])
    client = app.test_client()
    padded = returns["correct"]["河市镇"].read_bytes() + b"\0" * (2 * 1024 * 1024)  # spooled to disk
    response = client.post("/api/upload", data={"file": [(io.BytesIO(padded), "大文件.xlsx")]},
                           content_type="multipart/form-data", headers={"X-CSRF-Token": token_of(client)})
    assert response.status_code == 200
    assert list(system_temp.iterdir()) == []
    assert any(names for names in seen)   # the upload was in the workspace while it was handled
    assert list(site.incoming.iterdir()) == []


def test_workbook_text_and_file_names_are_escaped(app_for, returns):
    app, _ = app_for()
    client = app.test_client()
    name = "<img src=x onerror=alert(1)>.xlsx"
    response = client.post("/upload", data={"file": [(io.BytesIO(
        returns["correct"]["河市镇"].read_bytes()), name)], "csrf_token": token_of(client)},
        content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;.xlsx" in page
    assert "&lt;img" in client.get("/unit/河市镇").get_data(as_text=True)


def test_downloads_come_only_from_the_workspace(app_for):
    app, site = app_for()
    client = app.test_client()
    (site.root.parent / "secret.txt").write_text("x")
    for path in ("/download/..%2Fsecret.txt", "/download/ledger.sqlite3",
                 "/download/%2Fetc%2Fpasswd", "/unit/河市镇/file/1", "/unit/不存在/blank"):
        response = client.get(path)
        assert response.status_code in (400, 404), path
    assert client.get("/download/../ledger.sqlite3").status_code in (400, 404)


def test_pages_load_nothing_from_outside_and_forbid_it(app_for):
    app, _ = app_for()
    response = app.test_client().get("/")
    page = response.get_data(as_text=True)
    assert not re.search(r'(src|href)="(https?:)?//', page)
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["Referrer-Policy"] == "no-referrer"


# --- the command -------------------------------------------------------------------------------

def test_serve_off_the_loopback_address_refuses_to_start_without_a_password(made, tmp_path):
    from click.testing import CliRunner
    from xlsx_reports.cli import main

    runner = CliRunner()
    result = runner.invoke(main, ["serve", str(made[0]), "--host", "0.0.0.0"],
                           env={"XLSX_REPORTS_PASSWORD": ""})
    assert result.exit_code == 2 and "必须设置密码" in result.output
    assert "XLSX_REPORTS_PASSWORD" in result.output
    short = runner.invoke(main, ["serve", str(made[0]), "--host", "0.0.0.0", "--password", "123"])
    assert short.exit_code == 2 and "密码太短" in short.output
    empty = runner.invoke(main, ["serve", str(tmp_path)])
    assert empty.exit_code == 2 and "不是工作区" in empty.output


def test_a_unit_name_with_a_slash_has_its_own_pages(tmp_path):
    from web_helpers import make_workspace
    root = make_workspace(tmp_path, ("发改局/统计局", "河市镇"))
    site = Site.open(root)
    try:
        client = create_app(site).test_client()
        page = client.get("/").get_data(as_text=True)
        link = re.search(r'href="(/unit/[^"]+)">发改局/统计局<', page).group(1)
        assert "<h1>发改局/统计局" in client.get(link).get_data(as_text=True)
        assert client.get(f"{link}/blank").data[:2] == b"PK"
    finally:
        site.close()


def test_a_merge_with_nothing_to_merge_says_so_on_the_job_page(app_for):
    app, site = app_for()
    client = app.test_client()
    response = client.post("/jobs/merge", data={"csrf_token": token_of(client)})
    job = site.jobs.get(response.headers["Location"].rsplit("/", 1)[1])
    while job.state == "running":
        time.sleep(0.05)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert job.state == "failed" and "还没有可以汇总的报表" in page


def test_a_strangers_upload_is_turned_away_before_it_is_read(app_for, returns):
    app, site = app_for(password="正确的密码123")
    client = app.test_client()
    before = sorted(p for p in (site.root / "store").rglob("*") if p.is_file())
    path = returns["correct"]["河市镇"]
    for url, code in (("/api/upload", 401), ("/t/猜的口令/api/upload", 404), ("/upload", 302)):
        response = client.post(url, data={"file": [(io.BytesIO(path.read_bytes()), path.name)]},
                               content_type="multipart/form-data")
        assert response.status_code == code, url
    assert sorted(p for p in (site.root / "store").rglob("*") if p.is_file()) == before
    assert status_of(site)["河市镇"] == "missing"


def test_a_copy_of_another_units_return_sent_through_a_link_is_named_as_theirs(app_for, returns):
    app, site = app_for()
    client = app.test_client()
    upload(client, "/api/upload", returns["wrong"]["河市镇"])
    home = f"/t/{site.call(lambda ws: ws.tokens())['罗溪镇']}"
    result = upload(client, f"{home}/api/upload", returns["wrong"]["河市镇"],
                    token=token_of(client, home)).get_json()["results"][0]
    assert "“河市镇”的工作簿" in result["label"] and result["findings"] == []


def test_a_request_over_the_size_limit_is_refused_in_chinese(app_for, returns):
    app, _ = app_for()
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    client = app.test_client()
    response = upload(client, "/api/upload", returns["correct"]["河市镇"])
    assert response.status_code == 413 and "请分批上传" in response.get_json()["error"]


def test_the_deadline_is_moved_on_the_district_page_and_every_version_judged_again(app_for, returns):
    from datetime import date, timedelta

    app, site = app_for()
    client = app.test_client()
    upload(client, "/api/upload", returns["correct"]["河市镇"])
    assert not site.call(lambda ws: ws.status())["units"][0]["late"]
    yesterday = date.today() - timedelta(days=1)
    moved = client.post("/deadline", data={"deadline": yesterday.isoformat(), "csrf_token": token_of(client)},
                        follow_redirects=True)
    page = moved.get_data(as_text=True)
    assert (f"截止日期已改为{yesterday.year}年{yesterday.month}月{yesterday.day}日；1 个已收到的版本的逾期标记随之改变。"
            "已下发的填报表上印的仍是原来的截止日期，请另行通知各单位。") in page
    assert f'name="deadline" id="deadline" value="{yesterday.isoformat()}"' in page
    assert (f'<span>逾期 · <span class="nowrap"><span id="deadline-shown">{yesterday.year}年{yesterday.month}月'
            f'{yesterday.day}日</span>截止</span></span>') in page
    status = site.call(lambda ws: ws.status())
    assert status["deadline"] == yesterday.isoformat() and status["units"][0]["late"] is True
    wrong = client.post("/deadline", data={"deadline": "1月31日", "csrf_token": token_of(client)},
                        follow_redirects=True)
    assert "截止日期“1月31日”无法识别，未作修改：请写成 2025-01-31。" in wrong.get_data(as_text=True)
    forged = client.post("/deadline", data={"deadline": "", "csrf_token": "forged"})
    assert forged.status_code in (400, 403)
    assert site.call(lambda ws: ws.status())["deadline"] == yesterday.isoformat()
