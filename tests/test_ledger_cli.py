"""`workspace init`, `intake`, `status`, `merge --workspace`, `export --workspace` as a clerk
runs them; refused ledgers (corrupt, newer, missing) are named and left untouched."""
from __future__ import annotations

import csv
import json
import sqlite3
from datetime import date, datetime

import pytest
from click.testing import CliRunner

from ledger_helpers import filled_return, write_roster
from xlsx_reports.cli import main
from xlsx_reports.cli.workspace import parse_deadline
from xlsx_reports.core.findings import CannotContinue
from xlsx_reports.ledger import Workspace
from xlsx_reports.ledger.db import LEDGER_FILE

UNITS = ("河市镇", "马甲镇", "罗溪镇")


def run(*args: str):
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


@pytest.fixture(scope="module")
def clerk(tmp_path_factory):
    """A workspace made and fed through the command line: one good, one broken return."""
    tmp = tmp_path_factory.mktemp("clerk")
    ws_dir = tmp / "2024年报"
    init = run("workspace", "init", str(ws_dir), "--roster", str(write_roster(tmp / "名单.csv", UNITS)),
               "--year", "2024", "--unit", "洛江区", "--deadline", "2025年1月20日")
    with Workspace.open(ws_dir) as ws:
        filled_return(ws, UNITS[0], tmp / "收到", seed=1)
        filled_return(ws, UNITS[1], tmp / "收到", seed=2, broken=True)
    intake = run("intake", str(ws_dir), str(tmp / "收到"), "--received", "2025-01-18 09:30")
    again = run("intake", str(ws_dir), str(tmp / "收到"))
    return tmp, ws_dir, init, intake, again


def test_init_hands_out_a_workbook_per_unit_and_lists_tokens(clerk):
    tmp, ws_dir, init, _, _ = clerk
    assert init.exit_code == 0, init.output
    assert init.output.splitlines()[0] == f"已建立工作区 {ws_dir}：2024 年度，3 个单位"
    assert sorted(p.name for p in (ws_dir / "下发").iterdir()) == sorted(
        [f"{u}_2024.xlsx" for u in UNITS] + ["manifest.csv"])
    with open(ws_dir / "单位清单.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    with Workspace.open(ws_dir) as ws:
        assert [(r["单位名称"], r["上传口令"]) for r in rows] == list(ws.tokens().items())
        assert ws.deadline == date(2025, 1, 20)


def test_init_refuses_a_folder_that_is_already_a_workspace(clerk):
    tmp, ws_dir, _, _, _ = clerk
    before = (ws_dir / LEDGER_FILE).read_bytes()
    result = run("workspace", "init", str(ws_dir), "--roster", str(tmp / "名单.csv"), "--year", "2024")
    assert result.exit_code == 2
    assert f"{ws_dir} 中已有台账 {LEDGER_FILE}" in result.output
    assert (ws_dir / LEDGER_FILE).read_bytes() == before


def test_intake_says_what_was_decided_per_file(clerk):
    _, _, _, intake, again = clerk
    assert intake.exit_code == 1
    lines = intake.output.splitlines()
    assert "河市镇_2024.xlsx：河市镇：已通过，第 1 版" in lines
    assert "马甲镇_2024.xlsx：马甲镇：有错误，第 1 版" in lines
    assert any(line.startswith("  [错误 T3-BALANCE] 三、依申请公开!") for line in lines)
    assert again.exit_code == 0
    assert "河市镇_2024.xlsx：河市镇：重复，与已收到的第 1 版内容相同，未作改动" in again.output.splitlines()


def test_status_json_has_the_stable_shape(clerk):
    _, ws_dir, _, _, _ = clerk
    data = json.loads(run("status", str(ws_dir), "--json").output)
    assert [(u["unit"], u["status"], u["versions"], u["late"]) for u in data["units"]] == [
        ("河市镇", "passed", 1, False), ("马甲镇", "errors", 1, False), ("罗溪镇", "missing", 0, False)]
    assert set(data["units"][0]) == {"unit", "status", "versions", "errors", "warnings",
                                     "received", "late", "file"}
    assert data["units"][2]["received"] is None and data["units"][2]["file"] is None
    assert data["year"] == 2024 and data["summary"]["报送率"] == 0.6667
    assert data["summary"]["通过率"] == 0.5 and data["stale_total"] is False


def test_status_text_and_one_units_history(clerk):
    _, ws_dir, _, _, _ = clerk
    text = run("status", str(ws_dir)).output.splitlines()
    assert text[0] == "2024 年度报送情况（截止 2025-01-20）"
    assert "  罗溪镇：未报送" in text
    assert ("应报 3 个，已报 2 个（报送率 67%），已通过 1 个（通过率 50%），有错误 1 个，"
            "无法读取 0 个，未报送 1 个，逾期 0 个") in text
    history = run("status", str(ws_dir), "--unit", "马甲镇").output.splitlines()
    assert history[0] == "马甲镇：共收到 1 个文件"
    assert history[1].startswith("  第 1 版：马甲镇_2024.xlsx，") and "有错误" in history[1]
    assert history[1].startswith("  第 1 版：马甲镇_2024.xlsx，2025-01-18 09:30 收到，有错误，错误 ")
    assert any("[错误 T3-BALANCE]" in line for line in history[2:])
    unknown = run("status", str(ws_dir), "--unit", "不存在镇")
    assert unknown.exit_code == 2 and "“不存在镇”不在本工作区的单位名单中" in unknown.output


def test_merge_and_export_take_the_workspace_current_versions(clerk):
    tmp, ws_dir, _, _, _ = clerk
    out = tmp / "全区汇总.xlsx"
    merged = run("merge", "--workspace", str(ws_dir), "-o", str(out))
    assert merged.exit_code == 0, merged.output
    assert "纳入汇总：1 个工作簿，共 1 个单位" in merged.output
    assert "洛江区" in merged.output.splitlines()[0]
    status = json.loads(run("status", str(ws_dir), "--json").output)
    assert status["total"]["file"] == str(out.resolve()) and status["stale_total"] is False
    records = json.loads(run("export", "--workspace", str(ws_dir)).output)
    assert {r["unit"] for r in records} == {"河市镇", "马甲镇"}
    both = run("export", "--workspace", str(ws_dir), str(out))
    assert both.exit_code == 2 and "二者选一" in both.output


def test_a_corrupt_ledger_is_refused_and_left_as_it_is(tmp_path):
    ws_dir = tmp_path / "ws"
    Workspace.init(ws_dir, roster=write_roster(tmp_path / "名单.csv", UNITS), year=2024).close()
    ledger = ws_dir / LEDGER_FILE
    for suffix in ("-wal", "-shm"):
        (ws_dir / (LEDGER_FILE + suffix)).unlink(missing_ok=True)
    damaged = b"SQLite format 3\x00" + b"\xff" * 4000
    ledger.write_bytes(damaged)
    result = run("status", str(ws_dir))
    assert result.exit_code == 2
    assert result.output.startswith(f"错误：台账 {ledger} 已损坏，无法读取")
    assert "未作任何改动" in result.output
    assert ledger.read_bytes() == damaged


def test_a_ledger_of_a_newer_version_is_refused_and_left_as_it_is(tmp_path):
    ws_dir = tmp_path / "ws"
    Workspace.init(ws_dir, roster=write_roster(tmp_path / "名单.csv", UNITS), year=2024).close()
    ledger = ws_dir / LEDGER_FILE
    conn = sqlite3.connect(ledger)
    conn.execute("PRAGMA user_version=99")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    before = ledger.read_bytes()
    with pytest.raises(CannotContinue, match="由更新版本的 xlsx-reports 建立（结构版本 99"):
        Workspace.open(ws_dir)
    assert ledger.read_bytes() == before


def test_a_folder_that_is_no_workspace_is_named(tmp_path):
    result = run("intake", str(tmp_path), str(tmp_path))
    assert result.exit_code == 2
    assert f"{tmp_path} 不是工作区（没有台账 {LEDGER_FILE}）" in result.output


def test_upload_link_refuses_another_units_workbook_and_tokens_are_reissued(tmp_path):
    ws = Workspace.init(tmp_path / "ws", roster=write_roster(tmp_path / "名单.csv", UNITS), year=2024)
    other = filled_return(ws, UNITS[1], tmp_path / "up", seed=3)
    [result] = ws.intake([other], names=["上传.xlsx"], expect_unit=UNITS[0],
                         received_at=datetime(2025, 1, 5))
    assert (result.file, result.unit, result.decision, result.version) == (
        "上传.xlsx", UNITS[1], "wrong_unit", None)
    assert result.stored.read_bytes() == other.read_bytes()
    assert [u["status"] for u in ws.status()["units"]] == ["missing"] * 3
    tokens = ws.tokens()
    assert len(set(tokens.values())) == 3 and all(len(t) >= 20 for t in tokens.values())
    assert ws.unit_for_token(tokens[UNITS[2]]) == UNITS[2] and ws.unit_for_token("猜的") is None
    fresh = ws.reissue_token(UNITS[2])
    assert fresh != tokens[UNITS[2]] and ws.unit_for_token(tokens[UNITS[2]]) is None
    assert fresh in (tmp_path / "ws" / "单位清单.csv").read_text(encoding="utf-8-sig")
    ws.close()


@pytest.mark.parametrize("text, day", [("2025-01-20", date(2025, 1, 20)),
                                       ("2025年1月20日", date(2025, 1, 20)),
                                       ("2025/1/5", date(2025, 1, 5))])
def test_deadline_forms(text, day):
    assert parse_deadline(text) == day


def test_files_received_after_the_deadline_day_are_late(clerk):
    tmp, ws_dir, _, _, _ = clerk
    with Workspace.open(ws_dir) as ws:
        path = filled_return(ws, UNITS[2], tmp / "晚到", seed=5)
    late = run("intake", str(ws_dir), str(path), "--received", "2025年1月21日")
    assert late.output.splitlines()[0] == "罗溪镇_2024.xlsx：罗溪镇：已通过（逾期），第 1 版"
    status = json.loads(run("status", str(ws_dir), "--json").output)
    assert status["units"][2]["late"] is True and status["units"][2]["received"].startswith("2025-01-21T00:00")


def test_an_impossible_deadline_is_refused():
    with pytest.raises(CannotContinue, match="截止日期“2025-02-30”无法识别"):
        parse_deadline("2025-02-30")


def test_an_older_ledger_is_migrated_on_open_and_keeps_its_records(tmp_path, monkeypatch):
    from xlsx_reports.ledger import db

    ws_dir = tmp_path / "ws"
    with Workspace.init(ws_dir, roster=write_roster(tmp_path / "名单.csv", UNITS), year=2024) as ws:
        ws.intake([filled_return(ws, UNITS[0], tmp_path / "in", seed=1)])
    monkeypatch.setattr(db, "MIGRATIONS", db.MIGRATIONS + (("ALTER TABLE units ADD COLUMN phone TEXT",),))
    monkeypatch.setattr(db, "SCHEMA_VERSION", len(db.MIGRATIONS))
    with Workspace.open(ws_dir) as ws:
        assert ws.ledger.conn.execute("PRAGMA user_version").fetchone()[0] == 2
        assert "phone" in [r[1] for r in ws.ledger.conn.execute("PRAGMA table_info(units)")]
        assert [u["status"] for u in ws.status()["units"]] == ["passed", "missing", "missing"]


def test_last_years_workbook_and_a_workbook_not_handed_out_are_told_apart(tmp_path):
    from xlsx_reports.xlsx.writer import write_workbook
    from ledger_helpers import balanced_report
    import random

    with Workspace.init(tmp_path / "ws", roster=write_roster(tmp_path / "名单.csv", UNITS),
                        year=2024) as ws:
        old = filled_return(ws, UNITS[0], tmp_path / "in", seed=1, year=2023, name="河市镇_2023.xlsx")
        own = tmp_path / "in" / "马甲镇_自制.xlsx"
        write_workbook(balanced_report(UNITS[1], 2024, random.Random(2)), own)
        by_file = {r.file: r for r in ws.intake([old, own])}
    year = by_file[old.name]
    assert year.decision == "errors"
    assert [f.message for f in year.findings if f.code == "YEAR"] == [
        "河市镇_2023.xlsx 是 2023 年度的工作簿，本工作区收集的是 2024 年度的报表"]
    other = by_file[own.name]
    assert (other.unit, other.decision) == (UNITS[1], "passed")
    assert [f.message for f in other.findings if f.code == "LEDGER-ID"] == [
        "马甲镇_自制.xlsx 不是本工作区下发给“马甲镇”的填报表（工作簿编号不符），已按单位名称登记"]


def test_a_fractional_count_is_recorded_and_shown_exactly(tmp_path):
    """A finding whose value is a Decimal (2.5 applications) is stored and printed as 2.5,
    not lost to a JSON error (found by benchmarks/fuzz_check.py)."""
    from decimal import Decimal

    from xlsx_reports.xlsx.reader import read_workbook
    from xlsx_reports.xlsx.writer import write_workbook

    ws_dir = tmp_path / "ws"
    run("workspace", "init", str(ws_dir), "--roster", str(write_roster(tmp_path / "名单.csv", UNITS)),
        "--year", "2024")
    with Workspace.open(ws_dir) as ws:
        path = filled_return(ws, UNITS[0], tmp_path / "收到", seed=3)
    reading = read_workbook(path)
    reading.report.values["t3.new.natural"] = Decimal("2.5")
    write_workbook(reading.report, path, metadata=reading.metadata)
    intake = run("intake", str(ws_dir), str(path), "--json")
    assert intake.exit_code == 1
    (entry,) = json.loads(intake.output)
    assert entry["decision"] == "errors"
    status = run("status", str(ws_dir), "--unit", UNITS[0], "--json")
    assert status.exit_code in (0, 1)
    assert any(f["actual"] == 2.5 for v in json.loads(status.output)["history"] for f in v["findings"])


def test_a_moved_deadline_marks_every_version_afresh_and_a_running_server_sees_it(tmp_path):
    ws_dir = tmp_path / "2024年报"
    run("workspace", "init", str(ws_dir), "--roster", str(write_roster(tmp_path / "名单.csv", UNITS)),
        "--year", "2024", "--deadline", "2025-01-20")
    server = Workspace.open(ws_dir)   # as `serve` holds it open meanwhile
    try:
        with Workspace.open(ws_dir) as ws:
            late = filled_return(ws, UNITS[0], tmp_path / "晚到", seed=1)
            later = filled_return(ws, UNITS[1], tmp_path / "更晚", seed=2)
        run("intake", str(ws_dir), str(late), "--received", "2025-01-23 10:00")
        run("intake", str(ws_dir), str(later), "--received", "2025-02-03 16:00")
        assert run("workspace", "deadline", str(ws_dir)).output == "报送截止日期：2025年1月20日\n"
        moved = run("workspace", "deadline", str(ws_dir), "2025年1月31日")
        assert moved.exit_code == 0, moved.output
        assert moved.output.splitlines() == [
            "截止日期由2025年1月20日改为2025年1月31日；1 个已收到的版本的逾期标记随之改变，现在逾期的单位 1 个",
            "已下发的填报表上印的仍是原来的截止日期，请另行通知各单位"]
        status = json.loads(run("status", str(ws_dir), "--json").output)
        assert status["deadline"] == "2025-01-31"
        assert [(u["unit"], u["late"]) for u in status["units"]] == [
            ("河市镇", False), ("马甲镇", True), ("罗溪镇", False)]
        assert server.deadline == date(2025, 1, 31)
        assert server.season().deadline == date(2025, 1, 31)   # what its next intake is judged by
        dropped = run("workspace", "deadline", str(ws_dir), "--none")
        assert dropped.output.splitlines() == [
            "截止日期由2025年1月31日改为（不设）；1 个已收到的版本的逾期标记随之改变，现在逾期的单位 0 个",
            "已下发的填报表上印的仍是原来的截止日期，请另行通知各单位"]
        assert run("workspace", "deadline", str(ws_dir)).output == "没有设截止日期\n"
    finally:
        server.close()


def test_a_deadline_that_cannot_be_read_changes_nothing(clerk):
    _, ws_dir, _, _, _ = clerk
    before = (ws_dir / LEDGER_FILE).read_bytes()
    result = run("workspace", "deadline", str(ws_dir), "1月31日")
    assert result.exit_code == 2 and "截止日期“1月31日”无法识别" in result.output
    assert (ws_dir / LEDGER_FILE).read_bytes() == before
