"""Benchmark: a workspace of N units receives one filled return each, then the same files again.

    python benchmarks/bench_intake.py [N] [--keep DIR]

Times `Workspace.init` (N blank workbooks), the first intake (hash, store with fsync, check,
ledger row per file), the second intake of the same files (all duplicates: hash and one
lookup each), and status().
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.balanced import balanced_report  # noqa: E402
from benchmarks.bench_merge import timed  # noqa: E402
from xlsx_reports.ledger import Workspace  # noqa: E402
from xlsx_reports.xlsx.writer import write_workbook  # noqa: E402
from xlsx_reports.xlsx.writer.metasheet import fresh_metadata  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int, nargs="?", default=50)
    parser.add_argument("--keep", type=Path)
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench_intake_"))
    units = [f"第{i + 1:03d}镇" for i in range(args.n)]
    roster = root / "名单.csv"
    root.mkdir(parents=True, exist_ok=True)
    roster.write_text("单位名称\n" + "\n".join(units) + "\n", encoding="utf-8")
    ws = timed("init", args.n, lambda: Workspace.init(root / "ws", roster=roster, year=2024))
    ids = {u["name"]: u["workbook_id"] for u in ws.ledger.units()}
    returns = root / "returns"
    returns.mkdir()
    for i, unit in enumerate(units):
        report = balanced_report(unit, 2024, random.Random(i))
        write_workbook(report, returns / f"{unit}.xlsx",
                       metadata=replace(fresh_metadata(report), workbook_id=ids[unit]))
    timed("intake (new files)", args.n, lambda: ws.intake([returns]))
    timed("intake (same files again)", args.n, lambda: ws.intake([returns]))
    timed("status", args.n, ws.status)
    ws.close()
    print(f"workspace: {root / 'ws'}")


if __name__ == "__main__":
    main()
