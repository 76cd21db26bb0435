"""Kills and concurrent intakes leave the ledger and the store consistent, with no file lost."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ledger_helpers import UNITS, filled_return, write_roster
from xlsx_reports.ledger import Workspace
from xlsx_reports.ledger.workspace import FAULT_ENV

INTAKE = [sys.executable, "-c", "from xlsx_reports.cli import main_entry; main_entry()", "intake"]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def intake_process(ws_dir: Path, folder: Path, fault: str | None = None) -> subprocess.Popen:
    env = dict(os.environ)
    env.pop(FAULT_ENV, None)
    if fault:
        env[FAULT_ENV] = fault
    return subprocess.Popen([*INTAKE, str(ws_dir), str(folder)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def assert_consistent(ws: Workspace) -> list[dict]:
    """Every row's file is in the store with the content its hash names; no note is left."""
    rows = ws.ledger.all_receipts()
    for row in rows:
        assert sha(ws.root / row["stored"]) == row["sha256"], row["name"]
    assert list((ws.root / "store" / "incoming").iterdir()) == []
    for unit in {r["unit"] for r in rows if r["version"] is not None}:
        versions = [r["version"] for r in rows if r["unit"] == unit and r["version"] is not None]
        assert sorted(versions) == list(range(1, len(versions) + 1)), unit
    return rows


@pytest.fixture
def small_season(tmp_path):
    units = UNITS[:4]
    ws = Workspace.init(tmp_path / "ws", roster=write_roster(tmp_path / "名单.csv", units),
                        year=2024)
    returns = tmp_path / "returns"
    files = [filled_return(ws, u, returns, seed=i) for i, u in enumerate(units)]
    ws.close()
    return tmp_path / "ws", returns, files


@pytest.mark.parametrize("point, recorded", [("noted", 2), ("stored", 3), ("recorded", 3)])
def test_intake_killed_at_the_third_file_leaves_a_consistent_ledger(small_season, point, recorded):
    ws_dir, returns, files = small_season
    killed = intake_process(ws_dir, returns, f"{point}:3")
    killed.communicate(timeout=300)
    assert killed.returncode == -9
    with Workspace.open(ws_dir) as ws:      # opening picks up a file stored before the kill
        rows = assert_consistent(ws)
        assert sorted(r["name"] for r in rows) == sorted(f.name for f in files)[:recorded]
        ws.intake([returns])
        rows = assert_consistent(ws)
        assert sorted(r["sha256"] for r in rows) == sorted(sha(f) for f in files)
        assert [(u["status"], u["versions"]) for u in ws.status()["units"]] == [("passed", 1)] * 4


def test_two_concurrent_intakes_of_200_files_lose_nothing(tmp_path):
    ws = Workspace.init(tmp_path / "ws", roster=write_roster(tmp_path / "名单.csv"), year=2024)
    folders = [tmp_path / "a", tmp_path / "b"]
    for n, folder in enumerate(folders):
        for i in range(5):     # real returns of different units (checking them is the slow part)
            filled_return(ws, UNITS[i + 5 * n], folder, seed=i)
        for k in range(195):   # small files: unreadable returns, 40 of them in both folders
            shared = k < 40
            body = f"{'shared' if shared else n}-{k}".encode()
            name = f"{UNITS[k % 20]}_{'共' if shared else n}{k}.xlsx"
            (folder / name).write_bytes(body)
    ws.close()
    runs = [intake_process(tmp_path / "ws", folder) for folder in folders]
    for run in runs:
        _, err = run.communicate(timeout=600)
        assert run.returncode == 2, err.decode()   # unreadable files among them
    with Workspace.open(tmp_path / "ws") as ws:
        rows = assert_consistent(ws)
        sent = {sha(f) for folder in folders for f in folder.iterdir()}
        assert len(sent) == 360
        assert {r["sha256"] for r in rows} == sent and len(rows) == 360
        store_files = [p for p in (ws.root / "store").rglob("*") if p.is_file()
                       and p.parent.parent.parent.name == "store"]
        assert {sha(p) for p in store_files} == sent
