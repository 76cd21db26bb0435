"""One served workspace: the ledger, the folders the web side writes into, and its locks.

Uploads are spooled into the workspace's own incoming folder (never the system temp folder)
and handed to the ledger's intake, which keeps them in its store; the web side's outputs
(total, report, zip of blank workbooks, exports) go to one output folder of the workspace.
A download is served only when its resolved path lies inside the workspace.
"""
from __future__ import annotations

import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, TypeVar

from xlsx_reports.check.workbook import check_file
from xlsx_reports.core.findings import CannotContinue, debug_traceback
from xlsx_reports.form.definitions import FORMATS
from xlsx_reports.form.values import Report
from xlsx_reports.ledger import Workspace
from xlsx_reports.ledger.db import Ledger
from xlsx_reports.web.jobs import Jobs
from xlsx_reports.web.security import Gate
from xlsx_reports.xlsx.writer import write_workbook

WARM_TEXT = ("本年度共收到政府信息公开申请12件，其中自然人申请10件、法人或其他组织申请2件；"
             "办结12件，结转下年度0件；收取费用0元。行政复议1件，行政诉讼0件。")
INCOMING = ".web-incoming"    # uploads in flight; emptied at start (a killed server leaves parts)
OUTPUTS = "网页导出"           # what the pages make for download


T = TypeVar("T")


@dataclass
class Site:
    """The ledger is used from one thread only: its SQLite connection belongs to the thread
    that opened it, and one workspace object opened once means the recovery on open runs once,
    never beside an intake in flight. Intake takes ~0.2 s a workbook, so the queue stays short."""
    root: Path
    gate: Gate
    jobs: Jobs = field(default_factory=Jobs)
    _thread: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="ledger"))
    _workspace: Workspace | None = None

    @classmethod
    def open(cls, root: str | Path, password: str | None = None) -> "Site":
        root = Path(root).resolve()
        site = cls(root, Gate(password))
        site._workspace = site._thread.submit(Workspace.open, root).result()
        shutil.rmtree(site.incoming, ignore_errors=True)
        site.incoming.mkdir(parents=True, exist_ok=True)
        site.outputs.mkdir(parents=True, exist_ok=True)
        site._thread.submit(warm_up, site.incoming / "warm-up")   # ahead of any upload, not waited for
        return site

    @property
    def incoming(self) -> Path:
        return self.root / INCOMING

    @property
    def outputs(self) -> Path:
        return self.root / OUTPUTS

    def call(self, work: Callable[[Workspace], T]) -> T:
        """Run work(workspace) on the ledger's thread and wait for its answer."""
        assert self._workspace is not None   # set by Site.open
        return self._thread.submit(work, self._workspace).result()

    def aside(self, work: Callable[[Workspace], T]) -> T:
        """Run long work (a merge, an export) on a connection of its own in the calling
        thread, so uploads are not kept waiting behind it. SQLite's WAL lets it read beside
        the intakes; the recovery on open is not run again (the ledger thread's open did it,
        and it must never run beside an intake in flight)."""
        workspace = Workspace(self.root, Ledger.open(self.root))
        try:
            return work(workspace)
        finally:
            workspace.close()

    def close(self) -> None:
        self._thread.shutdown(wait=True)

    def inside(self, path: str | Path) -> Path:
        """The path, resolved, when it lies in the workspace; anything else is refused."""
        resolved = Path(path).resolve()
        if not resolved.is_relative_to(self.root) or not resolved.is_file():
            raise CannotContinue("文件不在工作区中，不能下载")
        return resolved

    def output(self, name: str) -> Path:
        """A file the pages made, by its bare name (no folders)."""
        if Path(name).name != name or name.startswith("."):
            raise CannotContinue("文件名无效")
        return self.inside(self.outputs / name)


_WARM = threading.Lock()   # taken by the first warm-up and never given back: once per process
# a value of each kind of text input, as a finished return holds it
WARM_VALUES = {"phone": "0595-22039158", "url": "https://example.gov.cn/", "text": "党政办"}


def warm_up(folder: Path) -> None:
    """What the first check in a process pays once, paid at the server's start instead of by
    the first township: the prose rules imported and their patterns compiled, each form's
    tables worked out, and the parts and cells a filled workbook of each format shares with
    every return written by this tool remembered (a first upload's check took ~22 ms, the
    next ones ~2: benchmarks/bench_first_upload.py). Once per process; a failure here only
    leaves the first upload slower."""
    if not _WARM.acquire(blocking=False):
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for fmt in FORMATS:
            path = folder / f"{fmt}.xlsx"
            write_workbook(_warm_report(fmt), path)
            check_file(path)
    except Exception as exc:  # noqa: BLE001 - warming only saves time; the server must run regardless
        debug_traceback(exc)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _warm_report(fmt: str) -> Report:
    """Every input filled, as a finished return fills it."""
    report = Report.blank("预热", 2020 if fmt == "2019" else 2024, fmt)
    for f in report.form.inputs:
        if f.type in ("count", "signed"):
            report.values[f.key] = 1
        elif f.type == "money":
            report.values[f.key] = Decimal(1)
        elif f.type == "longtext":
            report.values[f.key] = WARM_TEXT
        elif f.type == "date":
            report.values[f.key] = f"{report.year + 1}-01-20"
        elif f.type in WARM_VALUES and not report.values.get(f.key):
            report.values[f.key] = WARM_VALUES[f.type]
    return report
