"""An annotated copy of a returned workbook, to send straight back to the township.

The copy is regenerated from the form and the values read (never the original re-saved,
which would lose validations and cached results): every offending cell is highlighted and
carries a comment with the finding and the value judged. The mark is a conditional format
that holds only while the finding does (the cell still holds the judged value, or the
form's rule is still broken), so a corrected cell loses it in Excel, WPS and LibreOffice. Findings that point at no input cell (a renamed sheet,
removed protection) are gathered in a comment on the unit name in 基本信息.
"""
from __future__ import annotations

from pathlib import Path

from xlsx_reports.core.findings import SEVERITY_TEXT, CannotContinue, Finding
from xlsx_reports.xlsx.reader import Reading
from xlsx_reports.xlsx.writer import Mark, write_workbook

GENERAL_KEY = "info.unit"
COMMENT_MAX = 2000     # characters; spreadsheet comments get unwieldy beyond this


def cell_comments(reading: Reading, findings: list[Finding]) -> dict[tuple[str, str], str]:
    """{(form sheet, A1 in the regenerated workbook): comment text} for the findings; the
    comment ends with the value the cell held, so the township sees what was judged."""
    form = reading.form
    assert form is not None   # annotate() refuses a reading without a form
    assert reading.report is not None   # or without a report
    at = {(c.sheet, c.a1): key for key, c in reading.cells.items()}
    notes: dict[tuple[str, str], list[str]] = {}
    shown: dict[tuple[str, str], str] = {}
    for f in findings:
        text = f"【{SEVERITY_TEXT[f.severity]} {f.code}】{f.message}" + (f"\n处理：{f.advice}" if f.advice else "")
        keys = [at[(f.sheet, cell)] for cell in f.cells if (f.sheet, cell) in at]
        if not keys:
            keys = [GENERAL_KEY]
        for key in keys:
            field = form.field(key)
            spot = (field.sheet, field.a1)
            notes.setdefault(spot, []).append(text)
            if field.kind == "input" and key != GENERAL_KEY:
                shown[spot] = f"\n\n批注时该格的值：{_shown(reading.report.values.get(key))}"
    return {spot: _clip("\n\n".join(dict.fromkeys(texts)) + shown.get(spot, ""))
            for spot, texts in notes.items()}


def live_marks(reading: Reading, findings: list[Finding]) -> dict[tuple[str, str], Mark]:
    """How each annotated input cell is marked so the mark goes once the cell is corrected:
    ("rule", None) when every finding on it is one of the form's checks (the 校验
    highlight, a live formula, marks it while the rule is broken); else ("value", v): marked
    while the cell still holds v, the value that was judged. Cells left out (totals,
    labels, the general note) keep a fixed mark: a regenerated workbook cannot change them."""
    form = reading.form
    assert form is not None and reading.report is not None   # annotate() refuses a reading without them
    at = {(c.sheet, c.a1): key for key, c in reading.cells.items()}
    rules = {(c.code, k.lstrip("-")) for c in form.checks for k in c.keys}
    kinds: dict[str, set[str]] = {}
    for f in findings:
        for cell in f.cells:
            key = at.get((f.sheet, cell))
            if key is not None and key != GENERAL_KEY and form.field(key).kind == "input":
                kinds.setdefault(key, set()).add("rule" if (f.code, key) in rules else "value")
    out: dict[tuple[str, str], Mark] = {}
    for key, found in kinds.items():
        field = form.field(key)
        value = reading.report.values.get(key)
        out[(field.sheet, field.a1)] = ("value", value) if "value" in found else ("rule", None)
    return out


def _shown(value) -> str:
    if value is None or value == "":
        return "空白"
    text = str(value)
    return f"“{text[:40]}…”（共 {len(text)} 字）" if len(text) > 40 else f"“{text}”"


def _clip(text: str) -> str:
    return text if len(text) <= COMMENT_MAX else text[: COMMENT_MAX - 1] + "…"


def annotate(reading: Reading, findings: list[Finding], out_dir: str | Path) -> Path:
    """Writes <out_dir>/<name>_批注.xlsx and returns its path."""
    if reading.form is None or reading.report is None:
        raise CannotContinue(f"{reading.path.name}：无法定位表格，不能生成批注版", code="ANNOTATE-FAILED")
    out_dir = Path(out_dir)
    target = out_dir / f"{reading.path.stem}_批注.xlsx"
    if target.resolve() == reading.path.resolve():
        raise CannotContinue(f"批注版不能覆盖原文件：{reading.path}", code="OUTPUT-IS-INPUT")
    meta = reading.metadata
    if meta is not None and meta.fingerprint != reading.form.fingerprint:
        meta = None  # altered metadata is not carried over; the copy gets fresh, true metadata
    write_workbook(reading.report, target, metadata=meta,
                   annotations=cell_comments(reading, findings), marks=live_marks(reading, findings))
    return target
