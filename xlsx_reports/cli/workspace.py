"""`workspace init`, `intake`, `status`: the collection ledger of a season (issue 12)."""
from __future__ import annotations

import re
import sys
from datetime import date, datetime

import click

from xlsx_reports.cli.base import EXIT_FINDINGS, EXIT_OK, EXIT_UNUSABLE, main
from xlsx_reports.core.findings import SEVERITY_TEXT, CannotContinue, dumps

DATE_FORMS = (r"(\d{4})-(\d{1,2})-(\d{1,2})", r"(\d{4})/(\d{1,2})/(\d{1,2})",
              r"(\d{4})年(\d{1,2})月(\d{1,2})日?", r"(\d{4})\.(\d{1,2})\.(\d{1,2})")


def parse_deadline(text: str | None) -> date | None:
    if not text:
        return None
    for form in DATE_FORMS:
        m = re.fullmatch(form, text.strip())
        if m:
            try:
                return date(*map(int, m.groups()))
            except ValueError:
                break
    raise CannotContinue(f"截止日期“{text}”无法识别：请写成 2025-01-20 或 2025年1月20日")


def parse_received(text: str | None) -> datetime | None:
    """When the files came (an e-mail read days later still counts on the day it arrived)."""
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        pass
    try:
        day = parse_deadline(text)
        assert day is not None   # text is not empty
        return datetime.combine(day, datetime.min.time())
    except CannotContinue:
        raise CannotContinue(f"收到时间“{text}”无法识别：请写成 2025-01-18 或 2025-01-18 09:30") from None


def _open(folder: str):
    from xlsx_reports.ledger import Workspace
    return Workspace.open(folder)


@main.group("workspace")
def workspace_group() -> None:
    """工作区：台账（谁报了什么、哪一版算数、谁逾期）和收到的全部文件。"""


@workspace_group.command("init")
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--roster", required=True, type=click.Path(dir_okay=False), help="单位名单（CSV，至少含“单位名称”列）")
@click.option("--year", required=True, type=int, help="报告年度，如 2024")
@click.option("--unit", help="汇总单位名称，如：洛江区（汇总时使用）")
@click.option("--deadline", help="报送截止日期，如 2025-01-20；此后收到的标为逾期")
@click.option("--previous-dir", type=click.Path(file_okay=False), help="上一年度报回工作簿所在文件夹，用于预填")
@click.option("--password", help="工作表保护密码（可不设）")
def init_command(folder, roster, year, unit, deadline, previous_dir, password) -> None:
    """建立工作区：登记名单，为每个单位生成填报表（放在工作区的“下发”文件夹），记录下发给谁。"""
    from xlsx_reports.ledger import Workspace
    from xlsx_reports.ledger.workspace import BLANKS, UNIT_LIST

    with Workspace.init(folder, roster=roster, year=year, unit=unit,
                        deadline=parse_deadline(deadline), previous_dir=previous_dir,
                        password=password) as ws:
        n = len(ws.units())
    click.echo(f"已建立工作区 {folder}：{year} 年度，{n} 个单位")
    click.echo(f"填报表在 {folder}/{BLANKS}/，单位清单（含网上报送口令）：{folder}/{UNIT_LIST}")
    click.echo(f"收到报表后运行：xlsx-reports intake {folder} 文件或文件夹")


@workspace_group.command("deadline")
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("day", metavar="DATE", required=False)
@click.option("--none", "drop", is_flag=True, help="取消截止日期（此后不再标逾期）")
def deadline_command(folder, day, drop) -> None:
    """查看或修改报送截止日期（如 2025-01-31）：已收到的每一版按新日期重新判定是否逾期。"""
    if day and drop:
        raise CannotContinue("写了新的截止日期就不要再加 --none", code="OPTION-CONFLICT")
    from xlsx_reports.ledger.workspace import DEADLINE_PRINTED, deadline_text

    new = parse_deadline(day)
    with _open(folder) as ws:
        old = ws.deadline
        if not day and not drop:
            click.echo(f"报送截止日期：{deadline_text(old)}" if old else "没有设截止日期")
            return
        changed = ws.set_deadline(new)
        late = ws.status()["summary"]["late"]
    click.echo(f"截止日期由{deadline_text(old) if old else '（未设）'}改为{deadline_text(new) if new else '（不设）'}；"
               f"{changed} 个已收到的版本的逾期标记随之改变，现在逾期的单位 {late} 个")
    if old and new != old:
        click.echo(DEADLINE_PRINTED)


@main.command("intake")
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("inputs", nargs=-1, required=True, type=click.Path())
@click.option("--received", help="收到时间（默认为现在），如 2025-01-18 或 2025-01-18 09:30；"
                                "用于登记早先通过邮件、U 盘收到的文件")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出每个文件的处理结果")
def intake_command(folder, inputs, received, as_json) -> None:
    """接收报表：登记每个文件（内容指纹、原文件名、收到时间），识别单位，校验，并判定
    已通过、有错误、无法读取、名单外、重复或逾期。同一文件再收一次不会改变任何记录。

    退出码：0 全部通过（或重复）；1 有错误或名单外；2 有文件无法读取。
    """
    when = parse_received(received)
    with _open(folder) as ws:
        results = ws.intake(inputs, received_at=when)
    if as_json:
        click.echo(dumps([_result_json(r) for r in results]))
    else:
        for r in results:
            _echo_result(r, folder)
        if not results:
            click.echo("没有找到要接收的文件")
    sys.exit(_intake_exit(results))


def _result_json(r) -> dict:
    return {"file": r.file, "sha256": r.sha256, "unit": r.unit, "decision": r.decision,
            "late": r.late, "version": r.version, "stored": str(r.stored) if r.stored else None,
            "findings": [f.as_json() for f in r.findings]}


def _echo_result(r, folder: str) -> None:
    unit = r.unit or "单位不明"
    version = f"，第 {r.version} 版" if r.version and r.decision != "duplicate" else ""
    if r.decision == "duplicate":
        version = f"，与已收到的{'第 ' + str(r.version) + ' 版' if r.version else '文件'}内容相同，未作改动"
    click.echo(f"{r.file}：{unit}：{r.decision_text}{version}")
    if r.decision == "duplicate":
        return
    for f in r.findings:
        if f.severity == "error":
            where = f"{f.where}：" if f.where else ""
            click.echo(f"  [{SEVERITY_TEXT[f.severity]} {f.code}] {where}{f.message}")
    warnings = sum(f.severity == "warning" for f in r.findings)
    if warnings:
        click.echo(f"  另有 {warnings} 条提示，详见 xlsx-reports status {folder} --unit {unit}")


def _intake_exit(results) -> int:
    decisions = {r.decision for r in results}
    if "unreadable" in decisions:
        return EXIT_UNUSABLE
    return EXIT_FINDINGS if decisions & {"errors", "outside", "wrong_unit"} else EXIT_OK


@main.command("status")
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出（格式见 README）")
@click.option("--unit", help="只看一个单位：列出它报来的每一版及其问题")
def status_command(folder, as_json, unit) -> None:
    """报送情况：每个单位的状态、版本数、当前版本的错误和提示、收到时间、是否逾期，以及报送率和通过率。"""
    with _open(folder) as ws:
        if unit:
            if unit not in ws.units() and not ws.history(unit):
                raise CannotContinue(f"“{unit}”不在本工作区的单位名单中，也没有收到过它的报表")
            history = ws.history(unit)
            click.echo(dumps({"unit": unit, "history": history})
                       if as_json else "\n".join(_history_lines(unit, history)))
            return
        data = ws.status()
    click.echo(dumps(data) if as_json
               else "\n".join(status_lines(data)))


def status_lines(data: dict) -> list[str]:
    from xlsx_reports.ledger.status import STATUS_TEXT

    lines = [f"{data['year']} 年度报送情况" + (f"（截止 {data['deadline']}）" if data["deadline"] else "")]
    for u in data["units"]:
        when = f"，{u['received'][:16].replace('T', ' ')} 收到" if u["received"] else ""
        counts = f"，错误 {u['errors']}，提示 {u['warnings']}" if u["status"] != "missing" else ""
        versions = f"，共 {u['versions']} 版" if u["versions"] > 1 else ""
        late = "，逾期" if u["late"] else ""
        lines.append(f"  {u['unit']}：{STATUS_TEXT[u['status']]}{counts}{versions}{when}{late}")
    for o in data["outside"]:
        lines.append(f"  名单外或单位不符：{o['file']}（{o['unit'] or '单位不明'}），{o['received'][:10]} 收到")
    s = data["summary"]
    lines.append(f"应报 {s['units']} 个，已报 {s['received']} 个（报送率 {s['报送率']:.0%}），"
                 f"已通过 {s['passed']} 个（通过率 {s['通过率']:.0%}），有错误 {s['errors']} 个，"
                 f"无法读取 {s['unreadable']} 个，未报送 {s['missing']} 个，逾期 {s['late']} 个")
    missing = [u["unit"] for u in data["units"] if u["status"] == "missing"]
    if missing:
        lines.append(f"未报送：{'、'.join(missing)}")
    if data["total"]:
        state = "已过期：此后收到了新的版本，请重新汇总" if data["stale_total"] else "是最新的"
        lines.append(f"汇总表 {data['total']['file']}（{data['total']['made'][:16].replace('T', ' ')}）{state}")
    return lines


def _history_lines(unit: str, history: list[dict]) -> list[str]:
    if not history:
        return [f"{unit}：尚未报送"]
    from xlsx_reports.ledger.intake import DECISION_TEXT
    lines = [f"{unit}：共收到 {len(history)} 个文件"]
    for h in history:
        label = f"第 {h['version']} 版" if h["version"] else "未计入"
        late = "（逾期）" if h["late"] else ""
        lines.append(f"  {label}：{h['name']}，{h['received'][:16].replace('T', ' ')} 收到，"
                     f"{DECISION_TEXT[h['decision']]}{late}，错误 {h['errors']}，提示 {h['warnings']}")
        for f in h["findings"]:
            where = f"{f['sheet']}!{','.join(f['cells'])}：" if f["sheet"] else ""
            lines.append(f"    [{SEVERITY_TEXT[f['severity']]} {f['code']}] {where}{f['message']}")
    return lines
