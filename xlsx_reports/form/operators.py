"""The operators of Form.checks and the one evaluator of a check.

Each operator gives its Python predicate and its spreadsheet formula together, so the
校验 sheet (a live formula) and `check` (Python) apply the same rule. Blanks count as 0,
as in SUM: a rule that fails is ✗ / an error whether or not some of its cells are still
blank (the message says which ones); a rule that holds while some of its cells are blank
is 待填 on the sheet, and `check` reports those blanks as BLANK, not as the rule.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Callable

from xlsx_reports.form import compiled

if TYPE_CHECKING:
    from xlsx_reports.form.model import Check, Field, Form
    from xlsx_reports.form.values import Report

PASS, FAIL, PENDING = "✓", "✗", "待填"
Number = int | Decimal
Sum = Callable[[tuple[str, ...]], Number]   # the sum of a check's side (Report.total)


@dataclass(frozen=True)
class Operator:
    """`holds(left, right)`; `formula` with {left} and {right} (or, `per_cell`, with {cell}
    and {const}: the rule applies to each left cell on its own against the constant)."""
    holds: Callable[[Number, Number], bool]
    formula: str
    text: str = ""
    per_cell: bool = False


def _fits_decimals(value: Number, digits: Number) -> bool:
    return Decimal(value) == round(Decimal(value), int(digits))


OPERATORS: dict[str, Operator] = {
    "eq": Operator(lambda a, b: a == b, "{left}={right}", "应等于"),
    "ge": Operator(lambda a, b: a >= b, "{left}>={right}", "应不小于"),
    "le": Operator(lambda a, b: a <= b, "{left}<={right}", "应不大于"),
    "lt": Operator(lambda a, b: a < b, "{left}<{right}", "应小于"),
    "zero_iff_zero": Operator(lambda a, b: (a == 0) == (b == 0), "({left}=0)=({right}=0)"),
    "zero_or_ne": Operator(lambda a, b: a == 0 or a != b, "OR({left}=0,{left}<>{right})", "却等于"),
    "decimals_le": Operator(_fits_decimals, "ROUND(N({cell}),{const})=N({cell})", per_cell=True),
}


@dataclass(frozen=True)
class Outcome:
    status: str                 # PASS, FAIL or PENDING
    left: Number
    right: Number
    failing: tuple[str, ...]    # per-cell rules: the keys that break it
    blanks: tuple[str, ...]     # input cells behind the rule that are still blank


def input_leaves(form: "Form", keys: tuple[str, ...]) -> list["Field"]:
    """The input cells behind keys: a total stands for the inputs it sums."""
    return list(compiled.input_leaves(form, keys))


def evaluate(check: "Check", report: "Report", total: Sum | None = None) -> Outcome:
    """The one verdict on a check, used by `check` and cached on the 校验 sheet. `total`: how
    a side is summed (values.Sums.total, for many checks of one report), else Report.total."""
    kept, left, right, failing = _verdict(check, report, total or report.total)
    values = report.values
    blanks = tuple(k for k in compiled.input_keys(report.form, check.keys) if values.get(k) in _BLANK)
    status = FAIL if not kept else PENDING if blanks else PASS
    return Outcome(status, left, right, failing, blanks)


def holds(check: "Check", report: "Report", total: Sum | None = None) -> bool:
    """Whether the check holds, blanks as 0: of a check that holds, all `check` needs to know
    (which of its cells are blank matters to the 校验 sheet, and is reported as BLANK)."""
    return _verdict(check, report, total or report.total)[0]


_BLANK = (None, "")


def _verdict(check: "Check", report: "Report", total: Sum) -> tuple[bool, Number, Number, tuple[str, ...]]:
    from xlsx_reports.form.definitions import LEVEL_KEY   # definitions import this module
    op = OPERATORS[check.op]
    const = check.const if check.const is not None else 0
    left = total(check.left)
    right = total(check.right) if check.right else const
    failing: tuple[str, ...]
    if not check.applies(report.values.get(LEVEL_KEY)):   # not this unit's level: holds
        failing, kept = (), True
    elif op.per_cell:
        failing = tuple(k for k in check.left if not op.holds(report.number(k), const))
        kept = not failing
    else:
        failing, kept = (), op.holds(left, right)
    return kept, left, right, failing
