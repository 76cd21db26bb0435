"""Reads a returned workbook into plain data.

The fast path (fastread) reads the package itself; a file it does not understand is read
with openpyxl instead — two loads (formulas, then cached results) giving each cell's
formula text, stored value and cached result — and `Reading.fallback` says why. Cells are located through the Form named by the workbook's metadata, by
finding the form's labels on the sheets, so inserted rows or a renamed sheet are followed
(and reported) instead of read from the wrong place. Nothing here judges the values:
the checker does. What leaves this module holds no openpyxl object.
"""
from __future__ import annotations

import io
import os
import warnings
import zipfile
from collections import Counter
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Collection, NamedTuple

from xlsx_reports.form.definitions import FORMATS, get_form
from xlsx_reports.xlsx import fastread, limits
from xlsx_reports.xlsx.filetypes import Vetted, vet
from xlsx_reports.xlsx.safexml import UnsafePart
from xlsx_reports.core.findings import CannotContinue, Finding
from xlsx_reports.core.files import as_path
from xlsx_reports.form.model import Form
from xlsx_reports.xlsx.locate import LabelReading, locate_form
from xlsx_reports.xlsx.rawsheet import RawSheet
from xlsx_reports.xlsx.cellvalue import plain_text
from xlsx_reports.xlsx.formcells import CellReading, laid_out, read_cells
from xlsx_reports.xlsx.meta import CHECK_SHEET, DETAIL_SHEET, GUIDE_SHEET, GUIDE_TITLE_CELL, META_SHEET, TOOL_NAME, Metadata
from xlsx_reports.form.values import Report

EXTRA_SHEETS = (DETAIL_SHEET,)
# The 校验 sheet's formulas show the clerk the rules over the form's cells; no reading uses its
# cells (check recomputes every rule from the form's own), only its protection: it is read
# without them (reading its cells took 112 of the 1,755 µs a workbook was checked in, measured
# over the 1,000 workbooks of benchmarks/bench_scale.py).
OUTLINED = (CHECK_SHEET,)
# Set (to anything) in the test suite: a file openpyxl reads but the fast path did not is a bug.
STRICT_ENV = "XLSX_REPORTS_FAST_ONLY"
READS: Counter = Counter()   # "fast" / "fallback" / "refused" in this process


def _standard(fmt: str) -> Form | None:
    """The standard form of a format (get_form builds each once, when first asked: a run of
    2021 returns never builds the 2019 form), or None for a format of no standard form."""
    return get_form(fmt) if fmt in FORMATS else None


class UnreadableWorkbook(CannotContinue):
    """The file cannot be read as one of our workbooks; the message names the file (Chinese)."""


class FastPathMissed(RuntimeError):
    """Raised only under STRICT_ENV: the fast path passed a file to openpyxl, which read it."""


class SheetReading(NamedTuple):   # ten per reading, sent back by every worker: ten tuples
    name: str                        # unpickle in 4.5 µs, ten frozen dataclasses in 16
    state: str               # visible / hidden / veryHidden
    protected: bool
    password: bool           # a protection password is set
    form_sheet: str | None   # the form sheet located on it


@dataclass
class Reading:
    path: Path
    metadata: Metadata | None
    form: Form | None
    report: Report | None
    cells: dict[str, CellReading] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    sheets: list[SheetReading] = field(default_factory=list)
    labels: list[LabelReading] = field(default_factory=list)
    meta_rows: dict[str, str] = field(default_factory=dict)
    # sheet -> (row, col) of its non-empty cells: a view of the sheet's values, turned into
    # addresses only by the one check that may ask (a total referring to a cell off the form)
    filled: dict[str, Collection[tuple[int, int]]] = field(default_factory=dict)
    guide_title: str = ""    # 填报说明!A1, the workbook's printed title (names unit and year)
    # sheets the tool adds that rules read as they are (a merged workbook's 分单位明细)
    extra: dict[str, RawSheet] = field(default_factory=dict)
    fallback: str | None = None   # why openpyxl read it instead of the fast path (Chinese)
    laid_out: bool = False        # every cell of the form found where the form puts it

    # A reading sent back from a worker process names its form instead of carrying a copy of
    # it: ten thousand copies of the same form would be most of a batch's memory. It travels
    # as a tuple of its fields, its path as text and its sheets as plain tuples: a checked
    # workbook's lean reading pickled and unpickled in 46 us as its __dict__, in 35 us so.
    def __reduce__(self) -> tuple:
        state = self.__dict__
        return _unpacked, (str(self.path), _form_name(self.form), pack_report(self.report),
                           [tuple(s) for s in self.sheets],
                           tuple(state[name] for name in _AS_THEY_ARE))


def _unpacked(path: str, form, report, sheets: list[tuple], rest: tuple) -> Reading:
    reading = Reading.__new__(Reading)
    reading.__dict__.update(zip(_AS_THEY_ARE, rest), path=Path(path), form=_named_form(form),
                            report=unpack_report(report), sheets=list(map(SheetReading._make, sheets)))
    return reading


_AS_THEY_ARE = tuple(f.name for f in fields(Reading) if f.name not in ("path", "form", "report", "sheets"))


def _form_name(form: Form | None) -> Form | str | None:
    return form.format if form is not None and form is _standard(form.format) else form


def _named_form(form: Form | str | None) -> Form | None:
    return get_form(form) if isinstance(form, str) else form


def pack_report(report: Report | None):
    """A report as it travels between processes: its form by name when it is a standard one."""
    if report is None or report.form is not _standard(report.form.format):
        return report
    return (report.form.format, report.unit, report.year, report.values)


def unpack_report(packed) -> Report | None:
    if isinstance(packed, tuple):
        fmt, unit, year, values = packed
        return Report(get_form(fmt), unit, year, values)
    return packed


def read_workbook(path, data: bytes | None = None) -> Reading:
    """`data`: the file's bytes when read already (filetypes.read_bounded)."""
    path = as_path(path)
    vetted = vet(path, data)
    if vetted.reason:
        raise UnreadableWorkbook(f"{path.name}：{vetted.reason}",
                                 code="FILE-FOREIGN" if path.exists() else "NOT-FOUND")
    raws, fallback = _load(path, vetted)
    return reading_of(path, raws, fallback)


def reading_of(path: Path, raws: list[RawSheet], fallback: str | None = None) -> Reading:
    """The reading of a workbook whose sheets are loaded: its form located, its cells read."""
    meta_rows = _meta_rows(raws)
    metadata, origin = _metadata(meta_rows, path)
    located = locate_form(raws, metadata.format if metadata else None, path.name,
                          metadata.fingerprint if metadata else None)
    if located is None and metadata is not None:
        raise UnreadableWorkbook(
            f"{path.name}：是本工具下发的填报表，但表格被大幅改动（大部分标签找不到），无法可靠定位数据；"
            "请使用下发的原表重新填写", code="FILE-NOT-OURS")
    if located is None:
        raise UnreadableWorkbook(
            f"{path.name}：不是本工具生成的填报表（没有找到年度报告表格的标签），"
            "请使用区里下发的填报表填写后重新提交", code="FILE-NOT-OURS")
    reading = Reading(path, metadata, located.form, None, meta_rows=meta_rows, fallback=fallback)
    guide = next((r for r in raws if r.name == GUIDE_SHEET), None)
    reading.guide_title = guide.text(*GUIDE_TITLE_CELL) if guide else ""
    reading.extra = {r.name: r for r in raws if r.name in EXTRA_SHEETS}
    reading.findings.extend(origin)
    if metadata and metadata.format != located.form.format:
        reading.findings.append(_origin(
            path, f"元数据标明的表式为 {metadata.format} 版，但表格内容是 {located.form.format} 版",
            expected=metadata.format, actual=located.form.format))
    elif metadata and metadata.fingerprint not in located.form.fingerprints:
        reading.findings.append(_origin(
            path, "元数据中的表式指纹与本工具的表式不一致（工作簿由其他版本生成或元数据被修改）",
            expected=located.form.fingerprint, actual=metadata.fingerprint))
    reading.findings.extend(located.findings)
    reading.labels = located.labels
    reading.sheets = [SheetReading(r.name, r.state, r.protected, r.password,
                                   located.sheet_of.get(r.name)) for r in raws]
    by_name = {r.name: r for r in raws}
    reading.filled = {name: by_name[name].values.keys() for name in located.sheet_of}
    reading.laid_out = laid_out(located.form, located.cells)
    reading.cells, values = read_cells(located.form, located.cells, by_name, reading.laid_out)
    reading.report = _report(values, located.form, metadata)
    return reading


# --- loading ------------------------------------------------------------------------------

def _load(path: Path, vetted: Vetted) -> tuple[list[RawSheet], str | None]:
    """The sheets, and why the fast path handed the file to openpyxl (None when it did not)."""
    try:
        raws, reason = _read_fast(vetted)
        if raws is not None:
            READS["fast"] += 1
            return raws, None
        limits.scan_sheets(vetted.parts)   # what the sheets declare, before openpyxl builds it
    except UnsafePart as exc:
        READS["refused"] += 1
        raise UnreadableWorkbook(f"{path.name}：{exc}；请在 Excel 或 WPS 中打开后另存为 .xlsx 重新提交") from exc
    except limits.Refused as exc:   # as the limits scan refuses (filetypes.vet), what it left to the reader
        READS["refused"] += 1
        raise UnreadableWorkbook(f"{path.name}：{exc}", code="FILE-FOREIGN") from exc
    except zipfile.BadZipFile as exc:
        raise _corrupt(path, exc) from exc
    if vetted.tally is not None and vetted.tally.left:   # what openpyxl reads besides, scanned first
        whole = vet(path, vetted.data, whole=True)
        if whole.reason:
            READS["refused"] += 1
            raise UnreadableWorkbook(f"{path.name}：{whole.reason}", code="FILE-FOREIGN")
    raws = _load_openpyxl(path, vetted.data)
    READS["fallback"] += 1
    if os.environ.get(STRICT_ENV):
        raise FastPathMissed(f"{path}: {reason}")
    return raws, reason


def _read_fast(vetted: Vetted) -> tuple[list[RawSheet] | None, str]:
    """(the sheets, "") or (None, why the fast path passed the file on)."""
    try:
        return fastread.read_parts(vetted.parts, vetted.names, tally=vetted.tally, outlined=OUTLINED), ""
    except (UnsafePart, limits.Refused, zipfile.BadZipFile):
        raise
    except fastread.NotUnderstood as exc:
        return None, str(exc)
    except Exception as exc:  # noqa: BLE001 - whatever it is, openpyxl gets its say
        return None, f"快速读取出错（{type(exc).__name__}）"


def _corrupt(path: Path, exc: BaseException) -> UnreadableWorkbook:
    return UnreadableWorkbook(f"{path.name}：文件已损坏，无法作为 Excel 工作簿打开；"
                              "请重新下载或请报送单位在 Excel 中另存为 .xlsx 后重新提交", code="FILE-CORRUPT")


def _load_openpyxl(path: Path, data: bytes | None = None) -> list[RawSheet]:
    import openpyxl   # only for files the fast path passes on: it costs ~0.2 s to import
    from openpyxl.utils.exceptions import InvalidFileException

    if not openpyxl.DEFUSEDXML:  # pragma: no cover - defusedxml is a declared dependency
        raise ImportError("defusedxml is required so that workbooks are parsed safely")
    try:
        # The bytes, not the path: openpyxl refuses a sound workbook by its name alone (.xls),
        # and the bytes that the limits scan passed are the ones parsed.
        data = path.read_bytes() if data is None else data
        with warnings.catch_warnings():
            # openpyxl warns about extensions it drops; we never save, so they do not matter
            warnings.simplefilter("ignore")
            formulas = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
            cached = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
        return [_raw_sheet(ws, cached[ws.title]) for ws in formulas.worksheets]
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, EOFError) as exc:
        raise _corrupt(path, exc) from exc
    except MemoryError as exc:
        raise UnreadableWorkbook(f"{path.name}：工作簿太大，内存不足以读取；{limits.RESUBMIT}",
                                 code="FILE-CORRUPT") from exc
    except Exception as exc:  # noqa: BLE001 - a malformed part deep inside the package
        if _unsafe_xml(exc):
            raise UnreadableWorkbook(f"{path.name}：{limits.UNSAFE_XML}", code="FILE-UNSAFE") from exc
        raise UnreadableWorkbook(f"{path.name}：工作簿内容有错误（某个部件不符合 Excel 格式），无法读取；"
                                 "请在 Excel 或 WPS 中打开后另存为 .xlsx 重新提交", code="FILE-CORRUPT") from exc


def _unsafe_xml(exc: BaseException | None) -> bool:
    """openpyxl wraps defusedxml's refusal (entities, external references) in a ValueError."""
    from defusedxml import DefusedXmlException

    while exc is not None:
        if isinstance(exc, DefusedXmlException):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _raw_sheet(ws, ws_cached) -> RawSheet:
    raw = RawSheet(name=ws.title, state=ws.sheet_state, protected=bool(ws.protection.sheet),
                   password=bool(ws.protection.password))
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is not None:
                raw.values[(cell.row - 1, cell.column - 1)] = _formula_text(cell.value)
            if not cell.protection.locked:   # locked is Excel's default: only exceptions kept
                raw.locked[(cell.row - 1, cell.column - 1)] = False
            if cell.number_format != "General":
                raw.formats[(cell.row - 1, cell.column - 1)] = cell.number_format
    for row in ws_cached.iter_rows():
        for cell in row:
            if cell.value is not None:
                raw.cached[(cell.row - 1, cell.column - 1)] = cell.value
    for rng in ws.merged_cells.ranges:
        raw.merged.add((rng.min_row - 1, rng.min_col - 1, rng.max_row - 1, rng.max_col - 1))
    for dv in ws.data_validations.dataValidation:
        fact = (dv.type or "any", dv.operator or "", str(dv.formula1 or ""))
        for rng in dv.sqref.ranges:
            for r in range(rng.min_row - 1, rng.max_row):
                for c in range(rng.min_col - 1, rng.max_col):
                    raw.validations[(r, c)] = fact
    return raw


def _formula_text(value: Any) -> Any:
    """Array and data-table formulas come as objects; keep their text only."""
    text = getattr(value, "text", None)
    if isinstance(text, str):
        return text
    return value


# --- metadata ---------------------------------------------------------------------------

def _meta_rows(raws: list[RawSheet]) -> dict[str, str]:
    sheet = next((r for r in raws if r.name == META_SHEET), None)
    if sheet is None:
        return {}
    rows: dict[str, str] = {}
    keys = {r: v for (r, c), v in sheet.values.items() if c == 0}
    for r, key in keys.items():
        value = sheet.values.get((r, 1))
        rows[str(key)] = "" if value is None else plain_text(value)
    return rows


def _metadata(rows: dict[str, str], path: Path) -> tuple[Metadata | None, list[Finding]]:
    if not rows:
        return None, [_origin(path, "工作簿中没有本工具的元数据（隐藏工作表“_meta”缺失），"
                                    "不是本工具下发的填报表或已被改动")]
    try:
        metadata = Metadata.from_rows(rows)
    except (KeyError, ValueError, TypeError):
        return None, [_origin(path, "工作簿的元数据（隐藏工作表“_meta”）不完整或被修改")]
    if metadata.tool != TOOL_NAME or metadata.format not in FORMATS:
        return None, [_origin(path, f"元数据不是本工具写入的（tool={metadata.tool}，"
                                    f"format={metadata.format}）")]
    return metadata, []


def _origin(path: Path, message: str, *, expected=None, actual=None) -> Finding:
    return Finding("ORIGIN", "error", message, file=str(path), sheet=META_SHEET,
                   expected=expected, actual=actual,
                   advice="请使用区里下发的填报表重新填写，或联系区里重新生成本单位的填报表。")


def _report(values: dict[str, Any], form: Form, metadata: Metadata | None) -> Report:
    unit = metadata.unit if metadata else str(values.get("info.unit") or "")
    year = metadata.year if metadata else values.get("info.year")
    if not isinstance(year, int):
        year = form.first_year
    return Report(form, unit, year, values)
