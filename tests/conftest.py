"""Shared test helpers: external programs and the shared/ folder beside the repo."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
IN_CI = os.environ.get("CI", "").lower() == "true"
# every Finding any test produces (also in CLI subprocesses) must be in check/catalogue.py
os.environ["XLSX_REPORTS_STRICT"] = "1"


def need_program(name: str) -> str:
    """Path of an external program; skip without it locally, fail without it in CI."""
    path = shutil.which(name)
    if path:
        return path
    if IN_CI:
        pytest.fail(f"{name} is required in CI but is not installed")
    pytest.skip(f"{name} not installed")


def need_shared(relative: str) -> Path:
    """A file under ../shared; skip cleanly when the shared folder is absent."""
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"{path} not available")
    return path


# Every workbook the tests read goes through the fast reader: a file it hands to openpyxl that
# openpyxl then reads raises FastPathMissed (tests of the fallback itself clear this variable).
os.environ.setdefault("XLSX_REPORTS_FAST_ONLY", "1")
