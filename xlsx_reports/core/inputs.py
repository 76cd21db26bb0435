"""The one way input files are found: files named directly, and the workbooks in folders.

check, merge and batch --previous-dir all collect through here, so a lock file, a hidden
unfinished output or a roster kept beside the returns is passed over the same way everywhere.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Iterable, NamedTuple

from xlsx_reports.core.files import refusal
from xlsx_reports.core.findings import CannotContinue

# Files a folder may hold that someone meant as a workbook; anything else there is ignored.
WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xltx", ".xls", ".et", ".ett", ".ods", ".csv", ".xlsb"})
XLSX = frozenset({".xlsx"})
# Excel's "~$" owner files, LibreOffice's ".~lock" files, hidden files (our unfinished outputs)
SKIPPED_PREFIXES = ("~$", ".~lock", ".")


def folder_files(folder: Path, suffixes: Iterable[str] = WORKBOOK_SUFFIXES, *,
                 recursive: bool = True, keep: Callable[[Path], bool] | None = None) -> list[Path]:
    """The workbook-like entries of a folder, in name order. Special files (a FIFO, a link to
    a device) and folders named like a workbook are kept, to be reported (core/files.py)
    rather than passed over without a word."""
    return [e.path for e in _found(folder, frozenset(suffixes), recursive, keep)]


class _Entry(NamedTuple):
    path: Path
    folder: Path   # the folder it is in (one object for all its entries)
    name: str
    link: bool


def _found(folder: Path, suffixes: frozenset[str], recursive: bool,
           keep: Callable[[Path], bool] | None) -> list[_Entry]:
    """Each entry folder_files keeps. A walk with os.scandir, as
    Path.rglob walks (not into linked folders, past folders it may not read), but knowing
    from each entry whether it is a link without asking the file system again, and sorted
    as paths sort (part by part, case-blind on Windows) by a key built on the way down:
    rglob, the sort on whole paths and a lstat per file took 24 ms a thousand files."""
    found: list[tuple[tuple[str, ...], _Entry]] = []
    folders: list[tuple[Path, tuple[str, ...]]] = [(folder, ())]
    while folders:
        here, key = folders.pop()
        try:
            with os.scandir(here) as it:
                entries = list(it)
        except PermissionError:   # passed over as rglob does (a folder listed alone: reported)
            if not recursive:
                raise
            continue
        for e in entries:
            name, link = e.name, _is_link(e)
            workbook_like = _suffix(name).lower() in suffixes
            if recursive and not workbook_like and not link and _is_folder(e):
                folders.append((here / name, (*key, os.path.normcase(name))))
            elif workbook_like and not name.startswith(SKIPPED_PREFIXES):
                path = here / name
                if keep is None or keep(path):
                    found.append(((*key, os.path.normcase(name)), _Entry(path, here, name, link)))
    found.sort(key=lambda entry: entry[0])
    return [entry for _key, entry in found]


def _suffix(name: str) -> str:
    """Path.suffix of a name: from its last dot, unless the dot starts or ends it."""
    i = name.rfind(".")
    return name[i:] if 0 < i < len(name) - 1 else ""


def _is_link(entry: os.DirEntry) -> bool:
    try:
        return entry.is_symlink()
    except OSError:
        return False


def _is_folder(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def collect(paths: Iterable[str | Path], suffixes: Iterable[str] = WORKBOOK_SUFFIXES, *,
            strict: bool = False, keep: Callable[[Path], bool] | None = None) -> list[Path]:
    """Files named directly are always taken; folders contribute their workbook-like files.
    Each file once (a folder and a file in it may both be named). `strict`: a path that does
    not exist or a folder without workbooks cannot continue (merge), instead of being left
    for the reader to report (check)."""
    return list(collect_real(paths, suffixes, strict=strict, keep=keep).values())


def collect_real(paths: Iterable[str | Path], suffixes: Iterable[str] = WORKBOOK_SUFFIXES, *,
                 strict: bool = False, keep: Callable[[Path], bool] | None = None) -> dict[str, Path]:
    """collect's files by their real paths (a link's: where it leads), found on the way."""
    unique: dict[str, Path] = {}   # by real path
    resolve = _Resolver()
    for p in map(Path, paths):
        if p.is_dir() and p.suffix.lower() not in suffixes:   # x.xlsx/ is reported, not searched
            files = _found(p, frozenset(suffixes), True, keep)
            if strict and not files:
                raise CannotContinue(f"文件夹 {p} 中没有 {'、'.join(sorted(suffixes))} 工作簿")
            found = [(resolve.inside(e), e.path) for e in files]
        elif strict and not p.exists():
            raise CannotContinue(f"找不到文件或文件夹：{p}")
        else:
            found = [(str(p.resolve()), p)]
        for real, f in found:
            unique.setdefault(real, f)
    return unique


class _Resolver:
    """Path.resolve() for the files a folder search found: a file that is not a link is its
    folder's real path and its own name, so each folder is resolved once (resolving each of
    10,000 files walked every folder above it again)."""

    def __init__(self) -> None:
        self.folders: dict[Path, str] = {}

    def inside(self, entry: _Entry) -> str:
        if entry.link:
            return str(entry.path.resolve())
        folder = self.folders.get(entry.folder)
        if folder is None:
            folder = self.folders[entry.folder] = str(entry.folder.resolve())
        return os.path.join(folder, entry.name)


def not_roster(path: Path) -> bool:
    """A roster or batch manifest kept beside the returns is not a returned workbook."""
    if path.suffix.lower() != ".csv" or refusal(path):   # never open a FIFO to look
        return True
    with path.open("rb") as fh:
        head = fh.readline(4096)
    return not any("单位名称" in head.decode(enc, "ignore") for enc in ("utf-8-sig", "gb18030"))
