"""Received files: limits on size and kind, spooled inside the workspace, each through intake.

The name the browser sends is only recorded (as the original name), never used as a path:
the bytes go to a random name in the workspace's incoming folder and from there through the
ledger's intake into its store.
"""
from __future__ import annotations

import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from flask import Request, current_app
from werkzeug.datastructures import FileStorage

from xlsx_reports.web.views import intake_view

# Old Excel, WPS and macro workbooks are let through: the intake names what they are and what
# to do, which helps the township more than a refusal here would.
ACCEPTED = (".xlsx", ".xlsm", ".xls", ".et")
MAX_FILE_BYTES = 20 * 1024 * 1024           # a filled return is ~100 KB; 20 MB is generous
MAX_REQUEST_BYTES = 200 * 1024 * 1024       # a batch dropped onto the district page at once
MAX_FILES = 200
SPOOL_IN_MEMORY = 1024 * 1024


class WorkspaceRequest(Request):
    """Spools large upload parts into the workspace's incoming folder, not the system temp."""

    def _get_file_stream(self, total_content_length, content_type, filename=None,
                         content_length=None):
        folder = current_app.extensions["xlsx_reports"].incoming
        return tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY, mode="rb+", dir=folder)


@dataclass
class Refused:
    """A file turned away before intake (wrong kind, too large): never stored."""
    name: str
    reason: str

    def as_json(self) -> dict[str, Any]:
        return {"file": self.name, "unit": None, "decision": "refused", "label": self.reason,
                "late": False, "version": None, "errors": 0, "warnings": 0, "findings": []}


def original_name(storage: FileStorage) -> str:
    """The file's own name without any folder a browser may have sent with it."""
    raw = storage.filename or ""
    return PureWindowsPath(PurePosixPath(raw).name).name.strip() or "未命名文件"


def _refusal(name: str) -> str | None:
    if Path(name).suffix.lower() not in ACCEPTED:
        return (f"“{name}”不是 Excel 工作簿，未接收：请上传下发的填报表（.xlsx），"
                "不要上传 Word、PDF、压缩包或图片。")
    return None


def receive(site, files: list[FileStorage], *, unit: str | None = None) -> list[dict[str, Any]]:
    """Each file through intake (for a township, `unit` is the only unit it may send);
    one JSON-ready result per file, in the order given."""
    results = []
    for storage in files[:MAX_FILES]:
        results.append(_receive_one(site, storage, unit))
    for storage in files[MAX_FILES:]:
        results.append(Refused(original_name(storage), f"一次最多上传 {MAX_FILES} 个文件，"
                               "其余请分批上传。").as_json())
    return results


def _receive_one(site, storage: FileStorage, unit: str | None) -> dict[str, Any]:
    name = original_name(storage)
    reason = _refusal(name)
    if reason:
        return Refused(name, reason).as_json()
    part = site.incoming / f"{secrets.token_hex(16)}{Path(name).suffix.lower()}"
    try:
        size = _save(storage, part)
        if size > MAX_FILE_BYTES:
            return Refused(name, f"“{name}”超过 {MAX_FILE_BYTES // (1024 * 1024)} MB，未接收："
                           "填报表一般只有几百 KB，请确认上传的是填报表。").as_json()
        result = site.call(lambda ws: ws.intake([part], names=[name], expect_unit=unit)[0])
        view = intake_view(result)
        view["file"] = name
        return view
    finally:
        part.unlink(missing_ok=True)


def _save(storage: FileStorage, part: Path) -> int:
    """Copy at most one byte past the limit (enough to know it is too large)."""
    size = 0
    with part.open("wb") as out:
        while chunk := storage.stream.read(64 * 1024):
            size += len(chunk)
            if size > MAX_FILE_BYTES:
                break
            out.write(chunk)
    return size
