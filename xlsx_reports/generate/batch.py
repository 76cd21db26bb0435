"""Generating blank workbooks: one unit (`new`) or every unit of a roster (`batch`).

Each workbook is written atomically, and the manifest (unit → file → format → fingerprint
→ workbook_id) is rewritten atomically after every workbook, so an interrupted run leaves
only complete files and a manifest that lists exactly those.
"""
from __future__ import annotations


import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable, Mapping

from xlsx_reports.core import csvsafe
from xlsx_reports.core.atomic import write_bytes
from xlsx_reports.core.encodings import CSV_OUTPUT
from xlsx_reports.form.definitions import FORMATS, ROSTER_COLUMNS, format_for_year, get_form
from xlsx_reports.core.findings import CannotContinue
from xlsx_reports.core.parallel import run
from xlsx_reports.form.model import Form
from xlsx_reports.xlsx.meta import Metadata
from xlsx_reports.form.types import text_problem
from xlsx_reports.form.values import Report
from xlsx_reports.generate.prefill import Prefill, prefill_from_file
from xlsx_reports.generate.stamp import stamp_workbook
from xlsx_reports.core.roster import Roster, RosterEntry, shown, unit_problem

MANIFEST = "manifest.csv"
MANIFEST_EVERY = 50   # files between rewrites of the manifest while a batch runs
MANIFEST_HEAD = ("单位名称", "文件", "格式", "指纹", "工作簿编号")
RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"} | {
    f"{p}{i}" for p in ("COM", "LPT") for i in range(10)}
FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
MAX_NAME_BYTES = 180


def choose_form(year: int, fmt: str | None = None) -> Form:
    """The form for a report year; a format that does not fit the year is refused."""
    if year < 2019:
        raise CannotContinue(f"{year} 年度没有适用的格式：本工具支持 2019 年度起的年度报告"
                             "（2019 版格式用于 2019、2020 年度，2021 版格式用于 2021 年度起）", code="YEAR-RANGE")
    if year > date.today().year + 1:   # a typo (2204 for 2024) would go to every township
        raise CannotContinue(f"{year} 年度还没有到：请检查年度（今年是 {date.today().year} 年）", code="YEAR-RANGE")
    proper = get_form(format_for_year(year))
    if fmt is None or fmt == proper.format:
        return proper
    if fmt not in FORMATS:
        raise CannotContinue(f"没有“{fmt}”版格式：可选 {'、'.join(FORMATS)}", code="FORMAT-UNKNOWN")
    wrong = get_form(fmt)
    raise CannotContinue(
        f"{year} 年度的报告应使用 {proper.format} 版格式（{proper.basis}），不能使用 {wrong.format} 版格式"
        f"（{wrong.basis}，适用于 {_years(wrong)}）", code="OPTION-CONFLICT")


def _years(form: Form) -> str:
    if form.last_year is None:
        return f"{form.first_year} 年度起"
    return f"{form.first_year}–{form.last_year} 年度"


def info_values(form: Form, extra: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """Roster columns whose header is the label of a 基本信息 input (e.g. 联系人) prefill it;
    a value the cell would refuse is left out, with a note saying why."""
    out, notes = {}, []
    for f in form.inputs:
        names = (f.labels[-1], ROSTER_COLUMNS.get(f.key, ""))
        text = next((extra[n] for n in names if n in extra), None) if f.table == "info" else None
        if text is None:
            continue
        problem = text_problem(f.type, text) or f.choice_problem(text)
        if problem:
            notes.append(f"名单中的{f.labels[-1]}“{text}”{problem}，未预填")
        else:
            out[f.key] = text
    return out, notes


@dataclass
class Generated:
    unit: str
    path: Path
    metadata: Metadata
    prefill: Prefill | None = None
    notes: list[str] = field(default_factory=list)


def new_workbook(unit: str, year: int, out, *, fmt: str | None = None, previous=None,
                 password: str | None = None, deadline: str | None = None,
                 info: Mapping[str, str] | None = None) -> Generated:
    from xlsx_reports.xlsx.writer import write_workbook

    report, _, notes = blank_report(unit, year, fmt, info)
    done = prefill_from_file(report, previous) if previous else None
    metadata = write_workbook(report, out, password=password, deadline=deadline,
                              prefilled=done.keys if done else ())
    return Generated(report.unit, Path(out), metadata, done, notes + (list(done.notes) if done else []))


def blank_report(unit: str, year: int, fmt: str | None,
                  info: Mapping[str, str] | None) -> tuple[Report, dict[str, str], list[str]]:
    """A unit's report before anything is filled from last year: name, year, the 基本信息 items
    from the roster (those used, and notes on those left out)."""
    unit = unit.strip()
    if not unit:
        raise CannotContinue("单位名称不能为空", code="UNIT-NAME")
    if unit_problem(unit):
        raise CannotContinue(f"单位名称“{shown(unit)}”{unit_problem(unit)}，请改正后重试", code="UNIT-NAME")
    form = choose_form(year, fmt)
    report = Report.blank(unit, year, form.format)
    values, notes = info_values(form, info or {})
    report.values.update(values)
    return report, values, notes


def blank_workbook(unit: str, year: int, out, *, fmt: str | None = None, password: str | None = None,
                   deadline: str | None = None, info: Mapping[str, str] | None = None) -> Generated:
    """`new_workbook` without last year's workbook, stamped from a template when it can be
    (generate/stamp.py: the same package, a few milliseconds instead of ~30)."""
    report, values, notes = blank_report(unit, year, fmt, info)
    metadata = stamp_workbook(report, out, filled=values, password=password, deadline=deadline)
    if metadata is None:
        return new_workbook(unit, year, out, fmt=fmt, password=password, deadline=deadline, info=info)
    return Generated(report.unit, Path(out), metadata, None, notes)


# --- file names ------------------------------------------------------------------------

def safe_filename(unit: str, year: int) -> str:
    """A file name for a unit that is valid on Windows, macOS and Linux and stays in its folder."""
    name = unicodedata.normalize("NFC", unit)
    name = re.sub(r"\.{2,}", "_", FORBIDDEN.sub("_", name))
    name = re.sub(r"_+", "_", name).strip(" ._\u3000") or "单位"
    while len(name.encode("utf-8")) > MAX_NAME_BYTES:
        name = name[:-1]
    if name.split(".")[0].upper() in RESERVED:
        name = "_" + name
    return f"{name}_{year}.xlsx"


def plan_files(roster: Roster, year: int, outdir: Path) -> list[tuple[RosterEntry, Path]]:
    """One distinct path inside outdir per unit (names that clash after cleaning get -2, -3 …)."""
    outdir = outdir.resolve()
    used: set[str] = set()
    plan = []
    for entry in roster.units:
        base = safe_filename(entry.name, year)
        name, n = base, 1
        while name.casefold() in used:
            n += 1
            name = base.replace(".xlsx", f"-{n}.xlsx")
        used.add(name.casefold())
        path = (outdir / name).resolve()
        if path.parent != outdir:  # cannot happen after cleaning; a last line of defence
            raise CannotContinue(f"单位“{entry.name}”的文件名不安全", code="UNIT-NAME")
        plan.append((entry, path))
    return plan


# --- previous year ---------------------------------------------------------------------

class PreviousIndex:
    """Finds last year's workbook of a unit in a folder: by file name, else by metadata."""

    def __init__(self, folder: Path, year: int):
        self.folder, self.year = Path(folder), year
        self._by_unit: dict[str, Path] | None = None
        if not self.folder.is_dir():
            raise CannotContinue(f"上年报表文件夹 {folder} 不存在", code="NOT-FOUND")

    def find(self, unit: str) -> Path | None:
        direct = self.folder / safe_filename(unit, self.year)
        if direct.is_file():
            return direct
        return self._scan().get(unit)

    def _scan(self) -> dict[str, Path]:
        if self._by_unit is None:
            from xlsx_reports.core.inputs import XLSX, folder_files
            from xlsx_reports.xlsx.reader import read_workbook
            self._by_unit = {}
            for path in folder_files(self.folder, XLSX, recursive=False):
                try:
                    meta = read_workbook(path).metadata
                except CannotContinue:
                    continue
                if meta and meta.year == self.year:
                    self._by_unit.setdefault(meta.unit, path)
        return self._by_unit


# --- the batch -------------------------------------------------------------------------

@dataclass
class BatchResult:
    generated: list[Generated]
    manifest: Path


def manifest_text(rows: list[Generated], outdir: Path) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(MANIFEST_HEAD)
    for g in rows:
        writer.writerow(csvsafe.row((g.unit, g.path.relative_to(outdir).as_posix(), g.metadata.format,
                                     g.metadata.fingerprint, g.metadata.workbook_id)))
    return buf.getvalue()


def _make_one(order) -> Generated:
    """One workbook of a batch (run in a worker process): prefilled from last year's if it can be."""
    unit, year, path, last, options, folder = order
    if last is None:
        g = blank_workbook(unit, year, path, **options)
    else:
        try:
            g = new_workbook(unit, year, path, previous=last, **options)
        except CannotContinue as exc:
            g = blank_workbook(unit, year, path, **options)
            g.notes.append(f"{last.name} 不能用于预填，已生成未预填的工作簿：{exc}")
    if folder is not None and last is None:
        g.notes.append(f"未找到 {unit} {year - 1} 年度的工作簿（在 {folder} 中），未预填")
    return g


def run_batch(roster: Roster, year: int, outdir, *, fmt: str | None = None, previous_dir=None,
              password: str | None = None, deadline: str | None = None, force: bool = False,
              progress: Callable[[Generated], None] | None = None) -> BatchResult:
    outdir = Path(outdir)
    choose_form(year, fmt)
    plan = plan_files(roster, year, outdir)
    existing = [p.name for _, p in plan if p.exists()]
    if existing and not force:
        raise CannotContinue(f"输出文件夹 {outdir} 中已有同名文件：{'、'.join(existing[:5])}"
                             f"{' 等' if len(existing) > 5 else ''}（共 {len(existing)} 个）。"
                             "为免覆盖已填好的工作簿，请换一个输出文件夹，或加 --force 覆盖", code="OUTPUT-EXISTS")
    index = PreviousIndex(previous_dir, year - 1) if previous_dir else None
    outdir.mkdir(parents=True, exist_ok=True)
    manifest = outdir / MANIFEST
    options = dict(fmt=fmt, password=password, deadline=deadline)
    orders = [(entry.name, year, path, index.find(entry.name) if index else None,
               dict(options, info=entry.extra), str(index.folder) if index else None)
              for entry, path in plan]
    done: list[Generated] = []

    def finished(count: int, total: int, g: Generated) -> None:
        done.append(g)
        # the manifest follows the work, so an interrupted batch still says what was made
        if count < MANIFEST_EVERY or count % MANIFEST_EVERY == 0 or count == total:
            write_bytes(manifest, manifest_text(done, outdir.resolve()).encode(CSV_OUTPUT))
        if progress:
            progress(g)

    run(_make_one, orders, progress=finished)
    return BatchResult(done, manifest)
