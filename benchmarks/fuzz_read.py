"""The differential test's long run: mutants read by the fast path and by openpyxl, compared.

    python benchmarks/fuzz_read.py [FROM] [TO] [--jobs J] [--bases FILE...]

Seeds FROM..TO (default 1000..4000) of tests/test_fastread.py's mutations of its corpus (sound
workbooks written, merged, edited by openpyxl; --bases: these workbooks instead, say returns
saved by LibreOffice), as the suite does for seeds 0..199. Each worker
reads its seeds one after another in one process, so what the fast path remembers from one file
meets the next, as in a real run of thousands. Printed: per seed that differs, the sheet and the
fact; then mutants read, handed on to openpyxl (NotUnderstood) and mismatches. Exit 1 on any.
Replay one seed with `python benchmarks/fuzz_read.py SEED SEED+1` after the seeds before it
(what it remembered may be the cause).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))


class _Folders:
    """tmp_path_factory's mktemp, for building the test module's corpus outside pytest."""

    def __init__(self, root: Path) -> None:
        self.root, self.made = root, 0

    def mktemp(self, name: str) -> Path:
        self.made += 1
        path = self.root / f"{name}{self.made}"
        path.mkdir()
        return path


def run(seeds: range, given: tuple[Path, ...] = ()) -> tuple[int, int, list[str]]:
    """(mutants read, handed on, what differed) for these seeds, in this order, in one process."""
    import test_fastread as t
    from xlsx_reports.xlsx import fastread

    root = Path(tempfile.mkdtemp(prefix="fuzz-read-"))
    if given:
        bases = list(given)
    else:
        corpus = t.corpus._get_wrapped_function()(_Folders(root))
        bases = [corpus["filled_2020"], corpus["merged"], corpus["openpyxl"], corpus["filled_2021"]]
    handed_on, differs = 0, []
    for seed in seeds:
        path = root / f"m{seed}.xlsx"
        t._mutate(bases[seed % len(bases)], path, seed)
        fast, full = t.both(path)
        path.unlink()
        if isinstance(fast, fastread.NotUnderstood):
            handed_on += 1
        elif isinstance(full, Exception):
            if not isinstance(fast, Exception):
                differs.append(f"seed {seed}: openpyxl {full!r}, the fast path read it")
        elif isinstance(fast, Exception):
            differs.append(f"seed {seed}: the fast path {fast!r}")
        elif fast != full:
            differs += [f"seed {seed}: {a['name']} {k}" for a, b in zip(fast, full) for k in t.FACTS if a[k] != b[k]]
    return len(seeds), handed_on, differs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("start", nargs="?", type=int, default=1000)
    parser.add_argument("stop", nargs="?", type=int, default=4000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--bases", nargs="+", type=Path, default=[], help="workbooks to mutate")
    args = parser.parse_args()
    step = -(-(args.stop - args.start) // args.jobs)
    parts = [range(s, min(s + step, args.stop)) for s in range(args.start, args.stop, step)]
    with ProcessPoolExecutor(len(parts)) as pool:
        results = list(pool.map(run, parts, [tuple(args.bases)] * len(parts)))
    differs = [line for _n, _h, lines in results for line in lines]
    for line in differs:
        print(line)
    print(f"{sum(r[0] for r in results)} mutants read both ways, {sum(r[1] for r in results)} handed on "
          f"to openpyxl, {len(differs)} facts that differ")
    return 1 if differs else 0


if __name__ == "__main__":
    sys.exit(main())
