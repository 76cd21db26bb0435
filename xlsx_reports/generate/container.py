"""The zip container of a stamped workbook (generate/stamp.py): members already deflated.

zipfile can only write a member by compressing it again, and compressing every part of every
workbook would cost more than the rest of a stamped workbook; so the container is written here,
with the header fields zipfile gives each member (taken from the ZipInfo the template was read
with), and the data deflated once per template where it does not change. The inflated parts are
xlsxwriter's byte for byte; the deflated streams may differ from its (see stamp.Part).
"""
from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from zipfile import ZIP64_LIMIT, ZIP_DEFLATED, ZipInfo

LOCAL = struct.Struct("<4s2B4HL2L2H")       # zipfile.structFileHeader
CENTRAL = struct.Struct("<4s4B4HL2L5H2L")   # zipfile.structCentralDir
END = struct.Struct("<4s4H2LH")             # zipfile.structEndArchive
UTF8_NAME = 0x800
LIMIT = min(ZIP64_LIMIT, 0xFFFF)            # members and sizes a plain (not zip64) archive holds


@dataclass(frozen=True)
class Member:
    info: ZipInfo      # name, time, flags and attributes as xlsxwriter's zipfile wrote them
    data: bytes        # raw deflate stream
    crc: int
    size: int          # inflated size


def deflater():
    """A raw deflate stream at the level zipfile uses for ZIP_DEFLATED."""
    return zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)


def deflated(info: ZipInfo, data: bytes) -> Member:
    co = deflater()
    return Member(info, co.compress(data) + co.flush(), zlib.crc32(data), len(data))


def usable(info: ZipInfo) -> bool:
    """Members this writer reproduces: deflated, no extra fields or comments, small."""
    return (info.compress_type == ZIP_DEFLATED and not info.extra and not info.comment
            and info.file_size < ZIP64_LIMIT)


def _name(info: ZipInfo) -> tuple[bytes, int]:
    try:
        return info.filename.encode("ascii"), info.flag_bits
    except UnicodeEncodeError:
        return info.filename.encode("utf-8"), info.flag_bits | UTF8_NAME


def _dos(info: ZipInfo) -> tuple[int, int]:
    y, mo, d, h, mi, s = info.date_time
    return h << 11 | mi << 5 | s // 2, (y - 1980) << 9 | mo << 5 | d


def archive(members: list[Member]) -> bytes:
    """The zip file: local header and data of each member in order, then the central directory."""
    out: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for m in members:
        i = m.info
        name, flags = _name(i)
        time, day = _dos(i)
        local = LOCAL.pack(b"PK\x03\x04", i.extract_version, i.reserved, flags, i.compress_type,
                           time, day, m.crc, len(m.data), m.size, len(name), 0) + name
        central.append(CENTRAL.pack(b"PK\x01\x02", i.create_version, i.create_system,
                                    i.extract_version, i.reserved, flags, i.compress_type, time, day,
                                    m.crc, len(m.data), m.size, len(name), 0, 0, 0,
                                    i.internal_attr, i.external_attr, offset) + name)
        out += (local, m.data)
        offset += len(local) + len(m.data)
    directory = b"".join(central)
    if offset + len(directory) >= ZIP64_LIMIT or len(members) >= LIMIT:
        raise ValueError("a stamped workbook too large for a plain zip")   # never near: ~100 KB
    end = END.pack(b"PK\x05\x06", 0, 0, len(members), len(members), len(directory), offset, 0)
    return b"".join(out) + directory + end
