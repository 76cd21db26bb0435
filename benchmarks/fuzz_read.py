"""The differential test's long run: mutants read by the fast path and by openpyxl, compared.

    python benchmarks/fuzz_read.py [FROM] [TO] [--jobs J] [--bases FILE...] [--frames]

Seeds FROM..TO (default 1000..4000) of tests/test_fastread.py's mutations of its corpus (sound
workbooks written, merged, edited by openpyxl; --bases: these workbooks instead, say returns
saved by LibreOffice), as the suite does for seeds 0..199; --frames: each mutant also gets
merged ranges and hyperlinks added where the suite's mutations do not put them (over values,
overlapping, linked cells under a merge, links out of the workbook with their relationship).
Each worker
reads its seeds one after another in one process, so what the fast path remembers from one file
meets the next, as in a real run of thousands. Printed: per seed that differs, the sheet and the
fact; then mutants read, handed on to openpyxl (NotUnderstood) or refused by the limits (which
openpyxl does not have), and mismatches. Exit 1 on any.
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


LINK_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SHEET_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns='
              '"http://schemas.openxmlformats.org/package/2006/relationships">{}</Relationships>')


def _framed(path: Path, rnd) -> None:
    """Merged ranges and hyperlinks added to one or two sheets of the mutant at `path`."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist()}
    sheets = [n for n in parts if n.startswith("xl/worksheets/sheet") and n.endswith(".xml")]
    for name in rnd.sample(sheets, min(len(sheets), rnd.randint(1, 2))):
        xml = parts[name].decode()
        refs = re.findall(r'<c r="([A-Z]+\d+)"', xml)
        if not refs or "<sheetData/>" in xml:
            continue
        for _ in range(rnd.randint(1, 3)):
            first, last = sorted(rnd.sample(refs, 2) if len(refs) > 1 else refs * 2, key=_order)
            area = f"{first}:{last}" if first != last else first
            roll = rnd.random()
            if roll < 0.4:   # a merge, over values perhaps, beside or over another
                merge = f'<mergeCell ref="{first}:{_right(first)}"/>'
                xml = (xml.replace("</mergeCells>", merge + "</mergeCells>", 1) if "</mergeCells>" in xml
                       else xml.replace("</sheetData>", f"</sheetData><mergeCells>{merge}</mergeCells>", 1))
            else:   # a link: on one cell or a range, in the workbook or out of it
                if roll < 0.8:
                    link = f'<hyperlink ref="{rnd.choice([first, area, _right(first)])}" location="\'x\'!A1"/>'
                else:
                    rid = f"rId{rnd.randint(50, 59)}"
                    link = f'<hyperlink ref="{rnd.choice([first, area])}" r:id="{rid}" xmlns:r="{LINK_NS}"/>'
                    rels = name.replace("worksheets/", "worksheets/_rels/") + ".rels"
                    relation = (f'<Relationship Id="{rid}" Type="{LINK_NS}/hyperlink" Target="http://www.gov.cn/" '
                                'TargetMode="External"/>')
                    old = parts.get(rels, SHEET_RELS.format("").encode()).decode()
                    if f'Id="{rid}"' not in old:
                        parts[rels] = old.replace("</Relationships>", relation + "</Relationships>").encode()
                xml = (xml.replace("</hyperlinks>", link + "</hyperlinks>", 1) if "</hyperlinks>" in xml
                       else _before_tail(xml, f"<hyperlinks>{link}</hyperlinks>"))
        parts[name] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)


def _order(ref: str) -> tuple[int, int]:
    import re
    col, row = re.fullmatch(r"([A-Z]+)(\d+)", ref).groups()
    return int(row), sum((ord(ch) - 64) * 26 ** i for i, ch in enumerate(reversed(col)))


def _right(ref: str) -> str:
    import re
    col, row = re.fullmatch(r"([A-Z]+)(\d+)", ref).groups()
    return f"{col[:-1]}{chr(ord(col[-1]) + 1)}{row}" if col[-1] != "Z" else f"{col}A{row}"


def _before_tail(xml: str, element: str) -> str:
    """The element where the schema puts hyperlinks: after the validations, before the print
    settings (or at the end)."""
    for follower in ("<printOptions", "<pageMargins", "<pageSetup", "<headerFooter", "<drawing", "<legacyDrawing",
                     "<tableParts", "</worksheet>"):
        at = xml.find(follower)
        if at >= 0:
            return xml[:at] + element + xml[at:]
    return xml


class _Folders:
    """tmp_path_factory's mktemp, for building the test module's corpus outside pytest."""

    def __init__(self, root: Path) -> None:
        self.root, self.made = root, 0

    def mktemp(self, name: str) -> Path:
        self.made += 1
        path = self.root / f"{name}{self.made}"
        path.mkdir()
        return path


def run(seeds: range, given: tuple[Path, ...] = (), frames: bool = False) -> tuple[int, int, list[str]]:
    """(mutants read, handed on, what differed) for these seeds, in this order, in one process."""
    import test_fastread as t
    from xlsx_reports.xlsx import fastread, limits

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
        if frames:
            import random
            _framed(path, random.Random(-seed))
        fast, full = t.both(path)
        path.unlink()
        if isinstance(fast, (fastread.NotUnderstood, limits.Refused)):
            handed_on += 1   # to openpyxl, or refused as beyond the limits (which openpyxl does not have)
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
    parser.add_argument("--frames", action="store_true", help="add merges and hyperlinks too")
    args = parser.parse_args()
    step = -(-(args.stop - args.start) // args.jobs)
    parts = [range(s, min(s + step, args.stop)) for s in range(args.start, args.stop, step)]
    with ProcessPoolExecutor(len(parts)) as pool:
        results = list(pool.map(run, parts, [tuple(args.bases)] * len(parts), [args.frames] * len(parts)))
    differs = [line for _n, _h, lines in results for line in lines]
    for line in differs:
        print(line)
    print(f"{sum(r[0] for r in results)} mutants read both ways, {sum(r[1] for r in results)} handed on "
          f"to openpyxl or refused by the limits, {len(differs)} facts that differ")
    return 1 if differs else 0


if __name__ == "__main__":
    sys.exit(main())
