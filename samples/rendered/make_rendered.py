"""Renders the sample workbooks through the command line: .md, .html and .docx beside this file.

河市镇 2020 (2019 format) from samples/河市镇_2020.xlsx, or, when the writer's sample is absent,
from samples/data/河市镇_2020.json written to a temporary workbook; 新九镇 2021 (2021 format)
from samples/新九镇_2021.xlsx when it exists.
Run from anywhere: python samples/rendered/make_rendered.py
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
WORKBOOK = REPO / "samples" / "河市镇_2020.xlsx"
WORKBOOK_2021 = REPO / "samples" / "新九镇_2021.xlsx"
DATA = REPO / "samples" / "data" / "河市镇_2020.json"
CLI = "from xlsx_reports.cli import main_entry; main_entry()"


def workbook(tmp: Path) -> Path:
    if WORKBOOK.exists():
        return WORKBOOK
    sys.path.insert(0, str(REPO))
    from xlsx_reports.form.values import Report
    from xlsx_reports.xlsx.writer import write_workbook
    path = tmp / WORKBOOK.name
    write_workbook(Report.from_dict(json.loads(DATA.read_text(encoding="utf-8"))), path)
    return path


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        sources = [workbook(Path(tmp))] + ([WORKBOOK_2021] if WORKBOOK_2021.exists() else [])
        for source in sources:
            for ext in ("md", "html", "docx"):
                out = HERE / f"{source.stem}.{ext}"
                subprocess.run([sys.executable, "-c", CLI, "render", str(source), "-o", str(out)],
                               cwd=REPO, check=True)


if __name__ == "__main__":
    main()
