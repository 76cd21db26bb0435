"""The one way input files are found: files named directly, and the workbooks in folders.

check, merge and batch --previous-dir all collect through here, so a lock file, a hidden
unfinished output or a roster kept beside the returns is passed over the same way everywhere.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Iterable

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
    suffixes = frozenset(suffixes)
    found = folder.rglob("*") if recursive else folder.iterdir()
    # sorted as paths sort (part by part, case-blind on Windows), by a key made once per file:
    # comparing the paths themselves took a quarter of the time for a folder of 10,000
    return sorted((f for f in found if f.suffix.lower() in suffixes
                   and not f.name.startswith(SKIPPED_PREFIXES)
                   and (f.parent == folder or not any(
                       p.suffix.lower() in suffixes for p in f.relative_to(folder).parents if p != Path(".")))
                   and (keep is None or keep(f))),
                  key=lambda f: tuple(map(os.path.normcase, f.parts)))


def collect(paths: Iterable[str | Path], suffixes: Iterable[str] = WORKBOOK_SUFFIXES, *,
            strict: bool = False, keep: Callable[[Path], bool] | None = None) -> list[Path]:
    """Files named directly are always taken; folders contribute their workbook-like files.
    Each file once (a folder and a file in it may both be named). `strict`: a path that does
    not exist or a folder without workbooks cannot continue (merge), instead of being left
    for the reader to report (check)."""
    unique: dict[Path, Path] = {}
    resolve = _Resolver()
    for p in map(Path, paths):
        if p.is_dir() and p.suffix.lower() not in suffixes:   # x.xlsx/ is reported, not searched
            files = folder_files(p, suffixes, keep=keep)
            if strict and not files:
                raise CannotContinue(f"文件夹 {p} 中没有 {'、'.join(sorted(suffixes))} 工作簿")
            found = [(resolve.inside(f), f) for f in files]
        elif strict and not p.exists():
            raise CannotContinue(f"找不到文件或文件夹：{p}")
        else:
            found = [(p.resolve(), p)]
        for real, f in found:
            unique.setdefault(real, f)
    return list(unique.values())


class _Resolver:
    """Path.resolve() for the files a folder search found: a file that is not a link is its
    folder's real path and its own name, so each folder is resolved once (resolving each of
    10,000 files walked every folder above it again)."""

    def __init__(self) -> None:
        self.folders: dict[Path, Path] = {}

    def inside(self, f: Path) -> Path:
        if f.is_symlink():
            return f.resolve()
        folder = self.folders.get(f.parent)
        if folder is None:
            folder = self.folders[f.parent] = f.parent.resolve()
        return folder / f.name


def not_roster(path: Path) -> bool:
    """A roster or batch manifest kept beside the returns is not a returned workbook."""
    if path.suffix.lower() != ".csv" or refusal(path):   # never open a FIFO to look
        return True
    with path.open("rb") as fh:
        head = fh.readline(4096)
    return not any("单位名称" in head.decode(enc, "ignore") for enc in ("utf-8-sig", "gb18030"))
