"""The `new` command as a township's district officer uses it."""
from __future__ import annotations

import subprocess

import pytest
from click.testing import CliRunner
from conftest import need_program
from test_writer_helpers import meta_rows, open_both

from xlsx_reports.cli import main


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_new_writes_a_2021_workbook_for_a_2024_report(tmp_path):
    out = tmp_path / "t.xlsx"
    result = run("new", "--unit", "测试镇", "--year", "2024", "-o", str(out), "--deadline", "2025年1月20日")
    assert result.exit_code == 0, result.output
    assert result.output == f"已生成：{out}（测试镇，2024 年度，2021 版格式）\n"
    o = open_both(out)
    assert meta_rows(o.wb)["format"] == "2021" and o.wb["基本信息"]["B2"].value == "测试镇"
    assert any("2025年1月20日" in str(c.value) for c in o.wb["填报说明"]["A"])
    assert not o.wb["三、依申请公开"].protection.password


@pytest.mark.parametrize("args, message", [
    (["--year", "2024", "--format", "2019"],
     "2024 年度的报告应使用 2021 版格式（国办公开办函〔2021〕30号），不能使用 2019 版格式（国办公开办函〔2019〕60号，适用于 2019–2020 年度）"),
    (["--year", "2020", "--format", "2021"],
     "2020 年度的报告应使用 2019 版格式（国办公开办函〔2019〕60号），不能使用 2021 版格式（国办公开办函〔2021〕30号，适用于 2021 年度起）"),
    (["--year", "2018"], "2018 年度没有适用的格式"),
])
def test_format_that_does_not_fit_the_year_is_refused(tmp_path, args, message):
    out = tmp_path / "t.xlsx"
    result = run("new", "--unit", "测试镇", *args, "-o", str(out))
    assert result.exit_code == 2
    assert result.output.startswith(f"错误：{message}") and "Traceback" not in result.output
    assert not out.exists()


@pytest.mark.parametrize("unit, out, message", [
    ("  ", "t.xlsx", "单位名称不能为空"),
    ("测试镇", "t.xls", "输出文件必须以 .xlsx 结尾"),
    ("测试\n镇", "t.xlsx", "错误：单位名称“测试↵镇”中有换行符或其他控制字符，请改正后重试\n"),
    # every sheet's page header repeats the name: Excel dropped the header, xlsxwriter warned in English
    ("很" * 101, "t.xlsx", "单位名称“" + "很" * 20 + "…”太长（101 个字，最多 100 个字）"),
])
def test_misuse_is_refused_in_chinese(tmp_path, unit, out, message):
    result = run("new", "--unit", unit, "--year", "2024", "-o", str(tmp_path / out))
    assert result.exit_code == 2 and message in result.output
    assert list(tmp_path.iterdir()) == []


def test_existing_output_is_not_overwritten_without_force(tmp_path):
    out = tmp_path / "t.xlsx"
    out.write_bytes(b"filled in by the township")
    result = run("new", "--unit", "测试镇", "--year", "2024", "-o", str(out))
    assert result.exit_code == 2 and "已存在" in result.output and "--force" in result.output
    assert out.read_bytes() == b"filled in by the township"
    assert run("new", "--unit", "测试镇", "--year", "2024", "-o", str(out), "--force").exit_code == 0
    assert out.read_bytes()[:2] == b"PK"
    again = run("new", "--unit", "测试镇", "--year", "2025", "--previous", str(out), "-o", str(out), "--force")
    assert again.exit_code == 2 and "输出文件不能是上年报表本身" in again.output


def test_password_is_set_on_every_sheet(tmp_path):
    out = tmp_path / "t.xlsx"
    assert run("new", "--unit", "测试镇", "--year", "2020", "--password", "pw", "-o", str(out)).exit_code == 0
    wb = open_both(out).wb
    assert all(ws.protection.sheet and ws.protection.password for ws in wb.worksheets)


def test_installed_command_works_outside_the_repo(tmp_path):
    exe = need_program("xlsx-reports")
    done = subprocess.run([exe, "new", "--unit", "测试镇", "--year", "2024", "-o", "t.xlsx"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "已生成：t.xlsx（测试镇，2024 年度，2021 版格式）" in done.stdout
    assert meta_rows(open_both(tmp_path / "t.xlsx").wb)["unit"] == "测试镇"
