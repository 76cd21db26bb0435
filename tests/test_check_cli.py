"""`xlsx-reports check`: grouped Chinese output, JSON, exit codes, --annotate, --roster,
--previous, and one unreadable file among good ones."""
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from fixtures_check.workbooks import balanced, generate, openpyxl_edit
from xlsx_reports.cli import main
from xlsx_reports.xlsx.reader import read_workbook

T3, INFO = "三、依申请公开", "基本信息"


def run(*args):
    result = CliRunner().invoke(main, ["check", *map(str, args)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


@pytest.fixture
def towns(tmp_path) -> Path:
    """东山镇 balanced; 西岭乡 with one column off (edited by openpyxl); a CSV renamed .xlsx."""
    folder = tmp_path / "towns"
    folder.mkdir()
    generate(balanced(2020, "东山镇"), folder / "东山镇.xlsx")
    src = generate(balanced(2020, "西岭乡"), tmp_path / "西岭乡_原表.xlsx")
    openpyxl_edit(src, folder / "西岭乡.xlsx", {(T3, "E5"): 2})
    (folder / "南溪街道.xlsx").write_text("单位,申请数\n南溪街道,5\n", encoding="utf-8")
    return folder


def test_many_files_name_the_ones_without_findings_together_at_the_end(towns, monkeypatch):
    from xlsx_reports.check import output

    monkeypatch.setattr(output, "EACH_SHOWN", 2)   # 50 in use: three towns stand for a city's thousands
    monkeypatch.setattr(output, "NAMES_A_LINE", 1)
    lines = run(towns).output.splitlines()
    assert "== 东山镇.xlsx（东山镇，2020 年度，2019 版格式）==" not in lines
    assert lines[0].startswith("== 南溪街道.xlsx") and any(line.startswith("== 西岭乡.xlsx") for line in lines)
    end = lines.index("没有发现问题的文件（1 个）：")
    assert lines[end:end + 3] == ["没有发现问题的文件（1 个）：", "  东山镇.xlsx", ""]
    assert lines[end + 3].startswith("合计：3 个文件，")


def test_text_output_grouped_by_file_and_sheet_with_summary(towns):
    result = run(towns)
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert lines[:3] == ["== 东山镇.xlsx（东山镇，2020 年度，2019 版格式）==", "  东山镇.xlsx：通过，没有发现问题", ""]
    start = lines.index("== 南溪街道.xlsx ==")
    assert lines[start:start + 5] == [
        "== 南溪街道.xlsx ==",
        "  [整个文件]",
        "    错误 UNREADABLE：南溪街道.xlsx：这是 CSV 或纯文本文件，只是改了扩展名，不是下发的填报表；"
        "请在下发的 .xlsx 填报表中填写后提交",
        "        → 请按提示处理后重新提交。",
        "  南溪街道.xlsx：无法读取",
    ]
    start = lines.index("== 西岭乡.xlsx（西岭乡，2020 年度，2019 版格式）==")
    assert lines[start + 1:start + 3] == [
        "  [整个文件]",
        "    提示 CACHED：工作簿中 32 个合计公式都没有保存计算结果（文件是用不计算公式的程序保存的）；已按输入重新计算合计"]
    assert lines[start + 4] == f"  [{T3}]"
    assert lines[start + 5].startswith(f"    错误 T3-BALANCE {T3}!E5,E6,E26,E27：三（商业企业）")
    assert "  西岭乡.xlsx：有错误，需退回修改；错误 2 个，提示 1 个" in lines
    assert lines[-1] == "合计：3 个文件，1 个通过，1 个有错误，1 个无法读取；错误 3 个，提示 1 个"


def test_exit_codes(towns):
    assert run(towns / "东山镇.xlsx").exit_code == 0
    assert run(towns / "东山镇.xlsx", towns / "西岭乡.xlsx").exit_code == 1
    assert run(towns / "东山镇.xlsx", towns / "南溪街道.xlsx").exit_code == 2
    missing = run(towns / "没有这个文件.xlsx")
    assert missing.exit_code == 2 and "没有这个文件.xlsx：文件不存在" in missing.output
    empty = towns / "空文件夹"
    empty.mkdir()
    result = run(empty)
    assert result.exit_code == 2 and "错误：没有找到要校验的工作簿" in result.output


def test_json_schema(towns):
    result = run(towns, "--json")
    data = json.loads(result.output)
    assert result.exit_code == 2
    assert set(data) == {"files", "summary", "exit_code"} and data["exit_code"] == 2
    by_name = {Path(f["file"]).name: f for f in data["files"]}
    assert by_name["南溪街道.xlsx"]["unit"] == "" and by_name["南溪街道.xlsx"]["year"] is None
    xiling = by_name["西岭乡.xlsx"]
    assert (xiling["unit"], xiling["year"], xiling["format"]) == ("西岭乡", 2020, "2019")
    first = xiling["findings"][0]
    assert set(first) == {"code", "severity", "sheet", "cells", "message", "expected", "actual",
                          "advice"}
    assert [(f["code"], f["severity"], f["sheet"], f["cells"], f["expected"], f["actual"])
            for f in xiling["findings"]] == [
        ("CACHED", "warning", "", [], None, None),
        ("T3-BALANCE", "error", T3, ["E5", "E6", "E26", "E27"], 0, 2),
        ("T3-BALANCE", "error", T3, ["J5", "J6", "J26", "J27"], 7, 9)]
    assert data["summary"] == {"files": 3, "passed": 1, "with_errors": 1, "unreadable": 1,
                               "errors": 3, "warnings": 1}


def _digest(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def test_annotate_writes_a_marked_copy_and_leaves_the_original(towns, tmp_path):
    before = {p.name: _digest(p) for p in towns.iterdir()}
    out = tmp_path / "批注"
    result = run(towns, "--annotate", out)
    assert result.exit_code == 2
    assert {p.name: _digest(p) for p in towns.iterdir()} == before
    assert sorted(p.name for p in out.iterdir()) == ["西岭乡_批注.xlsx"]
    copy = out / "西岭乡_批注.xlsx"
    reading = read_workbook(copy)
    assert reading.report.values["t3.new.business"] == 2
    assert reading.metadata.unit == "西岭乡"
    wb = openpyxl.load_workbook(copy)
    note = wb[T3]["E5"].comment.text
    assert note.startswith("【错误 T3-BALANCE】三（商业企业）") and "处理：" in note
    assert wb[T3]["J5"].comment.text.startswith("【错误 T3-BALANCE】三（总计）")
    assert wb[INFO]["B2"].comment.text.startswith("【提示 CACHED】")
    assert wb[T3]["D5"].comment is None
    # the mark is the live rule highlight, not a fixed fill: it goes once the rule holds
    assert wb[T3]["E5"].fill.fgColor.rgb == wb[T3]["D5"].fill.fgColor.rgb
    live = {str(r.sqref): rule.formula[0] for r in wb[T3].conditional_formatting for rule in r.rules}
    assert live["E5:E6 E26:E27"] == "NOT(SUM($E$5:$E$6)=SUM($E$26:$E$27))"
    assert run(towns, towns / "东山镇.xlsx", "--json").output.count("东山镇.xlsx") == 1


def test_check_pauses_its_collector_but_not_while_it_annotates(towns, tmp_path, monkeypatch):
    """The results a check keeps form no cycles and are not walked again and again; an
    annotated copy is an openpyxl workbook whose parts refer to each other, collected as it goes."""
    import gc

    from xlsx_reports import api
    from xlsx_reports.cli import check as check_cli
    seen = {}
    checking, annotating = api.check, check_cli._check_annotate

    def check(*args, **kwargs):
        seen["checking"] = gc.isenabled()
        return checking(*args, **kwargs)

    def annotate(*args, **kwargs):
        seen["annotating"] = gc.isenabled()
        return annotating(*args, **kwargs)
    monkeypatch.setattr(api, "check", check)
    monkeypatch.setattr(check_cli, "_check_annotate", annotate)
    assert run(towns, "--annotate", tmp_path / "批注").exit_code == 2
    assert seen == {"checking": False, "annotating": True} and gc.isenabled()


def test_annotated_copy_keeps_a_number_typed_as_text(tmp_path):
    src = generate(balanced(2020, "东山镇"), tmp_path / "原表.xlsx")
    path = openpyxl_edit(src, tmp_path / "东山镇.xlsx", {(T3, "D5"): "５"})
    out = tmp_path / "out"
    assert run(path, "--annotate", out).exit_code == 1
    copy = read_workbook(out / "东山镇_批注.xlsx")
    assert copy.report.values["t3.new.natural"] == "５"
    ws = openpyxl.load_workbook(out / "东山镇_批注.xlsx")[T3]
    assert "应填数字 5" in ws["D5"].comment.text
    assert ws["D5"].comment.text.endswith("批注时该格的值：“５”")
    marks = {str(r.sqref): rule.formula[0] for r in ws.conditional_formatting for rule in r.rules}
    assert marks["D5"] == 'AND(ISTEXT($D$5),LEN($D$5)=1,LEFT($D$5,1)="５")'
    assert ws["D5"].fill.fgColor.rgb == ws["E5"].fill.fgColor.rgb   # no fixed mark


def test_roster_missing_unexpected_and_duplicate_units(towns, tmp_path):
    roster = tmp_path / "名单.csv"
    roster.write_text("单位名称\n东山镇\n北峰镇\n", encoding="utf-8-sig")
    generate(balanced(2020, "东山镇"), towns / "东山镇（修改版）.xlsx")
    data = json.loads(run(towns, "--roster", roster, "--json").output)
    codes = {(Path(f["file"]).name if f["file"] else f["unit"]): [x["code"] for x in f["findings"]]
             for f in data["files"]}
    assert codes["东山镇.xlsx"] == ["AGG-DUP"]
    assert codes["东山镇（修改版）.xlsx"] == ["AGG-DUP"]
    assert codes["西岭乡.xlsx"] == ["ORIGIN", "CACHED", "T3-BALANCE", "T3-BALANCE"]
    assert codes["北峰镇"] == ["AGG-ROSTER"]
    text = run(towns, "--roster", roster).output
    assert "    提示 AGG-ROSTER：名单第 3 行的“北峰镇”没有提交工作簿" in text
    assert "  北峰镇：未报送" in text


def test_previous_year_matched_by_unit(towns, tmp_path):
    last = tmp_path / "2019"
    last.mkdir()
    report = balanced(2019, "东山镇")
    report.values.update({"t3.carry_over.natural": 3, "t3.public.natural": 1,
                          "t2.licensing.prev_items": 12, "s1.text": "上年的总体情况" * 10})
    generate(report, last / "东山镇_2019.xlsx")
    result = run(towns / "东山镇.xlsx", towns / "西岭乡.xlsx", "--previous", last)
    assert result.exit_code == 1
    assert f"    错误 XY-CARRY {T3}!D6：" not in result.output   # the message names the cell
    assert (f"    错误 XY-CARRY：三（自然人）：本年“二、上年结转”应等于上年“四、结转下年度继续办理”："
            f"本年 {T3}!D6 = 1，上年（东山镇_2019.xlsx）D27 = 3") in result.output
    assert "注意：西岭乡.xlsx：没有找到“西岭乡”的上年工作簿，未做跨年校验" in result.output


def test_a_year_different_from_the_rest_of_the_batch(towns):
    generate(balanced(2019, "北峰镇"), towns / "北峰镇.xlsx")
    data = json.loads(run(towns, "--json").output)
    beifeng = next(f for f in data["files"] if f["unit"] == "北峰镇")
    assert [(f["code"], f["severity"], f["expected"], f["actual"]) for f in beifeng["findings"]] == [
        ("YEAR-ODD", "warning", 2020, 2019)]


def test_installed_command_prints_no_traceback(towns):
    done = subprocess.run([sys.executable, "-c", "from xlsx_reports.cli import main_entry; main_entry()",
                           "check", str(towns)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "Traceback" not in done.stdout + done.stderr
    assert done.stdout.splitlines()[-1].startswith("合计：3 个文件")


def test_parallel_reading_gives_the_same_result(towns):
    for i in range(6):   # eight files or more are read by worker processes
        (towns / f"副本{i}.xlsx").write_bytes((towns / "西岭乡.xlsx").read_bytes())
    one, two = run(towns, "--json", "-j", "1"), run(towns, "--json", "-j", "2")
    assert one.exit_code == two.exit_code == 2
    assert json.loads(one.output) == json.loads(two.output)
    assert len(json.loads(two.output)["files"]) == 9


def test_a_roster_kept_in_the_folder_is_not_taken_for_a_return(towns):
    (towns / "名单.csv").write_text("单位名称\n东山镇\n西岭乡\n", encoding="gbk")
    (towns / "月报.csv").write_text("单位,件数\n东山镇,1\n", encoding="utf-8")
    result = run(towns)
    assert "== 名单.csv ==" not in result.output
    assert "== 月报.csv ==" in result.output     # any other CSV may be a misdirected return
    assert result.output.splitlines()[-1].startswith("合计：4 个文件")


def test_two_threads_checking_at_once_keep_their_own_last_year(towns, tmp_path, monkeypatch):
    """The Python API from two threads (a script serving several districts): one checks 东山镇
    against last year's workbook, the other checks 西岭乡 without one and without keeping cells,
    and each reads its file only after both have started (the interleaving that once let the
    second check's settings replace the first's)."""
    import threading
    from xlsx_reports import api
    from xlsx_reports.check import batch

    last = tmp_path / "2019"
    last.mkdir()
    report = balanced(2019, "东山镇")
    report.values.update({"t3.carry_over.natural": 3})
    generate(report, last / "东山镇_2019.xlsx")
    both_started = threading.Barrier(2, timeout=60)
    read = batch.try_read

    def read_when_both_started(path, data=None):
        if path.parent == towns:
            both_started.wait()
        return read(path, data)
    monkeypatch.setattr(batch, "try_read", read_when_both_started)
    results = {}

    def check(name, **options):
        results[name] = api.check([towns / name], jobs=1, **options)
    threads = [threading.Thread(target=check, args=("东山镇.xlsx",), kwargs={"previous": [last]}),
               threading.Thread(target=check, args=("西岭乡.xlsx",), kwargs={"keep_cells": False})]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    dongshan = results["东山镇.xlsx"]
    assert "XY-CARRY" in [f.code for f in dongshan.files[0].findings]   # last year's was used
    assert dongshan.batch.files[0].reading.cells   # kept: this thread did not ask otherwise
    assert results["西岭乡.xlsx"].batch.files[0].reading.cells == {}
