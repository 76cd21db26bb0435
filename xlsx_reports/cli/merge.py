"""`merge`: check returned workbooks and merge them into one total."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from xlsx_reports.cli.base import (EXIT_FINDINGS, EXIT_INTERNAL, EXIT_OK, EXIT_UNUSABLE, ProgressBar,
                                   collector_paused, main)
from xlsx_reports.core.findings import CannotContinue, os_reason


# --- merge (issue 4): check returned workbooks and merge them into one total -----------------

LISTED = 50   # workbooks named on the console: a district's units; a city's are on the 汇总说明 sheet


def _merge_finding_text(f) -> str:
    from xlsx_reports.core.findings import SEVERITY_TEXT
    advice = f"（{f.advice}）" if f.advice else ""
    return f"[{SEVERITY_TEXT[f.severity]} {f.code}] {f.message}{advice}"


@main.command("merge")
@click.argument("inputs", nargs=-1, type=click.Path(readable=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="汇总工作簿（.xlsx）")
@click.option("--unit", help="汇总单位名称，如：洛江区（用 --workspace 时默认取建立工作区时的单位）")
@click.option("--workspace", type=click.Path(file_okay=False),
              help="工作区：汇总每个单位当前通过校验的版本，并记录汇总了哪些版本")
@click.option("--roster", type=click.Path(dir_okay=False, allow_dash=True),
              help="单位名单（CSV；- 为从标准输入读取），用于查缺报")
@click.option("--allow-errors", is_flag=True, help="有错误的工作簿也纳入汇总（默认不纳入）")
@click.option("--year", type=int, help="汇总年度（默认取多数工作簿的年度）")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="同时校验的进程数（默认按 CPU 数，最多 4）")
def merge_command(inputs, output, unit, roster, allow_errors, year, jobs, workspace) -> None:
    """校验各单位报回的工作簿并汇总为一个工作簿（FILE_OR_DIR 可以是文件或文件夹）。

    退出码：0 已汇总；1 有工作簿因错误未纳入；2 有文件无法读取（其余照常汇总）或用法错误；3 内部错误。
    """
    from xlsx_reports import api

    if workspace:
        if inputs or roster or year:
            raise CannotContinue("用 --workspace 汇总时不需要再写文件、--roster 或 --year：这些都取自工作区",
                                 code="OPTION-CONFLICT")
        _merge_workspace(workspace, output, unit, allow_errors)
        return
    if not inputs:
        raise CannotContinue("请写明要汇总的文件或文件夹，或用 --workspace 指定工作区", code="NO-INPUT")
    if not unit:
        raise CannotContinue("请用 --unit 写明汇总单位的名称（如：洛江区）", code="USAGE")
    progress = ProgressBar("校验并汇总")
    with collector_paused():   # to the end: the merged workbook is written last
        try:
            result = api.merge(inputs, unit=unit, output=output, roster=roster or None,
                               allow_errors=allow_errors, year=year, jobs=jobs, progress=progress)
        finally:
            progress.close()
        _merge_report(result, output)


def _merge_workspace(folder, output, unit, allow_errors) -> None:
    from xlsx_reports.ledger import Workspace

    if Path(output).suffix.lower() != ".xlsx":
        raise CannotContinue(f"输出文件必须是 .xlsx：{output}", code="OUTPUT-SUFFIX")
    with Workspace.open(folder) as ws:
        try:
            result, _ = ws.merge(output, allow_errors=allow_errors, unit=unit)
        except OSError as exc:
            raise CannotContinue(f"无法写入 {output}：{os_reason(exc)}", code="WRITE-FAILED") from exc
    _merge_report(result, output)


def _merge_report(result, output) -> None:
    click.echo("\n".join(result.summary_lines(listed=LISTED)))
    for f in result.findings:
        click.echo(_merge_finding_text(f), err=True)
    click.echo(f"已写入汇总工作簿：{output}")
    sys.exit(_merge_exit(result.findings))


def _merge_exit(findings) -> int:
    """An unreadable input is exit 2 (as in check) even though the others were merged."""
    from xlsx_reports.core.findings import has_errors

    codes = {f.code for f in findings if f.severity == "error"}
    if "INTERNAL" in codes:
        return EXIT_INTERNAL
    if "UNREADABLE" in codes:
        return EXIT_UNUSABLE
    return EXIT_FINDINGS if has_errors(findings) else EXIT_OK
