"""The command line: translates arguments to library calls and findings to text and exit codes.

Exit codes: 0 success (warnings allowed), 1 findings with errors, 2 unreadable input or misuse.
Each command lives in its own section below; add commands, do not restructure.
"""
from __future__ import annotations

import sys

import click

from . import __version__
from .findings import CannotContinue

EXIT_OK, EXIT_FINDINGS, EXIT_UNUSABLE = 0, 1, 2


class Group(click.Group):
    """Turns CannotContinue into one Chinese line and exit code 2, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except CannotContinue as exc:
            click.echo(f"错误：{exc}", err=True)
            sys.exit(EXIT_UNUSABLE)
        except KeyboardInterrupt:
            click.echo("已中断，未写入不完整的文件。", err=True)
            sys.exit(130)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="xlsx-reports")
def main() -> None:
    """政府信息公开工作年度报告：生成填报表（new/batch）、校验（check）、汇总（merge）、出报告（render）。"""


def main_entry() -> None:
    main(prog_name="xlsx-reports")


# --- check (issue 3): read returned workbooks back and check them ----------------------------

@main.command("check")
@click.argument("inputs", nargs=-1, required=True, type=click.Path())
@click.option("--previous", "previous", multiple=True, type=click.Path(exists=True),
              help="上年工作簿（文件或文件夹，按单位匹配），用于跨年校验")
@click.option("--roster", type=click.Path(dir_okay=False), help="单位名单（CSV），查缺报、多报、重复")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出结果（格式见 README）")
@click.option("--annotate", "annotate_dir", type=click.Path(file_okay=False),
              help="为有问题的文件生成批注版（标红并加批注）到此文件夹，原文件不动")
def check_command(inputs, previous, roster, as_json, annotate_dir) -> None:
    """校验各单位报回的工作簿（FILE_OR_DIR 可以是文件或文件夹）。

    退出码：0 没有错误（可有提示）；1 有错误；2 有文件无法读取或用法错误。
    """
    import json

    from .checker_batch import check_paths, collect
    from .checker_output import as_json as result_json, text_lines

    if not collect(inputs):
        raise CannotContinue("没有找到要校验的工作簿：" + "、".join(inputs))
    entries = None
    if roster:
        from .roster import read_roster
        entries = read_roster(roster)
    result = check_paths(inputs, previous=previous, roster=entries)
    if annotate_dir:
        _check_annotate(result, annotate_dir, quiet=as_json)
    if as_json:
        click.echo(json.dumps(result_json(result), ensure_ascii=False, indent=2))
    else:
        for line in text_lines(result):
            click.echo(line)
    sys.exit(result.exit_code)


def _check_annotate(result, out_dir, *, quiet: bool) -> None:
    from .annotate import annotate

    for entry in result.files:
        if entry.reading is None or entry.reading.form is None or not entry.findings:
            continue
        try:
            target = annotate(entry.reading, entry.findings, out_dir)
        except (CannotContinue, OSError) as exc:
            click.echo(f"错误：{entry.path.name} 的批注版未能生成：{exc}", err=True)
            continue
        if not quiet:
            click.echo(f"已生成批注版：{target}", err=True)
