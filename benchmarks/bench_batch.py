"""Benchmark: `batch` of N blank workbooks, stamped from a template (generate/stamp.py) or written
by xlsxwriter.

    python benchmarks/bench_batch.py [N] [--year 2021] [--runs 3] [--in-process 300]

1. In one process, CPU ms per workbook of `blank_workbook` (stamped; its template is built
   before timing starts) and of `new_workbook` (xlsxwriter, as before), each over the same
   units, `--runs` times.
2. `xlsx-reports batch ROSTER --year Y -o DIR` for an N-unit roster, a fresh process each run
   (start-up, imports and the templates included): wall seconds and the CPU of all processes.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_scale import cli  # noqa: E402


def in_process(folder: Path, n: int, year: int, runs: int) -> None:
    from xlsx_reports.generate.batch import blank_workbook, new_workbook
    blank_workbook("预热镇", year, folder / "warm.xlsx", info={"层级": "其他"})   # builds the template
    for label, make in (("stamped (blank_workbook)", blank_workbook), ("xlsxwriter (new_workbook)", new_workbook)):
        for run in range(runs):
            cpu, wall = time.process_time(), time.perf_counter()
            for i in range(n):
                make(f"测试县第{run}-{i}镇", year, folder / f"{i}.xlsx", info={"层级": "其他"})
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            print(f"{label:<28} run {run + 1}: {1000 * cpu / n:7.2f} ms CPU/wb  "
                  f"{1000 * wall / n:7.2f} ms wall/wb  ({n} workbooks, one process)", flush=True)


def command(tmp: Path, n: int, year: int, runs: int) -> None:
    roster = tmp / "roster.csv"
    roster.write_text("单位名称\n" + "".join(f"测试县第{i:05d}镇人民政府\n" for i in range(n)), encoding="utf-8")
    for run in range(runs):
        seconds, mb, cpu = cli(["batch", str(roster), "--year", str(year), "-o", str(tmp / f"out{run}")])
        print(f"xlsx-reports batch, {n} units, run {run + 1}: {seconds:6.2f} s wall  "
              f"{1000 * cpu / n:6.2f} ms CPU/wb (all processes)  peak {mb} MB", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=1000)
    parser.add_argument("--year", type=int, default=2021)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--in-process", type=int, default=300, help="workbooks per in-process run")
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start")
    with tempfile.TemporaryDirectory() as tmp:
        in_process(Path(tmp), args.in_process, args.year, args.runs)
        command(Path(tmp), args.n, args.year, args.runs)
    print(f"load average {os.getloadavg()[0]:.1f} at end (the machine is shared)")


if __name__ == "__main__":
    main()
