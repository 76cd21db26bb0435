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
