"""The command group every command registers on, and how failures become one Chinese line.

Exit codes: 0 success (warnings allowed), 1 findings with errors, 2 unreadable input or misuse,
3 internal error (a fault of this program; the traceback only under --debug).
"""
from __future__ import annotations

import gc
import gettext
import os
import re
import sys
from contextlib import contextmanager
from typing import Any, Iterator, NoReturn

import click

from xlsx_reports import __version__
from xlsx_reports.core import files
from xlsx_reports.core.findings import DEBUG_ENV, CannotContinue, debug_traceback, os_reason

EXIT_OK, EXIT_FINDINGS, EXIT_UNUSABLE, EXIT_INTERNAL = 0, 1, 2, 3

# click words its help in English through gettext; the users read Chinese. Installed before the
# decorators below run, since version_option translates its help text when applied.
HELP_TEXT = {
    "Usage:": "用法:",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "参数",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本号并退出。",
    "%(prog)s, version %(version)s": "%(prog)s 版本 %(version)s",
    "default: {default}": "默认：{default}",
    "required": "必填",
    "Aborted!": "已中止。",
}


def _chinese(message: str) -> str:
    return HELP_TEXT.get(message, gettext.gettext(message))


for _module in (click.core, click.formatting, click.decorators):
    if hasattr(_module, "_"):
        setattr(_module, "_", _chinese)


def safe_streams() -> None:
    """A GBK console (Chinese Windows, output redirected) cannot encode every character —
    a rare unit name (𠀀镇) or a symbol would end in a traceback. Unencodable characters are
    written as \\uXXXX escapes instead; nothing else changes."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and getattr(stream, "errors", "") == "strict":
            try:
                reconfigure(errors="backslashreplace")
            except (ValueError, OSError):   # a closed or detached stream: nothing to protect
                pass

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
    # click: "… Did you mean --year?" or, with several close names, "(Did you mean one of: …?)"
    found = re.search(r"\s*\(?Did you mean(?: one of:)? (.+?)\??\)?$", message.strip())
    plain = message.strip()[: found.start()] if found else message.strip()
    plain = plain.removesuffix(".").replace("'", "")   # click ends each sentence with one "."
    guesses = found.group(1).replace("'", "").split(", ") if found else []
    typed = plain.split()[-1] if plain.split() else ""
    import difflib   # here: only a mistyped command line needs it, not every command's start
    guess = max(guesses, key=lambda g: difflib.SequenceMatcher(None, typed, g).ratio(),
                default="")
    hint = f"（是不是要用 {guess}？）" if guess else ""
    for pattern, chinese in USAGE_TEXT:
        if re.fullmatch(pattern, plain, flags=re.S):
            return re.sub(pattern, chinese, plain, flags=re.S) + hint
    return f"命令用法不对：{plain}{hint}"


def refuse(message: str) -> NoReturn:
    click.echo(f"错误：{message}", err=True)
    sys.exit(EXIT_UNUSABLE)


class Command(click.Command):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)


class Group(click.Group):
    """Turns CannotContinue, refused files and usage mistakes into one Chinese line, exit 2."""

    command_class = Command

    def main(self, *args: Any, **kwargs: Any) -> Any:
        safe_streams()
        return super().main(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
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
            current = files.current()
            click.echo(f"错误：{current.name + '：' if current else ''}内存不足，无法处理（文件过大或异常）。", err=True)
            sys.exit(EXIT_UNUSABLE)
        except Exception as exc:  # noqa: BLE001 - nothing unexpected leaves as a traceback
            debug_traceback(exc)
            current = files.current()
            where = f"处理 {current} 时" if current else ""
            click.echo(f"内部错误：{where}本工具出现程序缺陷，未能完成。请加 --debug 重新运行，"
                       "把输出（和该文件）发给维护人员。", err=True)
            sys.exit(EXIT_INTERNAL)


def _debug(ctx, param, value) -> None:
    if value:   # an environment variable, so that worker processes see it too
        os.environ[DEBUG_ENV] = "1"


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]},
             options_metavar="[选项]", subcommand_metavar="命令 [参数]...")
@click.version_option(__version__, prog_name="xlsx-reports", message="%(prog)s 版本 %(version)s",
                      help="显示版本号并退出。")
@click.option("--debug", is_flag=True, expose_value=False, is_eager=True, callback=_debug,
              help="出现内部错误时显示程序的详细出错位置（供维护人员排查）")
def main() -> None:
    """政府信息公开工作年度报告：生成填报表（new/batch）、校验（check）、汇总（merge）、出报告（render）；
    用工作区收集报表：建立（workspace init）、接收（intake）、报送情况（status）。"""


def main_entry() -> None:
    """The command as a process runs it (`xlsx-reports`, `python -m xlsx_reports`)."""
    try:
        main(prog_name="xlsx-reports")
    finally:
        # the process ends here, and Python's exit runs the cycle collector over every object
        # still alive (25-30 ms after a check or merge of 1,000 files): frozen, they are only freed
        gc.freeze()


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cycle collector paused for a command over many files: the results it keeps until it
    ends form no cycles, yet every full collection walked them all again (checking 10,000
    returns, ~0.6 s of the command's own CPU, 0.19 s of it after the last file while a core sat
    idle). Its worker processes, forked meanwhile, collect as usual (core/parallel.py)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            _resume()


@contextmanager
def collector_resumed() -> Iterator[None]:
    """The collector running again within collector_paused, for work that leaves cycles as it
    goes (an annotated copy is an openpyxl workbook whose parts refer to each other)."""
    was = gc.isenabled()
    _resume()
    try:
        yield
    finally:
        if not was:
            gc.disable()


def _resume() -> None:
    # what was made meanwhile goes straight to the oldest generation (frozen and thawed: two list
    # splices), not walked by a young collection the moment the collector resumes (0.08 s after
    # 10,000 checks); thawing frees nothing else, as nothing is frozen before a command ends
    # (main_entry freezes at the process's exit)
    gc.freeze()
    gc.unfreeze()
    gc.enable()


class ProgressBar:
    """A progress bar on stderr for work over many files, once there are enough files to be
    worth it. `tty_only`: nothing at all unless stderr is a terminal (check, whose output is
    often piped); otherwise click prints just the label to a pipe (merge)."""
    MIN_FILES = 10

    def __init__(self, label: str, *, enabled: bool = True, tty_only: bool = False) -> None:
        self.label = label
        self.bar: click._termui_impl.ProgressBar[int] | None = None
        self.enabled = enabled and (sys.stderr.isatty() or not tty_only)

    def __call__(self, done: int, total: int, _item=None) -> None:
        if self.bar is None and self.enabled and total >= self.MIN_FILES:
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self.bar.__enter__()
        if self.bar is not None:
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None
