"""The deflate library: zlib-ng where its wheel is installed, else the standard library's zlib.

zlib-ng (pycompression's binding; the zlib replacement Fedora ships as its system zlib) reads
and writes the same streams: it inflates in about half the time, computes CRC-32 in a
quarter, and at level 3 deflates a merged workbook's XML a quarter as long as zlib's default
level takes, into a file an eighth larger.
"""
from __future__ import annotations

try:
    from zlib_ng import zlib_ng as zlib
except ImportError:   # pragma: no cover - a platform without its wheel
    import zlib   # type: ignore[no-redef]

BAD_STREAM: type[Exception] = getattr(zlib, "error")   # zlib-ng's stubs say an instance
FAST = zlib.__name__ != "zlib"
WRITE_LEVEL = 3 if FAST else 6   # zlib's own default where zlib-ng is missing: the same files as before

__all__ = ["BAD_STREAM", "FAST", "WRITE_LEVEL", "zlib"]
