"""Many uploads at once against a real server (waitress on 127.0.0.1, a free port), and a
server killed (SIGKILL) in the middle of them: nothing acknowledged is lost, and after a
restart the ledger and the store agree."""
from __future__ import annotations

import hashlib
import http.client
import threading
import time
from pathlib import Path

import pytest

from ledger_helpers import filled_return
from web_helpers import ApiClient, Server, fresh_copy, make_workspace
from xlsx_reports.ledger import Workspace

UNITS = tuple(f"{name}镇" for name in "东西南北中上下左右前")   # 10 units
ROUNDS = 5                                                      # versions a unit sends
ANSWER_WITHIN = 180   # seconds: every upload must be answered by then (the client gives up after)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """A workspace of 10 units and 50 different passing returns (5 versions of each unit)."""
    tmp = tmp_path_factory.mktemp("load")
    root = make_workspace(tmp, UNITS)
    with Workspace.open(root) as ws:
        files = [filled_return(ws, unit, tmp / f"第{r}轮", seed=100 * r + i)
                 for r in range(ROUNDS) for i, unit in enumerate(UNITS)]
    return root, files


@pytest.fixture
def workspace(made, tmp_path):
    return fresh_copy(made[0], tmp_path)


def upload_all(url: str, files: list[Path], answers: dict, *, start=None) -> list[threading.Thread]:
    """One thread (one client, one session) per file, all released at once."""
    barrier = threading.Barrier(len(files))

    def send(path: Path) -> None:
        client = ApiClient(url, timeout=ANSWER_WITHIN)
        client.get("api/status")
        barrier.wait()
        try:
            answers[path] = client.upload("api/upload", [path])
        except (OSError, http.client.HTTPException) as exc:   # the server was killed under it
            answers[path] = (None, {"error": str(exc)})

    threads = [threading.Thread(target=send, args=(p,)) for p in files]
    for t in threads:
        t.start()
    return threads


def consistent(root: Path) -> dict[str, list[int]]:
    """Every version's stored file is there with its hash; no intake left half done.
    Returns each unit's version numbers."""
    with Workspace.open(root) as ws:
        versions = {}
        for unit in ws.units():
            history = [h for h in ws.history(unit) if h["version"] is not None]
            for h in history:
                assert sha(Path(h["file"])) == h["sha256"]
            versions[unit] = [h["version"] for h in history]
    assert not list((root / "store" / "incoming").glob("*.json"))
    return versions


def test_fifty_uploads_at_once_are_each_answered_and_all_recorded(made, workspace):
    files = made[1]
    answers: dict[Path, tuple] = {}
    with Server(workspace) as server:
        for t in upload_all(server.url, files, answers):
            t.join()
    assert len(answers) == 50
    assert all(code == 200 for code, _ in answers.values()), \
        [body for code, body in answers.values() if code != 200][:3]
    assert all(body["results"][0]["decision"] == "passed" for _, body in answers.values())
    assert consistent(workspace) == {u: list(range(1, ROUNDS + 1)) for u in UNITS}
    with Workspace.open(workspace) as ws:
        recorded = {h["sha256"] for u in UNITS for h in ws.history(u)}
    assert recorded == {sha(p) for p in files}
    assert list((workspace / ".web-incoming").iterdir()) == []


def test_killing_the_server_during_uploads_loses_nothing_acknowledged(made, workspace):
    files = made[1][:30]
    answers: dict[Path, tuple] = {}
    server = Server(workspace)
    threads = upload_all(server.url, files, answers)
    deadline = time.monotonic() + ANSWER_WITHIN
    while sum(code == 200 for code, _ in list(answers.values())) < 5:
        assert time.monotonic() < deadline and server.process.poll() is None, answers
        time.sleep(0.05)
    server.kill()
    for t in threads:
        t.join()
    acknowledged = {p for p, (code, _) in answers.items() if code == 200}
    assert 5 <= len(acknowledged) < len(files)

    with Server(workspace) as again:   # opening the ledger picks up what a kill left
        versions = consistent(workspace)
        with Workspace.open(workspace) as ws:
            recorded = {h["sha256"] for u in UNITS for h in ws.history(u)}
        assert {sha(p) for p in acknowledged} <= recorded
        for unit, numbers in versions.items():
            assert numbers == list(range(1, len(numbers) + 1)), unit
        client = ApiClient(again.url)
        for path in files:   # the townships send again what got no answer
            code, body = client.upload("api/upload", [path])
            decision = body["results"][0]["decision"]
            assert code == 200
            assert decision == ("duplicate" if sha(path) in recorded else "passed"), path
    assert sum(len(v) for v in consistent(workspace).values()) == len(files)
    assert list((workspace / ".web-incoming").iterdir()) == []
