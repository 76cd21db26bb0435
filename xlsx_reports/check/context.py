"""What every rule needs: the reading, where a key was found, and how to word a finding."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Iterable

from xlsx_reports.core.findings import Finding, Severity
from xlsx_reports.form.model import Field
from xlsx_reports.form.values import Sums
from xlsx_reports.xlsx.reader import Reading


@dataclass
class Context:
    reading: Reading
    # False: a check for errors alone (the merge's); a rule, or part of one, that can only warn
    # is not applied (check_reading)
    warnings: bool = True

    @property
    def form(self):
        return self.reading.form

    @property
    def report(self):
        return self.reading.report

    @cached_property
    def sums(self) -> Sums:
        """The report's totals, worked out once for all the rules."""
        return Sums(self.report)

    @property
    def file(self) -> str:
        return str(self.reading.path)

    def located(self, keys: Iterable[str]) -> bool:
        return all(k.lstrip("-") in self.reading.cells for k in keys)

    def value(self, key: str) -> Any:
        """An input as meant (None blank, str text) or a total recomputed from the inputs."""
        key = key.lstrip("-")
        totals = self.sums.totals
        return totals[key] if key in totals else self.report.value(key)

    def sheet_of(self, key: str) -> str:
        cell = self.reading.cells.get(key.lstrip("-"))
        return cell.sheet if cell else self.form.field(key).sheet

    def a1(self, key: str) -> str:
        """Where the cell was found; one whose labels were not found (STRUCTURE says so) is
        named by its place in the form."""
        cell = self.reading.cells.get(key.lstrip("-"))
        return cell.a1 if cell else self.form.field(key).a1

    def where(self, key: str) -> str:
        return f"{self.sheet_of(key)}!{self.a1(key)}"

    @staticmethod
    def path(f: Field) -> str:
        """The cell's full row and column labels: 三、本年度办理结果／（一）予以公开／商业企业."""
        return "／".join(f.labels)

    def finding(self, code: str, severity: Severity, message: str, keys: Iterable[str], *,
                expected=None, actual=None, advice: str = "") -> Finding:
        # a cell whose labels were not found has its own STRUCTURE finding: name the others
        keys = [k for k in (k.lstrip("-") for k in keys) if k in self.reading.cells]
        cells = tuple(dict.fromkeys(self.a1(k) for k in keys))
        sheet = self.sheet_of(keys[0]) if keys else ""
        return Finding(code, severity, message, file=self.file, sheet=sheet, cells=cells,
                       expected=expected, actual=actual, advice=advice, unit=self.report.unit)

    def sheet_finding(self, code: str, severity: Severity, message: str, sheet: str,
                      cells: Iterable[str] = (), *, expected=None, actual=None,
                      advice: str = "") -> Finding:
        return Finding(code, severity, message, file=self.file, sheet=sheet, cells=tuple(cells),
                       expected=expected, actual=actual, advice=advice, unit=self.report.unit)
