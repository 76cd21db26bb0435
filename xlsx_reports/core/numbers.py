"""How a number is written: in a report, a message, a JSON record, an Excel cell.

Values are int or Decimal (money keeps its decimals exactly); blank is None, not 0.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any


def number_text(n: Decimal | int) -> str:
    """12, 9.63211, 39340 — never an exponent, never trailing zeros (5.00 -> 5)."""
    if isinstance(n, Decimal):
        n = n.normalize()
        return str(int(n)) if n == n.to_integral_value() else format(n, "f")
    return str(n)


def cell_text(value: Any) -> str:
    """A cell's value as printed in a report: blank stays blank, numbers as number_text."""
    if value is None:
        return ""
    if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
        return number_text(value)
    return str(value)


def excel_number(value: Any) -> Any:
    """What an Excel writer stores: Decimal as float (xlsx keeps IEEE doubles), the rest as is."""
    return float(value) if isinstance(value, Decimal) else value


def plain_number(value: Any) -> Any:
    """A value for JSON/CSV: a whole Decimal as int, other Decimals stay exact Decimals
    (core.findings.dumps writes them as exact JSON numbers, CSV as their text)."""
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return int(value)
    return value


def decimals(value: Decimal | int) -> int:
    """Digits after the point that matter: 9.63210 -> 4, 12 -> 0."""
    if not isinstance(value, Decimal):
        return 0
    exponent = value.normalize().as_tuple().exponent
    assert isinstance(exponent, int)   # a finite Decimal ('n', 'N', 'F': NaN, sNaN, Infinity)
    return max(0, -exponent)
