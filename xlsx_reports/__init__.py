"""政府信息公开工作年度报告：生成填报表、校验、汇总、出报告 — as a Python library.

The functions below do the work the commands do and return plain objects; see `api`.
"""
from importlib import import_module as _import

__version__ = "0.1.0"

# `check` and `merge` name both a function and a stage package. Importing a package binds it
# on its parent the first time, so the packages are imported before the functions are bound.
for _stage in ("core", "form", "xlsx", "check", "merge", "report", "generate"):
    _import(f"{__name__}.{_stage}")

from xlsx_reports.api import (CheckedFile, CheckResult, Workbook, batch, check, export, merge,  # noqa: E402
                              new, read, render, rules)
from xlsx_reports.core.findings import CannotContinue, Finding  # noqa: E402

__all__ = [
    "__version__", "new", "batch", "read", "check", "merge", "render", "export", "rules",
    "Workbook", "CheckResult", "CheckedFile", "Finding", "CannotContinue",
]
