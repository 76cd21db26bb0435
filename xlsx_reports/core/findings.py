"""Problems as data: a finding names the rule, where it is, both sides and what to do."""
from __future__ import annotations

import json
import math
import os
import sys
import traceback
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any, Iterable, Literal

from xlsx_reports.core.files import NotRegular

Severity = Literal["error", "warning"]
SEVERITY_TEXT = {"error": "错误", "warning": "提示"}


class CannotContinue(Exception):
    """Raised only when the work cannot go on at all; the message is for the user (Chinese).

    `code` is stable, for callers to branch on (a `refusal` code of check.catalogue).
    """

    def __init__(self, message: str = "", code: str = "CANNOT-CONTINUE") -> None:
        super().__init__(message)
        self.code = code


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
    reason: str = ""   # UNREADABLE: the refusal code of why (FILE-FOREIGN, FILE-CORRUPT …)

    def __post_init__(self) -> None:
        _check_code(self.code, self.severity)

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
        out = {k: data[k] for k in ("code", "severity", "sheet", "cells", "message",
                                    "expected", "actual", "advice")}
        if self.reason:
            out["reason"] = self.reason
        return out


def os_reason(exc: OSError) -> str:
    """Why the system refused a file, in words a township clerk can act on."""
    if isinstance(exc, NotRegular):
        return str(exc.strerror)
    if isinstance(exc, FileNotFoundError):
        return "文件或文件夹不存在，请检查路径"
    if isinstance(exc, PermissionError):
        return "没有读写权限（文件可能正在 Excel/WPS 中打开，或文件夹只读）"
    if isinstance(exc, IsADirectoryError):
        return "这是一个文件夹，不是文件"
    if isinstance(exc, (NotADirectoryError, FileExistsError)):
        return "路径中有一部分是文件，不是文件夹"
    return f"系统错误：{exc.strerror or exc}"


def _check_code(code: str, severity: str) -> None:
    """The catalogue is authoritative: a known code with another severity is a programming
    error. An unknown code is tolerated for users but refused under XLSX_REPORTS_STRICT
    (set by the test suite), so every code a test reaches must be catalogued."""
    from xlsx_reports.check.catalogue import RULES   # the catalogue imports nothing back

    rule = RULES.get(code)
    if rule is not None and rule.severity != severity:
        raise ValueError(f"finding {code} is an {rule.severity} in the catalogue, not {severity}")
    if rule is None and os.environ.get("XLSX_REPORTS_STRICT"):
        raise ValueError(f"finding code {code} is not in xlsx_reports/check/catalogue.py")


def json_value(v: Any) -> Any:
    """Whole Decimals become ints; other Decimals stay Decimal so that `dumps` writes them as
    exact JSON numbers ("0.35", never 0.35000000000000003); also inside lists and dicts;
    anything else JSON cannot hold becomes its text."""
    if isinstance(v, Decimal):
        if not v.is_finite():
            return str(v)
        return int(v) if v == v.to_integral_value() else v
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


_MARK = "\x00decimal:"


class _ExactEncoder(json.JSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, Decimal):
            return f"{_MARK}{o}\x00"
        return super().default(o)


def dumps(data: Any, indent: int | None = 2) -> str:
    """JSON text with every Decimal written as the exact number it is (JSON numbers have no
    precision limit; only the float detour loses digits). Workbook text never holds NUL,
    so the marker cannot collide with a real string."""
    text = json.dumps(data, ensure_ascii=False, indent=indent, cls=_ExactEncoder)
    escaped = json.dumps(_MARK)[1:-1]
    while (start := text.find('"' + escaped)) >= 0:
        end = text.index('\\u0000"', start + 1)
        text = text[:start] + text[start + 1 + len(escaped):end] + text[end + 7:]
    return text


def has_errors(findings: Iterable["Finding"]) -> bool:
    return any(f.severity == "error" for f in findings)
