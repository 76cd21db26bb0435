"""The command line: translates arguments to library calls and findings to text and exit codes.

Exit codes: 0 success (warnings allowed), 1 findings with errors, 2 unreadable input or misuse.
Each command lives in its own section below; add commands, do not restructure.
"""
from __future__ import annotations

import os
import re
import sys

import click

from xlsx_reports import __version__
from xlsx_reports.core.findings import CannotContinue, os_reason

EXIT_OK, EXIT_FINDINGS, EXIT_UNUSABLE = 0, 1, 2

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


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="xlsx-reports")
def main() -> None:
    """政府信息公开工作年度报告：生成填报表（new/batch）、校验（check）、汇总（merge）、出报告（render）。"""


def main_entry() -> None:
    main(prog_name="xlsx-reports")


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
@click.argument("inputs", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="汇总工作簿（.xlsx）")
@click.option("--unit", required=True, help="汇总单位名称，如：洛江区")
@click.option("--roster", type=click.Path(dir_okay=False), help="单位名单（CSV），用于查缺报")
@click.option("--allow-errors", is_flag=True, help="有错误的工作簿也纳入汇总（默认不纳入）")
@click.option("--year", type=int, help="汇总年度（默认取多数工作簿的年度）")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="同时校验的进程数（默认按 CPU 数，最多 4）")
def merge_command(inputs, output, unit, roster, allow_errors, year, jobs) -> None:
    """校验各单位报回的工作簿并汇总为一个工作簿（FILE_OR_DIR 可以是文件或文件夹）。"""
    from pathlib import Path

    from xlsx_reports.core.findings import has_errors
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
    sys.exit(EXIT_FINDINGS if has_errors(result.findings) else EXIT_OK)


# --- check (issue 3): read returned workbooks back and check them ----------------------------

@main.command("check")
@click.argument("inputs", nargs=-1, required=True, type=click.Path())
@click.option("--previous", "previous", multiple=True, type=click.Path(),
              help="上年工作簿（文件或文件夹，按单位匹配），用于跨年校验")
@click.option("--roster", type=click.Path(dir_okay=False), help="单位名单（CSV），查缺报、多报、重复")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出结果（格式见 README）")
@click.option("--annotate", "annotate_dir", type=click.Path(file_okay=False),
              help="为有问题的文件生成批注版（标红并加批注）到此文件夹，原文件不动")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="同时读取的进程数（默认按 CPU 数，最多 4）")
def check_command(inputs, previous, roster, as_json, annotate_dir, jobs) -> None:
    """校验各单位报回的工作簿（FILE_OR_DIR 可以是文件或文件夹）。

    退出码：0 没有错误（可有提示）；1 有错误；2 有文件无法读取或用法错误。
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


# --- render (issue 5): the published report from a checked workbook -------------------------

def _render_finding_text(f) -> str:
    from xlsx_reports.core.findings import SEVERITY_TEXT
    where = f"{f.where}：" if f.where else ""
    advice = f"（{f.advice}）" if f.advice else ""
    return f"[{SEVERITY_TEXT[f.severity]} {f.code}] {where}{f.message}{advice}"


@main.command("render")
@click.argument("source", metavar="FILE", type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="输出文件：.md、.html、.txt 或 .docx（按扩展名确定格式）")
@click.option("--template", type=click.Path(dir_okay=False),
              help="自定义 Jinja2 模板（仅 .md/.html/.txt；可用变量见 README）")
@click.option("--force", is_flag=True, help="工作簿有校验错误时仍然出报告，并标为草稿")
def render_command(source, output, template, force) -> None:
    """由填报工作簿生成年度报告（Markdown、HTML、纯文本或 Word）。

    退出码：0 已生成（可有提示）；1 工作簿有错误未生成（或加 --force 生成了草稿）；2 无法读取或用法错误。
    """
    from xlsx_reports.core.findings import has_errors
    from xlsx_reports.report.render import render_file

    result = render_file(source, output, template=template, force=force)
    for f in result.findings:
        if f.severity == "error" or not result.written:
            click.echo(_render_finding_text(f), err=True)
    for f in result.warnings:
        click.echo(_render_finding_text(f), err=True)
    hints = sum(f.severity == "warning" for f in result.findings)
    if result.written and hints:
        click.echo(f"工作簿有 {hints} 条校验提示（不影响出报告），详见：xlsx-reports check {source}", err=True)
    if not result.written:
        errors = sum(f.severity == "error" for f in result.findings)
        click.echo(f"未生成报告：{source} 有 {errors} 个错误。请改正后重新校验，"
                   "或加 --force 生成草稿。", err=True)
        sys.exit(EXIT_FINDINGS)
    if result.draft:
        click.echo(f"已生成草稿（工作簿有错误，报告已标为“草稿”）：{output}")
        sys.exit(EXIT_FINDINGS)
    click.echo(f"已生成报告：{output}")
    sys.exit(EXIT_FINDINGS if has_errors(result.warnings) else EXIT_OK)


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


def _check_output(path: str) -> None:
    from pathlib import Path
    if Path(path).suffix.lower() != ".xlsx":
        raise CannotContinue(f"输出文件必须以 .xlsx 结尾：{path}")


@main.command("new")
@click.option("--unit", required=True, help="单位名称，如：河市镇")
@_year_option
@_format_option
@click.option("--previous", type=click.Path(dir_okay=False), help="本单位上一年度报回的工作簿，用于预填")
@click.option("--password", help="工作表保护密码（可不设）")
@click.option("--deadline", help="填报截止时间，写入“填报说明”，如：2025年1月20日")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="输出文件（.xlsx）")
@click.option("--force", is_flag=True, help="覆盖已存在的输出文件")
def new_command(unit, year, fmt, previous, password, deadline, output, force) -> None:
    """为一个单位生成锁定的填报工作簿。"""
    from pathlib import Path

    from xlsx_reports.generate.batch import new_workbook

    _check_output(output)
    if previous and Path(previous).resolve() == Path(output).resolve():
        raise CannotContinue(f"输出文件不能是上年报表本身：{output}")
    if Path(output).exists() and not force:
        raise CannotContinue(f"{output} 已存在：为免覆盖已填好的工作簿，请换一个文件名，或加 --force 覆盖")
    try:
        g = new_workbook(unit, year, output, fmt=fmt, previous=previous, password=password,
                         deadline=deadline)
    except OSError as exc:
        raise CannotContinue(f"无法写入 {output}：{os_reason(exc)}") from exc
    _echo_generated(g)


@main.command("batch")
@click.argument("roster", type=click.Path(dir_okay=False))
@_year_option
@_format_option
@click.option("-o", "--output", "outdir", required=True, type=click.Path(file_okay=False),
              help="输出文件夹")
@click.option("--previous-dir", type=click.Path(file_okay=False), help="上一年度报回工作簿所在文件夹，用于预填")
@click.option("--password", help="工作表保护密码（可不设）")
@click.option("--deadline", help="填报截止时间，写入“填报说明”")
@click.option("--force", is_flag=True, help="覆盖输出文件夹中的同名文件")
def batch_command(roster, year, fmt, outdir, previous_dir, password, deadline, force) -> None:
    """按单位名单（CSV，至少含“单位名称”列）为每个单位生成填报工作簿和清单 manifest.csv。"""
    from xlsx_reports.generate.batch import run_batch
    from xlsx_reports.core.roster import read_roster

    entries = read_roster(roster)
    with click.progressbar(length=len(entries.units), label="生成工作簿", file=sys.stderr) as bar:
        def progress(g) -> None:
            bar.update(1)
        try:
            result = run_batch(entries, year, outdir, fmt=fmt, previous_dir=previous_dir,
                               password=password, deadline=deadline, force=force, progress=progress)
        except OSError as exc:
            raise CannotContinue(f"无法写入 {outdir}：{os_reason(exc)}") from exc
    for g in result.generated:
        _echo_generated(g)
    click.echo(f"共生成 {len(result.generated)} 个工作簿；清单：{result.manifest}")


@main.command("export")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]),
              help="输出格式（默认按 -o 文件的扩展名，输出到屏幕时为 json）")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="输出文件 .json 或 .csv（默认输出到屏幕）")
def export_command(inputs, fmt, output) -> None:
    """把工作簿中表格的每个单元格导出为一条记录（JSON 或 CSV，字段说明见 README）。"""
    from xlsx_reports.core.atomic import write_bytes
    from xlsx_reports.report.export import export_records, output_format, to_csv, to_json

    fmt = output_format(fmt, output, inputs)
    records = export_records(inputs)
    text = to_json(records) if fmt == "json" else to_csv(records)
    if output:
        try:
            write_bytes(output, text.encode("utf-8-sig" if fmt == "csv" else "utf-8"))
        except OSError as exc:   # name the output, not the temporary file beside it
            raise CannotContinue(f"无法写入 {output}：{os_reason(exc)}") from exc
        click.echo(f"已导出 {len(records)} 条记录：{output}", err=True)
    else:
        click.echo(text, nl=False)
