"""Benchmark: the first upload's check after a server starts, with and without the warm-up
the server runs at its start (web/site.py warm_up).

    python benchmarks/bench_first_upload.py DIR [--rounds 5]

DIR: returned workbooks, e.g. a corpus kept by `bench_scale.py N --keep DIR`. Each round is a
fresh process that imports what a running server has imported, warms up or not, then times
check_file on the first workbook of DIR and on the next two (process time).
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHILD = """
import sys, tempfile, time
from pathlib import Path
from xlsx_reports.web.app import create_app   # what a running server has imported
from xlsx_reports.web.site import warm_up
from xlsx_reports.check.workbook import check_file
if sys.argv[2] == "warm":
    warm_up(Path(tempfile.mkdtemp()) / "warm-up")
times = []
for path in sorted(Path(sys.argv[1]).glob("*.xlsx"))[:3]:
    start = time.process_time()
    check_file(path)
    times.append(time.process_time() - start)
print(*times)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    for mode in ("cold", "warm"):
        runs = [[float(x) for x in subprocess.run(
            [sys.executable, "-c", CHILD, str(args.folder), mode], cwd=ROOT, check=True,
            capture_output=True, text=True).stdout.split()] for _ in range(args.rounds)]
        first = statistics.median(r[0] for r in runs) * 1000
        next_ = statistics.median(x for r in runs for x in r[1:]) * 1000
        print(f"{mode}: first upload checked in {first:.1f} ms CPU, the next ones in {next_:.1f} ms "
              f"(median of {args.rounds} fresh processes)")


if __name__ == "__main__":
    main()
