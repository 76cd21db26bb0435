"""Problems as data: a finding names the rule, where it is, both sides and what to do."""
from __future__ import annotations

import math
import os
import sys
import traceback
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


def os_reason(exc: OSError) -> str:
    """Why the system refused a file, in words a township clerk can act on."""
    if isinstance(exc, FileNotFoundError):
        return "文件或文件夹不存在，请检查路径"
    if isinstance(exc, PermissionError):
        return "没有读写权限（文件可能正在 Excel/WPS 中打开，或文件夹只读）"
    if isinstance(exc, IsADirectoryError):
        return "这是一个文件夹，不是文件"
    if isinstance(exc, (NotADirectoryError, FileExistsError)):
        return "路径中有一部分是文件，不是文件夹"
    return f"系统错误：{exc.strerror or exc}"


def json_value(v: Any) -> Any:
    """Decimals become numbers (JSON has no decimal type), also inside lists and dicts;
    anything else JSON cannot hold becomes its text."""
    if isinstance(v, Decimal):
        if not v.is_finite():
            return str(v)
        return int(v) if v == v.to_integral_value() else float(v)
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)
    if isinstance(v, (list, tuple)):
        return [json_value(x) for x in v]
    if isinstance(v, dict):
        return {str(k): json_value(x) for k, x in v.items()}
    if v is None or isinstance(v, (str, int, float, bool)):
        return v
    return str(v)


DEBUG_ENV = "XLSX_REPORTS_DEBUG"   # set by the global --debug flag; worker processes inherit it


def debug_traceback(exc: BaseException) -> None:
    """Prints the traceback of an unexpected failure to stderr, only under --debug."""
    if os.environ.get(DEBUG_ENV):
        traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)


def has_errors(findings) -> bool:
    return any(f.severity == "error" for f in findings)
