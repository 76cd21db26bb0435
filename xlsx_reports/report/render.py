"""The published report: a Report rendered through a Jinja2 template (md, txt, html) or to Word.

Templates run in Jinja2's sandbox with StrictUndefined, so a custom template can read the
report but not the machine, and a misspelt variable is an error naming the template line
instead of a silent blank in a published document.
"""
from __future__ import annotations

import re
import traceback
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import (ChoiceLoader, FileSystemLoader, FunctionLoader, StrictUndefined,
                    TemplateError, TemplateNotFound, TemplateSyntaxError, UndefinedError)
from jinja2.sandbox import SandboxedEnvironment, SecurityError
from markupsafe import Markup

from xlsx_reports.core.atomic import write_bytes, write_text
from xlsx_reports.core.findings import CannotContinue, Finding, has_errors, os_reason
from xlsx_reports.form.values import Report, period_text
from xlsx_reports.report.nobreak import nobreak_html
from xlsx_reports.report.outline import read_outline
from xlsx_reports.report.text import md_context, md_table, md_text, text_table
from xlsx_reports.form.definitions import LITIGATION_TOTALS, REVIEW_TOTAL
from xlsx_reports.core.numbers import cell_text
from xlsx_reports.report.view import info_view, section_views, t3_groups, table_view, title_text

FORMATS = {".md": "md", ".markdown": "md", ".txt": "txt", ".html": "html", ".htm": "html",
           ".docx": "docx"}
TEXT_FORMATS = ("md", "txt", "html")
PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


def output_format(path: str | Path) -> str:
    fmt = FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise CannotContinue(f"不支持的输出格式：{Path(path).name}（请用 .md、.html、.txt 或 .docx 结尾）", code="OUTPUT-SUFFIX")
    return fmt


# --- Context -------------------------------------------------------------------------

def build_context(report: Report, *, draft: bool = False,
                  merged_units: list[str] | tuple[str, ...] = ()) -> dict[str, Any]:
    """Every variable a template sees (documented in the README, section render).

    `merged_units`: the units a merged workbook sums (AGG-SCOPE: a 汇总 is not the
    district's own report, so the title and a note say so)."""
    form = report.form
    tables = {s.table: table_view(form, report, s.table) for s in form.sections if s.kind == "table"}
    sections = section_views(form, report, tables)
    info, info_rows = info_view(form, report)
    values = report.all_values()
    groups = t3_groups(form, tables.get("t3"))
    review = report.number(REVIEW_TOTAL) if REVIEW_TOTAL in form.by_key else 0
    litigation = report.total(tuple(k for k in LITIGATION_TOTALS if k in form.by_key))
    names = _names(values, groups, review, litigation) | _numbered(form, tables.get("t3"), groups)
    return {
        "title": title_text(report) + ("（汇总）" if merged_units else ""),
        "merged_units": list(merged_units), "unit": report.unit, "year": report.year,
        "format": form.format, "basis": form.basis, "period": period_text(report.year),
        "draft": draft, "info": info, "info_rows": info_rows,
        "sections": sections, "section": {s.number: s for s in sections},
        "parts": [s.part for s in form.sections],
        "cells": {k: cell_text(v) for k, v in values.items()}, "values": values,
        "tables": tables, "groups": groups,
        "narratives": {s.narrative.key.split(".")[0]: s.narrative for s in sections if s.narrative},
        "review": review, "litigation": litigation,
        "fill": lambda pattern: fill(pattern, names),
        "md_table": md_table, "text_table": text_table,
    }


def _names(values: dict[str, Any], groups, review, litigation) -> dict[str, str]:
    """What `fill` may quote: every cell, group.<key>[.<column>], review, litigation
    (and table 三's numbering, see _numbered)."""
    names = {k: cell_text(v) for k, v in values.items()}
    for g in groups.values():
        names[f"group.{g.key}"] = cell_text(g.total)
        names.update({f"group.{g.key}.{col}": cell_text(v) for col, v in g.values.items()})
    names["review"], names["litigation"] = cell_text(review), cell_text(litigation)
    return names


def _numbered(form, t3, groups) -> dict[str, str]:
    """Table 三's numbering as names (Form.numbered, Form.groups): {一} new, {二} carried,
    {四} carried over, {（七）} the results' total, {（三）} the （三） group's subtotal — each
    in the 总计 column."""
    if t3 is None:
        return {}
    total_col = next(k for k, c in t3.rows[0].cells.items() if c.role == "total")
    rows = {r.key: r for r in t3.rows}
    names = {g.number: cell_text(g.total) for g in groups.values()}
    names.update({number: rows[key].cells[total_col].text for number, key in form.numbered})
    return names


def fill(pattern: str, names: dict[str, str]) -> str:
    """"收到申请{t3.new.total}件" -> "收到申请3件": numbers in sentences come from the tables."""
    def one(m: re.Match) -> str:
        name = m.group(1).strip()
        if name not in names:
            raise CannotContinue(f"fill() 中的“{{{name}}}”不是单元格或派生值的名称", code="TEMPLATE-INVALID")
        return names[name]
    return PLACEHOLDER.sub(one, pattern)


# --- Templates ---------------------------------------------------------------------------

def _default_dir():
    try:
        return resources.files("xlsx_reports.templates")
    except ModuleNotFoundError:  # running from a source checkout: templates/ beside the package
        return Path(__file__).resolve().parents[2] / "templates"


def _default_source(name: str):
    path = _default_dir().joinpath(name)
    if not path.is_file():
        return None
    return path.read_text(encoding="utf-8"), str(path), lambda: True


def default_template(fmt: str) -> str:
    return f"report.{fmt}.j2"


def _environment(user_dir: Path | None, html: bool) -> SandboxedEnvironment:
    loaders = ([FileSystemLoader(str(user_dir))] if user_dir else []) + [FunctionLoader(_default_source)]
    env = SandboxedEnvironment(loader=ChoiceLoader(loaders), undefined=StrictUndefined,
                               autoescape=html, trim_blocks=True, lstrip_blocks=True,
                               keep_trailing_newline=True)
    env.filters["num"] = cell_text
    env.filters["md"] = md_text
    return env


def render_template(context: dict[str, Any], fmt: str, template: str | Path | None = None) -> str:
    if template is None:
        user_dir, name = None, default_template(fmt)
    else:
        path = Path(template)
        if not path.is_file():
            raise CannotContinue(f"找不到模板文件：{path}", code="TEMPLATE-INVALID")
        user_dir, name = path.resolve().parent, path.name
    env = _environment(user_dir, html=fmt == "html")
    context = dict(md_context(context) if fmt == "md" else context,
                   weblink=lambda url: weblink(url, fmt),
                   nobreak=nobreak_html if fmt == "html" else str)
    try:
        return env.get_template(name).render(context)
    except TemplateSyntaxError as exc:
        raise CannotContinue(f"模板 {exc.filename or exc.name} 第 {exc.lineno} 行有语法错误："
                             f"{exc.message}", code="TEMPLATE-INVALID") from None
    except TemplateNotFound as exc:
        raise CannotContinue(f"模板中引用的模板不存在：{exc.name}", code="TEMPLATE-INVALID") from None
    except UnicodeDecodeError:   # the loader does not say which file: the main one is named
        raise CannotContinue(f"模板 {template} 或它引用的模板不是 UTF-8 编码的文本："
                             "请在编辑器中以 UTF-8 编码另存后重试", code="TEMPLATE-INVALID") from None
    except (TemplateError, CannotContinue, ArithmeticError, LookupError, TypeError,
            ValueError, AttributeError) as exc:
        raise CannotContinue(f"模板 {_template_line(exc)}出错：{_reason(exc)}", code="TEMPLATE-INVALID") from None


def _html_template(template: str | Path | None) -> None:
    if template is not None and not any(s in (".html", ".htm") for s in Path(template).suffixes):
        raise CannotContinue(f"Word 格式按 HTML 模板排版：--template 应是 HTML 模板（文件名如 my.html.j2），"
                             f"不是 {Path(template).name}", code="OPTION-CONFLICT")


def weblink(url: str, fmt: str) -> str:
    """The download address: a link in HTML, <url> in Markdown (so "下载" is not swallowed)."""
    if not re.match(r"https?://[^\s<>\"']+$", url or ""):
        return md_text(url) if fmt == "md" else url
    if fmt == "html":
        return Markup('<a href="{0}">{0}</a>').format(url)
    return f"<{url}>" if fmt == "md" else url


def _template_line(exc: BaseException) -> str:
    """Jinja2 rewrites tracebacks so template frames carry the template file and line."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if not f.filename.endswith(".py") and not f.filename.startswith("<")]
    if not frames:
        return "（位置不明）"
    return f"{frames[-1].filename} 第 {frames[-1].lineno} 行"


def _reason(exc: BaseException) -> str:
    if isinstance(exc, SecurityError):
        return f"模板试图执行不允许的操作（{exc}）"
    if isinstance(exc, UndefinedError):
        return f"使用了不存在的变量或键（{exc.message}）"
    if isinstance(exc, ZeroDivisionError):
        return "除数为 0"
    return str(exc) or type(exc).__name__


# --- Entry points ------------------------------------------------------------------------

def render_report(report: Report, fmt: str, *, template: str | Path | None = None,
                  draft: bool = False, merged_units: list[str] | tuple[str, ...] = ()
                  ) -> str | bytes:
    """The report as text (md, txt, html) or as the bytes of a .docx file."""
    context = build_context(report, draft=draft, merged_units=merged_units)
    if fmt == "docx":   # Word lays out the HTML report: one outline for both
        from xlsx_reports.report.docx import build_docx
        _html_template(template)
        html = render_template(context, "html", template)
        return build_docx(read_outline(html), title=context["title"], author=context["unit"])
    if fmt not in TEXT_FORMATS:
        raise CannotContinue(f"不支持的输出格式：{fmt}", code="OUTPUT-SUFFIX")
    return render_template(context, fmt, template)


def _asked_format(out: str | Path, fmt: str | None) -> str:
    """By the extension of `out`; to standard output ("-") a text format named by `fmt`."""
    if str(out) != "-":
        by_name = output_format(out)
        if fmt and fmt != by_name:
            raise CannotContinue(f"--format {fmt} 与输出文件的扩展名不符：{out}", code="OPTION-CONFLICT")
        return by_name
    if fmt not in TEXT_FORMATS:
        raise CannotContinue("输出到屏幕（-o -）时请用 --format 指定 md、html 或 txt（Word 只能写入文件）",
                             code="OPTION-CONFLICT")
    return fmt


@dataclass
class Rendered:
    """What `render` did: the check findings, the text warnings, whether it wrote a draft."""
    path: Path
    findings: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    draft: bool = False
    written: bool = False
    text: str | None = None   # the report itself when `out` was "-" (nothing written)


def render_file(source: str | Path, out: str | Path, *, template: str | Path | None = None,
                force: bool = False, fmt: str | None = None) -> Rendered:
    """Check the workbook, refuse it with errors unless forced (then a draft), render, write.
    `out` "-" writes nothing: the text is kept in `.text` (md, html or txt by `fmt`)."""
    from xlsx_reports.check.workbook import check_file
    from xlsx_reports.check.headings import check_headings

    fmt = _asked_format(out, fmt)
    if fmt == "docx":
        _html_template(template)
    reading, findings = check_file(source)
    result = Rendered(Path(out), findings=list(findings))
    if reading is None or reading.report is None:
        first = next((f for f in findings if f.severity == "error"), None)
        raise CannotContinue(first.message if first else f"{source}：无法读取",
                             code=(first.reason if first else "") or "FILE-CORRUPT")   # the reader's message already names the file
    if has_errors(findings) and not force:
        return result
    result.draft = has_errors(findings)
    meta = reading.metadata
    units = meta.units if meta is not None and meta.kind == "merged" else ()
    content = render_report(reading.report, fmt, template=template, draft=result.draft,
                            merged_units=units)
    # the prose findings come from check (TXT-*): shown here too, and counted as check's
    result.warnings = [f for f in findings if f.code.startswith("TXT-")]
    if isinstance(content, str):
        result.warnings += check_headings(content, reading.report.form, fmt, file=str(out))
    if str(out) == "-" and isinstance(content, str):
        result.text, result.written = content, True
        return result
    try:
        if isinstance(content, str):
            write_text(out, content)
        else:
            write_bytes(out, content)
    except OSError as exc:   # name the report, not the temporary file beside it
        raise CannotContinue(f"无法写入 {out}：{os_reason(exc)}", code="WRITE-FAILED") from None
    result.written = True
    return result
