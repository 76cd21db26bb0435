"""Formulas are written exactly as xlsxwriter prepares them, whether or not its 155
substitutions for newer functions are tried (LiteralWorksheet skips them where none matches)."""
from __future__ import annotations

import inspect
import re

import pytest
from xlsxwriter.worksheet import Worksheet

from test_writer_helpers import filled_report
from xlsx_reports.xlsx.writer import literal, write_workbook
from xlsx_reports.xlsx.writer.literal import LiteralWorksheet, _substitutions

# every function name xlsxwriter substitutes, "." standing for any character in its patterns
NAMES = sorted({m.group(1) for m in re.finditer(r're\.sub\(\s*r"\\[bS]([A-Z0-9.]+)\\\(',
                                                inspect.getsource(Worksheet._prepare_formula))})


def _sheets(future: bool) -> tuple[Worksheet, Worksheet]:
    theirs, ours = Worksheet(), LiteralWorksheet()
    theirs.use_future_functions = ours.use_future_functions = future
    return theirs, ours


def _project_formulas(tmp_path, monkeypatch) -> list[str]:
    seen: list[str] = []
    original = Worksheet._prepare_formula

    def spy(self, formula, expand_future_functions=False):
        seen.append(formula)
        return original(self, formula, expand_future_functions)
    monkeypatch.setattr(Worksheet, "_prepare_formula", spy)
    monkeypatch.setattr(literal, "_SUBSTITUTED", None)   # every formula through xlsxwriter, seen
    for fmt in ("2019", "2021"):
        write_workbook(filled_report(fmt), tmp_path / f"{fmt}.xlsx")
    monkeypatch.undo()
    return seen


def test_the_substitutions_are_read_from_xlsxwriter_itself():
    assert len(NAMES) > 100 and "XLOOKUP" in NAMES and "BETA.DIST" in NAMES
    assert literal._SUBSTITUTED is not None
    assert sum(len(p.pattern.split("|")) for p in literal._SUBSTITUTED.values()) == \
        inspect.getsource(Worksheet._prepare_formula).count("re.sub(")


@pytest.mark.parametrize("future", [False, True])
def test_every_formula_is_prepared_as_xlsxwriter_prepares_it(tmp_path, monkeypatch, future):
    tricky = ["{=SUM(A1:A2)}", "=_xlfn.XLOOKUP(A1,B:B,C:C)", "+INGLE(1)", "BETA(DIST(1))", "F1DIST(2)",
              "=LEFT(A1,2)&T.DIST(1,2,TRUE)", "=SUM (A1)", "=\"SORT(\"&A1"]
    for name in NAMES:
        tricky += [f"={name}(A1)", f"=SUM(A1)+{name}(B2)", f"=X{name}(1)", f"=1{name}(1)",
                   f"={name.lower()}(1)", f"={name} (1)", f'="{name}("', f"={name.replace('.', 'Q')}(1)",
                   f"=IF(A1,{name}(A2:A3),0)"]
    formulas = _project_formulas(tmp_path, monkeypatch) + tricky
    theirs, ours = _sheets(future)
    for formula in formulas:
        for expand in (False, True):
            assert ours._prepare_formula(formula, expand) == theirs._prepare_formula(formula, expand), formula


def test_the_forms_formulas_skip_the_substitutions(tmp_path, monkeypatch):
    formulas = _project_formulas(tmp_path, monkeypatch)
    assert len(formulas) > 300 and any("SUM(" in f for f in formulas)
    assert all(literal._untouched(literal._stripped(f)) for f in formulas)
    assert not literal._untouched("XLOOKUP(A1,B:B,C:C)") and not literal._untouched("A1+F1DIST(2)")


def _upper_case(self, formula, expand_future_functions=False):
    formula = re.sub(r"\bSORT\(", "_xlfn._xlws.SORT(", formula)
    formula = formula.upper()
    return formula


def _another_shape(self, formula, expand_future_functions=False):
    formula = re.sub(r"\bSORT\(", "_xlfn._xlws.SORT(", formula)
    formula = re.sub(r"[A-Z]+\(", "X(", formula)
    return formula


def test_a_preparation_doing_anything_else_is_never_second_guessed():
    assert _substitutions(_upper_case) is None
    assert _substitutions(_another_shape) is None
    assert _substitutions(print) is None   # no source at hand
