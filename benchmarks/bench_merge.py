"""Benchmark: memory and parent work of `merge` over a folder of N workbooks.

    python benchmarks/bench_merge.py DIR [--jobs J] [--parent-sample 300] [--runs 3]
    python benchmarks/bench_merge.py --build N DIR      (corpus as bench_scale builds it)

1. `xlsx-reports merge DIR -o total.xlsx --unit 基准区` in a fresh process: wall time, CPU
   seconds of the parent and of all workers, the peak RSS of the parent and of the largest
   worker (getrusage), and the largest sum of RSS over the whole process tree, sampled from
   /proc every 20 ms (what "memory in all" means).
2. The parent's own work per workbook, in-process: the workers' results for a sample of files
   are computed first, then only what the parent does with them (fold them into the total,
   write the merged workbook) is timed with process_time, several runs.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHILD = ("import resource, sys\n"
         "from xlsx_reports.cli import main\n"
         "try:\n    main(sys.argv[1:], standalone_mode=False)\n"
         "except SystemExit:\n    pass\n"
         "finally:\n"
         "    me = resource.getrusage(resource.RUSAGE_SELF)\n"
         "    kids = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
         "    sys.stderr.write(f'\\nRUSAGE {me.ru_maxrss} {kids.ru_maxrss} {me.ru_utime + me.ru_stime} '\n"
         "                     f'{kids.ru_utime + kids.ru_stime}\\n')\n")


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children(pid: int) -> list[int]:
    out = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                out += [int(x) for x in fh.read().split()]
    except OSError:
        pass
    return out


def _tree_rss_kb(pid: int) -> int:
    todo, total = [pid], 0
    while todo:
        p = todo.pop()
        total += _rss_kb(p)
        todo += _children(p)
    return total


def merge_process(folder: Path, jobs: list[str]) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        args = ["merge", str(folder), "-o", str(Path(tmp) / "total.xlsx"), "--unit", "基准区", *jobs]
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-c", CHILD, *args], cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        peak = 0
        while proc.poll() is None:
            peak = max(peak, _tree_rss_kb(proc.pid))
            time.sleep(0.02)
        seconds = time.perf_counter() - start
        err = proc.stderr.read() if proc.stderr else ""
        size = (Path(tmp) / "total.xlsx").stat().st_size if (Path(tmp) / "total.xlsx").exists() else 0
    line = [x for x in err.splitlines() if x.startswith("RUSAGE")]
    if not line:
        sys.exit(f"merge failed:\n{err[-2000:]}")
    me, kids, cpu_me, cpu_kids = line[-1].split()[1:]
    return {"seconds": seconds, "parent_mb": int(me) / 1024, "worker_mb": int(kids) / 1024,
            "tree_mb": peak / 1024, "cpu_parent": float(cpu_me), "cpu_workers": float(cpu_kids),
            "output_mb": size / 1e6}


def parent_work(folder: Path, sample: int, runs: int) -> None:
    """What the parent does per workbook once a worker's result is in: fold it into the total
    (merge_candidates: sum, spool, select, metadata), then write the merged workbook."""
    import copy
    from xlsx_reports.merge.inputs import check_one
    from xlsx_reports.merge.workbooks import merge_candidates
    from xlsx_reports.xlsx.writer.merged import write_merged
    results = [check_one(f) for f in sorted(folder.glob("*.xlsx"))[:sample]]
    fold, write = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(runs):
            fresh = [copy.copy(c) for c in results]   # the merge takes each candidate's row
            start = time.process_time()
            merged = merge_candidates(fresh, unit="基准区")
            fold.append((time.process_time() - start) / len(results))
            start = time.process_time()
            write_merged(merged, Path(tmp) / "total.xlsx")
            write.append((time.process_time() - start) / len(results))
    print(f"parent per workbook, in-process over {len(results)} results, {runs} runs (ms CPU): "
          f"fold {', '.join(f'{1000 * t:.3f}' for t in fold)}; "
          f"write merged workbook {', '.join(f'{1000 * t:.2f}' for t in write)}")


def timed(label: str, n: int, fn):
    """Wall time of fn() per input workbook (used by bench_intake)."""
    start = time.perf_counter()
    value = fn()
    seconds = time.perf_counter() - start
    print(f"{label:<28} {seconds:8.2f} s   {1000 * seconds / n:8.1f} ms per input workbook")
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--build", type=int, help="first build a corpus of this many workbooks in FOLDER")
    parser.add_argument("--jobs", type=int)
    parser.add_argument("--parent-sample", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if args.build:
        from benchmarks.bench_scale import build
        args.folder.mkdir(parents=True, exist_ok=True)
        build(args.folder, args.build, 2021)
    n = sum(1 for _ in args.folder.glob("*.xlsx"))
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    print(f"{n} workbooks in {args.folder}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    r = merge_process(args.folder, jobs)
    print(f"merge: {r['seconds']:.1f} s wall; CPU parent {r['cpu_parent']:.1f} s "
          f"({1000 * r['cpu_parent'] / n:.2f} ms/wb), workers {r['cpu_workers']:.1f} s "
          f"({1000 * r['cpu_workers'] / n:.2f} ms/wb); peak RSS parent {r['parent_mb']:.0f} MB, "
          f"largest worker {r['worker_mb']:.0f} MB, whole tree {r['tree_mb']:.0f} MB; "
          f"output {r['output_mb']:.1f} MB")
    if args.parent_sample:
        parent_work(args.folder, args.parent_sample, args.runs)
    print(f"load average {os.getloadavg()[0]:.1f} at end (the machine is shared)")


if __name__ == "__main__":
    main()
