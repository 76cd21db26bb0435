"""`rules`: the catalogue of every code a finding or a refusal can carry."""
from __future__ import annotations

import click

from xlsx_reports.cli.base import main


@main.command("rules")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出（每条含 code、severity、table、description、remedy）")
def rules_command(as_json: bool) -> None:
    """列出全部规则编号：严重程度、所涉表格、说明和处理办法。"""
    from xlsx_reports import api
    from xlsx_reports.check.catalogue import SEVERITY_CN
    from xlsx_reports.core.findings import dumps

    rules = api.rules()
    if as_json:
        click.echo(dumps([r.as_json() for r in rules]))
        return
    width = max(len(r.code) for r in rules)
    click.echo(f"{'编号':<{width - 2}}  严重程度\t范围\t说明")
    for r in rules:
        severity = "无法继续" if r.kind == "refusal" else SEVERITY_CN[r.severity]
        click.echo(f"{r.code:<{width}}  {severity:<4}\t{r.table}\t{r.description}")
        click.echo(f"{'':<{width}}  处理办法：{r.remedy}")
