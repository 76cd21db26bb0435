"""Reading zip parts and XML safely, without trusting what the package says about itself.

A part is inflated in chunks and refused once the bytes actually produced pass a cap (the
sizes a zip declares can lie, so a bomb is stopped after a few MB, not after gigabytes).
XML is parsed with expat, and a document type declaration — the only way to declare
entities or refer to outside files — is refused outright: a workbook never needs one.
"""
from __future__ import annotations

import struct
import zipfile
from typing import Any, Callable, Iterator, NoReturn, TypeVar
from xml.parsers import expat

from xlsx_reports.core.zlibs import BAD_STREAM as _BAD_STREAM, zlib
from xlsx_reports.xlsx import zipdir

T = TypeVar("T")

CHUNK = 1 << 16
PART_FLOOR = 4 << 20      # any part may inflate to this much…
PART_RATIO = 200          # …or to this many times its compressed size (XML of blank cells
PART_CEILING = 128 << 20  # compresses ~50×; a bomb ~1000×), never beyond the ceiling
DIRECT_MAX = 1 << 20      # members up to this size packed are inflated in one call
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")   # a member's local file header (APPNOTE 4.3.7)


class UnsafePart(Exception):
    """A part is a zip bomb or holds a DOCTYPE/entity/external reference; message in Chinese."""


_TRIES = 8


def opens(data: bytes, mark: bytes, start: int = 0, end: int | None = None) -> bool:
    """Whether "<" + mark ("!": a comment, CDATA or DOCTYPE; "?": an instruction) occurs in
    data[start:end], without the copy."""
    return holds(data, b"<" + mark, 1, start, end)


def holds(data: bytes, needle: bytes, rare: int, start: int = 0, end: int | None = None) -> bool:
    """Whether needle occurs in data[start:end], without the copy, found by memchr on the byte
    needle[rare] (one that is rare in XML) and checked around it: a search for the whole
    needle crawls over XML (~0.35 ns a byte for a word, ~1 ns for "<!"), memchr does not.
    Where that byte is not rare after all (a formula's "Sheet!A1"), the rest is searched plainly."""
    end = len(data) if end is None else min(end, len(data))
    mark, last = needle[rare:rare + 1], end - len(needle) + rare + 1   # past it, the needle would not fit
    at = data.find(mark, start + rare, last)
    for _ in range(_TRIES):
        if at < 0:
            return False
        if data.startswith(needle, at - rare, end):
            return True
        at = data.find(mark, at + 1, last)
    return at >= 0 and data.find(needle, at - rare, end) >= 0


def inflated_whole(zf: zipdir.Archive, info: zipdir.Info, cap: int,
                   too_big: Callable[[int], Exception], data: bytes | None = None) -> bytes:
    """The part's bytes at once (an XML part that is kept anyway), as inflated() yields them."""
    if data is not None and info.compress_size <= DIRECT_MAX:
        whole = _direct(data, info, cap, too_big)
        if whole is not None:
            return whole
    return b"".join(inflated(zf, info, cap, too_big))


def part_limit(info: zipdir.Info) -> int:
    return min(PART_CEILING, max(PART_FLOOR, PART_RATIO * info.compress_size))


def inflated(zf: zipdir.Archive, info: zipdir.Info, cap: int,
             too_big: Callable[[int], Exception], data: bytes | None = None) -> Iterator[bytes]:
    """The part's bytes in chunks, counting what inflation actually yields (the sizes a zip
    declares can lie): past `cap` bytes, `too_big(cap)` is raised. With the zip's bytes at
    hand, a small plain member is inflated in one call (zipfile's reader costs more than the
    inflating for parts of a few KB); anything unusual goes through zipfile, which judges it."""
    if data is not None and info.compress_size <= DIRECT_MAX:
        whole = _direct(data, info, cap, too_big)
        if whole is not None:
            yield whole
            return
    size = 0
    with zipdir.open_part(zf, info) as part:
        while block := part.read(CHUNK):
            size += len(block)
            if size > cap:
                raise too_big(cap)
            yield block


def _direct(data: bytes, info: zipdir.Info, cap: int, too_big: Callable[[int], Exception]) -> bytes | None:
    if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return None
    at = info.header_offset
    try:
        head = _LOCAL_HEADER.unpack_from(data, at)
        # an ASCII name is the same bytes in both; Python's cp437 codec costs 15 times as much
        plain = info.flag_bits & 0x800 or info.orig_filename.isascii()
        name = info.orig_filename.encode("utf-8" if plain else "cp437")
    except (struct.error, UnicodeEncodeError):
        return None
    name_len, extra_len = head[-2], head[-1]
    if head[0] != b"PK\x03\x04" or data[at + 30:at + 30 + name_len] != name:
        return None
    start = at + 30 + name_len + extra_len
    packed = data[start:start + info.compress_size]
    if len(packed) != info.compress_size:
        return None
    key = (info.CRC, info.file_size, len(packed), info.compress_type)
    kept = _INFLATED.get(key)
    remembered = kept[1] if kept is not None and kept[0] == packed else None
    if remembered is not None:
        if len(remembered) > cap:
            raise too_big(cap)
        _REMEMBERED[id(remembered)] = remembered   # met again: what is derived from it is kept
        return remembered
    out = _inflate(packed, info, cap, too_big)
    if out is not None and len(packed) + len(out) <= INFLATED_KEPT_PART:
        if key in _SEEN or kept is not None:
            _keep_inflated(key, packed, out)
        else:
            _seen(key)
    return out


# Parts that every workbook of a template carries unchanged (the styles, the theme, the workbook
# and its relationships, sheets nobody types in) come packed in the same bytes: their inflated
# bytes are remembered by the packed bytes and what the directory declares of them, so they are
# inflated and CRC-checked once per run; and being the same bytes object each time, what is
# remembered by them (memo.py) finds them without hashing them again. Found by what the directory
# declares (CRC, sizes, method), then the packed bytes compared; kept only when met a second time
# (its declaration noted the first): a unit's own sheets, met once, are neither hashed only to be
# missed nor kept (kept, they filled the bound every ~20 workbooks and made the template's parts,
# and all derived from them, be worked out again: 2 % of a check's instructions). Bounded by the
# bytes held (packed and inflated), then forgotten all at once: no lock, and a hostile file cannot
# hold more.
_INFLATED: dict[tuple[int, int, int, int], tuple[bytes, bytes]] = {}   # -> (packed, inflated)
_INFLATED_HELD = [0]
INFLATED_KEPT, INFLATED_KEPT_PART = 4 << 20, 256 << 10
_SEEN: set[tuple[int, int, int, int]] = set()   # declarations met once, not yet kept
SEEN_KEPT = 1024   # then forgotten all at once: a template's part is kept at its second sighting
_REMEMBERED: dict[int, bytes] = {}   # id -> inflated bytes _INFLATED served more than once
_DERIVED: dict[tuple[int, str], tuple[bytes, Any]] = {}   # (id, what) -> (the bytes, derived(...))


def _seen(key: tuple[int, int, int, int]) -> None:
    if len(_SEEN) >= SEEN_KEPT:
        _SEEN.clear()
    _SEEN.add(key)


def _keep_inflated(key: tuple[int, int, int, int], packed: bytes, out: bytes) -> None:
    size = len(packed) + len(out)
    # past the bound, or another part declared alike (only a hostile file has one): all forgotten,
    # with what was derived from them, so nothing outlives its count
    if _INFLATED_HELD[0] + size > INFLATED_KEPT or key in _INFLATED:
        _INFLATED.clear()
        _REMEMBERED.clear()
        _DERIVED.clear()
        _INFLATED_HELD[0] = 0
    _INFLATED[key] = (packed, out)
    _INFLATED_HELD[0] += size


def derived(data: bytes, what: str, work: Callable[[bytes], T]) -> T:
    """work(data); kept while `data` is a part remembered by its packed bytes and met again
    (the same object in every workbook of a template, found by identity: no hash of its
    bytes), worked out afresh for any other bytes (a unit's own sheets are met once). `work`
    must be a pure function of the bytes; what it raises is not kept. Each entry holds its
    bytes, so no other object can take its id meanwhile."""
    if _REMEMBERED.get(id(data)) is not data:
        return work(data)
    key = (id(data), what)
    kept = _DERIVED.get(key)
    if kept is not None and kept[0] is data:
        return kept[1]
    result = work(data)
    _DERIVED[key] = (data, result)
    return result


def _inflate(packed: bytes, info: zipdir.Info, cap: int, too_big: Callable[[int], Exception]) -> bytes | None:
    """The packed member inflated and checked against what the directory declares; None when
    they disagree (zipfile then reads it, and judges the damage)."""
    if info.compress_type == zipfile.ZIP_STORED:
        out = packed
    else:
        inflater = zlib.decompressobj(-15)
        try:   # never past the declared size: zipfile stops there too (and then finds the damage)
            out = inflater.decompress(packed, min(cap, info.file_size) + 1)
        except _BAD_STREAM:
            return None
        if len(out) <= min(cap, info.file_size) and not inflater.eof:
            return None
    if len(out) > info.file_size:
        return None
    if len(out) > cap:
        raise too_big(cap)
    if len(out) != info.file_size or zlib.crc32(out) != info.CRC:
        return None
    return out


def read_part(zf: zipfile.ZipFile, name: str) -> bytes:
    """The inflated bytes of one part, at most its part_limit."""
    info = zf.getinfo(name)
    return b"".join(inflated(zf, info, part_limit(info), lambda cap: UnsafePart(
        f"工作簿中的部件 {name} 解压后超过 {cap // (1 << 20)} MB（可能是“压缩炸弹”），为安全起见不予读取")))


def _refuse(what: str) -> Callable[..., NoReturn]:
    def handler(*_args) -> NoReturn:
        raise UnsafePart(f"工作簿中含有不安全的 XML 内容（{what}），为安全起见不予读取")
    return handler


def parser(start, end=None, text=None) -> expat.XMLParserType:
    """An expat parser with namespaces resolved ("uri local") that refuses DTDs and entities."""
    p = expat.ParserCreate(namespace_separator=" ")
    p.buffer_text = True
    p.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    p.StartDoctypeDeclHandler = _refuse("实体声明")   # a DTD is where entities are declared
    p.EntityDeclHandler = _refuse("实体声明")
    p.UnparsedEntityDeclHandler = _refuse("实体声明")
    p.ExternalEntityRefHandler = _refuse("外部引用")
    p.StartElementHandler = start
    if end is not None:
        p.EndElementHandler = end
    if text is not None:
        p.CharacterDataHandler = text
    return p


def parse(data: bytes, start, end=None, text=None) -> None:
    parser(start, end, text).Parse(data, True)
