"""A server warms the checker at its start, so the first township's upload is checked as fast
as the next (the first check in a process imported the prose rules and read its template's
parts in full: ~22 ms against ~2)."""
from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

from web_helpers import make_workspace
from xlsx_reports.web import site as site_module
from xlsx_reports.web.site import Site

REPO = Path(__file__).resolve().parent.parent
FRESH = """
import sys
from xlsx_reports.web.site import Site
from xlsx_reports.xlsx import slots
site = Site.open(sys.argv[1])
site.call(lambda ws: None)   # what was queued on the ledger's thread before it is done
print("xlsx_reports.check.text" in sys.modules, len(slots.KNOWN), sorted(p.name for p in site.incoming.iterdir()))
site.close()
"""


def test_a_server_start_warms_the_checker_and_leaves_nothing_behind(tmp_path):
    root = make_workspace(tmp_path)
    out = subprocess.run([sys.executable, "-c", FRESH, str(root)], capture_output=True, text=True,
                         cwd=REPO, check=True).stdout.split()
    assert out[0] == "True"          # the prose rules are in
    assert int(out[1]) >= 10         # the sheets of a filled workbook of each format are remembered
    assert out[2] == "[]"            # the workbooks it checked are gone


def test_a_failed_warm_up_leaves_the_site_working(tmp_path, monkeypatch):
    def broken(*_args, **_kwargs):
        raise OSError("磁盘已满")
    monkeypatch.setattr(site_module, "write_workbook", broken)
    monkeypatch.setattr(site_module, "_WARM", threading.Lock())
    site = Site.open(make_workspace(tmp_path))
    try:
        assert site.call(lambda ws: ws.year) == 2024
        assert list(site.incoming.iterdir()) == []
    finally:
        site.close()
