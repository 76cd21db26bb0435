"""A whole season in one workspace: 20 units, returns in rounds, status asserted after each."""
from __future__ import annotations

import hashlib
import shutil
from datetime import date, datetime
from pathlib import Path

import pytest

from ledger_helpers import UNITS, filled_return, write_roster
from xlsx_reports.ledger import Workspace
from xlsx_reports.xlsx.reader import read_workbook

DEADLINE = date(2025, 1, 20)
ON_TIME, LATE, LATER = datetime(2025, 1, 10, 9), datetime(2025, 1, 23, 15), datetime(2025, 2, 3, 10)


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def statuses(ws) -> dict[str, tuple]:
    return {u["unit"]: (u["status"], u["versions"], u["errors"] > 0, u["late"])
            for u in ws.status()["units"]}


def expected(**changed) -> dict[str, tuple]:
    out = {u: ("missing", 0, False, False) for u in UNITS}
    out.update(changed)
    return out


@pytest.fixture(scope="module")
def season(tmp_path_factory):
    """The workspace and the files of every round, walked once for all tests below."""
    tmp = tmp_path_factory.mktemp("season")
    ws = Workspace.init(tmp / "ws", roster=write_roster(tmp / "名单.csv"), year=2024,
                        unit="洛江区", deadline=DEADLINE)
    rounds = {}
    r1 = tmp / "round1"
    good = [filled_return(ws, UNITS[i], r1, seed=i) for i in range(8)]
    broken = [filled_return(ws, UNITS[i], r1, seed=i, broken=True) for i in (8, 9)]
    (r1 / f"{UNITS[10]}_2024.xlsx").write_bytes(b"not a workbook")
    outsider = filled_return(ws, "名单外乡", r1, seed=30)
    shutil.copy(good[0], r1 / "东镇_2024_再发.xlsx")     # the same file sent twice
    rounds[1] = (r1, ws.intake([r1], received_at=ON_TIME), ws.status())
    r2 = tmp / "round2"
    filled_return(ws, UNITS[8], r2, seed=8, name=f"{UNITS[8]}_更正.xlsx")
    filled_return(ws, UNITS[11], r2, seed=11)
    shutil.copy(good[1], r2 / good[1].name)
    rounds[2] = (r2, ws.intake([r2], received_at=LATE), ws.status())
    merged = ws.merge(tmp / "汇总1.xlsx")
    rounds["merge"] = (merged, ws.status())
    r3 = tmp / "round3"
    filled_return(ws, UNITS[10], r3, seed=10)
    filled_return(ws, UNITS[9], r3, seed=9)
    rounds[3] = (r3, ws.intake([r3], received_at=LATER), ws.status())
    return ws, tmp, rounds, good, broken, outsider


def test_round1_decisions_and_status(season):
    ws, _, rounds, good, broken, outsider = season
    _, results, status = rounds[1]
    decisions = {r.file: (r.unit, r.decision, r.version, r.late) for r in results}
    assert decisions == {
        **{g.name: (UNITS[i], "passed", 1, False) for i, g in enumerate(good)},
        **{b.name: (UNITS[8 + i], "errors", 1, False) for i, b in enumerate(broken)},
        f"{UNITS[10]}_2024.xlsx": (UNITS[10], "unreadable", 1, False),
        outsider.name: ("名单外乡", "outside", None, False),
        "东镇_2024_再发.xlsx": (UNITS[0], "duplicate", 1, False),
    }
    assert {u["unit"]: (u["status"], u["versions"], u["errors"] > 0, u["late"])
            for u in status["units"]} == expected(
        **{UNITS[i]: ("passed", 1, False, False) for i in range(8)},
        **{UNITS[i]: ("errors", 1, True, False) for i in (8, 9)},
        **{UNITS[10]: ("unreadable", 1, True, False)})
    assert status["summary"] == {"units": 20, "received": 11, "missing": 9, "passed": 8,
                                 "errors": 2, "unreadable": 1, "late": 0, "outside": 1,
                                 "报送率": 0.55, "通过率": 0.7273}
    assert [(o["unit"], o["file"], o["decision"]) for o in status["outside"]] == [
        ("名单外乡", outsider.name, "outside")]
    assert status["stale_total"] is False and status["total"] is None


def test_a_broken_return_names_the_unbalanced_cells(season):
    ws, _, rounds, _, broken, _ = season
    result = next(r for r in rounds[1][1] if r.file == broken[0].name)
    codes = {(f.code, f.sheet) for f in result.findings if f.severity == "error"}
    assert ("T3-BALANCE", "三、依申请公开") in codes


def test_round2_late_correction_supersedes_and_a_resent_file_changes_nothing(season):
    ws, _, rounds, _, _, _ = season
    _, results, status = rounds[2]
    assert sorted((r.unit, r.decision, r.version, r.late) for r in results) == sorted([
        (UNITS[8], "passed", 2, True), (UNITS[11], "passed", 1, True),
        (UNITS[1], "duplicate", 1, False)])
    assert {u["unit"]: (u["status"], u["versions"], u["errors"] > 0, u["late"])
            for u in status["units"]} == expected(
        **{UNITS[i]: ("passed", 1, False, False) for i in range(8)},
        **{UNITS[8]: ("passed", 2, False, True), UNITS[9]: ("errors", 1, True, False),
           UNITS[10]: ("unreadable", 1, True, False), UNITS[11]: ("passed", 1, False, True)})
    assert status["summary"]["报送率"] == 0.6 and status["summary"]["通过率"] == round(10 / 12, 4)
    assert status["summary"]["late"] == 2


def test_merge_takes_exactly_the_current_passing_versions(season):
    ws, tmp, rounds, _, _, _ = season
    (result, path), status = rounds["merge"]
    _, _, before = rounds[2]
    passing = {u["unit"]: sha(Path(u["file"]))
               for u in before["units"] if u["status"] == "passed"}
    assert {s.unit: s.sha256 for s in result.included} == passing
    sources = read_workbook(path).metadata.sources
    assert {s["unit"]: s["sha256"] for s in sources} == passing
    assert status["stale_total"] is False and status["total"]["units"] == 10


def test_round3_makes_the_total_stale_and_history_keeps_every_version(season):
    ws, _, rounds, _, broken, _ = season
    _, results, status = rounds[3]
    assert sorted((r.unit, r.decision, r.version, r.late) for r in results) == sorted([
        (UNITS[9], "passed", 2, True), (UNITS[10], "passed", 2, True)])
    assert status["stale_total"] is True and ws.total_is_stale()
    assert status["summary"]["passed"] == 12 and status["summary"]["missing"] == 8
    history = ws.history(UNITS[8])
    assert [(h["version"], h["decision"], h["late"], h["errors"] > 0) for h in history] == [
        (1, "errors", False, True), (2, "passed", True, False)]
    assert history[0]["sha256"] == sha(broken[0])
    assert any(f["code"] == "T3-BALANCE" for f in history[0]["findings"])
    assert all(Path(h["file"]).read_bytes() for h in history)
    assert ws.current_file(UNITS[8]) == Path(history[1]["file"])


def test_intake_again_changes_nothing(season):
    ws, tmp, rounds, _, _, _ = season
    before = ws.status()
    again = ws.intake([tmp / "round1", tmp / "round2", tmp / "round3"])
    assert {r.decision for r in again} == {"duplicate"}
    assert ws.status() == before


def test_merging_again_is_current_and_holds_the_corrections(season):
    ws, tmp, _, _, _, _ = season
    result, _ = ws.merge(tmp / "汇总2.xlsx")
    assert sorted(s.unit for s in result.included) == sorted(UNITS[:12])
    assert ws.total_is_stale() is False
    assert result.missing == list(UNITS[12:])


def test_annotated_copy_of_the_broken_version_marks_the_cells(season):
    ws, _, _, _, _, _ = season
    path = ws.annotated(UNITS[8], version=1)
    assert path.is_file() and path.parent.name == "v1"
    reading = read_workbook(path)
    assert reading.report.unit == UNITS[8]


def test_a_return_is_judged_on_the_bytes_fingerprinted_not_on_what_the_store_holds_later(tmp_path, monkeypatch):
    from xlsx_reports.ledger import store as store_module
    ws = Workspace.init(tmp_path / "ws", roster=write_roster(tmp_path / "名单.csv"), year=2024,
                        unit="洛江区", deadline=DEADLINE)
    good = filled_return(ws, UNITS[0], tmp_path / "in", seed=0)
    put = store_module.Store.put

    def swapped(self, note, data):   # the stored copy replaced between storing and checking
        target = put(self, note, data)
        target.write_bytes(b"not a workbook")
        return target
    monkeypatch.setattr(store_module.Store, "put", swapped)
    result, = ws.intake([good], received_at=ON_TIME)
    assert (result.unit, result.decision, result.sha256) == (UNITS[0], "passed", sha(good))
    ws.close()


def test_a_workspace_merge_drafts_each_units_rows_as_the_merge_command_does(tmp_path, monkeypatch):
    """The web page's and `merge --workspace`'s total takes its units' rows drafted while the
    others were read (writer/drafts.py), not written one by one after the last."""
    from xlsx_reports.xlsx.writer.drafts import Drafts

    adopted: list[bool] = []
    real = Drafts.adopt
    monkeypatch.setattr(Drafts, "adopt", lambda self, *a: adopted.append(real(self, *a)) or adopted[-1])
    root = tmp_path / "ws"
    with Workspace.init(root, roster=write_roster(tmp_path / "名单.csv", UNITS[:3]), year=2024,
                        unit="洛江区") as ws:
        ws.intake([filled_return(ws, u, tmp_path / "收到", seed=i) for i, u in enumerate(UNITS[:3])])
        result, path = ws.merge(tmp_path / "全区汇总.xlsx")
    assert len(result.included) == 3 and path.exists()
    assert adopted == [True, True]   # 分单位明细 and 各单位文字材料
