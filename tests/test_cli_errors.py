"""What a user sees when the system refuses a file: one Chinese line, exit code 2, no traceback."""
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "samples" / "河市镇_2020.xlsx"


def run(*args, cwd):
    done = subprocess.run([sys.executable, "-c", "from xlsx_reports.cli import main_entry; main_entry()",
                           *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=120)
    assert "Traceback" not in done.stdout + done.stderr
    return done


@pytest.mark.parametrize("command", [
    ("render", SAMPLE, "-o", "挡路/报告.html"),
    ("export", SAMPLE, "-o", "挡路/单元格.json"),
    ("new", "--unit", "甲镇", "--year", "2021", "-o", "挡路/甲镇.xlsx"),
])
def test_an_output_under_a_file_is_refused_in_chinese(tmp_path, command):
    (tmp_path / "挡路").write_text("这是一个文件", encoding="utf-8")
    done = run(*command, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().endswith("路径中有一部分是文件，不是文件夹")
    assert done.stderr.startswith("错误：")


def test_a_missing_roster_is_named_in_chinese(tmp_path):
    done = run("batch", "名单.csv", "--year", "2021", "-o", "下发", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip() == "错误：无法读取名单文件 名单.csv：文件或文件夹不存在，请检查路径"
    assert not (tmp_path / "下发").exists()


def test_annotated_copies_that_cannot_be_written_make_check_fail(tmp_path):
    shutil.copy(SAMPLE, tmp_path / "河市镇.xlsx")
    (tmp_path / "挡路").write_text("", encoding="utf-8")
    done = run("check", "河市镇.xlsx", "--annotate", "挡路/批注", cwd=tmp_path)
    assert done.returncode == 2
    assert "错误：河市镇.xlsx 的批注版未能生成：路径中有一部分是文件，不是文件夹" in done.stderr


def test_a_year_not_yet_begun_is_refused(tmp_path):
    year = date.today().year + 2
    done = run("new", "--unit", "甲镇", "--year", year, "-o", "甲镇.xlsx", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip() == f"错误：{year} 年度还没有到：请检查年度（今年是 {date.today().year} 年）"
    assert not (tmp_path / "甲镇.xlsx").exists()


def test_render_names_an_unreadable_file_once(tmp_path):
    (tmp_path / "坏.xlsx").write_text("单位,件数\n", encoding="utf-8")
    done = run("render", "坏.xlsx", "-o", "报告.html", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.count("坏.xlsx") == 1


@pytest.mark.parametrize("args, message", [
    (("new", "--unit", "甲镇", "--year", "abc", "-o", "a.xlsx"),
     "错误：--year 的值“abc”不是整数。请运行 xlsx-reports new --help 查看用法。"),
    (("new", "--unit", "甲镇", "--year", "2021"),
     "错误：缺少选项 -o / --output。请运行 xlsx-reports new --help 查看用法。"),
    (("chek", "a.xlsx"), "错误：没有这个命令：chek（是不是要用 check？）。请运行 xlsx-reports --help 查看用法。"),
    (("check",), "错误：缺少参数 INPUTS...。请运行 xlsx-reports check --help 查看用法。"),
    (("new", "--bogus"), "错误：没有这个选项：--bogus。请运行 xlsx-reports new --help 查看用法。"),
    (("new", "--yeer", "2021"),
     "错误：没有这个选项：--yeer（是不是要用 --year？）。请运行 xlsx-reports new --help 查看用法。"),
])
def test_usage_mistakes_are_explained_in_chinese(tmp_path, args, message):
    done = run(*args, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip() == message


def test_a_real_csv_is_not_said_to_be_renamed(tmp_path):
    (tmp_path / "月报.csv").write_text("单位,件数\n甲镇,1\n", encoding="utf-8")
    done = run("check", "月报.csv", cwd=tmp_path)
    assert done.returncode == 2
    assert ("    错误 UNREADABLE：月报.csv：这是 CSV 或纯文本文件，不是下发的填报表；"
            "请在下发的 .xlsx 填报表中填写后提交") in done.stdout.splitlines()


def test_output_piped_into_a_closed_reader_ends_quietly(tmp_path):
    command = [sys.executable, "-c", "from xlsx_reports.cli import main_entry; main_entry()",
               "export", str(SAMPLE)]
    export = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path)
    export.stdout.read(10)
    export.stdout.close()        # like `| head -c 10`
    _, err = export.communicate(timeout=120)
    assert "Traceback" not in err.decode("utf-8")
    assert "错误" not in err.decode("utf-8")
