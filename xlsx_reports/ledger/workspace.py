"""A workspace: a folder with the ledger, the store of received files and what was handed out.

    DIR/ledger.sqlite3   the ledger (db.py)          DIR/store/   every file received (store.py)
    DIR/下发/             the blank workbooks and their manifest.csv (as `batch` writes them)
    DIR/单位清单.csv      unit, workbook, workbook id and upload token of every unit
    DIR/批注/             annotated copies, made on demand
"""
from __future__ import annotations

import csv
import io
import os
import secrets
from datetime import date, datetime
from pathlib import Path
from typing import Iterable

from xlsx_reports.core.atomic import write_bytes
from xlsx_reports.core.findings import CannotContinue, os_reason
from xlsx_reports.core.roster import Roster, RosterEntry, read_roster
from xlsx_reports.ledger.db import Ledger
from xlsx_reports.ledger.intake import IntakeResult, Season, counted, findings_from_json, is_late, judge
from xlsx_reports.ledger.store import Note, Store, sha256_of, stored_name
from xlsx_reports.ledger import status as status_view

BLANKS = "下发"
UNIT_LIST = "单位清单.csv"
UNIT_LIST_HEAD = ("单位名称", "填报表", "工作簿编号", "上传口令")
ANNOTATED = "批注"
FAULT_ENV = "XLSX_REPORTS_LEDGER_FAULT"   # tests: "point[:n]" kills intake at a named point
DEADLINE_PRINTED = "已下发的填报表上印的仍是原来的截止日期，请另行通知各单位"   # when it moves


def deadline_text(day: date) -> str:
    """A deadline as the blank workbooks print it and the pages show it: 2025年1月20日."""
    return f"{day.year}年{day.month}月{day.day}日"


class Workspace:
    def __init__(self, root: Path, ledger: Ledger):
        self.root, self.ledger, self.store = Path(root), ledger, Store(root)
        self.settings = ledger.settings()
        self.year: int = self.settings["year"]
        self.unit: str | None = self.settings.get("unit")

    @property
    def deadline(self) -> date | None:
        """Read from the ledger each time: a deadline moved by `workspace deadline` holds at
        once for a web server that has the workspace open."""
        deadline = self.ledger.settings().get("deadline")
        return date.fromisoformat(deadline) if deadline else None

    def set_deadline(self, deadline: date | None) -> int:
        """Move (or drop) the deadline: every version received is marked late or not afresh.
        Returns how many marks changed. The blank workbooks handed out keep the date printed
        on them."""
        self.settings["deadline"] = deadline.isoformat() if deadline else None
        return self.ledger.set_deadline(self.settings["deadline"], lambda at: is_late(at, deadline))

    # --- making and opening -------------------------------------------------------------

    @classmethod
    def init(cls, folder, *, roster, year: int, unit: str | None = None,
             deadline: date | None = None, previous_dir=None, password: str | None = None
             ) -> "Workspace":
        from xlsx_reports.generate.batch import run_batch

        root = Path(folder)
        entries = read_roster(roster) if not isinstance(roster, Roster) else roster
        if (root / "ledger.sqlite3").exists():
            Ledger.create(root)   # refuses, with the message
        batch = run_batch(entries, year, root / BLANKS, previous_dir=previous_dir, password=password,
                          deadline=deadline_text(deadline) if deadline else None)
        ledger = Ledger.create(root)
        ledger.set_settings({"year": year, "unit": (unit or "").strip() or None,
                             "deadline": deadline.isoformat() if deadline else None,
                             "roster": Path(entries.path).name,
                             "created": _now()})
        ledger.add_units([{"name": g.unit, "position": i, "line": e.line,
                           "workbook_id": g.metadata.workbook_id,
                           "blank": g.path.relative_to(root.resolve()).as_posix(),
                           "token": secrets.token_urlsafe(16)}
                          for i, (e, g) in enumerate(zip(entries.units, batch.generated))])
        ws = cls(root, ledger)
        ws.store.make()
        ws._write_unit_list()
        return ws

    @classmethod
    def open(cls, folder) -> "Workspace":
        root = Path(folder)
        ws = cls(root, Ledger.open(root))
        ws.store.make()
        ws._recover()
        return ws

    def close(self) -> None:
        self.ledger.close()

    def __enter__(self) -> "Workspace":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- the roster ---------------------------------------------------------------------

    def units(self) -> list[str]:
        return [u["name"] for u in self.ledger.units()]

    def roster(self) -> Roster:
        return Roster(Path(self.settings.get("roster") or "名单.csv"),
                      [RosterEntry(u["name"], u["line"]) for u in self.ledger.units()])

    def blank_workbook(self, unit: str) -> Path:
        return self.root / self._unit_row(unit)["blank"]

    def tokens(self) -> dict[str, str]:
        return {u["name"]: u["token"] for u in self.ledger.units()}

    def unit_for_token(self, token: str) -> str | None:
        for unit, known in self.tokens().items():
            if secrets.compare_digest(known.encode(), (token or "").encode()):
                return unit
        return None

    def reissue_token(self, unit: str) -> str:
        self._unit_row(unit)
        token = secrets.token_urlsafe(16)
        self.ledger.set_token(unit, token)
        self._write_unit_list()
        return token

    def _unit_row(self, unit: str) -> dict:
        for row in self.ledger.units():
            if row["name"] == unit:
                return row
        raise CannotContinue(f"“{unit}”不在本工作区的单位名单中")

    def _write_unit_list(self) -> None:
        buf = io.StringIO()
        out = csv.writer(buf, lineterminator="\r\n")
        out.writerow(UNIT_LIST_HEAD)
        for u in self.ledger.units():
            out.writerow((u["name"], u["blank"], u["workbook_id"], u["token"]))
        write_bytes(self.root / UNIT_LIST, buf.getvalue().encode("utf-8-sig"))

    def season(self) -> Season:
        units = self.ledger.units()
        return Season(self.year, tuple(u["name"] for u in units),
                      {u["workbook_id"]: u["name"] for u in units if u["workbook_id"]},
                      self.deadline)

    # --- intake -------------------------------------------------------------------------

    def intake(self, paths: Iterable, *, names: Iterable[str] | None = None,
               received_at: datetime | None = None, expect_unit: str | None = None
               ) -> list[IntakeResult]:
        """Record, store and check each file (files or folders); see ledger/__init__.py."""
        from xlsx_reports.check.batch import collect

        paths = [Path(p) for p in paths]
        missing = [str(p) for p in paths if not p.exists()]
        if missing:
            raise CannotContinue(f"找不到文件或文件夹：{'、'.join(missing)}")
        if expect_unit is not None:
            self._unit_row(expect_unit)
        files = collect(paths) if names is None else paths
        shown = list(names) if names is not None else [p.name for p in files]
        if len(shown) != len(files):
            raise CannotContinue("文件名的个数与文件个数不一致")
        season = self.season()
        return [self._intake_one(f, n, received_at, expect_unit, season)
                for f, n in zip(files, shown)]

    def _intake_one(self, path: Path, name: str, received_at, expect_unit, season) -> IntakeResult:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CannotContinue(f"无法读取 {path}：{os_reason(exc)}") from None
        sha = sha256_of(data)
        earlier = self.ledger.receipt_by_sha(sha)
        if earlier is not None:
            return self._duplicate(name, earlier)
        received = (received_at or datetime.now()).astimezone().isoformat(timespec="seconds")
        note = self.store.new_note(sha, name, received, expect_unit)
        _fault("noted")
        self.store.put(note, data)
        _fault("stored")
        result = self._settle(note, season, data)
        _fault("recorded")
        return result

    def _settle(self, note: Note, season: Season, data: bytes | None = None) -> IntakeResult:
        """Check a stored file (`data`: the bytes stored, when at hand) and commit its row,
        then drop its note."""
        stored = self.root / note.stored
        entry = judge(stored, note.name, note.received, season, note.expect_unit, data)
        entry.update(receipt=note.receipt, sha256=note.sha256, name=note.name,
                     stored=note.stored, received=note.received)
        row, new = self.ledger.record(entry, counted(entry, season))
        self.store.drop_note(note)
        if not new and row["receipt"] != note.receipt:
            return self._duplicate(note.name, row)
        return self._result(row, row["decision"])

    def _duplicate(self, name: str, earlier: dict) -> IntakeResult:
        result = self._result(earlier, "duplicate")
        result.file = name
        return result

    def _result(self, row: dict, decision: str) -> IntakeResult:
        stored = self.root / row["stored"]
        return IntakeResult(row["name"], row["sha256"], row["unit"], decision, row["late"],
                            findings_from_json(row["findings"], str(stored), row["unit"]),
                            stored, row["version"])

    def _recover(self) -> None:
        """After a kill: a note whose file was stored is recorded now; any other note dropped."""
        self.store.clear_stale_temps()
        self.store.clear_broken_notes()
        season = None
        for note in self.store.notes():
            stored = self.root / note.stored
            if self.ledger.receipt_by_sha(note.sha256) is not None:
                self.store.drop_note(note)
            elif stored.is_file() and sha256_of(stored.read_bytes()) == note.sha256:
                season = season or self.season()
                try:
                    self._settle(note, season)
                except Exception:   # noqa: BLE001 - one bad pick-up must not lock the workspace
                    continue        # the note stays: tried again at the next open
            else:
                self.store.drop_note(note)

    # --- what was received --------------------------------------------------------------

    def status(self) -> dict:
        return status_view.status(self)

    def history(self, unit: str) -> list[dict]:
        return [status_view.version_entry(self, row) for row in self.ledger.receipts_of(unit)]

    def current_file(self, unit: str) -> Path | None:
        row = self.ledger.current_versions().get(unit)
        return self.root / row["stored"] if row else None

    def annotated(self, unit: str, version: int | None = None) -> Path:
        """An annotated copy of a version (the current one by default), made once, on demand."""
        from xlsx_reports.xlsx.annotate import annotate
        from xlsx_reports.xlsx.reader import read_workbook

        rows = [r for r in self.ledger.receipts_of(unit) if r["version"] is not None]
        row = rows[-1] if rows and version is None else next(
            (r for r in rows if r["version"] == version), None)
        if row is None:
            raise CannotContinue(f"“{unit}”没有第 {version} 版" if version else f"“{unit}”尚未报送")
        stored = self.root / row["stored"]
        if row["decision"] == "unreadable":
            raise CannotContinue(f"“{unit}”第 {row['version']} 版（{row['name']}）无法读取，不能生成批注版")
        folder = self.root / ANNOTATED / stored_name(unit) / f"v{row['version']}"
        target = folder / f"{stored.stem}_批注.xlsx"
        if not target.is_file():
            reading = read_workbook(stored)
            annotate(reading, findings_from_json(row["findings"], str(stored), unit), folder)
        return target

    def total_is_stale(self) -> bool:
        return status_view.total_is_stale(self)

    def mergeable(self, allow_errors: bool = False) -> list[dict]:
        """The current version of every roster unit that a merge takes, in roster order."""
        wanted = ("passed", "errors") if allow_errors else ("passed",)
        current = self.ledger.current_versions()
        return [current[u] for u in self.units() if u in current and current[u]["decision"] in wanted]

    def merge(self, output, allow_errors: bool = False, unit: str | None = None):
        """Merge the current passing versions (with allow_errors, also those with errors), as
        `merge` does (api.merge: each unit's rows drafted while the others are read)."""
        from xlsx_reports import api

        unit = (unit or self.unit or "").strip()
        if not unit:
            raise CannotContinue("工作区建立时没有写明汇总单位：请用 --unit 写明（如：洛江区）")
        rows = self.mergeable(allow_errors)
        if not rows:
            raise CannotContinue("还没有可以汇总的报表（没有单位的当前版本通过校验）")
        result = api.merge([self.root / r["stored"] for r in rows], unit=unit, output=output,
                           roster=self.roster(), allow_errors=allow_errors, year=self.year)
        used = {s.sha256 for s in result.included}
        self.ledger.record_merge(_now(), str(Path(output).resolve()), allow_errors,
                                 [{"unit": r["unit"], "version": r["version"], "sha256": r["sha256"]}
                                  for r in rows if r["sha256"] in used])
        return result, Path(output)

    def export_records(self) -> list[dict]:
        """The current readable version of every unit as long-format records (report/export)."""
        from xlsx_reports.report.export import export_records

        current = self.ledger.current_versions()
        return export_records([self.root / current[u]["stored"] for u in self.units()
                               if u in current and current[u]["decision"] != "unreadable"])


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def _fault(point: str) -> None:
    """Test hook: XLSX_REPORTS_LEDGER_FAULT=point:n kills this process (SIGKILL) the n-th
    time intake reaches `point`, so tests can show a kill anywhere leaves nothing half done."""
    wanted = os.environ.get(FAULT_ENV)
    if not wanted:
        return
    name, _, count = wanted.partition(":")
    if name != point:
        return
    left = int(count or 1) - 1
    os.environ[FAULT_ENV] = f"{name}:{left}"
    if left <= 0:
        import signal
        os.kill(os.getpid(), signal.SIGKILL)
