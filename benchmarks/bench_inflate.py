"""Inflating a corpus's parts: the standard library's zlib against zlib-ng (what xlsx/safexml.py uses).

    python benchmarks/bench_inflate.py DIR [-n 300]

DIR: a corpus, e.g. one kept by `bench_scale.py N --keep DIR`. Every part of each workbook is
inflated from its packed bytes in this process, and its CRC-32 computed, with each library in
turn (fastest of three rounds); prints milliseconds per workbook. The floor of bench_scale.py
inflates with the standard library, as the performance issue defines it.
"""
from __future__ import annotations

import argparse
import struct
import time
import zipfile
import zlib
from pathlib import Path

from zlib_ng import zlib_ng


def packed_parts(paths: list[Path]) -> list[tuple[bytes, int]]:
    out = []
    for path in paths:
        data = path.read_bytes()
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                name_len, extra_len = struct.unpack_from("<HH", data, info.header_offset + 26)
                start = info.header_offset + 30 + name_len + extra_len
                if info.compress_type == zipfile.ZIP_DEFLATED:
                    out.append((data[start:start + info.compress_size], info.file_size))
    return out


def timed(library, parts: list[tuple[bytes, int]]) -> tuple[float, float]:
    """(seconds inflating, seconds computing CRC-32), fastest of three rounds."""
    inflating = checking = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        outs = [library.decompressobj(-15).decompress(packed, size + 1) for packed, size in parts]
        middle = time.perf_counter()
        for out in outs:
            library.crc32(out)
        end = time.perf_counter()
        inflating, checking = min(inflating, middle - start), min(checking, end - middle)
    return inflating, checking


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("-n", type=int, default=300)
    args = parser.parse_args()
    paths = sorted(args.folder.glob("*.xlsx"))[: args.n]
    parts = packed_parts(paths)
    print(f"{len(paths)} workbooks, {len(parts)} deflated parts")
    for name, library in (("zlib (standard library)", zlib), ("zlib-ng", zlib_ng)):
        inflating, checking = timed(library, parts)
        print(f"{name:24s} inflate {inflating / len(paths) * 1000:.3f} ms/wb   "
              f"CRC-32 {checking / len(paths) * 1000:.3f} ms/wb")


if __name__ == "__main__":
    main()
