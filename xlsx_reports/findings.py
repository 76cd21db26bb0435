"""Problems as data: a finding names the rule, where it is, both sides and what to do."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any, Literal

Severity = Literal["error", "warning"]
SEVERITY_TEXT = {"error": "错误", "warning": "提示"}


class CannotContinue(Exception):
    """Raised only when the work cannot go on at all; the message is for the user (Chinese)."""


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    message: str
    file: str = ""
    sheet: str = ""
    cells: tuple[str, ...] = ()
    expected: Any = None
    actual: Any = None
    advice: str = ""
    unit: str = ""

    @property
    def where(self) -> str:
        if not self.sheet:
            return ""
        return f"{self.sheet}!{','.join(self.cells)}" if self.cells else self.sheet

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["cells"] = list(self.cells)
        for side in ("expected", "actual"):
            data[side] = json_value(data[side])
        return {k: data[k] for k in ("code", "severity", "sheet", "cells", "message",
                                     "expected", "actual", "advice")}


def json_value(v: Any) -> Any:
    """Decimals become exact strings-free numbers where possible (JSON has no decimal type)."""
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    return v


def has_errors(findings) -> bool:
    return any(f.severity == "error" for f in findings)
