"""One served workspace: the ledger, the folders the web side writes into, and its locks.

Uploads are spooled into the workspace's own incoming folder (never the system temp folder)
and handed to the ledger's intake, which keeps them in its store; the web side's outputs
(total, report, zip of blank workbooks, exports) go to one output folder of the workspace.
A download is served only when its resolved path lies inside the workspace.
"""
from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, TypeVar

from xlsx_reports.core.findings import CannotContinue
from xlsx_reports.ledger import Workspace
from xlsx_reports.ledger.db import Ledger
from xlsx_reports.web.jobs import Jobs
from xlsx_reports.web.security import Gate

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
