"""The pages in a real browser (headless Chromium through chromedriver) against a real server,
walked as the district clerk and a township would.

With XLSX_REPORTS_SCREENSHOTS=1 the walks also save docs/screenshots/district.png and
township.png at 1366×768 (the README shows them); otherwise nothing in the repo is written.
"""
from __future__ import annotations

import os
import time
import zipfile
from pathlib import Path

import pytest

from conftest import REPO, need_program
from web_helpers import DISTRICT, Server, fresh_copy, workspace_with_returns
from xlsx_reports.ledger import Workspace
from xlsx_reports.xlsx.reader import read_workbook

SCREENSHOTS = REPO / "docs" / "screenshots"
WAIT = 60   # seconds: the machine is shared; a page answers in well under one


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    return workspace_with_returns(tmp_path_factory.mktemp("browser"))


@pytest.fixture
def workspace(made, tmp_path):
    return fresh_copy(made[0], tmp_path)


@pytest.fixture
def browser(tmp_path):
    chromium = need_program("chromium")
    driver_path = need_program("chromedriver")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path / "下载"
    downloads.mkdir()
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--lang=zh-CN", "--window-size=1366,768",
                f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.downloads = downloads
    try:
        yield driver
    finally:
        driver.quit()


def wait_for(condition, what: str, timeout: float = WAIT):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            value = condition()
        except Exception:   # noqa: BLE001 — the page may be between two states
            value = None
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def downloaded(driver, suffix: str) -> Path:
    def done():
        files = [p for p in driver.downloads.iterdir() if p.name.endswith(suffix)]
        return files[0] if files and not list(driver.downloads.glob("*.crdownload")) else None
    return wait_for(done, f"a download ending {suffix}")


def css(driver, selector: str):
    from selenium.webdriver.common.by import By
    return driver.find_element(By.CSS_SELECTOR, selector)


def row_status(driver, unit: str) -> str:
    return css(driver, f'tr[data-unit="{unit}"] td .badge').text


def screenshot(driver, name: str) -> None:
    if os.environ.get("XLSX_REPORTS_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(SCREENSHOTS / name))


def fits_a_phone(driver) -> bool:
    """At a phone's width the page needs no sideways scrolling (wide tables scroll inside)."""
    driver.set_window_size(390, 844)
    try:
        return driver.execute_script(
            "return document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        driver.set_window_size(1366, 768)


def test_clerk_uploads_reads_a_finding_downloads_annotated_copy_and_total(made, workspace, browser):
    returns = made[1]
    unreadable = workspace.parent / "虹山乡_2024.xlsx"
    unreadable.write_bytes(b"PK\x03\x04 cut short by a broken download")
    with Server(workspace) as server:
        browser.get(server.url)
        assert row_status(browser, "马甲镇") == "未报送"
        assert css(browser, "#sent-rate").text == "0%"

        chosen = [returns["correct"]["河市镇"], returns["wrong"]["马甲镇"], returns["correct"]["罗溪镇"]]
        css(browser, "#file-input").send_keys("\n".join(str(p) for p in chosen))
        css(browser, "#upload-button").click()
        wait_for(lambda: "已处理 3 个文件" in css(browser, "#upload-step").text, "three uploads")
        assert row_status(browser, "河市镇") == "已通过"
        assert row_status(browser, "马甲镇") == "有错误"
        assert row_status(browser, "罗溪镇") == "已通过"
        assert css(browser, "#sent-rate").text == "60%"
        results = css(browser, "#upload-live").text
        assert "马甲镇" in results and "已接收，有错误需要改正" in results

        css(browser, "#file-input").send_keys(str(unreadable))
        css(browser, "#upload-button").click()
        wait_for(lambda: row_status(browser, "虹山乡") == "无法读取", "the unreadable one")
        screenshot(browser, "district.png")
        assert fits_a_phone(browser)

        css(browser, 'tr[data-unit="马甲镇"] a').click()
        where = wait_for(lambda: css(browser, "tr.sev-error td.where").text, "a finding's cell")
        assert where.startswith("三、") and "!" in where
        message = css(browser, "tr.sev-error td:nth-child(3)").text
        assert message and css(browser, "tr.sev-error td:nth-child(4)").text

        from selenium.webdriver.common.by import By
        browser.find_element(By.PARTIAL_LINK_TEXT, "下载批注版").click()
        annotated = downloaded(browser, "_批注.xlsx")
        reading = read_workbook(annotated)
        assert reading.report.unit == "马甲镇"

        browser.get(server.url)
        css(browser, "#merge-button").click()
        link = wait_for(lambda: css(browser, "#job-download").is_displayed()
                        and css(browser, "#job-download"), "the total to be made")
        assert "纳入汇总：2 个单位：河市镇、罗溪镇" in css(browser, "#job-notes").text
        link.click()
        total = downloaded(browser, "年度汇总.xlsx")
        assert total.name == f"{DISTRICT}_2024年度汇总.xlsx"
        assert sorted(read_workbook(total).metadata.units) == ["河市镇", "罗溪镇"]
        assert zipfile.is_zipfile(total)


def test_township_uploads_wrong_reads_findings_corrects_and_cannot_reach_another_unit(
        made, workspace, browser):
    returns = made[1]
    with Workspace.open(workspace) as ws:
        token = ws.tokens()["罗溪镇"]
    # With a password, as when the townships reach the district's server over the network.
    with Server(workspace, env={"XLSX_REPORTS_PASSWORD": "区里的密码2024"}) as server:
        home = f"{server.url}t/{token}"
        browser.get(home)
        assert css(browser, "#own-status").text == "未报送"

        css(browser, "#file-input").send_keys(str(returns["wrong"]["罗溪镇"]))
        css(browser, "#upload-button").click()
        wait_for(lambda: css(browser, "#own-status").text == "有错误", "the wrong return judged")
        assert "已接收，有错误需要改正" in css(browser, ".results").text
        where = css(browser, "tr.sev-error td.where").text
        assert where.startswith("三、") and "!" in where
        screenshot(browser, "township.png")
        assert fits_a_phone(browser)

        css(browser, "#file-input").send_keys(str(returns["correct"]["罗溪镇"]))
        css(browser, "#upload-button").click()
        wait_for(lambda: css(browser, "#own-status").text == "已通过", "the corrected return")
        assert "第 2 版（当前版本）" in browser.page_source

        css(browser, "#file-input").send_keys(str(returns["correct"]["河市镇"]))
        css(browser, "#upload-button").click()
        wait_for(lambda: "“河市镇”的工作簿" in css(browser, ".results").text, "the refusal")
        assert css(browser, "#own-status").text == "已通过"

        browser.get(f"{server.url}unit/河市镇")
        assert "区政务公开办登录" in browser.page_source and "河市镇" not in css(browser, "main").text
        browser.get(f"{home}/unit/河市镇")
        assert "页面不存在" in browser.page_source
        browser.get(f"{home}/api/status")
        assert "河市镇" not in browser.page_source and "罗溪镇" in browser.page_source

    with Workspace.open(workspace) as ws:
        status = {u["unit"]: (u["status"], u["versions"]) for u in ws.status()["units"]}
    assert status["罗溪镇"] == ("passed", 2) and status["河市镇"] == ("missing", 0)
