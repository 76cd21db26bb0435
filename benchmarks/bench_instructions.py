"""Benchmark: instructions per workbook (valgrind), for comparing two versions of the code on a
shared machine whose speed drifts by a third within minutes (see the README).

    python benchmarks/bench_instructions.py DIR [-n 200] [--repo PATH] [--merge]

DIR: a corpus, e.g. one kept by `bench_scale.py N --keep DIR`. Under valgrind's cachegrind,
in one process: the floor (bench_scale.floor: open each zip, inflate the parts a reader needs),
then check_file cumulatively by stage — vet (the file read, the limits scan), the
sheets loaded (the fast read), the reading (the form located, its cells), the rules — each
over N workbooks after 30 read to warm the memos, less the same run over none, so start-up
and imports are not counted. Instructions are not time (inflating runs more instructions a
cycle than Python does), but the same code and files give the same count to within ~0.1 %
(PYTHONHASHSEED is fixed): a change of 1 % shows, where a timed run cannot tell 5 % here.
--repo: the package to import (a git worktree of another commit); default this repository.
--merge: also a merge's worker (merge.inputs.check_one: read, hashed, checked for errors, its row packed).
Needs valgrind (Debian: apt install valgrind).
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WARM = 30
STAGES = ("vet", "load", "reading", "rules")

RUN = r"""
import sys
from pathlib import Path
repo, folder, what, n, warm = sys.argv[1], Path(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
paths = sorted(folder.glob("*.xlsx"))
if what == "floor":   # bench_scale's own floor (its import is counted in the run over none too)
    sys.path.insert(0, sys.argv[6])
    from benchmarks.bench_scale import floor
    floor(paths[:n])
    raise SystemExit
sys.path.insert(0, repo)
if what == "merge":   # a merge's worker: each file read once, hashed, checked for errors, its row packed
    import importlib
    check_one = importlib.import_module("xlsx_reports.merge.inputs").check_one
    for path in paths[:warm]:
        check_one(path)
    for path in paths[warm:warm + n]:
        check_one(path)
    raise SystemExit
from xlsx_reports.check.workbook import check_file, check_reading
from xlsx_reports.xlsx import reader
from xlsx_reports.xlsx.filetypes import vet
for path in paths[:warm]:
    check_file(path)
for path in paths[warm:warm + n]:
    vetted = vet(path)
    if what == "vet":
        continue
    raws, fallback = reader._load(path, vetted)
    if what == "load":
        continue
    reading = reader.reading_of(path, raws, fallback)
    if what == "reading":
        continue
    check_reading(reading)
"""


def instructions(repo: Path, folder: Path, what: str, n: int) -> int:
    env = dict(os.environ, PYTHONHASHSEED="0")
    done = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
                           sys.executable, "-c", RUN, str(repo), str(folder), what, str(n), str(WARM), str(ROOT)],
                          capture_output=True, text=True, env=env, check=True)
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if found is None:
        raise SystemExit(f"valgrind gave no count:\n{done.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def per_workbook(repo: Path, folder: Path, what: str, n: int) -> float:
    return (instructions(repo, folder, what, n) - instructions(repo, folder, what, 0)) / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("-n", type=int, default=200)
    parser.add_argument("--repo", type=Path, default=ROOT)
    parser.add_argument("--merge", action="store_true", help="and a merge's worker (merge.inputs.check_one)")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (Debian: apt install valgrind)")
    if len(list(args.folder.glob("*.xlsx"))) < WARM + args.n:
        raise SystemExit(f"{args.folder} holds fewer than {WARM + args.n} workbooks")
    floor = per_workbook(args.repo, args.folder, "floor", args.n)
    print(f"{args.n} workbooks of {args.folder}, code of {args.repo}")
    print(f"{'floor (inflate parts)':<28} {floor / 1e6:8.2f} M instructions/wb")
    before = 0.0
    for stage in STAGES:
        upto = per_workbook(args.repo, args.folder, stage, args.n)
        print(f"{'  + ' + stage:<28} {(upto - before) / 1e6:8.2f} M")
        before = upto
    print(f"{'check_file':<28} {before / 1e6:8.2f} M instructions/wb, {before / floor:.2f}× the floor's")
    if args.merge:
        worker = per_workbook(args.repo, args.folder, "merge", args.n)
        print(f"{'merge worker (check_one)':<28} {worker / 1e6:8.2f} M instructions/wb, {worker / floor:.2f}× the floor's")


if __name__ == "__main__":
    main()
