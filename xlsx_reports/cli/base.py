"""The command group every command registers on, and how failures become one Chinese line.

Exit codes: 0 success (warnings allowed), 1 findings with errors, 2 unreadable input or misuse,
3 internal error (a fault of this program; the traceback only under --debug).
"""
from __future__ import annotations

import os
import re
import sys

import click

from xlsx_reports import __version__
from xlsx_reports.core import files
from xlsx_reports.core.findings import DEBUG_ENV, CannotContinue, debug_traceback, os_reason

EXIT_OK, EXIT_FINDINGS, EXIT_UNUSABLE, EXIT_INTERNAL = 0, 1, 2, 3

# click words its usage errors in English; the users read Chinese. Patterns follow click 8.
USAGE_TEXT = (   # matched after quotes and the final full stop are taken out
    (r"Missing option (.+)", r"缺少选项 \1"),
    (r"Missing argument (.+)", r"缺少参数 \1"),
    (r"No such option:? (\S+)", r"没有这个选项：\1"),
    (r"No such command:? (.+)", r"没有这个命令：\1"),
    (r"Option (.+?) requires an argument", r"选项 \1 后面要写一个值"),
    (r"Got unexpected extra arguments? \((.+)\)", r"多余的参数：\1"),
    (r"Invalid value for (.+?): (.*) is not a valid integer", r"\1 的值“\2”不是整数"),
    (r"Invalid value for (.+?): (.*) is not one of (.+)", r"\1 的值“\2”不在可选范围内（\3）"),
    (r"Invalid value for (.+?): (?:File|Path|Directory) (.*) does not exist", r"\1：\2 不存在"),
    (r"Invalid value for (.+?): (?:File|Path) (.*) is a directory", r"\1：\2 是文件夹，应为文件"),
    (r"Invalid value for (.+?): (?:Directory|Path) (.*) is a file", r"\1：\2 是文件，应为文件夹"),
    (r"Invalid value for (.+?): (?:File|Path|Directory) (.*) is not readable",
     r"\1：\2 没有读取权限（请复制一份自己有权限的文件后再处理）"),
    (r"Invalid value for (.+?): (?:File|Path|Directory) (.*) is not writable",
     r"\1：\2 没有写入权限（请换一个自己有权限的位置）"),
    (r"Invalid value for (.+?): (.*)", r"\1 的值无效：\2"),
)


def usage_text(message: str) -> str:
    plain, _, guess = message.strip().partition(" Did you mean ")
    plain = plain.removesuffix(".").replace("'", "")   # click ends each sentence with one "."
    hint = f"（是不是要用 {guess.rstrip('?').replace(chr(39), '')}？）" if guess else ""
    for pattern, chinese in USAGE_TEXT:
        if re.fullmatch(pattern, plain, flags=re.S):
            return re.sub(pattern, chinese, plain, flags=re.S) + hint
    return f"命令用法不对：{plain}{hint}"


class Group(click.Group):
    """Turns CannotContinue, refused files and usage mistakes into one Chinese line, exit 2."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            name = exc.ctx.command_path if exc.ctx else "xlsx-reports"
            click.echo(f"错误：{usage_text(exc.format_message())}。请运行 {name} --help 查看用法。",
                       err=True)
            sys.exit(EXIT_UNUSABLE)
        except BrokenPipeError:   # output piped into head: stop quietly, as other tools do
            sys.stderr = open(os.devnull, "w")
            sys.exit(EXIT_OK)
        except CannotContinue as exc:
            click.echo(f"错误：{exc}", err=True)
            sys.exit(EXIT_UNUSABLE)
        except OSError as exc:   # a file the system refused: say which and why, no traceback
            name = exc.filename or ""
            click.echo(f"错误：无法读写 {name}：{os_reason(exc)}", err=True)
            sys.exit(EXIT_UNUSABLE)
        except KeyboardInterrupt:
            click.echo("已中断，未写入不完整的文件。", err=True)
            sys.exit(130)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except MemoryError:
            name = files.current()
            click.echo(f"错误：{name.name + '：' if name else ''}内存不足，无法处理（文件过大或异常）。", err=True)
            sys.exit(EXIT_UNUSABLE)
        except Exception as exc:  # noqa: BLE001 - nothing unexpected leaves as a traceback
            debug_traceback(exc)
            name = files.current()
            where = f"处理 {name} 时" if name else ""
            click.echo(f"内部错误：{where}本工具出现程序缺陷，未能完成。请加 --debug 重新运行，"
                       "把输出（和该文件）发给维护人员。", err=True)
            sys.exit(EXIT_INTERNAL)


def _debug(ctx, param, value) -> None:
    if value:   # an environment variable, so that worker processes see it too
        os.environ[DEBUG_ENV] = "1"


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="xlsx-reports")
@click.option("--debug", is_flag=True, expose_value=False, is_eager=True, callback=_debug,
              help="出现内部错误时显示程序的详细出错位置（供维护人员排查）")
def main() -> None:
    """政府信息公开工作年度报告：生成填报表（new/batch）、校验（check）、汇总（merge）、出报告（render）。"""


def main_entry() -> None:
    main(prog_name="xlsx-reports")
