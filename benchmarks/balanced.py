"""Random filled reports that satisfy every rule of their form (for samples, benchmarks, tests).

Values are drawn small and mostly zero, like a township's; then each Check of the form is
satisfied by raising (or zeroing) one input, repeatedly until all hold, so the generator
follows the form definition instead of restating its rules.
"""
from __future__ import annotations

import random
from decimal import Decimal

from xlsx_reports.form.model import Check, Field
from xlsx_reports.form.values import Report

PHRASES = ("全面推进政务公开", "严格落实信息发布审核制度", "及时回应群众关切", "加强政府网站信息公开专栏建设",
           "依法依规办理政府信息公开申请", "开展政务公开业务培训", "公开内容的针对性和实效性有待加强")


def balanced_report(unit: str, year: int, rng: random.Random, *, busy: float = 0.3,
                    most: int = 30) -> Report:
    """A report of `unit` for `year` with random values: `busy` is the share of non-zero cells,
    `most` the largest count drawn (sums and balancing may exceed it)."""
    report = Report.blank(unit, year)
    for f in report.form.numeric_inputs:
        report.values[f.key] = _draw(f, rng, busy, most)
    _satisfy_all(report)
    for f in report.form.inputs:
        if f.type == "longtext":
            report.values[f.key] = f"{unit}" + "，".join(rng.sample(PHRASES, 3)) + "。"
    report.values.update({"info.office": "党政办", "info.contact": "张三",
                          "info.phone": "0595-22771234", "info.website": "http://www.example.gov.cn",
                          "info.date": f"{year + 1}-01-15"})
    return report


def _draw(f: Field, rng: random.Random, busy: float, most: int) -> int | Decimal:
    if rng.random() >= busy:
        return Decimal(0) if f.type == "money" else 0
    if f.type == "money":
        places = 4 if f.unit == "万元" else 2
        return Decimal(rng.randint(0, 10 ** (4 + places) - 1)).scaleb(-places)
    if f.type == "signed":
        return rng.randint(-most, most)
    return rng.randint(0, most)


def _satisfy_all(report: Report) -> None:
    for _ in range(10):
        if not any([_satisfy(report, c) for c in report.form.checks]):
            return
    raise AssertionError("the form's checks could not all be satisfied")


def _inputs(report: Report, terms: tuple[str, ...]) -> list[str]:
    """The input keys among `terms` that are added (not subtracted)."""
    return [t for t in terms if not t.startswith("-") and report.form.field(t).kind == "input"]


def _satisfy(report: Report, check: Check) -> bool:
    """Make `check` hold by changing one input; True when something changed."""
    left = report.total(check.left)
    # as operators.evaluate: a check without a right side compares with its constant, 0 when none
    right = report.total(check.right) if check.right else (check.const if check.const is not None else 0)
    if check.op == "decimals_le" or (check.op == "lt" and left < right):
        return False
    if check.op == "lt":
        report.values[check.left[0]] = Decimal(right - 1)
        return True
    if check.op == "zero_iff_zero":
        if (left == 0) == (right == 0):
            return False
        for key in check.left + check.right:
            report.values[key] = Decimal(0) if report.form.field(key).type == "money" else 0
        return True
    if check.op == "zero_or_ne":
        if left == 0 or left != right:
            return False
        report.values[check.left[0]] = report.number(check.left[0]) + 1
        return True
    if check.op == "eq" and not check.right:
        if all(report.value(k) == 0 for k in check.left):
            return False
        for key in check.left:
            report.values[key] = 0
        return True
    need_left = {"eq": right - left, "ge": right - left, "le": 0}[check.op]
    need_right = {"eq": left - right, "ge": 0, "le": left - right}[check.op]
    return _raise(report, _inputs(report, check.left), need_left) or \
        _raise(report, _inputs(report, check.right), need_right)


def _raise(report: Report, keys: list[str], amount) -> bool:
    if amount <= 0 or not keys:
        return False
    report.values[keys[0]] = report.number(keys[0]) + amount
    return True
