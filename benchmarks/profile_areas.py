"""Where a check's time goes: cProfile of check_file over a folder of workbooks, by area.

    python benchmarks/profile_areas.py DIR [-n 200]

DIR: a corpus, e.g. one kept by `bench_scale.py N --keep DIR`. Prints the CPU time per
workbook without the profiler, then the profiled calls per workbook and the share of time in
each area (inflating, expat, regular expressions, the limits scan, the fast read's Python,
locating, the rules). Run it on another commit (a git worktree) to compare.
"""
from __future__ import annotations

import argparse
import collections
import cProfile
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from xlsx_reports.check.workbook import check_file  # noqa: E402

AREAS = (   # (area, test on (file, function name)), the first that holds
    ("inflate (zlib)", lambda fn, name: "zlib" in name or "decompress" in name or "crc32" in name),
    ("regular expressions (C)", lambda fn, name: "re.Pattern" in name),
    ("expat parsing (C)", lambda fn, name: "pyexpat" in name),
    ("vet: zip + limits scan", lambda fn, name: any(k in fn for k in ("/xlsx/limits", "/xlsx/filetypes",
                                                                     "/xlsx/safexml", "zipfile"))),
    ("fast read: Python", lambda fn, name: "/xlsx/fast" in fn or "/xlsx/slots" in fn),
    ("locate + reading", lambda fn, name: any(k in fn for k in ("/xlsx/reader", "/xlsx/locate", "/xlsx/rawsheet",
                                                               "/xlsx/meta", "/xlsx/formcells", "/xlsx/cellvalue",
                                                               "/core/a1"))),
    ("rules (check, form)", lambda fn, name: "/check/" in fn or "/form/" in fn),
    ("dict methods", lambda fn, name: "dict" in name),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("-n", type=int, default=200)
    args = parser.parse_args()
    paths = sorted(args.folder.glob("*.xlsx"))[: args.n]
    for path in paths[:3]:
        check_file(path)   # imports, compiled patterns and remembered template parts warm
    start = time.process_time()
    for path in paths:
        check_file(path)
    print(f"check_file: {(time.process_time() - start) / len(paths) * 1000:.2f} ms CPU per workbook")
    prof = cProfile.Profile()
    prof.enable()
    for path in paths:
        check_file(path)
    prof.disable()
    stats = pstats.Stats(prof).stats   # type: ignore[attr-defined]
    areas: collections.Counter = collections.Counter()
    for (fn, _line, name), (_cc, _nc, tottime, _ct, _callers) in stats.items():
        areas[next((area for area, holds in AREAS if holds(fn, name)), "other")] += tottime
    total = sum(areas.values())
    calls = sum(s[1] for s in stats.values()) / len(paths)
    print(f"profiled: {total:.2f} s for {len(paths)} workbooks, {calls:,.0f} calls per workbook")
    for area, seconds in areas.most_common():
        print(f"{100 * seconds / total:5.1f}%  {area}")


if __name__ == "__main__":
    main()
