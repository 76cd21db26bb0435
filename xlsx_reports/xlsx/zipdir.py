"""A zip's directory read from the bytes at hand, for the plain archives spreadsheet programs
write; zipfile for anything else.

zipfile reads the directory through a file object and builds a ZipInfo of some twenty
attributes for each part: ~0.5 M instructions for a return's twenty parts, 4 % of checking it
(and a tenth of the floor). Here the central directory is unpacked from the bytes already read
into the few facts the limits scan and the reader use. An archive with anything zipfile judges
on its own — a comment, bytes before or after it, Zip64, a newer version, a part listed twice,
an extra field it decodes, a name zipfile would alter or cannot decode, a directory that does
not end where it says — is read by zipfile instead (None), so what is accepted or refused, and
how, stays zipfile's; what is read here is what zipfile reads (tests/test_zipdir.py).
"""
from __future__ import annotations

import io
import os
import struct
import zipfile
from typing import IO, NamedTuple, Union, cast

# the zip format's records, as zipfile spells them (structEndArchive, structCentralDir, ...)
_END = struct.Struct("<4s4H2LH")                # the end record, 22 bytes
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")      # each part's entry, 46 bytes and its name
_EXTRA = struct.Struct("<HH")
END_SIGNATURE, CENTRAL_SIGNATURE, ZIP64_LOCATOR = b"PK\005\006", b"PK\001\002", b"PK\x06\x07"
ZIP64_EXTRA = 0x0001   # the only extra field zipfile decodes (ZipInfo._decodeExtra)

Archive = Union["Directory", zipfile.ZipFile]   # what vet reads a zip's parts through
Info = Union["Member", zipfile.ZipInfo]


class Member(NamedTuple):
    """What the limits scan and the reader ask of a part, named as ZipInfo names it."""
    filename: str
    orig_filename: str
    compress_type: int
    compress_size: int
    file_size: int
    CRC: int
    header_offset: int
    flag_bits: int

    def is_dir(self) -> bool:
        return self.filename.endswith("/")


def members(data: bytes) -> list[Member] | None:
    """The parts as zipfile lists them, or None where zipfile must read the archive itself."""
    if len(data) < _END.size or data[-_END.size:-_END.size + 4] != END_SIGNATURE:
        return None
    (_sig, disk, disk_cd, here, entries, size, offset, comment) = _END.unpack_from(data, len(data) - _END.size)
    end = len(data) - _END.size
    if (end < 20 or comment or disk or disk_cd or here != entries or offset + size != end
            or data[end - 20:end - 16] == ZIP64_LOCATOR):
        return None
    found: list[Member] = []
    at, new = offset, tuple.__new__
    unpack, size_central, newest = _CENTRAL.unpack_from, _CENTRAL.size, zipfile.MAX_EXTRACT_VERSION
    while at < end:
        if at + size_central > end:
            return None
        entry = unpack(data, at)   # zipfile.structCentralDir's fields, in its order (_CD_*)
        start = at + size_central
        name_end = start + entry[12]
        at = name_end + entry[13] + entry[14]
        if entry[0] != CENTRAL_SIGNATURE or entry[3] > newest or at > end:
            return None
        flags = entry[5]
        try:   # names in cp437 (zipfile's reading of names not flagged UTF-8) are left to it
            name = data[start:name_end].decode("utf-8" if flags & 0x800 else "ascii")
        except UnicodeDecodeError:
            return None
        if entry[13] and not _plain_extra(data, name_end, entry[13]):
            return None
        if "\x00" in name or (os.sep != "/" and os.sep in name):   # ZipInfo would change the name
            return None
        found.append(new(Member, (name, name, entry[6], entry[10], entry[11], entry[9], entry[18], flags)))
    if at != end or len(found) != entries or len({m.filename for m in found}) != len(found):
        return None
    return found


def _plain_extra(data: bytes, at: int, length: int) -> bool:
    """Extra fields that zipfile passes over: well formed, and none of them Zip64."""
    end = at + length
    while at + 4 <= end:
        kind, size = _EXTRA.unpack_from(data, at)
        at += 4 + size
        if kind == ZIP64_EXTRA or at > end:
            return False
    return at == end


class Directory:
    """What vet asks of a zip (infolist, namelist, open), from `members`; a part is
    opened through zipfile, made when first needed (a part the direct inflating in safexml
    leaves to it, a mimetype)."""

    def __init__(self, data: bytes, found: list[Member]) -> None:
        self.data, self.found = data, found
        self.real: zipfile.ZipFile | None = None

    def infolist(self) -> list[Member]:
        return list(self.found)

    def namelist(self) -> list[str]:
        return [m.filename for m in self.found]

    def open(self, name: str) -> IO[bytes]:
        if self.real is None:
            self.real = zipfile.ZipFile(io.BytesIO(self.data))
        return self.real.open(name)

    def close(self) -> None:
        if self.real is not None:
            self.real.close()

    def __enter__(self) -> "Directory":
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


def open_part(zf: Archive, info: Info) -> IO[bytes]:
    """A part through zipfile: a Directory's by its name (each is listed once), zipfile's by the
    very entry (an archive zipfile reads may list a name twice)."""
    if isinstance(zf, Directory):
        return zf.open(info.filename)
    return zf.open(cast(zipfile.ZipInfo, info))


def open_zip(data: bytes) -> Archive:
    """The archive's directory: read here when plain, else by zipfile (which may raise)."""
    found = members(data)
    return Directory(data, found) if found is not None else zipfile.ZipFile(io.BytesIO(data))
