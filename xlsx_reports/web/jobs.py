"""Long work (merging, zipping every blank workbook, the district report, the data export) runs
in a background thread; the page polls its progress instead of waiting on one long request
that a browser or proxy might give up on.

A job writes its output into the workspace's output folder and records only that path; the
download route serves nothing else.
"""
from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from xlsx_reports.core.findings import CannotContinue, os_reason

KEEP_FINISHED = 50   # finished jobs remembered for their download links


@dataclass
class Job:
    id: str
    title: str                      # e.g. "汇总全区"
    done: int = 0
    total: int = 0
    step: str = "排队中"
    state: str = "running"          # running | finished | failed
    output: Path | None = None
    notes: list[str] = field(default_factory=list)   # what the clerk should read afterwards
    error: str = ""
    started: float = field(default_factory=time.monotonic)

    def progress(self, done: int, total: int, step: str) -> None:
        self.done, self.total, self.step = done, total, step

    def as_json(self) -> dict:
        return {"id": self.id, "title": self.title, "state": self.state, "done": self.done,
                "total": self.total, "step": self.step, "notes": self.notes, "error": self.error,
                "seconds": round(time.monotonic() - self.started),
                "download": self.output.name if self.output and self.state == "finished" else None}


# work(job) returns the output file (inside the workspace) or None when there is nothing to download
Work = Callable[[Job], "Path | None"]


class Jobs:
    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def start(self, title: str, work: Work) -> Job:
        job = Job(secrets.token_urlsafe(12), title)
        with self._lock:
            self._forget_old()
            self._jobs[job.id] = job
        threading.Thread(target=self._run, args=(job, work), daemon=True,
                         name=f"job-{job.id}").start()
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def _run(self, job: Job, work: Work) -> None:
        try:
            job.output = work(job)
            job.step = "已完成"
            job.state = "finished"
        except CannotContinue as exc:
            job.error, job.state = str(exc), "failed"
        except OSError as exc:
            job.error, job.state = f"无法读写 {exc.filename or ''}：{os_reason(exc)}", "failed"
        except Exception as exc:   # noqa: BLE001 — a bug must reach the page, not kill the thread quietly
            job.error, job.state = f"处理时出现意外错误：{type(exc).__name__}: {exc}", "failed"

    def _forget_old(self) -> None:
        finished = [j for j in self._jobs.values() if j.state != "running"]
        for job in finished[:-KEEP_FINISHED]:
            del self._jobs[job.id]
