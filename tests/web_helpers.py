"""For the web tests: a workspace made by Workspace.init and filled returns written by the real
writer into the workbooks the workspace handed out. The server process and the API client
are in benchmarks/web_client.py (the benchmark uses them too)."""
from __future__ import annotations

import shutil
import sys
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # benchmarks/ beside tests/

from benchmarks.web_client import ApiClient, Server  # noqa: E402,F401 (re-exported)
from ledger_helpers import filled_return, write_roster  # noqa: E402
from xlsx_reports.ledger import Workspace  # noqa: E402

UNITS = ("河市镇", "马甲镇", "罗溪镇", "虹山乡", "双阳街道")
DISTRICT = "洛江区"
YEAR = 2024


def make_workspace(folder: Path, units=UNITS, *, deadline: date | None = None) -> Path:
    """A workspace of `units`, closed again so a server can open it."""
    root = folder / "工作区"
    ws = Workspace.init(root, roster=write_roster(folder / "名单.csv", units), year=YEAR,
                        unit=DISTRICT, deadline=deadline or date.today() + timedelta(days=30))
    ws.close()
    return root


def make_returns(root: Path, folder: Path, units=UNITS) -> dict[str, dict[str, Path]]:
    """{"correct": {unit: path}, "wrong": {unit: path}}: each unit's handed-out workbook
    filled in; the wrong one breaks table 三's balance (errors named by sheet and cell)."""
    with Workspace.open(root) as ws:
        return {"correct": {u: filled_return(ws, u, folder / "对的", seed=i)
                            for i, u in enumerate(units)},
                "wrong": {u: filled_return(ws, u, folder / "错的", seed=i, broken=True)
                          for i, u in enumerate(units)}}


def workspace_with_returns(folder: Path) -> tuple[Path, dict[str, dict[str, Path]]]:
    root = make_workspace(folder)
    return root, make_returns(root, folder)


def fresh_copy(root: Path, folder: Path) -> Path:
    """A test's own copy of a workspace made once for its module."""
    copy = folder / "ws"
    shutil.copytree(root, copy)
    return copy
