"""Rosters, safe file names, the manifest and the `batch` command."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_writer_helpers import filled_report, meta_rows, open_both

from xlsx_reports.generate.batch import MANIFEST, plan_files, run_batch, safe_filename
from xlsx_reports.cli import main
from xlsx_reports.core.findings import CannotContinue
from xlsx_reports.core.roster import Roster, RosterEntry, read_roster
from xlsx_reports.xlsx.writer import write_workbook

ROSTER = "单位名称,联系人,联系电话,上级单位\n河市镇,张三,0595-22039158,洛江区\n马甲镇,,,洛江区\n\n罗溪镇,李四,,洛江区\n"


def write_roster(tmp_path, text=ROSTER, encoding="utf-8") -> Path:
    path = tmp_path / "roster.csv"
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_roster_in_utf8_bom_or_gbk(tmp_path, encoding):
    roster = read_roster(write_roster(tmp_path, encoding=encoding))
    assert [(u.name, u.line) for u in roster.units] == [("河市镇", 2), ("马甲镇", 3), ("罗溪镇", 5)]
    assert roster.units[0].extra == {"联系人": "张三", "联系电话": "0595-22039158", "上级单位": "洛江区"}
    assert roster.units[1].extra == {"上级单位": "洛江区"}


@pytest.mark.parametrize("text, message", [
    ("单位名称\n河市镇\n马甲镇\n 河市镇 \n", "第 2 行和第 4 行是同一个单位“河市镇”"),
    ("名称,联系人\n河市镇,张三\n", "第 1 行（表头）没有“单位名称”列：现有列为 名称、联系人"),
    ("单位名称,联系人\n,张三\n", "第 2 行没有填写单位名称"),
    ("单位名称\n\n", "没有任何单位"),
    ("", "是空的"),
])
def test_unusable_rosters_are_refused_with_file_and_line(tmp_path, text, message):
    with pytest.raises(CannotContinue, match=message) as err:
        read_roster(write_roster(tmp_path, text))
    assert "roster.csv" in str(err.value)


@pytest.mark.parametrize("text, encoding", [
    (ROSTER.replace(",", "\t").replace("\n", "\r\n"), "utf-16"),   # Excel: 另存为“Unicode 文本”
    (ROSTER.replace(",", ";"), "utf-8-sig"),                        # Excel with ";" as list separator
])
def test_roster_saved_as_excel_unicode_text_or_with_semicolons(tmp_path, text, encoding):
    roster = read_roster(write_roster(tmp_path, text, encoding))
    assert [(u.name, u.line) for u in roster.units] == [("河市镇", 2), ("马甲镇", 3), ("罗溪镇", 5)]
    assert roster.units[0].extra == {"联系人": "张三", "联系电话": "0595-22039158", "上级单位": "洛江区"}


@pytest.mark.parametrize("text, message", [
    ("单位名称,联系人,单位名称\n河市镇,张三,罗溪镇\n",
     "第 1 行（表头）有 2 个“单位名称”列（第 1、3 列）：请只保留一列"),
    ('单位名称\n河市镇\n"罗溪\n镇"\n', "第 3 行的单位名称中有换行符或其他控制字符"),
    ("单位名称\n" + "很" * 101 + "\n", "第 2 行的单位名称太长（101 个字，最多 100 个字）"),
])
def test_roster_columns_and_unit_names_that_cannot_be_used(tmp_path, text, message):
    with pytest.raises(CannotContinue, match=message):
        read_roster(write_roster(tmp_path, text))


def test_roster_kept_as_an_excel_workbook_is_told_to_be_saved_as_csv(tmp_path):
    path = tmp_path / "名单.xlsx"
    write_workbook(filled_report("2021", unit="河市镇", year=2021), path)
    with pytest.raises(CannotContinue, match="名单文件 名单.xlsx 是 Excel 工作簿，不是 CSV 文件：请在 Excel 中"
                                             "“另存为”“CSV UTF-8（逗号分隔）”后再用"):
        read_roster(path)


def test_roster_that_is_neither_utf8_nor_gbk(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(b"\x81\x20\xff" * 3)   # a GB18030 lead byte before a space: not GBK either
    with pytest.raises(CannotContinue, match="编码无法识别"):
        read_roster(path)


@pytest.mark.parametrize("unit, name", [
    ("河市镇", "河市镇_2024.xlsx"),
    ("../../etc/passwd", "etc_passwd_2024.xlsx"),
    ("..\\..\\Windows\\win.ini", "Windows_win.ini_2024.xlsx"),
    ("a/b\\c:d*e?f\"g<h>i|j", "a_b_c_d_e_f_g_h_i_j_2024.xlsx"),
    ("CON", "_CON_2024.xlsx"),
    ("lpt1.txt", "_lpt1.txt_2024.xlsx"),
    ("...", "单位_2024.xlsx"),
    (" 　河市镇. ", "河市镇_2024.xlsx"),
    ("镇\x00\n名", "镇_名_2024.xlsx"),
])
def test_safe_file_names(unit, name):
    assert safe_filename(unit, 2024) == name


def test_long_names_are_cut_to_a_valid_length():
    name = safe_filename("很长的单位名称" * 40, 2024)
    assert len(name.encode("utf-8")) <= 200 and name.endswith("_2024.xlsx")


def test_names_that_clash_after_cleaning_get_distinct_files(tmp_path):
    roster = Roster(tmp_path / "r.csv", [RosterEntry("a/b", 2), RosterEntry("a\\b", 3),
                                         RosterEntry("A_B", 4), RosterEntry("../x", 5)])
    plan = plan_files(roster, 2024, tmp_path / "out")
    names = [p.name for _, p in plan]
    assert names == ["a_b_2024.xlsx", "a_b_2024-2.xlsx", "A_B_2024-3.xlsx", "x_2024.xlsx"]
    assert all(p.parent == (tmp_path / "out").resolve() for _, p in plan)


def manifest(outdir: Path) -> list[dict]:
    with open(outdir / MANIFEST, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_batch_writes_one_workbook_per_unit_and_a_manifest(tmp_path):
    roster = read_roster(write_roster(tmp_path, encoding="gbk"))
    out = tmp_path / "out"
    result = run_batch(roster, 2024, out, deadline="2025年1月20日")
    rows = manifest(out)
    assert [r["单位名称"] for r in rows] == ["河市镇", "马甲镇", "罗溪镇"]
    assert list(rows[0]) == ["单位名称", "文件", "格式", "指纹", "工作簿编号"]
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [MANIFEST, "河市镇_2024.xlsx", "马甲镇_2024.xlsx", "罗溪镇_2024.xlsx"])
    for row, g in zip(rows, result.generated):
        meta = meta_rows(open_both(out / row["文件"]).wb)
        assert (meta["unit"], meta["year"], meta["format"]) == (row["单位名称"], "2024", "2021")
        assert (row["指纹"], row["工作簿编号"]) == (meta["fingerprint"], meta["workbook_id"])
    info = open_both(out / "河市镇_2024.xlsx").wb["基本信息"]
    values = {info.cell(r, 1).value: info.cell(r, 2).value for r in range(2, 10)}
    assert values["单位名称"] == "河市镇" and values["联系人"] == "张三"
    assert values["联系电话"] == "0595-22039158" and values["联系部门"] is None


def test_batch_refuses_to_overwrite_and_force_overwrites(tmp_path):
    roster = read_roster(write_roster(tmp_path))
    out = tmp_path / "out"
    out.mkdir()
    (out / "马甲镇_2024.xlsx").write_bytes(b"filled in already")
    with pytest.raises(CannotContinue, match="已有同名文件：马甲镇_2024.xlsx"):
        run_batch(roster, 2024, out)
    assert (out / "马甲镇_2024.xlsx").read_bytes() == b"filled in already"
    assert sorted(p.name for p in out.iterdir()) == ["马甲镇_2024.xlsx"]
    run_batch(roster, 2024, out, force=True)
    assert (out / "马甲镇_2024.xlsx").read_bytes()[:2] == b"PK"


def test_interrupted_batch_leaves_complete_files_and_a_matching_manifest(tmp_path):
    roster = read_roster(write_roster(tmp_path))
    out = tmp_path / "out"
    seen = []

    def stop_after_two(g):
        seen.append(g.unit)
        if len(seen) == 2:
            raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        run_batch(roster, 2024, out, progress=stop_after_two)
    assert sorted(p.name for p in out.iterdir()) == sorted([MANIFEST, "河市镇_2024.xlsx", "马甲镇_2024.xlsx"])
    assert [r["单位名称"] for r in manifest(out)] == ["河市镇", "马甲镇"]


def test_batch_prefills_from_the_previous_folder_by_name_or_metadata(tmp_path):
    prev = tmp_path / "prev"
    last = filled_report("2019", unit="河市镇", year=2020)
    write_workbook(last, prev / "随便起的名字.xlsx")
    roster = read_roster(write_roster(tmp_path))
    result = run_batch(roster, 2021, tmp_path / "out", previous_dir=prev)
    by_unit = {g.unit: g for g in result.generated}
    assert by_unit["河市镇"].prefill.keys[:1] == ["t3.carried.natural"]
    assert by_unit["马甲镇"].prefill is None
    assert any("未找到 马甲镇 2020 年度的工作簿" in n for n in by_unit["马甲镇"].notes)


def test_cli_batch_with_gbk_roster_and_duplicate_refusal(tmp_path):
    roster = write_roster(tmp_path, encoding="gbk")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["batch", str(roster), "--year", "2020", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "共生成 3 个工作簿" in result.output and "河市镇_2020.xlsx（河市镇，2020 年度，2019 版格式）" in result.output
    dup = write_roster(tmp_path, "单位名称\n甲镇\n乙镇\n甲镇\n", encoding="gbk")
    result = CliRunner().invoke(main, ["batch", str(dup), "--year", "2024", "-o", str(tmp_path / "o2")])
    assert result.exit_code == 2
    assert "第 2 行和第 4 行是同一个单位“甲镇”" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "o2").exists()


def test_roster_values_the_workbook_would_refuse_are_not_prefilled(tmp_path):
    """Excel validates only what is typed: a bad phone from the roster would stay in the copy."""
    roster = write_roster(tmp_path, "单位名称,联系人,联系电话,填报日期\n河市镇,张三,电话待定,明天\n"
                                    "罗溪镇,李四,0595 2203 9158,2025-01-20\n")
    result = CliRunner().invoke(main, ["batch", str(roster), "--year", "2024", "-o", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert ("  提示：名单中的联系电话“电话待定”不是电话号码（只能填数字，可带区号括号、“-”、分机“转”，"
            "几个号码之间用“、”隔开，如（0595）22039158、13800138000），未预填\n") in result.output
    assert ("  提示：名单中的填报日期“明天”不是日期（请写明年、月、日，如 2025年1月20日 或 2025-01-20），"
            "未预填\n") in result.output
    info = open_both(tmp_path / "o" / "河市镇_2024.xlsx").wb["基本信息"]
    assert (info["B6"].value, info["B7"].value, info["B9"].value) == ("张三", None, None)
    info = open_both(tmp_path / "o" / "罗溪镇_2024.xlsx").wb["基本信息"]
    assert (info["B7"].value, info["B9"].value) == ("0595 2203 9158", "2025-01-20")


def test_cli_batch_refuses_a_format_that_does_not_fit_the_year(tmp_path):
    roster = write_roster(tmp_path)
    result = CliRunner().invoke(main, ["batch", str(roster), "--year", "2021", "--format", "2019",
                                       "-o", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "2021 年度的报告应使用 2021 版格式（国办公开办函〔2021〕30号），不能使用 2019 版格式" in result.output
    assert not (tmp_path / "out").exists()


def test_roster_column_level_prefills_the_unit_level(tmp_path):
    roster = write_roster(tmp_path, "单位名称,层级\n河市镇,乡镇人民政府/街道办事处\n罗溪镇,镇\n")
    result = CliRunner().invoke(main, ["batch", str(roster), "--year", "2024", "-o", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert "名单中的单位层级“镇”不是可选的单位层级之一" in result.output
    assert open_both(tmp_path / "o" / "河市镇_2024.xlsx").wb["基本信息"]["B10"].value == "乡镇人民政府/街道办事处"
    assert open_both(tmp_path / "o" / "罗溪镇_2024.xlsx").wb["基本信息"]["B10"].value is None
