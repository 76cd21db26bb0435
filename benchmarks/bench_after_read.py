"""Benchmark: what a workbook costs once its sheets are loaded (issue 9).

    python benchmarks/bench_after_read.py DIR [-n 300] [--runs 5] [--profile] [--digest FILE]

In one process, over the first N workbooks of DIR (e.g. a corpus made by bench_scale.py
--keep): the fast read (fastread.read_sheets) once, then, several runs, the rest of
read_workbook (reader.reading_of: metadata, locating the form, the cells, the report) and
check_reading. Prints CPU time (time.process_time) per workbook for each part, per run.
--profile prints cProfile's top entries of the two parts together; --digest writes every
finding (repr) so two versions of the code can be compared finding for finding.
"""
from __future__ import annotations

import argparse
import cProfile
import hashlib
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from xlsx_reports.check.workbook import check_reading  # noqa: E402
from xlsx_reports.xlsx import fastread  # noqa: E402
from xlsx_reports.xlsx.reader import reading_of  # noqa: E402


def per_wb(seconds: float, n: int) -> str:
    return f"{seconds * 1000 / n:7.3f} ms/wb"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("folder", type=Path)
    ap.add_argument("-n", type=int, default=300)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--digest", type=Path)
    args = ap.parse_args()
    paths = sorted(args.folder.glob("*.xlsx"))[: args.n]
    n = len(paths)
    t = time.process_time()
    loaded = [(p, fastread.read_sheets(p)) for p in paths]
    print(f"{n} workbooks; fastread.read_sheets {per_wb(time.process_time() - t, n)}")
    check_reading(reading_of(*loaded[0]))   # imports done outside the timing
    best = [float("inf")] * 2
    for run in range(args.runs):
        t = time.process_time()
        readings = [reading_of(p, raws) for p, raws in loaded]
        t_read = time.process_time() - t
        t = time.process_time()
        findings = [check_reading(r) for r in readings]
        t_check = time.process_time() - t
        print(f"run {run + 1}: reading_of {per_wb(t_read, n)}  check_reading {per_wb(t_check, n)}"
              f"  together {per_wb(t_read + t_check, n)}")
        best = [min(best[0], t_read), min(best[1], t_check)]
    # on a shared machine the fastest run is the one least disturbed by the others
    print(f"best:  reading_of {per_wb(best[0], n)}  check_reading {per_wb(best[1], n)}"
          f"  together {per_wb(sum(best), n)}")
    text = "\n".join(f"{p.name}\t{f!r}" for p, fs in zip(paths, findings) for f in fs)
    print(f"{sum(map(len, findings))} findings, digest {hashlib.sha256(text.encode()).hexdigest()[:16]}")
    if args.digest:
        args.digest.write_text(text, encoding="utf-8")
    if args.profile:
        prof = cProfile.Profile()
        prof.enable()
        for p, raws in loaded:
            check_reading(reading_of(p, raws))
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
