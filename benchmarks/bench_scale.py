"""Benchmark: check, merge and batch over N filled workbooks against the zip floor.

    python benchmarks/bench_scale.py N [--year 2021] [--jobs J] [--keep DIR] [--saved-by libreoffice]
        [--texts sentence|real|long] [--profile]

1. Builds N distinct filled workbooks: a few written by the real writer (balanced values),
   the rest copies of them whose unit name is changed in the shared strings (so every file is
   a real, different workbook of a different unit), which takes ~1 ms each instead of ~40.
   --saved-by libreoffice: the few are first opened and saved by LibreOffice, as a clerk
   filling them in Calc returns them. --texts real: their narratives as long as the sample
   township report's (its sections, ~520-630 characters, each file's its own); --texts long
   (or --long-texts): three times that (~1,600 characters a section; a city's 总体情况 runs to
   3,000-4,000); default: a sentence each.
2. The floor: open each zip and inflate the parts a reader needs, in one process.
3. `xlsx-reports check DIR --json` and `xlsx-reports merge DIR`, each a fresh process, so
   start-up and imports are included; then `batch` of N templates from a roster.
4. One workbook checked in-process (the web upload path), median of 30.
Steps 2 and 3 run in turn --repeat times (default 3) and the fastest run of each is reported,
since a shared machine's speed drifts; with the ratio of each command's run to the floor's run of
the same turn (median and range), which a drift between turns does not move. Prints ms per
workbook, the ratio to the floor, CPU time and peak memory (the command, its largest worker, and
all of them together).
"""
from __future__ import annotations

import argparse
import compileall
import io
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.balanced import balanced_report  # noqa: E402

BASES = 8
NEEDED = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml", "xl/sharedStrings.xml")


TEXTS = {"sentence": 0, "real": 1, "long": 3}   # how many times the sample's sections are written out


def build(folder: Path, n: int, year: int, saved_by: str = "", texts: str = "sentence") -> list[Path]:
    from xlsx_reports.xlsx.writer import write_workbook
    kept = sorted(folder.glob("基准*.xlsx"))
    made = folder / ".saved-by"
    kind = saved_by + {"sentence": "", "real": " real-texts", "long": " long-texts"}[texts] + (
        ", each paragraph its own" if TEXTS[texts] else "")
    if len(kept) == n and made.exists() and made.read_text() == kind:
        return kept   # a corpus kept by --keep from an earlier run of the same size and kind
    for path in kept:
        path.unlink()
    units = [unit_name(i, 2) for i in range(min(BASES, n))]
    paths = [folder / f"{unit}.xlsx" for unit in units]
    for i, (unit, path) in enumerate(zip(units, paths)):
        report = balanced_report(unit, year, random.Random(i))
        if TEXTS[texts]:
            real_texts(report, i, TEXTS[texts])
        write_workbook(report, path)
    if saved_by == "libreoffice":
        resave(paths)
    bases = [(unit, path.read_bytes()) for unit, path in zip(units, paths)]
    for i in range(len(bases), n):
        unit, data = bases[i % len(bases)]
        name = unit_name(i, 5)
        path = folder / f"{name}.xlsx"
        path.write_bytes(renamed(data, unit, name))
        paths.append(path)
    made.write_text(kind)
    return paths


def real_texts(report, i: int, times: int) -> None:
    """The narratives of the sample 河市镇 report (its sections: 631 and 522 characters), each
    written out `times` times (3: ~1,600 characters a section), its sentences turned
    round by the section so that no two sections hold the same text, and every paragraph
    naming the unit (where the sample names 河市镇, or in front), so that each copy renamed
    holds paragraphs of its own, as real returns do: a reader that remembers texts met before
    gains nothing here from repetition that real returns would not have."""
    import json
    seed = json.loads((ROOT / "samples" / "data" / "河市镇_2020.json").read_text(encoding="utf-8"))
    texts = [v for v in seed["values"].values() if isinstance(v, str) and len(v) > 100]
    for j, f in enumerate(f for f in report.form.inputs if f.type == "longtext"):
        sentences = re.findall(r"[^。]*。|[^。]+$", texts[(i + j) % len(texts)].replace("河市镇", report.unit))
        turn = j % len(sentences)
        paragraphs = "".join(sentences[turn:] + sentences[:turn]).split("\n")
        text = "\n".join(p if report.unit in p or not p.strip() else report.unit + p for p in paragraphs)
        report.values[f.key] = (text + "\n") * times


def resave(paths: list[Path]) -> None:
    """Each workbook opened and saved by LibreOffice, as a clerk's Calc would return it (runs of
    text in the strings, t="n" on numbers, its own styles and row attributes)."""
    import shutil
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        sys.exit("--saved-by libreoffice needs LibreOffice (soffice) on the PATH")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([soffice, f"-env:UserInstallation={Path(tmp, 'profile').as_uri()}", "--headless",
                        "--convert-to", "xlsx", "--outdir", str(Path(tmp, "out")), *map(str, paths)],
                       check=True, capture_output=True, timeout=600)
        missing = [path.name for path in paths if not Path(tmp, "out", path.name).exists()]
        if missing:   # LibreOffice may leave the last few of a batch unconverted and still exit 0
            sys.exit(f"LibreOffice did not save {', '.join(missing)}; run the benchmark again")
        for path in paths:
            shutil.copyfile(Path(tmp, "out", path.name), path)


def unit_name(i: int, width: int) -> str:
    """基准〇〇〇一二镇: Chinese numerals, so that LibreOffice keeps the name in one run of text
    (it splits a text where the script changes) and a copy can be renamed by replacing it."""
    return "基准" + "".join("〇一二三四五六七八九"[int(d)] for d in f"{i:0{width}d}") + "镇"


def renamed(data: bytes, old: str, new: str) -> bytes:
    """The workbook with its unit renamed wherever the name is stored (strings, properties)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            part = src.read(item)
            if item.filename.endswith(".xml"):
                part = part.replace(old.encode(), new.encode())
            dst.writestr(item, part)
    return out.getvalue()


def floor(paths: list[Path]) -> float:
    start = time.perf_counter()
    for path in paths:
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                if name in NEEDED or name.startswith("xl/worksheets/sheet"):
                    zf.read(name)
    return time.perf_counter() - start


def cli(args: list[str]) -> tuple[float, tuple[int, int], float, int]:
    """Seconds, peak RSS of the command and of its largest worker,
    CPU seconds of all its processes (on a shared machine the wall clock alone says little),
    and the peak of the RSS summed over the command and its workers (sampled every 20 ms)."""
    code = ("import resource, sys\n"   # the command's own entry (xlsx-reports), exit included
            "from xlsx_reports.cli import main_entry\n"
            "try:\n    main_entry()\n"
            "finally:\n"
            "    me = resource.getrusage(resource.RUSAGE_SELF)\n"
            "    kids = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
            "    cpu = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime\n"
            "    sys.stderr.write(f'\\nMAXRSS {me.ru_maxrss} {kids.ru_maxrss} {cpu}\\n')\n")
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code, *args], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    peak = [0]
    sampler = threading.Thread(target=_sample_tree, args=(proc, peak), daemon=True)
    sampler.start()
    _out, err = proc.communicate()
    seconds = time.perf_counter() - start
    sampler.join()
    line = [x for x in err.splitlines() if x.startswith("MAXRSS")]
    if not line or proc.returncode != 0:
        sys.exit(f"{args[0]} failed (exit {proc.returncode}):\n{err[-2000:]}")
    me, kids, cpu = line[-1].split()[1:]
    return seconds, (int(me) // 1024, int(kids) // 1024), float(cpu), peak[0] // 1024


def _sample_tree(proc: subprocess.Popen, peak: list[int]) -> None:
    """Peak of the RSS (KB) summed over a process and its descendants, read from Linux's /proc
    every 50 ms (children lists and statm only, so the sampling itself costs next to nothing)."""
    page_kb = os.sysconf("SC_PAGE_SIZE") // 1024
    while proc.poll() is None:
        total, todo = 0, [proc.pid]
        while todo:
            pid = todo.pop()
            try:
                total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * page_kb
                todo += [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
            except (OSError, ValueError, IndexError):
                continue
        peak[0] = max(peak[0], total)
        time.sleep(0.05)


def one_upload(path: Path) -> float:
    from xlsx_reports.check.workbook import check_file
    check_file(path)   # imports and caches warm, as in a running web server
    times = []
    for _ in range(30):
        start = time.perf_counter()
        check_file(path)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def profile(path: Path) -> None:
    import cProfile
    import pstats
    from xlsx_reports.check.workbook import check_reading
    from xlsx_reports.xlsx import reader
    reader.read_workbook(path)
    for label, load in (("fast path", None), ("openpyxl (before)", reader._load_openpyxl)):
        original = reader._load
        if load is not None:
            reader._load = lambda p, vetted: (load(p, vetted.data), "benchmark")   # type: ignore[assignment]
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(5):
            check_reading(reader.read_workbook(path))
        prof.disable()
        reader._load = original
        print(f"\n--- profile, {label}: 5 × read + check of {path.name}")
        pstats.Stats(prof).sort_stats("tottime").print_stats(12)


def report(label: str, seconds: float, mb: tuple[int, int] | None = None, cpu: float | None = None,
           total_mb: int | None = None, *, n: int, base: float) -> None:
    ms = 1000 * seconds / n
    mem = f"  peak command {mb[0]:3d} MB, worker {mb[1]:3d} MB, all {total_mb:3d} MB" if mb is not None else ""
    used = f"  cpu {1000 * cpu / n:7.2f} ms/wb" if cpu is not None else ""
    print(f"{label:<34} {seconds:8.2f} s {ms:8.2f} ms/wb {seconds / base:6.1f}× floor{mem}{used}",
          flush=True)


def paired(runs: dict[str, list]) -> str:
    """Each command's run over the floor's run of the same turn (seconds apart, so a drift of the
    machine's speed between turns cancels): the median and the range of those ratios."""
    out = []
    for name in ("check", "merge"):
        ratios = sorted(r[0] / f[0] for r, f in zip(runs[name], runs["floor"]))
        out.append(f"{name} {statistics.median(ratios):.2f}× ({ratios[0]:.2f}–{ratios[-1]:.2f}×)")
    return "paired with the floor run just before, median (range): " + ", ".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=1000)
    parser.add_argument("--year", type=int, default=2021)
    parser.add_argument("--jobs", type=int, help="worker processes (default: one per CPU, at most 4)")
    parser.add_argument("--keep", type=Path, help="build the corpus in this folder and keep it (reused when it "
                                                  "already holds N workbooks)")
    parser.add_argument("--profile", action="store_true", help="cProfile one workbook, fast path and openpyxl")
    parser.add_argument("--saved-by", choices=("libreoffice",), default="",
                        help="the returns as a spreadsheet program saved them (default: as this tool writes them)")
    parser.add_argument("--texts", choices=tuple(TEXTS), default="sentence",
                        help="narratives: a sentence each (default), the sample township report's sections "
                             "(real), or three times them (long)")
    parser.add_argument("--long-texts", dest="texts", action="store_const", const="long",
                        help="the same as --texts long")
    parser.add_argument("--no-batch", action="store_true")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the floor, check and merge, taken in "
                                                              "turn; the fastest of each is reported")
    args = parser.parse_args()
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    # the commands import the working tree: compiled first, as `pip install` compiles the package
    # (with PYTHONDONTWRITEBYTECODE set, each command would compile every module it imports)
    compileall.compile_dir(ROOT / "xlsx_reports", quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp) / "returns"
        folder.mkdir(parents=True, exist_ok=True)
        load = os.getloadavg()[0]
        print(f"{args.n} workbooks, {args.year}, saved by {args.saved_by or 'this tool'}, "
              f"{ {'sentence': 'short', 'real': 'real-length', 'long': 'long'}[args.texts]} narratives, "
              f"jobs={args.jobs or 'auto'}, {os.cpu_count()} CPUs, load average {load:.1f} at start")
        # the interpreter matters: a distribution's build (Debian's, python.org's) is made with
        # profile-guided and link-time optimisation, one built from source with pyenv's defaults
        # is not; on the latter the commands, nearly all Python, ran ~15 % slower, the floor ~8 %
        print(f"Python {platform.python_version()} ({sys.executable})")
        start = time.perf_counter()
        paths = build(folder, args.n, args.year, args.saved_by, args.texts)
        print(f"{'build corpus':<34} {time.perf_counter() - start:8.2f} s")
        # the floor and the two commands taken in turn, `repeat` times, the fastest of each kept:
        # a shared machine's speed drifts by a third within minutes (see the README)
        runs: dict[str, list] = {"floor": [], "check": [], "merge": []}
        for _ in range(args.repeat):
            runs["floor"].append((floor(paths),))
            runs["check"].append(cli(["check", str(folder), "--json", *jobs]))
            runs["merge"].append(cli(["merge", str(folder), "-o", str(Path(tmp) / "total.xlsx"),
                                      "--unit", "基准区", *jobs]))
        best = {k: min(v, key=lambda r: r[0]) for k, v in runs.items()}
        base = best["floor"][0]
        report("floor (inflate parts, 1 process)", base, n=args.n, base=base)
        report("check DIR --json", *best["check"], n=args.n, base=base)
        report("merge DIR -o total.xlsx", *best["merge"], n=args.n, base=base)
        if args.repeat > 1:
            print("  each run (s): " + "; ".join(f"{k} " + " ".join(f"{r[0]:.2f}" for r in v)
                                                for k, v in runs.items()))
            print("  " + paired(runs))
        if not args.no_batch:
            roster = Path(tmp) / "roster.csv"
            roster.write_text("单位名称\n" + "".join(f"模板{i:05d}镇\n" for i in range(args.n)), encoding="utf-8")
            report("batch (templates)", *cli(["batch", str(roster), "--year", str(args.year),
                                              "-o", str(Path(tmp) / "out")]), n=args.n, base=base)
        print(f"{'one workbook checked (in-process)':<34} {1000 * one_upload(paths[0]):8.2f} ms")
        print(f"load average {os.getloadavg()[0]:.1f} at end (the machine is shared)")
        if args.profile:
            profile(paths[0])


if __name__ == "__main__":
    main()
