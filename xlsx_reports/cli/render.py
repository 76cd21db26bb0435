"""`render`: the published report from a checked workbook."""
from __future__ import annotations

import sys

import click

from xlsx_reports.cli.base import EXIT_FINDINGS, EXIT_OK, main


# --- render (issue 5): the published report from a checked workbook -------------------------

def _render_finding_text(f) -> str:
    from xlsx_reports.core.findings import SEVERITY_TEXT
    where = f"{f.where}：" if f.where else ""
    advice = f"（{f.advice}）" if f.advice else ""
    return f"[{SEVERITY_TEXT[f.severity]} {f.code}] {where}{f.message}{advice}"


@main.command("render")
@click.argument("source", metavar="FILE", type=click.Path(readable=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="输出文件：.md、.html、.txt 或 .docx（按扩展名确定格式）；- 为输出到屏幕（需 --format）")
@click.option("--format", "fmt", type=click.Choice(["md", "html", "txt"]),
              help="输出到屏幕（-o -）时的格式")
@click.option("--template", type=click.Path(dir_okay=False),
              help="自定义 Jinja2 模板（仅 .md/.html/.txt；可用变量见 README）")
@click.option("--force", is_flag=True, help="工作簿有校验错误时仍然出报告，并标为草稿")
def render_command(source, output, template, force, fmt) -> None:
    """由填报工作簿生成年度报告（Markdown、HTML、纯文本或 Word）。

    退出码：0 已生成（可有提示）；1 工作簿有错误未生成（或加 --force 生成了草稿）；2 无法读取或用法错误；3 内部错误。
    """
    from xlsx_reports import api
    from xlsx_reports.core.findings import has_errors

    from xlsx_reports.core.files import working_on

    with working_on(source):
        result = api.render(source, output, template=template, force=force, format=fmt)
    piped = result.text is not None   # the report went to stdout: messages to stderr only
    if piped:
        click.echo(result.text, nl=False)
        output = "标准输出"
    for f in result.findings:
        if (f.severity == "error" or not result.written) and f not in result.warnings:
            click.echo(_render_finding_text(f), err=True)
    for f in result.warnings:
        click.echo(_render_finding_text(f), err=True)
    shown = {id(f) for f in result.warnings}
    hints = sum(f.severity == "warning" and id(f) not in shown for f in result.findings)
    if result.written and hints:
        click.echo(f"工作簿有 {hints} 条校验提示（不影响出报告），详见：xlsx-reports check {source}", err=True)
    if not result.written:
        errors = sum(f.severity == "error" for f in result.findings)
        click.echo(f"未生成报告：{source} 有 {errors} 个错误。请改正后重新校验，"
                   "或加 --force 生成草稿。", err=True)
        sys.exit(EXIT_FINDINGS)
    if result.draft:
        click.echo(f"已生成草稿（工作簿有错误，报告已标为“草稿”）：{output}", err=piped)
        sys.exit(EXIT_FINDINGS)
    click.echo(f"已生成报告：{output}", err=piped)
    sys.exit(EXIT_FINDINGS if has_errors(result.warnings) else EXIT_OK)
