"""`export`: every cell of the form as one record, for analysts (pandas) and other tools.

A record: unit, year, format, key, labels (the statutory path), kind (input / total /
fixed), sheet, cell (A1, as found in the file), value (null when blank). Narrative
sections carry their text in `text` (value stays null). Totals are recomputed from the
inputs, never taken from the file's cached results.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any, Iterable

from xlsx_reports.core import csvsafe
from xlsx_reports.core.findings import CannotContinue, debug_traceback, dumps
from xlsx_reports.core.numbers import plain_number

OUTPUT_FORMATS = ("json", "csv")
FIELDS = ("unit", "year", "format", "key", "labels", "kind", "sheet", "cell", "value", "text")
LABEL_JOIN = " | "
INTERNAL_TEXT = "内部错误，本工具处理该文件时出现程序缺陷，未能导出；请加 --debug 重新运行，把输出和该文件发给维护人员"


def records_of(reading) -> list[dict[str, Any]]:
    report = reading.report
    if report is None or reading.form is None:
        raise CannotContinue(f"{reading.path.name}：无法读取表格数据", code="FILE-NOT-OURS")
    out = []
    for f in reading.form.fields:
        cell = reading.cells.get(f.key)
        value = report.value(f.key)
        record = {"unit": report.unit, "year": report.year, "format": reading.form.format,
                  "key": f.key, "labels": list(f.labels), "kind": f.kind,
                  "sheet": cell.sheet if cell else f.sheet, "cell": cell.a1 if cell else f.a1,
                  "value": None, "text": None}
        if f.type == "longtext":
            record["text"] = None if value is None else str(value)
        else:
            record["value"] = plain_number(value)
        out.append(record)
    return out


def output_format(fmt: str | None, output, inputs: Iterable) -> str:
    """json or csv: as asked, else by the output file's extension. An output that is one of
    the workbooks (a slip of -o) would replace a township's return with text: refused."""
    if output is None or str(output) == "-":   # standard output
        return fmt or "json"
    out = Path(output)
    if any(out.resolve() == Path(i).resolve() for i in inputs):
        raise CannotContinue(f"输出文件 {output} 就是要导出的工作簿：请另取一个以 .json 或 .csv 结尾的文件名", code="OUTPUT-IS-INPUT")
    suffix = out.suffix.lower().lstrip(".")
    if suffix not in OUTPUT_FORMATS:
        raise CannotContinue(f"导出文件应以 .json 或 .csv 结尾：{output}", code="OUTPUT-SUFFIX")
    if fmt and fmt != suffix:
        raise CannotContinue(f"--format {fmt} 与输出文件的扩展名 .{suffix} 不符：{output}", code="OPTION-CONFLICT")
    return suffix


def export_records(paths: Iterable, problems: list[str] | None = None) -> list[dict[str, Any]]:
    """Records of every readable workbook; with `problems`, a file that cannot be read adds
    one Chinese line there (naming it) and the others are still exported."""
    from xlsx_reports.core.files import working_on
    from xlsx_reports.xlsx.reader import read_workbook  # raises UnreadableWorkbook with the file's name

    records: list[dict[str, Any]] = []
    for path in paths:
        try:
            with working_on(path):
                records += records_of(read_workbook(path))
        except CannotContinue as exc:
            if problems is None:
                raise
            name = Path(path).name
            problems.append(str(exc) if str(exc).startswith(name) else f"{name}：{exc}")
        except Exception as exc:  # noqa: BLE001 - a fault of this program stops only this file
            if problems is None:
                raise
            debug_traceback(exc)
            problems.append(f"{Path(path).name}：{INTERNAL_TEXT}")
    return records


def to_json(records: list[dict[str, Any]]) -> str:
    return dumps(records, indent=1) + "\n"


def to_csv(records: list[dict[str, Any]]) -> str:
    """CSV for Excel and pandas: labels joined by " | ", blank as an empty field, text that
    a spreadsheet would run as a formula neutralised (core/csvsafe.py)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, FIELDS, lineterminator="\n")
    writer.writeheader()
    for r in records:
        row = dict(r, labels=LABEL_JOIN.join(r["labels"]))
        writer.writerow({k: ("" if row[k] is None else csvsafe.cell(row[k])) for k in FIELDS})
    return buf.getvalue()
