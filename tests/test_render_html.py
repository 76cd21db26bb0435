"""The HTML report: table structure (rowspan/colspan), standalone page, Chromium rendering."""
from __future__ import annotations

import re
import subprocess
from html.parser import HTMLParser

import pytest

from conftest import need_program
from test_render import heshi, report_2021
from xlsx_reports.report.render import render_report


class Tables(HTMLParser):
    """Every table as rows of (tag, text, rowspan, colspan); also every tag and attribute seen."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[tuple]]] = []
        self.tags: list[tuple[str, dict]] = []
        self.cell: list | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self.cell = [tag, "", int(attrs.get("rowspan", 1)), int(attrs.get("colspan", 1))]

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.tables[-1][-1].append(tuple(self.cell))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell[1] += data


def parse(html: str) -> Tables:
    p = Tables()
    p.feed(html)
    p.close()
    return p


def occupancy(rows: list[list[tuple]]) -> list[list[tuple]]:
    """Place cells as a browser does; fail on overlaps; return the grid of covering cells."""
    grid: dict[tuple[int, int], tuple] = {}
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            while (r, c) in grid:
                c += 1
            for dr in range(cell[2]):
                for dc in range(cell[3]):
                    assert (r + dr, c + dc) not in grid, f"overlap at row {r + dr}, col {c + dc}"
                    grid[(r + dr, c + dc)] = cell
            c += cell[3]
    height = max(r for r, _ in grid) + 1
    assert height == len(rows), "a rowspan reaches below the table"
    return [[grid.get((r, c)) for c in range(max(k for _, k in grid) + 1)] for r in range(height)]


@pytest.mark.parametrize("report", [heshi, report_2021], ids=["2019", "2021"])
def test_every_row_spans_the_same_number_of_columns(report):
    tables = parse(render_report(report(), "html")).tables
    assert len(tables) == 3
    for rows, width in zip(tables, (4, 10, 15)):
        grid = occupancy(rows)
        assert all(len(line) == width and None not in line for line in grid)


def test_table_three_header_is_the_official_one():
    t3 = parse(render_report(heshi(), "html")).tables[1]
    assert t3[0] == [
        ("th", "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3),
        ("th", "申请人情况", 1, 7)]
    assert t3[1] == [("th", "自然人", 2, 1), ("th", "法人或其他组织", 1, 5), ("th", "总计", 2, 1)]
    assert [c[1] for c in t3[2]] == ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    assert t3[5][0] == ("th", "三、本年度办理结果", 20, 1)  # 2019: 19 result rows + （七）总计
    assert t3[7][0] == ("th", "（三）不予公开", 8, 1)
    assert len(occupancy(t3)) == 3 + 23


def test_table_four_header_and_values():
    t4 = parse(render_report(heshi(), "html")).tables[2]
    assert t4[0] == [("th", "行政复议", 1, 5), ("th", "行政诉讼", 1, 10)]
    assert t4[1][0] == ("th", "结果维持", 2, 1) and t4[1][5] == ("th", "未经复议直接起诉", 1, 5)
    assert [c[1] for c in t4[3]] == ["0"] * 6 + ["1", "0", "0", "1"] + ["0"] * 5


def test_2021_table_three_has_other_with_three_sub_rows():
    t3 = parse(render_report(report_2021(), "html")).tables[1]
    assert t3[5][0] == ("th", "三、本年度办理结果", 22, 1)  # （六） has 3 rows in 2021
    other = next(i for i, row in enumerate(t3) if row and row[0][1] == "（六）其他处理")
    assert t3[other][0][2] == 3
    assert [row[0 if k else 1][1][:2] for k, row in enumerate(t3[other: other + 3])] == \
        ["1.", "2.", "3."]


def test_page_is_standalone():
    html = render_report(heshi(), "html")
    tags = parse(html).tags
    assert not [t for t, _ in tags if t in ("script", "link", "img", "iframe", "object", "embed")]
    assert [a.get("href") for t, a in tags if t == "a"] == ["http://www.qzlj.gov.cn/"]
    assert "url(" not in html and "@import" not in html and "@font-face" not in html
    assert '<html lang="zh-CN">' in html and "size: A4" in html and "仿宋" in html


def test_narrative_text_is_escaped():
    r = heshi()
    r.values["s6.text"] = "<script>alert(1)</script>“三安全一稳定”"
    html = render_report(r, "html")
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def _chromium(args: list[str], tmp_path) -> None:
    chromium = need_program("chromium")
    cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run",
           f"--user-data-dir={tmp_path / 'profile'}"] + args
    subprocess.run(cmd, capture_output=True, timeout=120, check=False)


def test_chromium_screenshot(tmp_path):
    page = tmp_path / "report.html"
    page.write_text(render_report(heshi(), "html"), encoding="utf-8")
    shot = tmp_path / "report.png"
    _chromium([f"--screenshot={shot}", "--window-size=1200,3000", page.as_uri()], tmp_path)
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(data[16:20], "big") == 1200 and int.from_bytes(data[20:24], "big") == 3000
    assert len(data) > 100_000  # text and tables drawn, not a blank page


def test_chromium_prints_a4_pages(tmp_path):
    page = tmp_path / "report.html"
    page.write_text(render_report(heshi(), "html"), encoding="utf-8")
    pdf = tmp_path / "report.pdf"
    _chromium(["--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri()], tmp_path)
    info = subprocess.run([need_program("pdfinfo"), str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    assert re.search(r"Page size: +59[45][.0-9]* x 84[12][.0-9]* pts \(A4\)", info), info
    text = subprocess.run([need_program("pdftotext"), str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "河市镇2020年政府信息公开工作年度报告" in text and "三、收到和处理政府信息公开申请情况" in text


@pytest.mark.parametrize("report", [heshi, report_2021])
def test_table_three_prints_whole_on_one_page(tmp_path, report):
    """Its label column spans 23 or 25 rows and Chromium will not cut such a cell: without
    the print style, the head and two rows were printed and the rest of the page left empty."""
    page = tmp_path / "report.html"
    page.write_text(render_report(report(), "html"), encoding="utf-8")
    pdf = tmp_path / "report.pdf"
    _chromium(["--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri()], tmp_path)
    text = subprocess.run([need_program("pdftotext"), str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    pages = [p.replace(" ", "") for p in text.split("\f")]
    first, last = "（本列数据的勾稽关系为", "四、结转下年度继续办理"
    holding = [i for i, p in enumerate(pages) if first in p or last in p]
    assert len(holding) == 1 and first in pages[holding[0]] and last in pages[holding[0]]
