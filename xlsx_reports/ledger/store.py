"""The store: every file ever received, by content hash, never overwritten or deleted.

A file is kept as store/<2 hex>/<sha256>/<its first original name>, so checks and annotated
copies still name the file the township sent. Receiving one file is, in this order:
  1. a note (incoming/<receipt>.json: hash, name, time) written and synced,
  2. the content written to a temporary file in the store, synced, and renamed into place,
  3. the ledger row committed (db.Ledger.record), 4. the note removed.
A kill between any two steps leaves a note whose file is either absent (nothing was stored:
the note is dropped; the original is still where it was sent from) or present (the file is
picked up on the next open, with the name and time of the note).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

STORE = "store"
INCOMING = "incoming"
TEMP = "tmp"
FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
MAX_NAME_CHARS = 120
STALE_TEMP_SECONDS = 3600   # a temporary file this old belongs to no live intake


@dataclass(frozen=True)
class Note:
    """What was received, written before the content so a kill cannot lose the name or time."""
    receipt: str
    sha256: str
    name: str
    received: str
    stored: str          # relative to the workspace
    expect_unit: str | None = None

    def as_json(self) -> dict:
        return self.__dict__.copy()


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def stored_name(name: str) -> str:
    """The original name, made safe as one path component on every system."""
    base = FORBIDDEN.sub("_", Path(name.replace("\\", "/")).name).strip(" .") or "文件"
    if len(base) > MAX_NAME_CHARS:
        stem, suffix = os.path.splitext(base)
        base = stem[: MAX_NAME_CHARS - len(suffix)] + suffix
    return base


class Store:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.dir = self.root / STORE

    def make(self) -> None:
        for sub in (INCOMING, TEMP):
            (self.dir / sub).mkdir(parents=True, exist_ok=True)

    def place_for(self, sha256: str, name: str) -> str:
        """Where content goes: the folder of its hash; a file already there is reused."""
        folder = self.dir / sha256[:2] / sha256
        if folder.is_dir():
            for existing in folder.iterdir():
                if existing.is_file():
                    return existing.relative_to(self.root).as_posix()
        return (folder / stored_name(name)).relative_to(self.root).as_posix()

    def new_note(self, sha256: str, name: str, received: str, expect_unit: str | None) -> Note:
        note = Note(uuid.uuid4().hex, sha256, name, received, self.place_for(sha256, name),
                    expect_unit)
        # renamed into place but not synced: a note lost to a power cut only means its file,
        # if it was stored, waits for the next intake of the same content to get its row
        self._write(self.dir / INCOMING / f"{note.receipt}.json",
                    json.dumps(note.as_json(), ensure_ascii=False).encode("utf-8"), sync=False)
        return note

    def put(self, note: Note, data: bytes) -> Path:
        target = self.root / note.stored
        if target.is_file() and sha256_of(target.read_bytes()) == note.sha256:
            return target   # the same content is never written twice
        self._write(target, data, replace=False)
        return target

    def drop_note(self, note: Note) -> None:
        (self.dir / INCOMING / f"{note.receipt}.json").unlink(missing_ok=True)

    def notes(self) -> list[Note]:
        out = []
        for path in sorted((self.dir / INCOMING).glob("*.json")):
            try:
                out.append(Note(**json.loads(path.read_text(encoding="utf-8"))))
            except (OSError, ValueError, TypeError):
                continue   # a note cut short by a kill: its content was never written
        return out

    def clear_broken_notes(self) -> None:
        for path in (self.dir / INCOMING).glob("*.json"):
            try:
                Note(**json.loads(path.read_text(encoding="utf-8")))
            except (ValueError, TypeError):
                path.unlink(missing_ok=True)
            except OSError:
                continue

    def clear_stale_temps(self) -> None:
        limit = time.time() - STALE_TEMP_SECONDS
        for path in (self.dir / TEMP).glob("*.part"):
            try:
                if path.stat().st_mtime < limit:
                    path.unlink()
            except OSError:
                continue

    def _write(self, target: Path, data: bytes, replace: bool = True, sync: bool = True) -> None:
        """Temporary file in the store, fsync, rename: a kill leaves the whole file or none,
        and a synced file survives a power cut before its ledger row is committed."""
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.dir / TEMP / f"{uuid.uuid4().hex}.part"
        tmp.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as fh:
            fh.write(data)
            if sync:
                fh.flush()
                os.fsync(fh.fileno())
        if replace or not target.exists():
            os.replace(tmp, target)
        else:
            tmp.unlink()
        if sync:
            _sync_dir(target.parent)


def _sync_dir(folder: Path) -> None:
    """Make the rename itself durable (POSIX; Windows has no directory handles to sync)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
