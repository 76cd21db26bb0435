"""The collection ledger: who has sent what, which version counts, who is late.

A workspace is a folder: an SQLite ledger (db.py holds every SQL statement), a store of every
file ever received by content hash (store.py), the blank workbooks handed out (下发/) and a
unit list with upload tokens (单位清单.csv). The Python API (used by `workspace`, `intake`,
`status`, `merge --workspace`, `export --workspace` and the web page):

    from xlsx_reports.ledger import Workspace, IntakeResult
    ws = Workspace.init(dir, roster=path, year=2024, unit="洛江区" | None,
                        deadline=date | None, previous_dir=None, password=None)
    ws = Workspace.open(dir)      # CannotContinue on a missing, corrupt or newer-schema ledger
    ws.intake(paths, *, names=None, received_at=None, expect_unit=None) -> list[IntakeResult]
        # paths: files or folders; names: original file names of uploaded temporary files
        # (one per path, folders not expanded then); received_at: datetime (default now);
        # expect_unit: the unit of an upload link: a workbook of another unit is refused
        # ("wrong_unit", stored and listed, never a version of either unit)
    IntakeResult: file (original name), sha256, unit | None,
        decision in {"passed","errors","unreadable","outside","duplicate","wrong_unit"},
        late: bool, findings: list[Finding], stored: Path | None, version: int | None
        # duplicate: the content was received before; the fields are those of that receipt
    ws.status() -> dict   # `status --json`: {"year", "unit", "deadline", "units": [{"unit",
        # "status": missing|passed|errors|unreadable, "versions", "errors", "warnings",
        # "received": ISO|None, "late", "file": stored path|None}], "outside": [...],
        # "summary": {"units","received","missing","passed","errors","unreadable","late",
        # "outside","报送率","通过率"}, "stale_total": bool, "total": last merge | None}
        # 报送率 = units that sent / roster units; 通过率 = passed / units that sent
    ws.history(unit) -> list[dict]   # every receipt of the unit, versions oldest first:
        # version, received, name, sha256, decision, late, errors, warnings,
        # findings (Finding.as_json dicts), file
    ws.units() -> list[str]; ws.current_file(unit) -> Path | None; ws.blank_workbook(unit) -> Path
    ws.tokens() -> dict[str, str]; ws.unit_for_token(token) -> str | None
    ws.reissue_token(unit) -> str    # secrets.token_urlsafe; listed in 单位清单.csv
    ws.annotated(unit, version=None) -> Path   # annotated copy (xlsx/annotate.py) in 批注/
    ws.merge(output, allow_errors=False, unit=None) -> (MergeResult, Path)
    ws.total_is_stale() -> bool; ws.export_records() -> list[dict]; ws.close()

A unit's status is that of its newest version; late means that version came after the
deadline day. Duplicates (identical content) change nothing, so intake is idempotent.
"""
from xlsx_reports.ledger.intake import IntakeResult
from xlsx_reports.ledger.workspace import Workspace

__all__ = ["Workspace", "IntakeResult"]
