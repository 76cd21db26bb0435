"""Benchmark: uploads through the web page's API against a real server (`xlsx-reports serve`
on 127.0.0.1, a free port).

    python benchmarks/bench_web.py [--units 10] [--at-once 50] [--single 10]

Times (1) one township upload after another, as a township sees it: the answer carries the
findings, so this is how long until they can be shown; (2) `--at-once` uploads sent together
from as many threads: each request's time to its answer (median, 95th percentile, longest)
and the whole burst. Uploads queue on the ledger's one thread, so the longest answer grows
with the burst; nothing is lost (tests/test_web_load.py asserts that).
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.balanced import balanced_report  # noqa: E402
from benchmarks.web_client import ApiClient, Server  # noqa: E402
from xlsx_reports.ledger import Workspace  # noqa: E402
from xlsx_reports.xlsx.reader import read_workbook  # noqa: E402
from xlsx_reports.xlsx.writer import write_workbook  # noqa: E402


def returns(ws: Workspace, folder: Path, count: int) -> list[Path]:
    """`count` different passing returns, written into the workbooks the units were given."""
    units = ws.units()
    metas = {u: read_workbook(ws.blank_workbook(u)).metadata for u in units}
    out = []
    for i in range(count):
        unit = units[i % len(units)]
        path = folder / f"{i:03d}_{unit}.xlsx"
        write_workbook(balanced_report(unit, ws.year, random.Random(i)), path, metadata=metas[unit])
        out.append(path)
    return out


def spread(label: str, seconds: list[float]) -> None:
    ordered = sorted(seconds)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    print(f"{label}: {len(seconds)} uploads, median {statistics.median(seconds) * 1000:.0f} ms, "
          f"95% {p95 * 1000:.0f} ms, longest {ordered[-1] * 1000:.0f} ms")


def burst(url: str, files: list[Path]) -> tuple[list[float], float]:
    barrier = threading.Barrier(len(files) + 1)
    seconds: list[float] = []

    def send(path: Path) -> None:
        client = ApiClient(url)
        client.get("api/status")
        barrier.wait()
        start = time.perf_counter()
        code, _ = client.upload("api/upload", [path])
        assert code == 200, code
        seconds.append(time.perf_counter() - start)

    threads = [threading.Thread(target=send, args=(p,)) for p in files]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    return seconds, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=10)
    parser.add_argument("--at-once", type=int, default=50)
    parser.add_argument("--single", type=int, default=10)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench_web_"))
    roster = tmp / "名单.csv"
    roster.write_text("单位名称\n" + "".join(f"第{i + 1:02d}镇\n" for i in range(args.units)),
                      encoding="utf-8")
    with Workspace.init(tmp / "ws", roster=roster, year=2024, unit="测试区") as ws:
        files = returns(ws, tmp / "returns", args.single + args.at_once)
        tokens = ws.tokens()
    with Server(tmp / "ws") as server:
        single = []
        for path in files[:args.single]:
            client = ApiClient(server.url)
            unit = path.stem.split("_", 1)[1]
            client.get(f"t/{tokens[unit]}/api/status")
            start = time.perf_counter()
            code, body = client.upload(f"t/{tokens[unit]}/api/upload", [path])
            single.append(time.perf_counter() - start)
            assert code == 200 and body["results"][0]["decision"] == "passed", body
        spread("township upload, one at a time (answer includes the findings)", single)
        seconds, wall = burst(server.url, files[args.single:])
        spread(f"{args.at_once} uploads at once", seconds)
        print(f"burst of {args.at_once}: {wall:.1f} s in all ({wall / args.at_once * 1000:.0f} ms per upload)")
    print(f"workspace: {tmp / 'ws'}")


if __name__ == "__main__":
    main()
