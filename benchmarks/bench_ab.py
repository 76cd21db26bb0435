"""Benchmark: two installed versions of the command, run in turn on the same files.

    python benchmarks/bench_ab.py OLD_ENV NEW_ENV DIR [--rounds 8] [--unit 某区] [--only check|merge]

OLD_ENV and NEW_ENV are virtual environments, each with a version installed (`pip install .`
of a git worktree at each commit); DIR a corpus, e.g. one kept by `bench_scale.py N --keep DIR`.
Each round runs `check DIR --json` and `merge DIR` with the old and then the new version, so
the two meet the same minutes of a shared machine whose speed drifts by a third within minutes
(see the README): a difference of a few per cent shows in the paired ratios (each new run over
the old run just before it), where separate timed runs cannot tell it. Prints, per command and
version, the median and fastest wall time and CPU time (all processes), then the median of the
paired ratios new/old.
"""
from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import tempfile
import time
from pathlib import Path


def timed(command: Path, args: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the command and its workers)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([str(command), *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--unit", default="某区")
    parser.add_argument("--only", choices=("check", "merge"), help="run this command alone")
    args = parser.parse_args()
    out = Path(tempfile.gettempdir()) / "bench_ab_total.xlsx"
    commands = {"check": ["check", str(args.folder), "--json"],
                "merge": ["merge", str(args.folder), "--unit", args.unit, "-o", str(out)]}
    if args.only:
        commands = {args.only: commands[args.only]}
    runs: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for _ in range(args.rounds):
        for name, command_args in commands.items():
            for label, env in (("old", args.old), ("new", args.new)):
                runs.setdefault((name, label), []).append(timed(env / "bin" / "xlsx-reports", command_args))
    for name in commands:
        for label in ("old", "new"):
            walls, cpus = zip(*runs[(name, label)])
            print(f"{name} {label}: wall {statistics.median(walls):.3f} s (fastest {min(walls):.3f}), "
                  f"CPU {statistics.median(cpus):.3f} s (least {min(cpus):.3f})")
        pairs = list(zip(runs[(name, "old")], runs[(name, "new")]))
        print(f"{name}: new/old paired median, wall {statistics.median(n[0] / o[0] for o, n in pairs):.3f}, "
              f"CPU {statistics.median(n[1] / o[1] for o, n in pairs):.3f}")
    out.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
