"""`check`: read returned workbooks back and check them."""
from __future__ import annotations

import sys

import click

from xlsx_reports.cli.base import EXIT_UNUSABLE, ProgressBar, collector_paused, collector_resumed, main
from xlsx_reports.core.findings import CannotContinue, dumps, os_reason


# --- check (issue 3): read returned workbooks back and check them ----------------------------

@main.command("check")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(readable=False))
@click.option("--previous", "previous", multiple=True, type=click.Path(),
              help="上年工作簿（文件或文件夹，按单位匹配），用于跨年校验")
@click.option("--roster", type=click.Path(dir_okay=False, allow_dash=True),
              help="单位名单（CSV；- 为从标准输入读取），查缺报、多报、重复")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出结果（格式见 README）")
@click.option("--annotate", "annotate_dir", type=click.Path(file_okay=False),
              help="为有问题的文件生成批注版（标红并加批注）到此文件夹，原文件不动")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="同时读取的进程数（默认按 CPU 数，最多 4）")
@click.option("-v", "--verbose", is_flag=True, help="说明哪些文件未能快速读取、改用完整读取器（及原因）")
def check_command(inputs, previous, roster, as_json, annotate_dir, jobs, verbose) -> None:
    """校验各单位报回的工作簿（FILE_OR_DIR 可以是文件或文件夹）。

    退出码：0 没有错误（可有提示）；1 有错误；2 有文件无法读取或用法错误；3 内部错误。
    """
    with collector_paused():   # to the end: the results are written out last
        _check(inputs, previous, roster, as_json, annotate_dir, jobs, verbose)


def _check(inputs, previous, roster, as_json, annotate_dir, jobs, verbose) -> None:
    from xlsx_reports import api
    from xlsx_reports.check.output import as_json as result_json, text_lines

    progress = ProgressBar("校验", enabled=not as_json, tty_only=True)
    try:
        result = api.check(inputs, previous=previous or None, roster=roster, jobs=jobs,
                           progress=progress, keep_cells=annotate_dir is not None)
    except CannotContinue as exc:
        if not as_json:
            raise
        # a machine reading --json learns why from stdout too, with the stable code
        click.echo(dumps({"files": [], "error": {"code": exc.code, "message": str(exc)},
                          "exit_code": EXIT_UNUSABLE}))
        sys.exit(EXIT_UNUSABLE)
    finally:
        progress.close()
    if verbose:
        _fallback_notes(result.batch)
    annotated = True
    if annotate_dir:
        with collector_resumed():
            annotated = _check_annotate(result.batch, annotate_dir, quiet=as_json)
    code = result.exit_code if annotated else max(result.exit_code, EXIT_UNUSABLE)
    if as_json:
        click.echo(dumps(dict(result_json(result.batch), exit_code=code)))
    else:
        for line in text_lines(result.batch):
            click.echo(line)
    sys.exit(code)


def _fallback_notes(result) -> None:
    for entry in result.files:
        if entry.reading is not None and entry.reading.fallback:
            click.echo(f"说明：{entry.path.name} 未能快速读取（{entry.reading.fallback}），已改用完整读取器",
                       err=True)


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
