"""The command line on a user's console: a GBK console never ends in a traceback, help and
version read in Chinese, `-` means standard input/output, --json agrees with the exit code."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from xlsx_reports.cli import main

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
HESHI = SAMPLES / "河市镇_2020.xlsx"
RARE = "𠀀镇"   # U+20000: outside GBK, as some real place names are
COMMANDS = ("new", "batch", "check", "merge", "render", "export", "rules")


def run_gbk(args: list[str], cwd: Path, stdin: bytes = b"") -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONIOENCODING="gbk")
    return subprocess.run([sys.executable, "-m", "xlsx_reports", *map(str, args)], cwd=cwd, env=env,
                          input=stdin, capture_output=True, timeout=300)


def test_every_command_on_a_gbk_console_with_a_name_outside_gbk(tmp_path):
    roster = tmp_path / "名单.csv"
    roster.write_text(f"单位名称\n{RARE}\n河市镇\n", encoding="utf-8")
    own = tmp_path / f"{RARE}_2021.xlsx"
    runs = [
        ["--help"], ["--version"], *[[c, "--help"] for c in COMMANDS],
        ["new", "--unit", RARE, "--year", "2021", "-o", own],
        ["new", "--unit", "河市镇", "--year", "2021", "--previous", HESHI, "-o", "河市镇_2021.xlsx"],
        ["batch", roster, "--year", "2021", "-o", "下发", "--previous-dir", SAMPLES],
        ["check", own, "下发", "--roster", roster, "--annotate", "批注"],
        ["check", own, "--json"],
        ["merge", "下发", "--unit", "𠀀区", "-o", "汇总.xlsx"],
        ["render", own, "-o", "报告.md", "--force"],
        ["render", own, "-o", "-", "--format", "txt", "--force"],
        ["export", own],
        ["rules"],
        ["new", "--unit", f"{RARE}\n", "--year", "2021", "-o", "x.xlsx"],   # refused, in Chinese
    ]
    for args in runs:
        result = run_gbk(args, tmp_path)
        stderr = result.stderr.decode("gbk")
        assert "Traceback" not in stderr, (args, stderr)
        assert result.returncode in (0, 1, 2), (args, result.returncode, stderr)
        result.stdout.decode("gbk")   # what reached the console is valid GBK
    assert own.exists() and (tmp_path / "下发" / "manifest.csv").exists()
    assert (tmp_path / "汇总.xlsx").exists() and (tmp_path / "报告.md").exists()
    said = run_gbk(["new", "--unit", RARE, "--year", "2021", "-o", "y.xlsx"], tmp_path)
    assert "\\U00020000镇".encode("gbk") in said.stdout   # the rare character shown as an escape


@pytest.mark.parametrize("args", [[], *[[c] for c in COMMANDS]])
def test_help_is_in_chinese(args):
    result = CliRunner().invoke(main, [*args, "--help"])
    assert result.exit_code == 0
    text = result.output
    assert text.startswith("用法:") and "选项:" in text and "显示本帮助并退出。" in text
    for english in ("Usage:", "Options:", "Commands:", "Show this message and exit."):
        assert english not in text
    if not args:
        assert "命令:" in text and "显示版本号并退出。" in text


def test_version_is_in_chinese():
    result = CliRunner().invoke(main, ["--version"])
    assert result.output.strip() == "xlsx-reports 版本 0.1.0"


def test_check_json_exit_code_agrees_with_the_process_when_annotating_fails(tmp_path):
    blocker = tmp_path / "占用"
    blocker.write_text("不是文件夹", encoding="utf-8")   # --annotate under a file cannot be written
    result = CliRunner().invoke(main, ["check", str(HESHI), "--json", "--annotate", str(blocker / "批注")])
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert data["exit_code"] == 2


def test_check_json_of_an_unreadable_file_names_the_reason(tmp_path):
    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really")
    result = CliRunner().invoke(main, ["check", str(bad), "--json"])
    assert result.exit_code == 2
    [finding] = json.loads(result.stdout)["files"][0]["findings"]
    assert (finding["code"], finding["reason"]) == ("UNREADABLE", "FILE-FOREIGN")


def test_check_json_when_nothing_can_be_checked_gives_the_refusal_code(tmp_path):
    result = CliRunner().invoke(main, ["check", str(tmp_path), "--json"])
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert data["error"]["code"] == "NO-INPUT" and data["exit_code"] == 2
    assert str(tmp_path) in data["error"]["message"]


def test_export_to_dash_is_standard_output():
    result = CliRunner().invoke(main, ["export", str(HESHI), "-o", "-"])
    assert result.exit_code == 0
    records = json.loads(result.stdout)
    assert {r["unit"] for r in records} == {"河市镇"}
    csv_text = CliRunner().invoke(main, ["export", str(HESHI), "-o", "-", "--format", "csv"]).stdout
    assert csv_text.startswith("unit,year,format,key,")


def test_render_to_dash_writes_the_report_to_stdout_and_messages_to_stderr(tmp_path):
    result = CliRunner().invoke(main, ["render", str(HESHI), "-o", "-", "--format", "md"])
    assert result.exit_code == 0
    assert result.stdout.startswith("# 河市镇2020年政府信息公开工作年度报告")
    assert "已生成报告" not in result.stdout and "已生成报告：标准输出" in result.stderr
    refused = CliRunner().invoke(main, ["render", str(HESHI), "-o", "-"])
    assert refused.exit_code == 2 and "--format" in refused.stderr
    assert not list(tmp_path.iterdir())


def test_a_roster_from_standard_input(tmp_path):
    roster = "单位名称\n河市镇\n北峰镇\n"
    result = CliRunner().invoke(main, ["check", str(HESHI), "--roster", "-", "--json"], input=roster)
    files = json.loads(result.stdout)["files"]
    assert [f["unit"] for f in files if f["file"] is None] == ["北峰镇"]
    batch = CliRunner().invoke(main, ["batch", "-", "--year", "2021", "-o", str(tmp_path)], input=roster)
    assert batch.exit_code == 0
    assert sorted(p.name for p in tmp_path.glob("*.xlsx")) == ["北峰镇_2021.xlsx", "河市镇_2021.xlsx"]
