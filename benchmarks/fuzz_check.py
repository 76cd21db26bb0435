"""Fuzz `check` with N seeded mutations of sound workbooks and count what went wrong.

    python benchmarks/fuzz_check.py [N] [--seed S] [--jobs J] [--show K]

Each mutation (bytes, zip structure or XML inside; tests/fuzz_mutations.py) is written to a
temporary file and checked as `check` does (text and JSON). Printed: mutations run, clean
answers, tracebacks (an exception or an INTERNAL finding), hangs (over 10 s of CPU time), messages showing
a Python exception name, the peak memory of a worker, and the first K failures by number
(replay one with --seed S --from NUMBER 1).
"""
from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from benchmarks.balanced import balanced_report  # noqa: E402
from fuzz_mutations import mutate, run_one  # noqa: E402
from xlsx_reports.xlsx.writer import write_workbook  # noqa: E402

os.environ.setdefault("XLSX_REPORTS_DEBUG", "1")   # an INTERNAL finding prints its traceback


def seeds_workbooks(folder: Path) -> list[bytes]:
    out = []
    for i, year in enumerate((2020, 2021)):
        path = folder / f"seed{i}.xlsx"
        write_workbook(balanced_report(f"种子{i}镇", year, random.Random(i)), path)
        out.append(path.read_bytes())
    return out


def work(args: tuple[int, int, int, str]) -> tuple[list[tuple[int, str]], int]:
    first, count, seed, folder = args
    bases = [Path(folder, f"seed{i}.xlsx").read_bytes() for i in range(2)]
    failures = []
    for n in range(first, first + count):
        rng = random.Random(seed * 1_000_003 + n)
        data = mutate(rng.choice(bases), rng)
        path = Path(folder, f"m{n}.xlsx")
        path.write_bytes(data)
        outcome = run_one(path)
        path.unlink()
        if outcome:
            failures.append((n, outcome))
    return failures, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int, nargs="?", default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--from", dest="first", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--show", type=int, default=5)
    args = parser.parse_args()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        seeds_workbooks(Path(tmp))
        size = 50
        batches = [(b, min(size, args.first + args.n - b), args.seed, tmp)
                   for b in range(args.first, args.first + args.n, size)]
        failures, peak, done = [], 0, 0
        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            for (found, rss), batch in zip(pool.map(work, batches), batches):
                failures += found
                for n, outcome in found:   # at once, so that a run stopped early still shows them
                    print(f"--- mutation {n}: {outcome}", file=sys.stderr, flush=True)
                peak, done = max(peak, rss), done + batch[1]
                kinds = Counter(outcome.split(":")[0] for _, outcome in failures)
                print(f"  {done}/{args.n} done, {time.perf_counter() - start:.0f} s: "
                      f"{kinds.get('traceback', 0)} tracebacks, {kinds.get('hang', 0)} hangs, "
                      f"{kinds.get('exception name', 0)} exception names", file=sys.stderr, flush=True)
    kinds = Counter(outcome.split(":")[0] for _, outcome in failures)
    elapsed = time.perf_counter() - start
    print(f"mutations: {args.n} (seed {args.seed}, from {args.first}) in {elapsed:.0f} s")
    print(f"clean answers: {args.n - len(failures)}")
    print(f"tracebacks: {kinds.get('traceback', 0)}")
    print(f"hangs (> 10 s CPU): {kinds.get('hang', 0)}")
    print(f"exception names in messages: {kinds.get('exception name', 0)}")
    print(f"peak memory of a worker: {peak // 1024} MB")
    for n, outcome in failures[: args.show]:
        print(f"--- mutation {n}: {outcome}")


if __name__ == "__main__":
    main()
