"""An annotated copy of a returned workbook, to send straight back to the township.

The copy is regenerated from the form and the values read (never the original re-saved,
which would lose validations and cached results): every offending cell is highlighted and
carries a comment with the finding. Findings that point at no input cell (a renamed sheet,
removed protection) are gathered in a comment on the unit name in 基本信息.
"""
from __future__ import annotations

from pathlib import Path

from xlsx_reports.core.findings import SEVERITY_TEXT, CannotContinue, Finding
from xlsx_reports.xlsx.reader import Reading
from xlsx_reports.xlsx.writer import write_workbook

GENERAL_KEY = "info.unit"
COMMENT_MAX = 2000     # characters; spreadsheet comments get unwieldy beyond this


def cell_comments(reading: Reading, findings: list[Finding]) -> dict[tuple[str, str], str]:
    """{(form sheet, A1 in the regenerated workbook): comment text} for the findings."""
    form = reading.form
    assert form is not None   # annotate() refuses a reading without a form
    at = {(c.sheet, c.a1): key for key, c in reading.cells.items()}
    notes: dict[tuple[str, str], list[str]] = {}
    for f in findings:
        text = f"【{SEVERITY_TEXT[f.severity]} {f.code}】{f.message}" + (f"\n处理：{f.advice}" if f.advice else "")
        keys = [at[(f.sheet, cell)] for cell in f.cells if (f.sheet, cell) in at]
        if not keys:
            keys = [GENERAL_KEY]
        for key in keys:
            field = form.field(key)
            notes.setdefault((field.sheet, field.a1), []).append(text)
    return {spot: _clip("\n\n".join(dict.fromkeys(texts))) for spot, texts in notes.items()}


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
                   annotations=cell_comments(reading, findings))
    return target
