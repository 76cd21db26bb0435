"""The ledger: one SQLite file, and every SQL statement of the workspace in this module.

Moving the ledger to a server database (a province collecting centrally) means
reimplementing this module's Ledger class on that database's driver; nothing else in the
package speaks SQL. The schema is versioned with PRAGMA user_version and migrated on open;
a file that is not a ledger, is damaged or was written by a newer version is refused and
never written to.
"""
from __future__ import annotations

import json
from decimal import Decimal
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

from xlsx_reports.core.findings import CannotContinue, dumps

LEDGER_FILE = "ledger.sqlite3"
APPLICATION_ID = 0x786C7372          # "xlsr": tells our ledger from any other SQLite file
BUSY_MS = 60_000                      # a concurrent intake holds the write lock for milliseconds

# MIGRATIONS[n] brings a ledger from schema n to n + 1; append, never edit a released one.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT)",
        """CREATE TABLE units (
            name TEXT PRIMARY KEY, position INTEGER NOT NULL, line INTEGER NOT NULL,
            workbook_id TEXT, blank TEXT, token TEXT UNIQUE)""",
        """CREATE TABLE receipts (
            id INTEGER PRIMARY KEY, receipt TEXT NOT NULL UNIQUE, sha256 TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL, stored TEXT NOT NULL, received TEXT NOT NULL, unit TEXT,
            decision TEXT NOT NULL, late INTEGER NOT NULL, version INTEGER,
            errors INTEGER NOT NULL, warnings INTEGER NOT NULL, findings TEXT NOT NULL,
            UNIQUE (unit, version))""",
        "CREATE INDEX receipts_unit ON receipts (unit, version)",
        """CREATE TABLE merges (
            id INTEGER PRIMARY KEY, made TEXT NOT NULL, output TEXT NOT NULL,
            allow_errors INTEGER NOT NULL, sources TEXT NOT NULL)""",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)

RECEIPT_COLUMNS = ("id", "receipt", "sha256", "name", "stored", "received", "unit", "decision",
                   "late", "version", "errors", "warnings", "findings")
COLUMNS = ", ".join(RECEIPT_COLUMNS)


class Ledger:
    """A connection to one workspace's ledger; every method is one short transaction."""

    def __init__(self, conn: sqlite3.Connection, path: Path):
        self.conn, self.path = conn, path
        self.lock = threading.RLock()   # a web server may share one Workspace between threads

    # --- opening ------------------------------------------------------------------------

    @classmethod
    def create(cls, folder: Path) -> "Ledger":
        path = Path(folder) / LEDGER_FILE
        if path.exists():
            raise CannotContinue(f"{folder} 中已有台账 {LEDGER_FILE}：这个文件夹已经是工作区，"
                                 "请换一个文件夹，或直接用它接收报表")
        return cls._connect(path, create=True)

    @classmethod
    def open(cls, folder: Path) -> "Ledger":
        path = Path(folder) / LEDGER_FILE
        if not path.is_file():
            raise CannotContinue(f"{folder} 不是工作区（没有台账 {LEDGER_FILE}）："
                                 "请先用 xlsx-reports workspace init 建立工作区")
        return cls._connect(path, create=False)

    @classmethod
    def _connect(cls, path: Path, *, create: bool) -> "Ledger":
        mode = "rwc" if create else "rw"   # "rw": opening never creates or replaces a file
        try:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode={mode}", uri=True,
                                   timeout=BUSY_MS / 1000, isolation_level=None,
                                   check_same_thread=False)
        except sqlite3.Error as exc:
            raise CannotContinue(f"无法打开台账 {path}：{exc}") from None
        ledger = cls(conn, path)
        try:
            ledger._prepare(create)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise CannotContinue(f"台账 {path} 已损坏，无法读取（{exc}）：未作任何改动。"
                                 "请从备份恢复该文件，或另建工作区后重新接收报表") from None
        except CannotContinue:
            conn.close()
            raise
        return ledger

    def _prepare(self, create: bool) -> None:
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        app = self.conn.execute("PRAGMA application_id").fetchone()[0]
        if not create and (app != APPLICATION_ID or version == 0):
            raise CannotContinue(f"{self.path} 不是本工具的台账：未作任何改动")
        if version > SCHEMA_VERSION:
            raise CannotContinue(f"台账 {self.path} 由更新版本的 xlsx-reports 建立（结构版本 {version}，"
                                 f"本程序只认识到 {SCHEMA_VERSION}）：未作任何改动，请升级本程序后再用")
        if not create:
            check = self.conn.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise sqlite3.DatabaseError(check)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=FULL")
        self.conn.execute(f"PRAGMA busy_timeout={BUSY_MS}")
        if version < SCHEMA_VERSION:
            self._migrate(version)

    def _migrate(self, version: int) -> None:
        with self.transaction():
            # read again under the write lock: another process may have migrated meanwhile
            current = self.conn.execute("PRAGMA user_version").fetchone()[0]
            for steps in MIGRATIONS[current:]:
                for statement in steps:
                    self.conn.execute(statement)
            self.conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
            self.conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE: the write lock is taken at the start, so two intakes never both
        read "version 2 is free" and then collide."""
        with self.lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    def _rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self.lock:
            return self.conn.execute(sql, params).fetchall()

    # --- settings and units -------------------------------------------------------------

    def set_settings(self, values: dict[str, Any]) -> None:
        with self.transaction() as c:
            c.executemany("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
                          [(k, json.dumps(v, ensure_ascii=False)) for k, v in values.items()])

    def set_deadline(self, deadline: str | None, late: Callable[[str], bool]) -> int:
        """The deadline changed, and every receipt's late mark (`late(received)`) with it, in
        one transaction; returns how many marks changed."""
        with self.transaction() as c:
            c.execute("INSERT OR REPLACE INTO settings (key, value) VALUES ('deadline', ?)",
                      (json.dumps(deadline),))
            changed = [(int(late(received)), rid) for rid, received, was in
                       c.execute("SELECT id, received, late FROM receipts").fetchall()
                       if bool(was) != late(received)]
            c.executemany("UPDATE receipts SET late = ? WHERE id = ?", changed)
            return len(changed)

    def settings(self) -> dict[str, Any]:
        return {k: json.loads(v) for k, v in self._rows("SELECT key, value FROM settings")}

    def add_units(self, rows: list[dict[str, Any]]) -> None:
        with self.transaction() as c:
            c.executemany("INSERT INTO units (name, position, line, workbook_id, blank, token) "
                          "VALUES (:name, :position, :line, :workbook_id, :blank, :token)", rows)

    def units(self) -> list[dict[str, Any]]:
        cur = self._rows("SELECT name, line, workbook_id, blank, token FROM units ORDER BY position")
        return [dict(zip(("name", "line", "workbook_id", "blank", "token"), r)) for r in cur]

    def set_token(self, unit: str, token: str) -> None:
        with self.transaction() as c:
            c.execute("UPDATE units SET token = ? WHERE name = ?", (token, unit))

    # --- receipts -----------------------------------------------------------------------

    def receipt_by_sha(self, sha256: str) -> dict[str, Any] | None:
        rows = self._rows(f"SELECT {COLUMNS} FROM receipts WHERE sha256 = ?", (sha256,))
        return _receipt(rows[0]) if rows else None

    def record(self, entry: dict[str, Any], counted: bool) -> tuple[dict[str, Any], bool]:
        """Insert a receipt; a counted one gets the unit's next version number. Returns the
        row and True, or the row already holding this content and False (a duplicate)."""
        with self.transaction() as c:
            row = c.execute(f"SELECT {COLUMNS} FROM receipts WHERE sha256 = ?",
                            (entry["sha256"],)).fetchone()
            if row:
                return _receipt(row), False
            version = None
            if counted:
                version = c.execute("SELECT COALESCE(MAX(version), 0) + 1 FROM receipts "
                                    "WHERE unit = ?", (entry["unit"],)).fetchone()[0]
            values = dict(entry, version=version, late=int(entry["late"]),
                          findings=dumps(entry["findings"], indent=None))
            names = [k for k in RECEIPT_COLUMNS if k != "id"]
            c.execute(f"INSERT INTO receipts ({', '.join(names)}) VALUES "
                      f"({', '.join(':' + k for k in names)})", values)
            row = c.execute(f"SELECT {COLUMNS} FROM receipts WHERE sha256 = ?",
                            (entry["sha256"],)).fetchone()
            return _receipt(row), True

    def receipts_of(self, unit: str) -> list[dict[str, Any]]:
        """Every receipt naming a unit: its versions first (oldest first), then files that
        were not counted as its version (another unit's upload link)."""
        rows = self._rows(f"SELECT {COLUMNS} FROM receipts WHERE unit = ? "
                          "ORDER BY version IS NULL, version, id", (unit,))
        return [_receipt(r) for r in rows]

    def current_versions(self) -> dict[str, dict[str, Any]]:
        """{unit: its newest counted version}."""
        rows = self._rows(f"SELECT {COLUMNS} FROM receipts r WHERE version = "
                          "(SELECT MAX(version) FROM receipts WHERE unit = r.unit)")
        return {row["unit"]: row for row in map(_receipt, rows)}

    def version_counts(self) -> dict[str, int]:
        return dict(self._rows("SELECT unit, COUNT(*) FROM receipts WHERE version IS NOT NULL "
                               "GROUP BY unit"))

    def uncounted(self) -> list[dict[str, Any]]:
        """Receipts that are no unit's version: outside the roster, wrong unit, unknown unit."""
        rows = self._rows(f"SELECT {COLUMNS} FROM receipts WHERE version IS NULL ORDER BY id")
        return [_receipt(r) for r in rows]

    def all_receipts(self) -> list[dict[str, Any]]:
        return [_receipt(r) for r in self._rows(f"SELECT {COLUMNS} FROM receipts ORDER BY id")]

    # --- merges -------------------------------------------------------------------------

    def record_merge(self, made: str, output: str, allow_errors: bool, sources: list[dict]) -> None:
        with self.transaction() as c:
            c.execute("INSERT INTO merges (made, output, allow_errors, sources) VALUES (?, ?, ?, ?)",
                      (made, output, int(allow_errors), json.dumps(sources, ensure_ascii=False)))

    def last_merge(self) -> dict[str, Any] | None:
        rows = self._rows("SELECT made, output, allow_errors, sources FROM merges "
                          "ORDER BY id DESC LIMIT 1")
        if not rows:
            return None
        row = rows[0]
        return {"made": row[0], "output": row[1], "allow_errors": bool(row[2]),
                "sources": json.loads(row[3])}


def _receipt(row: tuple) -> dict[str, Any]:
    out = dict(zip(RECEIPT_COLUMNS, row))
    out["late"] = bool(out["late"])
    out["findings"] = json.loads(out["findings"], parse_float=Decimal)   # amounts stay exact
    return out
