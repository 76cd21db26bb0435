"""A merge's rows per unit drafted as the units arrive (writer/drafts.py): the merged workbook
written from them is the workbook written at the end, part for part and byte for byte; when
the units in the total are not exactly the ones drafted, the drafts are dropped, never half used."""
from __future__ import annotations

import random
import shutil
import sys
import tempfile
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # benchmarks/ beside tests/

from benchmarks.balanced import balanced_report  # noqa: E402
from xlsx_reports import api  # noqa: E402
from xlsx_reports.merge.workbooks import merge_files  # noqa: E402
from xlsx_reports.xlsx.meta import DETAIL_SHEET, TEXTS_SHEET  # noqa: E402
from xlsx_reports.xlsx.writer import drafts as drafts_module  # noqa: E402
from xlsx_reports.xlsx.writer import write_workbook  # noqa: E402
from xlsx_reports.xlsx.writer.merged import detail_column, write_merged  # noqa: E402
from xlsx_reports.xlsx.writer.rowbyrow import RowByRow  # noqa: E402

KEY = "t3.new.natural"


def make_unit(folder: Path, unit: str, year: int, seed: int, **values) -> Path:
    report = balanced_report(unit, year, random.Random(seed))
    report.values.update(values)
    path = folder / f"{unit}.xlsx"
    write_workbook(report, path)
    return path


def drafted_merge(folder: Path, **options):
    """merge_files with the rows drafted as in api.merge: (result, drafts or None)."""
    made: list = []
    result = merge_files([folder], unit="洛江区", summed=api._drafting(made), **options)
    return result, (made[0] if made else None)


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def written(result, drafts, folder: Path, *, sealed: bool = False) -> Path:
    """The merged workbook written with the drafts (deflated ahead, when sealed, as api.merge
    does), asserted equal to the one written at the end."""
    out, at_end = folder / "out.xlsx", folder / "at_end.xlsx"
    try:
        if sealed:
            drafts.seal()
        write_merged(result, out, drafts=drafts)
    finally:
        drafts.close()
    write_merged(result, at_end)
    assert parts(out) == parts(at_end)
    return out


@pytest.fixture
def splices(monkeypatch) -> list[int]:
    """The first row of every set of drafted rows a merged sheet took."""
    taken: list[int] = []
    splice = RowByRow.splice

    def spy(self, first_row, rows):
        taken.append(first_row)
        splice(self, first_row, rows)
    monkeypatch.setattr(RowByRow, "splice", spy)
    return taken


@pytest.mark.parametrize("year, sealed", [(2020, False), (2021, False), (2021, True)])
def test_the_workbook_written_from_drafted_rows_is_the_one_written_at_the_end(tmp_path, splices, year, sealed,
                                                                              monkeypatch):
    """Sealed: the drafted rows deflated in a thread ahead of the write and spliced into their
    members as raw deflate; the parts read back (CRC-checked) are the same bytes all the same."""
    from xlsx_reports.xlsx.writer.literal import Deflated
    deflated: list[int] = []
    splice = Deflated.splice
    monkeypatch.setattr(Deflated, "splice", lambda self, member: (deflated.append(self.size), splice(self, member)))
    towns = tmp_path / "towns"
    towns.mkdir()
    make_unit(towns, "甲镇", year, 1, **{"s1.text": "第一段\n第二段", "t2.fees.amount": Decimal("0.25")})
    make_unit(towns, "乙镇", year, 2, **{KEY: "十二"})   # text in a numeric cell: written cell by cell
    make_unit(towns, "丙镇", year, 3, **{"s1.text": "<r>坏<x>&amp;</r>"})   # shaped like markup
    make_unit(towns, "丁镇", year, 4, **{"s1.text": "甲" * 20_000})   # past the rendered path's length
    result, drafts = drafted_merge(towns, allow_errors=True)
    assert drafts is not None and len(drafts.files) == 4
    drafted = written(result, drafts, tmp_path, sealed=sealed)
    assert splices == [4, 2]   # 分单位明细 from row 5, 各单位文字材料 from row 3
    assert len(deflated) == (2 if sealed else 0) and all(deflated)
    with zipfile.ZipFile(drafted) as z:
        assert z.testzip() is None
    ws = openpyxl.load_workbook(drafted)[DETAIL_SHEET]
    assert [ws[f"A{r}"].value for r in range(5, 10)] == [s.label for s in result.included] + ["合计"]
    assert ws[f"{detail_column(result.report.form, KEY)}{5 + [s.unit for s in result.included].index('乙镇')}"
              ].value == "十二"


def test_drafts_are_dropped_when_a_drafted_unit_is_left_out_at_the_end(tmp_path, splices):
    for seed, name in enumerate(("甲镇", "乙镇", "丙镇")):
        make_unit(tmp_path, name, 2021, seed)
    shutil.copy(tmp_path / "乙镇.xlsx", tmp_path / "乙镇（副本）.xlsx")   # summed and drafted, then refused
    result, drafts = drafted_merge(tmp_path)
    assert len(drafts.files) == 4 and sorted(s.unit for s in result.included) == ["丙镇", "甲镇"]
    out = written(result, drafts, tmp_path)
    assert splices == []
    ws = openpyxl.load_workbook(out)[DETAIL_SHEET]
    assert [ws[f"A{r}"].value for r in range(5, 8)] == [s.label for s in result.included] + ["合计"]


def test_drafts_of_a_year_that_is_not_merged_are_not_used(tmp_path, splices):
    make_unit(tmp_path, "丙镇", 2020, 5)   # arrives first: its kind is drafted
    for seed, name in enumerate(("甲镇", "乙镇")):
        make_unit(tmp_path, name, 2021, seed)
    result, drafts = drafted_merge(tmp_path)
    assert drafts.kind == (2020, "2019") and result.report.year == 2021
    out = written(result, drafts, tmp_path)
    assert splices == []
    texts = openpyxl.load_workbook(out)[TEXTS_SHEET]
    assert {texts[f"A{r}"].value for r in range(3, texts.max_row + 1)} == {"甲镇", "乙镇"}


def test_a_draft_that_cannot_be_written_leaves_the_rows_to_the_end(tmp_path, splices, monkeypatch):
    for seed, name in enumerate(("甲镇", "乙镇", "丙镇")):
        make_unit(tmp_path, name, 2021, seed)
    calls = []
    write_row = drafts_module.write_detail_row

    def full_disk(*args):
        calls.append(args)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        write_row(*args)
    monkeypatch.setattr(drafts_module, "write_detail_row", full_disk)
    result, drafts = drafted_merge(tmp_path)
    assert drafts.failed and len(calls) == 2   # nothing drafted after the failure
    out = written(result, drafts, tmp_path)
    assert splices == []


def test_api_merge_drafts_the_rows_and_leaves_no_temporary_files(tmp_path, splices, monkeypatch):
    towns = tmp_path / "towns"
    towns.mkdir()
    for seed, name in enumerate(("甲镇", "乙镇")):
        make_unit(towns, name, 2021, seed)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    out = tmp_path / "total.xlsx"
    result = api.merge([towns], unit="洛江区", output=out, jobs=1)
    assert splices == [4, 2]
    assert list(scratch.iterdir()) == []
    ws = openpyxl.load_workbook(out)[DETAIL_SHEET]
    assert [ws[f"A{r}"].value for r in range(5, 8)] == [s.label for s in result.included] + ["合计"]
