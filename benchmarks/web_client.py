"""A real `xlsx-reports serve` process and a small client of its JSON API, shared by the web
tests and benchmarks/bench_web.py."""
from __future__ import annotations

import http.cookiejar
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


class Server:
    """`xlsx-reports serve DIR --port 0` as its own process; `url` once it listens."""

    def __init__(self, root: Path, *, extra: tuple[str, ...] = (), env: dict | None = None):
        self.root = root
        command = [sys.executable, "-c", "from xlsx_reports.cli import main_entry; main_entry()",
                   "serve", str(root), "--port", "0", *extra]
        self.errors = tempfile.TemporaryFile()   # a pipe nobody reads could fill and stall it
        self.process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE,
                                        stderr=self.errors, text=True, encoding="utf-8",
                                        env={**os.environ, **(env or {})})
        self.url = self._wait_for_url()

    def _wait_for_url(self, timeout: float = 60) -> str:
        found: list[str] = []

        def read() -> None:
            line = self.process.stdout.readline()
            match = re.search(r"(http://\S+/)", line)
            if match:
                found.append(match.group(1))

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(timeout)
        if not found:
            self.process.kill()
            self.errors.seek(0)
            raise AssertionError(f"server did not start: {self.errors.read().decode('utf-8', 'replace')}")
        return found[0]

    def kill(self) -> None:
        """SIGKILL: no handler, no clean-up, as a power cut or the task manager would."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


class ApiClient:
    """A tool using the JSON API: one session, its CSRF token from any response's header."""

    def __init__(self, base: str, timeout: float = 120):
        self.base, self.timeout = base.rstrip("/") + "/", timeout
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.token = ""

    def get(self, path: str) -> tuple[int, dict]:
        return self._send(urllib.request.Request(self.base + path))

    def upload(self, path: str, files: list[Path]) -> tuple[int, dict]:
        if not self.token:
            self.get("api/status")
        boundary = secrets.token_hex(16)
        body = b"".join(_part(boundary, f) for f in files) + f"--{boundary}--\r\n".encode()
        request = urllib.request.Request(self.base + path, data=body, method="POST", headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "X-CSRF-Token": self.token})
        return self._send(request)

    def _send(self, request) -> tuple[int, dict]:
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                self.token = response.headers.get("X-CSRF-Token", self.token)
                return response.status, json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read().decode("utf-8") or "{}")


def _part(boundary: str, path: Path) -> bytes:
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"{path.name}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
    return head.encode("utf-8") + path.read_bytes() + b"\r\n"
