"""HEAD: a rendered or imported report's six statutory headings, verbatim and in order (rules.md).

A warning, like the other rules on prose. Apart from check.text, which every check of a
workbook loads: only render reads a report's text (and only it needs the HTML parser).
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

from xlsx_reports.core.findings import Finding
from xlsx_reports.form.model import Form


class _Lines(HTMLParser):
    BLOCKS = {"p", "div", "section", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th", "li",
              "br", "table", "title", "main", "body"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        self.skip += tag in ("style", "script")
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        self.skip -= tag in ("style", "script")
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def text_lines(content: str, fmt: str = "txt") -> list[str]:
    if fmt == "html":
        parser = _Lines()
        parser.feed(content)
        content = "".join(parser.parts)
    return [re.sub(r"^#+\s*|\*\*", "", line).strip() for line in content.splitlines()]


def check_headings(content: str, form: Form, fmt: str = "txt", *, file: str = "") -> list[Finding]:
    """HEAD: each statutory heading on a line of its own, verbatim, in the statutory order."""
    lines = text_lines(content, fmt)
    row_labels = {lb.text for s in form.sheets for lb in s.labels}
    out, last = [], -1
    for s in form.sections:
        if s.heading in lines:
            at = lines.index(s.heading)
            if at < last:
                out.append(Finding("HEAD", "warning", f"标题“{s.heading}”的顺序不对", file=file,
                                   advice="六个标题应按一至六的顺序出现。"))
            last = max(last, at)
            continue
        found = next((ln for ln in lines if ln.startswith(f"{s.number}、") and ln not in row_labels),
                     "")
        actual = f"，文中为“{found}”" if found else "，文中没有这一部分"
        out.append(Finding("HEAD", "warning", f"标题“{s.heading}”没有逐字出现{actual}", file=file,
                           expected=s.heading, actual=found or None,
                           advice="法定标题应逐字照录（国办公开办函规定的格式）。"))
    return out
