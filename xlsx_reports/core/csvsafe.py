"""CSV cells that a spreadsheet will not run (OWASP "CSV injection").

Excel, WPS and LibreOffice treat a cell starting with =, +, -, @ (and a leading tab or carriage
return before one) as a formula, so a unit named "=HYPERLINK(…)" in an exported CSV would run
when an analyst opens it. Such text gets a leading apostrophe, which the spreadsheet shows as
text; numbers, including negative ones, stay numbers.
"""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def cell(value: Any) -> Any:
    """The value as it is safe to write into a CSV cell."""
    if isinstance(value, (bool, int, float, Decimal)) or value is None:
        return value
    text = str(value)
    if text.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def row(values) -> list[Any]:
    return [cell(v) for v in values]


def restored(text: str) -> str:
    """A name read back from a CSV this tool wrote (batch's manifest used as the roster)."""
    if text.startswith("'") and text[1:].startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(text[1:]):
        return text[1:]
    return text
