"""A cell's value as the report means it, read the way the form's value type asks: counts and
money exact, a number typed as text kept as text, text and dates as the spreadsheet shows them."""
from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal, InvalidOperation
from typing import Any

NUMERIC = ("count", "signed", "money")
WHOLE = ("count", "signed")


def meant_value(value_type: str, raw: Any) -> Any:
    """A cell's value in the report: numbers as int/Decimal, text kept as typed, blank None.

    A number stored as text stays a str here: the spreadsheet's SUM ignores it, so the
    report must not silently count it; the checker says which number was meant.
    """
    kind = type(raw)
    if kind is int and value_type in WHOLE or kind is str and raw and value_type not in NUMERIC:
        return raw   # the usual cell, as what follows would give it
    if raw is None or (isinstance(raw, str) and raw == ""):
        return None
    if value_type in NUMERIC:
        if isinstance(raw, bool):
            return "TRUE" if raw else "FALSE"
        if isinstance(raw, (int, float)):
            return number(raw, value_type)
        if isinstance(raw, (dt.datetime, dt.date, dt.time)):
            return raw.isoformat()
        return str(raw)
    return plain_text(raw)


def number(raw: int | float, value_type: str) -> int | Decimal | str:
    if isinstance(raw, int):
        return Decimal(raw) if value_type == "money" else raw
    if not math.isfinite(raw):   # 1e309 in the XML reads as inf: shown as text, never a count
        return "非数字" if math.isnan(raw) else ("超出范围的数字" if raw > 0 else "超出范围的负数")
    try:
        d = Decimal(repr(raw))
    except InvalidOperation:
        return str(raw)
    if value_type != "money" and d == d.to_integral_value():
        return int(d)
    return d


def plain_text(raw: Any) -> str:
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat() if raw.time() == dt.time() else raw.isoformat(sep=" ")
    if isinstance(raw, dt.date):
        return raw.isoformat()
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw)
