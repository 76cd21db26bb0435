"""A seeded mutator of workbooks: bytes, zip structure and the XML inside (issue 10).

`mutate(data, rng)` returns a mutated copy of an xlsx file's bytes; the same seed gives the
same mutation, so a failure found by `benchmarks/fuzz_check.py` is replayed by its number.
`run_one(path)` checks one file the way the command line does and says what went wrong:
"" for a clean answer, else "traceback: …", "hang" or "exception name: …".
"""
from __future__ import annotations

import io
import random
import re
import signal
import struct
import traceback
import warnings
import zipfile

HOSTILE_NUMBERS = ("1e309", "-1e309", "nan", "inf", "1e-400", "99999999999999999999999", "-0",
                   "2.5", "-1", "abc", "", "0x10", "1,000", "１２")
HOSTILE_TEXTS = ("", "=1+1", "<script>x</script>", "[1, 2]", '{"unit": 1}', "null", "\x00\x01",
                 "x" * 40_000, "[{\"unit\": [1]}]", "2099", "merged", "unit", "-1", "１")
HOSTILE_REFS = ("XFD1048576", "A0", "", "ZZZZ1", "A1048577", "$A$1", "a1", "B2:A1", "A1:XFD1048576",
                "1:1048576", "A:XFD")
CELL_TYPES = ("s", "n", "b", "e", "str", "inlineStr", "d", "x")
MAX_SECONDS = 10     # a check that takes more CPU seconds than this counts as a hang
EXCEPTION_NAME = re.compile(r"Traceback|Errno|\b[A-Z]\w*(?:Error|Exception)\b")


def mutate(data: bytes, rng: random.Random) -> bytes:
    kind = rng.choices(("bytes", "zip", "xml"), weights=(2, 2, 6))[0]
    try:
        if kind == "bytes":
            return _bytes(data, rng)
        if kind == "zip":
            return _zip(data, rng)
        return _xml(data, rng)
    except (zipfile.BadZipFile, ValueError, IndexError):
        return _bytes(data, rng)


def _bytes(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 20)):
        pos = rng.randrange(len(out))
        op = rng.random()
        if op < 0.5:
            out[pos] = rng.randrange(256)
        elif op < 0.7:
            del out[pos: pos + rng.randint(1, 64)]
        else:
            out[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
    if rng.random() < 0.1:
        out = out[: rng.randrange(len(out))]
    return bytes(out)


def _entries(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [(i, zf.read(i)) for i in zf.infolist()]


def _pack(entries, *, stored: bool = False) -> bytes:
    buf = io.BytesIO()
    warnings.filterwarnings("ignore", "Duplicate name", UserWarning)   # a doubled part is meant
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED) as zf:
        for info, content in entries:
            name = info.filename if isinstance(info, zipfile.ZipInfo) else info
            zf.writestr(name, content)
    return buf.getvalue()


def _zip(data: bytes, rng: random.Random) -> bytes:
    entries = [(i.filename, c) for i, c in _entries(data)]
    op = rng.randrange(7)
    if op == 0:
        entries.pop(rng.randrange(len(entries)))
    elif op == 1:
        entries.append(rng.choice(entries))
    elif op == 2:
        i, j = rng.randrange(len(entries)), rng.randrange(len(entries))
        entries[i], entries[j] = (entries[i][0], entries[j][1]), (entries[j][0], entries[i][1])
    elif op == 3:
        i = rng.randrange(len(entries))
        entries[i] = (entries[i][0].upper() if rng.random() < 0.5 else "../" + entries[i][0], entries[i][1])
    elif op == 4:
        return _pack(entries, stored=True)
    elif op == 5:
        return _header_field(data, rng)
    else:
        return data + bytes(rng.randrange(256) for _ in range(rng.randint(1, 4096)))
    return _pack(entries)


def _header_field(data: bytes, rng: random.Random) -> bytes:
    """One field of a local or central header set to a random value (versions, flags,
    method, sizes, offsets, name lengths)."""
    out = bytearray(data)
    sig = rng.choice((b"PK\x03\x04", b"PK\x01\x02", b"PK\x05\x06"))
    spots = [m.start() for m in re.finditer(re.escape(sig), data)]
    if not spots:
        return _bytes(data, rng)
    pos = rng.choice(spots)
    fields = {b"PK\x03\x04": (4, 6, 8, 18, 22, 26), b"PK\x01\x02": (4, 6, 8, 10, 20, 24, 28, 42),
              b"PK\x05\x06": (8, 10, 12, 16)}[sig]
    off = rng.choice(fields)
    wide = off in (18, 22, 42, 12, 16) or (sig == b"PK\x01\x02" and off in (20, 24))
    value = rng.choice((0, 1, 0xFF, 0xFFFF, 99, 63, 20, 0xFFFFFFFF, rng.randrange(1 << 16)))
    if pos + off + 4 <= len(out):
        struct.pack_into("<I" if wide else "<H", out, pos + off, value & (0xFFFFFFFF if wide else 0xFFFF))
    return bytes(out)


def _xml(data: bytes, rng: random.Random) -> bytes:
    entries = [(i.filename, c) for i, c in _entries(data)]
    xml = [k for k, (name, _) in enumerate(entries) if name.endswith(".xml")]
    weights = [6 if "worksheets/" in entries[k][0] else 3 if "shared" in entries[k][0]
               or "workbook.xml" in entries[k][0] else 1 for k in xml]
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        k = rng.choices(xml, weights=weights)[0]
        name, content = entries[k]
        text = content.decode("utf-8", "replace")
        entries[k] = (name, _xml_edit(text, rng).encode("utf-8", "replace"))
    return _pack(entries)


def _xml_edit(text: str, rng: random.Random) -> str:
    op = rng.randrange(9)
    if op == 0:
        return _sub_one(text, r"<v>[^<]*</v>", lambda m: f"<v>{rng.choice(HOSTILE_NUMBERS)}</v>", rng)
    if op == 1:
        return _sub_one(text, r'\bt="[^"]*"', lambda m: f't="{rng.choice(CELL_TYPES)}"', rng)
    if op == 2:
        return _sub_one(text, r'\b(r|ref|sqref)="[^"]*"', lambda m: f'{m.group(1)}="{rng.choice(HOSTILE_REFS)}"', rng)
    if op == 3:
        return _sub_one(text, r"<t(?: [^>]*)?>[^<]*</t>", lambda m: f"<t>{_escape(rng.choice(HOSTILE_TEXTS))}</t>", rng)
    if op == 4:   # an element taken out
        return _sub_one(text, r"<(\w+)[^>]*/>|<(\w+)[^>]*>[^<]*</\2>", lambda m: "", rng)
    if op == 5:   # an element doubled
        return _sub_one(text, r"<(\w+)[^>]*/>|<(\w+)[^>]*>[^<]*</\2>", lambda m: m.group(0) * 2, rng)
    if op == 6:
        cut = rng.randrange(len(text))
        return text[:cut]
    if op == 7:   # a number inside an attribute or value changed
        return _sub_one(text, r"\d+", lambda m: str(rng.choice((0, -1, 10**9, 1048577, 16385, int(m.group(0)) + 1))), rng)
    return _sub_one(text, r"<f>[^<]*</f>", lambda m: f"<f>{rng.choice(('SUM(A1:XFD1048576)', 'INDIRECT(A1)', '1/0', ''))}</f>", rng)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _sub_one(text: str, pattern: str, repl, rng: random.Random) -> str:
    matches = list(re.finditer(pattern, text))
    if not matches:
        return text
    m = rng.choice(matches)
    return text[: m.start()] + repl(m) + text[m.end():]


class Hang(Exception):
    pass


_fired: list[bool] = []


def _alarm(signum, frame):
    _fired.append(True)   # also seen when the exception is swallowed (raised inside a __del__)
    raise Hang()


def run_one(path) -> str:
    """Checks one file as `check` does, JSON included; "" when the answer is clean."""

    from xlsx_reports.check.batch import check_paths
    from xlsx_reports.check.output import as_json, text_lines
    from xlsx_reports.core.findings import dumps

    # CPU time, not wall time: on a loaded machine a sound check can wait seconds for a core
    old = signal.signal(signal.SIGPROF, _alarm)
    _fired.clear()
    signal.setitimer(signal.ITIMER_PROF, MAX_SECONDS)
    try:
        result = check_paths([path], jobs=1)
        text = "\n".join(text_lines(result))
        dumps(as_json(result))
    except Hang:
        return "hang"
    except Exception:  # noqa: BLE001 - what the fuzzer is looking for
        return "traceback: " + traceback.format_exc(limit=-3)
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, old)
    if _fired:
        return "hang"
    if any(f.code == "INTERNAL" for e in result.files for f in e.findings):
        return "traceback: internal error finding"
    found = EXCEPTION_NAME.search(text)
    if found:
        return f"exception name: {found.group(0)} in {text[max(0, found.start() - 80): found.end() + 40]!r}"
    return ""
