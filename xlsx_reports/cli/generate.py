"""`new`, `batch`, `export`: generate fill-in workbooks, export cells as records."""
from __future__ import annotations

import sys

import click

from xlsx_reports.cli.base import EXIT_INTERNAL, EXIT_UNUSABLE, main
from xlsx_reports.core.findings import CannotContinue, os_reason
from xlsx_reports.core.encodings import CSV_OUTPUT
from xlsx_reports.form.definitions import LEVELS


# --- new / batch / export (issue 2): generate fill-in workbooks, export cells as records ----

def _year_option(f):
    return click.option("--year", required=True, type=int, help="报告年度，如 2024")(f)


def _format_option(f):
    return click.option("--format", "fmt", type=click.Choice(["2019", "2021"]),
                        help="表式版本（默认按年度：2019、2020 年度用 2019 版，2021 年度起用 2021 版）")(f)


def _echo_generated(g) -> None:
    click.echo(f"已生成：{g.path}（{g.unit}，{g.metadata.year} 年度，{g.metadata.format} 版格式）")
    if g.prefill and g.prefill.filled:
        click.echo(f"  根据上年报表 {g.prefill.source.name} 预填了 {len(g.prefill.filled)} 个单元格：")
        for item in g.prefill.filled:
            click.echo(f"    {item.describe()}")
    for note in g.notes:
        click.echo(f"  提示：{note}", err=True)


@main.command("new")
@click.option("--unit", required=True, help="单位名称，如：河市镇")
@_year_option
@_format_option
@click.option("--previous", type=click.Path(dir_okay=False), help="本单位上一年度报回的工作簿，用于预填")
@click.option("--password", help="工作表保护密码（可不设）")
@click.option("--deadline", help="填报截止时间，写入“填报说明”，如：2025年1月20日")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="输出文件（.xlsx）")
@click.option("--force", is_flag=True, help="覆盖已存在的输出文件")
@click.option("--level", type=click.Choice(LEVELS),
              help="单位层级，预填到“基本信息”（决定规章、收费金额等提示是否适用）")
def new_command(unit, year, fmt, previous, password, deadline, output, force, level) -> None:
    """为一个单位生成锁定的填报工作簿。"""
    from xlsx_reports import api

    _echo_generated(api.new(unit, year, output, format=fmt, previous=previous, password=password,
                            deadline=deadline, force=force, level=level))


@main.command("batch")
@click.argument("roster", type=click.Path(dir_okay=False, allow_dash=True))
@_year_option
@_format_option
@click.option("-o", "--output", "outdir", required=True, type=click.Path(file_okay=False),
              help="输出文件夹")
@click.option("--previous-dir", type=click.Path(file_okay=False), help="上一年度报回工作簿所在文件夹，用于预填")
@click.option("--password", help="工作表保护密码（可不设）")
@click.option("--deadline", help="填报截止时间，写入“填报说明”")
@click.option("--force", is_flag=True, help="覆盖输出文件夹中的同名文件")
def batch_command(roster, year, fmt, outdir, previous_dir, password, deadline, force) -> None:
    """按单位名单（CSV，至少含“单位名称”列；- 为从标准输入读取）为每个单位生成填报工作簿和清单 manifest.csv。"""
    from xlsx_reports import api
    from xlsx_reports.core.roster import read_roster

    entries = read_roster(roster)
    with click.progressbar(length=len(entries.units), label="生成工作簿", file=sys.stderr) as bar:
        def progress(g) -> None:
            bar.update(1)
        result = api.batch(entries, year, outdir, format=fmt, previous_dir=previous_dir,
                           password=password, deadline=deadline, force=force, progress=progress)
    for g in result.generated:
        _echo_generated(g)
    click.echo(f"共生成 {len(result.generated)} 个工作簿；清单：{result.manifest}")


@main.command("export")
@click.argument("inputs", nargs=-1, type=click.Path(readable=False))
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]),
              help="输出格式（默认按 -o 文件的扩展名，输出到屏幕时为 json）")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True),
              help="输出文件 .json 或 .csv（默认或 - 为输出到屏幕）")
@click.option("--workspace", type=click.Path(file_okay=False),
              help="工作区：导出每个单位当前版本（可读取的）的记录")
def export_command(inputs, fmt, output, workspace) -> None:
    """把工作簿中表格的每个单元格导出为一条记录（JSON 或 CSV，字段说明见 README）。

    退出码：0 全部导出；2 有文件无法读取（其余照常导出）或用法错误；3 内部错误。
    """
    from xlsx_reports import api
    from xlsx_reports.core.atomic import write_bytes
    from xlsx_reports.report.export import INTERNAL_TEXT, output_format, to_csv, to_json

    if bool(inputs) == bool(workspace):
        raise CannotContinue("请写明要导出的工作簿，或用 --workspace 指定工作区（二者选一）")
    fmt = output_format(fmt, output, inputs)
    problems: list[str] = []
    if workspace:
        from xlsx_reports.ledger import Workspace
        with Workspace.open(workspace) as ws:
            records = ws.export_records()
    else:
        records = api.export(inputs, problems)
    for line in problems:
        click.echo(f"错误：{line}", err=True)
    if problems and not records:
        raise CannotContinue(f"没有可以导出的工作簿（{len(problems)} 个文件无法读取）", code="NO-INPUT")
    text = to_json(records) if fmt == "json" else to_csv(records)
    if output and output != "-":
        try:
            write_bytes(output, text.encode(CSV_OUTPUT if fmt == "csv" else "utf-8"))
        except OSError as exc:   # name the output, not the temporary file beside it
            raise CannotContinue(f"无法写入 {output}：{os_reason(exc)}", code="WRITE-FAILED") from exc
        click.echo(f"已导出 {len(records)} 条记录：{output}", err=True)
    else:
        click.echo(text, nl=False)
    if problems:
        click.echo(f"有 {len(problems)} 个文件无法读取，未导出（见上）。", err=True)
        sys.exit(EXIT_INTERNAL if any(INTERNAL_TEXT in p for p in problems) else EXIT_UNUSABLE)
