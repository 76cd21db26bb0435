"""Benchmark: generate N filled township workbooks, then check and merge them, and print times.

    python benchmarks/bench_merge.py [N] [--year 2021] [--jobs J] [--keep DIR]

Generation (write_workbook) is timed separately from what a district waits for:
merge_files (sha256 + check_file of every input + the sum) and writing the merged workbook.
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.balanced import balanced_report  # noqa: E402
from xlsx_reports.check.workbook import check_file  # noqa: E402
from xlsx_reports.merge.workbooks import merge_files  # noqa: E402
from xlsx_reports.xlsx.writer import write_workbook  # noqa: E402
from xlsx_reports.xlsx.writer.merged import write_merged  # noqa: E402


def generate(folder: Path, n: int, year: int) -> list[Path]:
    paths = []
    for i in range(n):
        report = balanced_report(f"第{i + 1:03d}镇", year, random.Random(i))
        path = folder / f"{report.unit}.xlsx"
        write_workbook(report, path)
        paths.append(path)
    return paths


def timed(label: str, n: int, fn):
    start = time.perf_counter()
    value = fn()
    seconds = time.perf_counter() - start
    print(f"{label:<28} {seconds:8.2f} s   {1000 * seconds / n:8.1f} ms per input workbook")
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=200)
    parser.add_argument("--year", type=int, default=2021)
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    parser.add_argument("--jobs", type=int, help="checking processes (default: one per CPU, at most 4)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        print(f"{args.n} workbooks, {args.year}, jobs={args.jobs or 'auto'}, {os.cpu_count()} CPUs")
        timed("generate (write_workbook)", args.n, lambda: generate(folder, args.n, args.year))
        result = timed("check + merge (merge_files)", args.n,
                       lambda: merge_files([folder], unit="基准区", year=args.year, jobs=args.jobs))
        out = Path(tmp) / "total.xlsx"
        timed("write merged workbook", args.n, lambda: write_merged(result, out))
        reading, findings = timed("check merged workbook", args.n, lambda: check_file(out))
        errors = [f for f in result.findings + findings if f.severity == "error"]
        print(f"merged {len(result.included)} workbooks; merged workbook lists "
              f"{len(reading.metadata.units)} units; {len(errors)} errors; "
              f"output {out.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()
