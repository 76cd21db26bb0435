"""`xlsx-reports merge`: refusals, omissions and the summary, by message and exit code."""
from __future__ import annotations

import hashlib
import random
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # benchmarks/ beside tests/

from benchmarks.balanced import balanced_report  # noqa: E402
from xlsx_reports.cli import main  # noqa: E402
from xlsx_reports.xlsx.reader import read_workbook  # noqa: E402
from xlsx_reports.xlsx.writer import write_workbook  # noqa: E402

TOWNS = ("东山镇", "西岭乡", "南溪街道")


def make_unit(folder: Path, unit: str, year: int = 2020, seed: int = 0, name: str | None = None,
              **values) -> Path:
    report = balanced_report(unit, year, random.Random(seed))
    report.values.update(values)
    path = folder / (name or f"{unit}.xlsx")
    write_workbook(report, path)
    return path


def run(*args: str):
    result = CliRunner().invoke(main, ["merge", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def fingerprints(folder: Path) -> dict[str, tuple[str, int]]:
    return {p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*.xlsx"))}


@pytest.fixture
def towns(tmp_path) -> Path:
    folder = tmp_path / "towns"
    folder.mkdir()
    for seed, unit in enumerate(TOWNS):
        make_unit(folder, unit, seed=seed)
    return folder


def test_many_workbooks_are_named_on_the_sheet_and_only_the_first_on_the_console(towns, tmp_path, monkeypatch):
    import openpyxl
    from xlsx_reports.cli import merge as merge_cli

    monkeypatch.setattr(merge_cli, "LISTED", 2)   # 50 in use: three towns stand for a city's thousands
    out = tmp_path / "全区汇总.xlsx"
    result = run(str(towns), "-o", str(out), "--unit", "洛江区")
    assert result.exit_code == 0, result.output
    named = [line for line in result.output.splitlines() if line.startswith("  ") and str(towns) in line]
    assert named == [f"  东山镇：{towns / '东山镇.xlsx'}", f"  南溪街道：{towns / '南溪街道.xlsx'}"]
    assert "  ……其余 1 个工作簿的清单见汇总工作簿的“汇总说明”表\n主要数据合计：" in result.output
    sheet = openpyxl.load_workbook(out, read_only=True)["汇总说明"]
    texts = [row[0] for row in sheet.iter_rows(values_only=True) if row and row[0]]
    assert [t for t in texts if str(towns) in t] == [f"  {unit}：{towns / (unit + '.xlsx')}"
                                                     for unit in ("东山镇", "南溪街道", "西岭乡")]
    assert not any("其余" in t for t in texts)


def test_clean_merge_prints_the_summary_and_exits_0_leaving_inputs_untouched(towns, tmp_path):
    before = fingerprints(towns)
    out = tmp_path / "全区汇总.xlsx"
    result = run(str(towns), "-o", str(out), "--unit", "洛江区")
    assert result.exit_code == 0, result.output
    merged = read_workbook(out)
    new = merged.report.value("t3.new.total")
    assert "汇总单位：洛江区（2020 年度，2019 版格式）" in result.output
    assert "纳入汇总：3 个工作簿，共 3 个单位" in result.output
    assert f"  本年新收政府信息公开申请：{new} 件" in result.output
    assert f"已写入汇总工作簿：{out}" in result.output
    assert fingerprints(towns) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_workbook_with_errors_is_left_out_unless_allowed(towns, tmp_path):
    bad = make_unit(towns, "北峰镇", seed=9, **{"t3.new.natural": 999})
    out = tmp_path / "out.xlsx"
    result = run(str(towns), "-o", str(out), "--unit", "洛江区")
    assert result.exit_code == 1
    assert "未纳入汇总：1 个工作簿" in result.output
    assert f"  北峰镇：{bad}：有 " in result.output
    assert "[错误 AGG-CHECK]" in result.output and "三、依申请公开!" in result.output
    assert sorted(read_workbook(out).metadata.units) == sorted(TOWNS)

    allowed = run(str(towns), "-o", str(out), "--unit", "洛江区", "--allow-errors")
    assert allowed.exit_code == 0, allowed.output
    assert "纳入汇总：4 个工作簿，共 4 个单位" in allowed.output
    assert "[提示 AGG-FORCED]" in allowed.output and "已按 --allow-errors 纳入汇总" in allowed.output
    assert read_workbook(out).report.value("t3.new.natural") >= 999


def test_other_year_is_refused_and_year_option_chooses(towns, tmp_path):
    other = make_unit(towns, "北峰镇", year=2021, seed=4)
    out = tmp_path / "out.xlsx"
    result = run(str(towns), "-o", str(out), "--unit", "洛江区")
    assert result.exit_code == 1
    assert (f"[错误 AGG-FMT] {other}（北峰镇）未纳入汇总：这是 2021 年度（2021 版格式）的工作簿，"
            "本次汇总的是 2020 年度（2019 版格式）") in result.output
    only_2021 = run(str(towns), "-o", str(out), "--unit", "洛江区", "--year", "2021")
    assert only_2021.exit_code == 1
    assert "纳入汇总：1 个工作簿，共 1 个单位" in only_2021.output
    assert read_workbook(out).metadata.units == ["北峰镇"]


def test_same_unit_twice_is_refused_naming_both_files(towns, tmp_path):
    first = towns / "东山镇.xlsx"
    copy = towns / "zz" / "东山镇（修改版）.xlsx"
    copy.parent.mkdir()
    copy.write_bytes(first.read_bytes())
    out = tmp_path / "out.xlsx"
    result = run(str(towns), "-o", str(out), "--unit", "洛江区")
    assert result.exit_code == 1
    assert (f"[错误 AGG-DUP] 单位“东山镇”重复：{copy}、{first}（文件内容完全相同）；"
            "这些文件均未纳入汇总") in result.output
    assert sorted(read_workbook(out).metadata.units) == ["南溪街道", "西岭乡"]


def test_roster_lists_missing_and_unexpected_units(towns, tmp_path):
    roster = tmp_path / "名单.csv"
    roster.write_text("单位名称,备注\n东山镇\n西岭乡\n北峰镇\n", encoding="utf-8")
    result = run(str(towns), "-o", str(tmp_path / "out.xlsx"), "--unit", "洛江区",
                 "--roster", str(roster))
    assert result.exit_code == 0, result.output
    assert "名单中未报送：1 个单位：北峰镇" in result.output
    assert "不在名单中：1 个单位：南溪街道" in result.output
    assert "[提示 AGG-ROSTER] 名单 名单.csv 第 4 行的“北峰镇”没有报送工作簿" in result.output


def test_unreadable_input_is_left_out_and_nothing_readable_exits_2(towns, tmp_path):
    junk = towns / "坏文件.xlsx"
    junk.write_text("这不是工作簿", encoding="utf-8")
    out = tmp_path / "out.xlsx"
    result = run(str(towns), "-o", str(out), "--unit", "洛江区")
    assert result.exit_code == 2      # the others are merged, but an input could not be read
    assert out.exists()
    assert f"  单位不明：{junk}：" in result.output
    nothing = run(str(junk), "-o", str(tmp_path / "none.xlsx"), "--unit", "洛江区")
    assert nothing.exit_code == 2
    assert "错误：没有可以汇总的工作簿（共 1 个文件）" in nothing.output
    assert not (tmp_path / "none.xlsx").exists()


def test_output_never_overwrites_an_input(towns, tmp_path):
    before = fingerprints(towns)
    target = towns / "西岭乡.xlsx"
    named = run(str(towns / "东山镇.xlsx"), str(target), "-o", str(target), "--unit", "洛江区")
    assert named.exit_code == 2
    assert "也是输入文件" in named.output
    in_folder = run(str(towns), "-o", str(target), "--unit", "洛江区")
    assert in_folder.exit_code == 2
    assert f"输出文件 {target} 是待汇总的工作簿之一（西岭乡），不能覆盖" in in_folder.output
    assert fingerprints(towns) == before


def test_a_total_written_into_the_input_folder_is_replaced_on_the_next_run(towns):
    out = towns / "全区汇总.xlsx"
    assert run(str(towns), "-o", str(out), "--unit", "洛江区").exit_code == 0
    again = run(str(towns), "-o", str(out), "--unit", "洛江区")
    assert again.exit_code == 0, again.output
    assert "纳入汇总：3 个工作簿，共 3 个单位" in again.output


def test_misuse_exits_2(towns, tmp_path):
    assert run(str(tmp_path / "无此文件夹"), "-o", str(tmp_path / "o.xlsx"),
               "--unit", "洛江区").exit_code == 2
    assert run(str(towns), "-o", str(tmp_path / "o.csv"), "--unit", "洛江区").exit_code == 2
    assert run(str(towns), "-o", str(tmp_path / "o.xlsx")).exit_code == 2   # --unit missing


def test_many_inputs_are_checked_in_parallel_with_the_same_result_and_a_progress_bar(tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(10):
        make_unit(folder, f"第{i:02d}镇", seed=i)
    one = run(str(folder), "-o", str(tmp_path / "one.xlsx"), "--unit", "洛江区", "--jobs", "1")
    two = run(str(folder), "-o", str(tmp_path / "two.xlsx"), "--unit", "洛江区", "--jobs", "2")
    assert one.exit_code == two.exit_code == 0, two.output
    assert "校验并汇总" in one.output     # the bar's label; CliRunner is no terminal, so no bar
    assert one.output.replace("one.xlsx", "") == two.output.replace("two.xlsx", "")
    a, b = read_workbook(tmp_path / "one.xlsx"), read_workbook(tmp_path / "two.xlsx")
    assert a.report.values == b.report.values
    assert a.metadata.sources == b.metadata.sources


def test_the_merged_workbook_is_accepted_by_check_render_export_and_merge(towns, tmp_path):
    total = tmp_path / "区" / "全区汇总.xlsx"
    assert run(str(towns), "-o", str(total), "--unit", "洛江区").exit_code == 0
    runner = CliRunner()
    checked = runner.invoke(main, ["check", str(total)])
    assert checked.exit_code == 0, checked.output
    rendered = runner.invoke(main, ["render", str(total), "-o", str(tmp_path / "r.md")])
    assert rendered.exit_code == 0, rendered.output
    assert (tmp_path / "r.md").read_text(encoding="utf-8").startswith("# 洛江区2020年")
    exported = runner.invoke(main, ["export", str(total), "-o", str(tmp_path / "e.json")])
    assert exported.exit_code == 0, exported.output
    city = run(str(total.parent), "-o", str(tmp_path / "市.xlsx"), "--unit", "泉州市")
    assert city.exit_code == 0, city.output
    assert "  洛江区（汇总，含 3 个单位）：" in city.output
    assert "纳入汇总：1 个工作簿，共 3 个单位" in city.output


def test_interrupted_write_leaves_the_old_total_and_no_partial_file(towns, tmp_path, monkeypatch):
    out = tmp_path / "全区汇总.xlsx"
    assert run(str(towns), "-o", str(out), "--unit", "洛江区").exit_code == 0
    old = out.read_bytes()

    def interrupted(*args):
        raise KeyboardInterrupt   # Ctrl-C while the last sheet is being written

    monkeypatch.setattr("xlsx_reports.xlsx.writer.merged._summary_sheet", interrupted)
    result = run(str(towns), "-o", str(out), "--unit", "洛江区")
    assert result.exit_code == 130
    assert "已中断，未写入不完整的文件。" in result.output
    assert out.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["towns", "全区汇总.xlsx"]


def test_a_city_roster_names_districts_whose_totals_contain_townships(towns, tmp_path):
    total = tmp_path / "区" / "洛江区.xlsx"
    assert run(str(towns), "-o", str(total), "--unit", "洛江区").exit_code == 0
    roster = tmp_path / "市名单.csv"
    roster.write_text("单位名称\n洛江区\n鲤城区\n", encoding="utf-8-sig")
    city = run(str(total), "-o", str(tmp_path / "市.xlsx"), "--unit", "泉州市", "--roster", str(roster))
    assert city.exit_code == 0, city.output
    assert "名单中未报送：1 个单位：鲤城区" in city.output
    assert "不在名单中" not in city.output


def test_a_never_filled_template_is_left_out_and_named_even_with_allow_errors(tmp_path):
    from xlsx_reports.form.values import Report
    inputs = tmp_path / "in"
    inputs.mkdir()
    make_unit(inputs, "东山镇")
    write_workbook(Report.blank("西岭乡", 2020), inputs / "西岭乡.xlsx")
    result = run(str(inputs), "--unit", "某区", "-o", str(tmp_path / "汇总.xlsx"), "--allow-errors")
    assert "西岭乡" in result.output and "表格一个数字都没有填写，不是填好的报表" in result.output
    merged = read_workbook(tmp_path / "汇总.xlsx")
    assert merged.metadata.units == ["东山镇"]


def test_an_input_that_is_a_link_to_the_output_is_the_output(towns, tmp_path):
    before = fingerprints(towns)
    target = towns / "西岭乡.xlsx"
    others = tmp_path / "others"
    others.mkdir()
    (others / "链接.xlsx").symlink_to(target)   # named otherwise, found in another folder
    through_link = run(str(others), "-o", str(target), "--unit", "洛江区")
    assert through_link.exit_code == 2
    assert f"输出文件 {target} 是待汇总的工作簿之一（西岭乡），不能覆盖" in through_link.output
    out = towns / "全区汇总.xlsx"
    assert run(str(towns), "-o", str(out), "--unit", "洛江区").exit_code == 0
    (towns / "TOTAL.xlsx").symlink_to(out)   # the earlier total, found again under another name
    again = run(str(towns), "-o", str(out), "--unit", "洛江区")
    assert again.exit_code == 0, again.output
    assert "纳入汇总：3 个工作簿，共 3 个单位" in again.output
    assert {k: v for k, v in fingerprints(towns).items() if k in before} == before
