"""Renders the 河市镇 2020 sample through the command line: .md, .html and .docx beside this file.

Uses samples/河市镇_2020.xlsx (the writer's sample workbook) when it exists; otherwise it writes
that workbook from samples/data/河市镇_2020.json into a temporary folder first.
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
DATA = REPO / "samples" / "data" / "河市镇_2020.json"
CLI = "from xlsx_reports.cli import main_entry; main_entry()"


def workbook(tmp: Path) -> Path:
    if WORKBOOK.exists():
        return WORKBOOK
    sys.path.insert(0, str(REPO))
    from xlsx_reports.model import Report
    from xlsx_reports.writer import write_workbook
    path = tmp / WORKBOOK.name
    write_workbook(Report.from_dict(json.loads(DATA.read_text(encoding="utf-8"))), path)
    return path


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source = workbook(Path(tmp))
        for ext in ("md", "html", "docx"):
            out = HERE / f"河市镇_2020.{ext}"
            subprocess.run([sys.executable, "-c", CLI, "render", str(source), "-o", str(out)],
                           cwd=REPO, check=True)


if __name__ == "__main__":
    main()
