"""`merge`: check returned workbooks and merge them into one total."""
from __future__ import annotations

import sys

import click

from xlsx_reports.cli.base import EXIT_FINDINGS, EXIT_INTERNAL, EXIT_OK, EXIT_UNUSABLE, main
from xlsx_reports.core.findings import CannotContinue, os_reason


# --- merge (issue 4): check returned workbooks and merge them into one total -----------------

MERGE_PROGRESS_MIN = 10   # files; fewer finish before a bar would be worth drawing


class _MergeProgress:
    """A progress bar on stderr, drawn once the number of files is known and worth it."""

    def __init__(self) -> None:
        self.bar = None

    def __call__(self, done: int, total: int, file) -> None:
        if self.bar is None and total >= MERGE_PROGRESS_MIN:
            self.bar = click.progressbar(length=total, label="校验并汇总", file=sys.stderr)
            self.bar.__enter__()
        if self.bar is not None:
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


def _merge_finding_text(f) -> str:
    from xlsx_reports.core.findings import SEVERITY_TEXT
    advice = f"（{f.advice}）" if f.advice else ""
    return f"[{SEVERITY_TEXT[f.severity]} {f.code}] {f.message}{advice}"


@main.command("merge")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(readable=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="汇总工作簿（.xlsx）")
@click.option("--unit", required=True, help="汇总单位名称，如：洛江区")
@click.option("--roster", type=click.Path(dir_okay=False), help="单位名单（CSV），用于查缺报")
@click.option("--allow-errors", is_flag=True, help="有错误的工作簿也纳入汇总（默认不纳入）")
@click.option("--year", type=int, help="汇总年度（默认取多数工作簿的年度）")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="同时校验的进程数（默认按 CPU 数，最多 4）")
def merge_command(inputs, output, unit, roster, allow_errors, year, jobs) -> None:
    """校验各单位报回的工作簿并汇总为一个工作簿（FILE_OR_DIR 可以是文件或文件夹）。

    退出码：0 已汇总；1 有工作簿因错误未纳入；2 有文件无法读取（其余照常汇总）或用法错误；3 内部错误。
    """
    from pathlib import Path

    from xlsx_reports.merge.workbooks import merge_files
    from xlsx_reports.xlsx.writer.merged import write_merged

    if Path(output).suffix.lower() != ".xlsx":
        raise CannotContinue(f"输出文件必须是 .xlsx：{output}")
    entries = None
    if roster:
        from xlsx_reports.core.roster import read_roster
        entries = read_roster(roster)
    progress = _MergeProgress()
    try:
        result = merge_files(inputs, unit=unit, roster=entries, allow_errors=allow_errors,
                             year=year, output=output, progress=progress, jobs=jobs)
    finally:
        progress.close()
    try:
        write_merged(result, output)
    except OSError as exc:
        raise CannotContinue(f"无法写入 {output}：{os_reason(exc)}") from exc
    for line in result.summary_lines():
        click.echo(line)
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
