"""The text encodings the project reads, in the order tried.

Chinese offices save CSV either as UTF-8 (Excel's "CSV UTF-8" adds a BOM) or in the
system code page (GBK; GB18030 is its superset and decodes every GBK file).
"""
from __future__ import annotations

TEXT_ENCODINGS = ("utf-8-sig", "gb18030")
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
CSV_OUTPUT = "utf-8-sig"    # Excel opens a UTF-8 CSV correctly only with the BOM


def decode(data: bytes, encodings: tuple[str, ...] = TEXT_ENCODINGS) -> tuple[str, str] | None:
    """(text, encoding) of the first encoding that decodes all of `data`, or None."""
    for encoding in ("utf-16",) if data.startswith(UTF16_BOMS) else encodings:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return None
