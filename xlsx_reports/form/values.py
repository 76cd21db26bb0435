"""A report's values: what a unit entered for one year, keyed by the form's stable keys.

Totals are never stored: `value()` recomputes them from the inputs through the form's
definition, exactly as the workbook's formulas do (a blank term counts as 0, like SUM).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from xlsx_reports.form.compiled import Combination, combination, derived
from xlsx_reports.form.definitions import format_for_year, get_form
from xlsx_reports.form.model import Form

Number = int | Decimal


def is_number(v: Any) -> bool:
    """Whether a value counts in a sum: a whole number or a decimal, not a boolean (SUM skips
    text, blanks and TRUE/FALSE)."""
    return isinstance(v, (int, Decimal)) and not isinstance(v, bool)


def period_text(year: int) -> str:
    return f"{year}年1月1日至{year}年12月31日"


def coerce(value_type: str, value: Any) -> Any:
    """Plain data to the value a cell of that type holds (int for counts, Decimal for money)."""
    if value is None or value == "":
        return None
    if value_type in ("count", "signed"):
        return int(value)
    if value_type == "money":
        return Decimal(str(value))
    return value


@dataclass
class Report:
    form: Form
    unit: str
    year: int
    values: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def blank(cls, unit: str, year: int, fmt: str | None = None) -> "Report":
        report = cls(get_form(fmt or format_for_year(year)), unit, year)
        report.values.update({"info.unit": unit, "info.year": year, "info.period": period_text(year)})
        return report

    def value(self, key: str) -> Any:
        """The value of any field: an input as entered (None when blank), a total recomputed."""
        f = self.form.field(key)
        if f.kind == "total":
            return self.total(f.terms)
        return self.values.get(f.key)

    def number(self, key: str) -> Number:
        """A numeric value with blank as 0 (for sums); the sign of a "-key" term applied."""
        return self._signed(key)

    def _signed(self, term: str) -> Number:
        v = self.value(term.lstrip("-"))
        v = v if is_number(v) else 0
        return -v if term.startswith("-") else v

    def total(self, keys: tuple[str, ...]) -> Number:
        whole = self._whole_sum(combination(self.form, keys))
        return whole if whole is not None else self._term_by_term(keys)

    def totals(self) -> dict[str, Number]:
        """Every total of the form, recomputed as Report.value recomputes it: a check asks for
        all of them, and their combinations are looked up once, not total by total."""
        values = self.values
        summed, plain = _summed(self.form)
        # the usual report, every input behind a total a whole number or blank: each plain
        # total (every term added once) is one pass in C, where a Python step a term was
        # most of recomputing them; anything else goes term by term as below
        whole_only = _WHOLE_OR_BLANK.issuperset(map(type, map(values.get, summed)))
        out = {}
        for f, terms in _total_combinations(self.form):
            keys = plain.get(f.key) if whole_only else None
            if keys is not None:
                out[f.key] = sum(filter(None, map(values.get, keys)))
                continue
            whole = self._whole_sum(terms)
            out[f.key] = whole if whole is not None else self._term_by_term(f.terms)
        return out

    def _term_by_term(self, keys: tuple[str, ...]) -> Number:
        return sum((self._signed(k) for k in keys), 0)

    def _whole_sum(self, terms: Combination) -> int | None:
        """Σ of a flat combination of inputs (form.compiled) when every number behind it is a
        plain int (then the order of adding cannot matter); None when a Decimal (or another
        kind of number) is among them: those are added term by term as written, so a decimal
        sum rounds, if ever, exactly where it always did."""
        values, acc = self.values, 0
        for key, coef in terms:
            v = values.get(key)
            if type(v) is int:
                acc += coef * v
            elif is_number(v):
                return None
        return acc

    def text(self, key: str) -> str:
        v = self.values.get(key)
        return "" if v is None else str(v)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Report":
        """A report from plain data ({"unit", "year", "format"?, "values": {key: value}}).

        Money may be given as a string so that decimals stay exact; unknown keys are refused.
        """
        report = cls.blank(data["unit"], int(data["year"]), data.get("format"))
        for key, value in data.get("values", {}).items():
            f = report.form.by_key.get(key)
            if f is None or f.kind == "total":
                raise KeyError(f"{key} is not an input of the {report.form.format} format")
            report.values[key] = coerce(f.type, value)
        return report

    def to_dict(self) -> dict[str, Any]:
        values = {k: (str(v) if isinstance(v, Decimal) else v) for k, v in self.values.items()}
        return {"unit": self.unit, "year": self.year, "format": self.form.format, "values": values}

    def all_values(self) -> dict[str, Any]:
        """Every field of the form, totals included, in form order."""
        return {f.key: self.value(f.key) for f in self.form.fields}


class Sums:
    """A report's totals worked out once, and sums of its fields from them: the rules of one
    check ask for each total and for ~20 sums, most of them over totals that stand for dozens
    of inputs each (a side of the form's balance check, flattened, is ~30). For a report whose
    values do not change while it is asked."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.totals = report.totals()

    def total(self, keys: tuple[str, ...]) -> Number:
        """Report.total(keys): whole numbers added from the totals; where a decimal is among
        them, as the report adds it (term by term, rounded where it always was)."""
        values, totals, acc = self.report.values, self.totals, 0
        for term in keys:
            minus = term[0] == "-"
            key = term[1:] if minus else term
            v = totals[key] if key in totals else values.get(key)
            if v.__class__ is not int:
                if is_number(v):
                    return self.report.total(keys)
                continue   # blank or text: 0, as SUM counts it
            acc = acc - v if minus else acc + v
        return acc


_WHOLE_OR_BLANK = frozenset((int, type(None)))   # exactly these: a bool is not a number here


@derived
def _summed(form: Form) -> tuple[tuple[str, ...], dict[str, tuple[str, ...]]]:
    """(every input behind a total, each once; per total whose combination adds each of its
    inputs once (a coefficient of 1 each), those inputs)."""
    behind: dict[str, None] = {}
    plain = {}
    for f, terms in _total_combinations(form):
        behind.update(dict.fromkeys(key for key, _coef in terms))
        if all(coef == 1 for _key, coef in terms):
            plain[f.key] = tuple(key for key, _coef in terms)
    return tuple(behind), plain


@derived
def _total_combinations(form: Form) -> tuple[tuple[Any, Combination], ...]:
    """(field, its flat combination of inputs) of each total, in form order."""
    return tuple((f, combination(form, f.terms)) for f in form.totals)
