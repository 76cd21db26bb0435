"""`check`: read returned workbooks back and check them."""
from __future__ import annotations

import sys

import click

from xlsx_reports.cli.base import EXIT_UNUSABLE, main
from xlsx_reports.core.findings import CannotContinue, os_reason


# --- check (issue 3): read returned workbooks back and check them ----------------------------

@main.command("check")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(readable=False))
@click.option("--previous", "previous", multiple=True, type=click.Path(),
              help="上年工作簿（文件或文件夹，按单位匹配），用于跨年校验")
@click.option("--roster", type=click.Path(dir_okay=False), help="单位名单（CSV），查缺报、多报、重复")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出结果（格式见 README）")
@click.option("--annotate", "annotate_dir", type=click.Path(file_okay=False),
              help="为有问题的文件生成批注版（标红并加批注）到此文件夹，原文件不动")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="同时读取的进程数（默认按 CPU 数，最多 4）")
def check_command(inputs, previous, roster, as_json, annotate_dir, jobs) -> None:
    """校验各单位报回的工作簿（FILE_OR_DIR 可以是文件或文件夹）。

    退出码：0 没有错误（可有提示）；1 有错误；2 有文件无法读取或用法错误；3 内部错误。
    """
    import json
    from pathlib import Path

    from xlsx_reports.check.batch import check_paths, collect
    from xlsx_reports.check.output import as_json as result_json, text_lines

    if not collect(inputs):
        raise CannotContinue("没有找到要校验的工作簿：" + "、".join(inputs))
    if previous and not collect(p for p in previous if Path(p).exists()):
        raise CannotContinue("没有找到上年工作簿：" + "、".join(previous) + "（请检查 --previous 的路径）")
    entries = None
    if roster:
        from xlsx_reports.core.roster import read_roster
        entries = read_roster(roster)
    result = check_paths(inputs, previous=previous, roster=entries, jobs=jobs)
    annotated = _check_annotate(result, annotate_dir, quiet=as_json) if annotate_dir else True
    if as_json:
        click.echo(json.dumps(result_json(result), ensure_ascii=False, indent=2))
    else:
        for line in text_lines(result):
            click.echo(line)
    sys.exit(result.exit_code if annotated else max(result.exit_code, EXIT_UNUSABLE))


def _check_annotate(result, out_dir, *, quiet: bool) -> bool:
    """Writes the annotated copies; False when one could not be written."""
    from xlsx_reports.xlsx.annotate import annotate

    ok = True
    for entry in result.files:
        if entry.reading is None or entry.reading.form is None or not entry.findings:
            continue
        try:
            target = annotate(entry.reading, entry.findings, out_dir)
        except CannotContinue as exc:
            click.echo(f"错误：{entry.path.name} 的批注版未能生成：{exc}", err=True)
            ok = False
            continue
        except OSError as exc:
            click.echo(f"错误：{entry.path.name} 的批注版未能生成：{os_reason(exc)}", err=True)
            ok = False
            continue
        if not quiet:
            click.echo(f"已生成批注版：{target}", err=True)
    return ok
