"""The zip's directory read from the bytes (xlsx/zipdir.py) is exactly zipfile's, or left to
zipfile: on the project's workbooks and samples, on archives with what zipfile judges itself
(comments, bytes around the archive, Zip64, parts listed twice, extra fields, names in cp437),
and on a few hundred archives with their directory damaged at random."""
from __future__ import annotations

import io
import random
import struct
import warnings
import zipfile
from pathlib import Path

import pytest

from conftest import REPO
from xlsx_reports.check.workbook import check_file
from xlsx_reports.xlsx import safexml, zipdir
from xlsx_reports.xlsx.filetypes import vet

FIELDS = ("filename", "orig_filename", "compress_type", "compress_size", "file_size", "CRC", "header_offset",
          "flag_bits")


def zipfile_view(data: bytes):
    """What zipfile reads of the archive's parts, or the type of what it raises."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return [tuple(getattr(i, f) for f in FIELDS) + (i.is_dir(),) for i in zf.infolist()]
    except Exception as exc:  # noqa: BLE001 - compared by the caller
        return type(exc)


def assert_same_or_left(data: bytes) -> bool:
    """True when read here (and then exactly as zipfile reads it), False when left to zipfile."""
    found = zipdir.members(data)
    if found is None:
        return False
    assert zipfile_view(data) == [tuple(getattr(m, f) for f in FIELDS) + (m.is_dir(),) for m in found]
    return True


def archive(entries, comment: bytes = b"", compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """An archive written by zipfile: entries are (ZipInfo or name, bytes)."""
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # a name twice
        with zipfile.ZipFile(buf, "w", compression) as zf:
            for info, content in entries:
                zf.writestr(info, content)
            zf.comment = comment
    return buf.getvalue()


def samples() -> list[Path]:
    return sorted((REPO / "samples").rglob("*.xlsx"))


@pytest.mark.parametrize("path", samples(), ids=lambda p: p.name)
def test_the_project_workbooks_are_read_here_as_zipfile_reads_them(path):
    assert assert_same_or_left(path.read_bytes())


def test_a_workbook_checks_the_same_with_its_directory_read_either_way(monkeypatch):
    path = next(p for p in samples() if p.parent.name == "samples")
    fast = check_file(path)[1]
    monkeypatch.setattr(zipdir, "members", lambda data: None)
    assert [repr(f) for f in check_file(path)[1]] == [repr(f) for f in fast]


def _with_extra(name: str, extra: bytes) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.extra = extra
    return info


PLAIN = [("[Content_Types].xml", b"<Types/>"), ("xl/", b""), ("xl/workbook.xml", b"<workbook/>" * 50)]


def _zip64(monkeypatch) -> bytes:
    """An archive with Zip64's end records, as zipfile writes one of more than 65,535 parts."""
    monkeypatch.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 2)
    data = archive(PLAIN)
    monkeypatch.undo()
    assert zipfile.stringEndArchive64Locator in data[-42:]
    return data


def _local_zip64() -> bytes:
    """A part written with a Zip64 local header, its directory entry plain (zipfile writes one
    for a part of unknown size)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("big.xml", "w", force_zip64=True) as part:
            part.write(b"<x/>" * 100)
    return buf.getvalue()


def _in_cp437() -> bytes:
    """A name in cp437 ("é" is 0x82 there), the UTF-8 flag that zipfile set for it cleared."""
    out = bytearray(archive([("café.xml", b"<x/>")]).replace("café".encode("utf-8"), b"caf\x82 "))
    for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = out.find(signature)
        struct.pack_into("<H", out, at + flags_at, struct.unpack_from("<H", out, at + flags_at)[0] & ~0x800)
    return bytes(out)


KINDS = {   # what makes the archive, and whether it is read here
    "plain": (lambda: archive(PLAIN), True),
    "stored": (lambda: archive(PLAIN, compression=zipfile.ZIP_STORED), True),
    "a name in UTF-8": (lambda: archive(PLAIN + [("xl/工作表.xml", b"<x/>")]), True),
    "a harmless extra field": (lambda: archive(PLAIN + [(_with_extra("a.xml", struct.pack("<HH4s", 0x5455, 4, b"abcd")),
                                                         b"<a/>")]), True),
    "a part with a Zip64 local header": (_local_zip64, True),
    "an empty archive": (lambda: archive([]), False),
    "a comment": (lambda: archive(PLAIN, comment=b"abc"), False),
    "bytes before it": (lambda: b"MZ" * 50 + archive(PLAIN), False),
    "bytes after it": (lambda: archive(PLAIN) + b"\x00" * 7, False),
    "Zip64": (None, False),
    "a part listed twice": (lambda: archive(PLAIN + [("xl/workbook.xml", b"<other/>")]), False),
    "a Zip64 extra field": (lambda: archive(PLAIN + [(_with_extra("b.xml", struct.pack("<HH8s", 1, 8, b"\x00" * 8)),
                                                      b"<b/>")]), False),
    "a broken extra field": (lambda: archive(PLAIN + [(_with_extra("c.xml", struct.pack("<HH2s", 0x5455, 9, b"ab")),
                                                       b"<c/>")]), False),
    "a name in cp437": (_in_cp437, False),
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_what_zipfile_judges_itself_is_left_to_it(kind, monkeypatch):
    make, here = KINDS[kind]
    data = _zip64(monkeypatch) if make is None else make()
    if kind == "a name in cp437":
        assert zipfile_view(data)[0][0] == "caf\u00e9 .xml"   # zipfile reads it in cp437
    assert assert_same_or_left(data) is here


@pytest.mark.parametrize("seed", range(300))
def test_a_damaged_directory_is_read_as_zipfile_reads_it_or_left_to_it(seed):
    """Bytes of the central directory and its end record changed at random: what is read here
    is what zipfile reads; whatever zipfile refuses is never read here."""
    rnd = random.Random(seed)
    data = bytearray(next((REPO / "samples").glob("*.xlsx")).read_bytes()
                     if seed % 3 == 0 else archive(PLAIN + [(f"p{i}.xml", b"<p/>" * i) for i in range(5)]))
    start = data.rfind(b"PK\x01\x02", 0, len(data) - 22)
    start = data.find(b"PK\x01\x02") if rnd.random() < 0.5 else start
    for _ in range(rnd.randint(1, 3)):
        at = rnd.randrange(start, len(data))
        data[at] = rnd.randrange(256) if rnd.random() < 0.7 else data[at] ^ 0x08
    data = bytes(data)
    if assert_same_or_left(data):
        assert not isinstance(zipfile_view(data), type)


def _local_header_edited(data: bytes, part: str, edit) -> bytes:
    at = data.find(b"PK\x03\x04")
    while at >= 0:
        name_len = struct.unpack_from("<H", data, at + 26)[0]
        if data[at + 30:at + 30 + name_len] == part.encode():
            return data[:at] + edit(data[at:at + 30 + name_len]) + data[at + 30 + name_len:]
        at = data.find(b"PK\x03\x04", at + 4)
    raise AssertionError(part)


LOCAL_EDITS = {   # a part's local header changed so that the direct inflating leaves it to zipfile
    "its name": lambda head: head[:-5] + b"X.xml",
    "its signature": lambda head: b"PK\x03\x05" + head[4:],
}


@pytest.mark.parametrize("edit", list(LOCAL_EDITS))
def test_a_part_left_to_zipfile_is_judged_as_zipfile_judges_it(edit, tmp_path, monkeypatch):
    """A part the direct inflating does not take is opened through zipfile, by its name, from
    a directory read here: zipfile refuses the damaged part, with the same words as from its own
    directory (the parts zipfile reads from a directory read here: the next test)."""
    sample = next(p for p in samples() if p.parent.name == "samples")
    data = _local_header_edited(sample.read_bytes(), "xl/styles.xml", LOCAL_EDITS[edit])
    assert zipdir.members(data) is not None
    path = tmp_path / "edited.xlsx"
    path.write_bytes(data)
    here = vet(path)
    monkeypatch.setattr(zipdir, "members", lambda data: None)
    there = vet(path)
    assert here.reason is not None and (here.reason, here.parts) == (there.reason, there.parts)


def test_parts_read_through_zipfile_from_a_directory_read_here_are_the_same(monkeypatch, tmp_path):
    """Parts too large for the direct inflating are read through zipfile, opened by name from
    the directory read here: the same parts as from zipfile's own directory."""
    monkeypatch.setattr(safexml, "DIRECT_MAX", 0)
    for sample in samples():
        here = vet(sample)
        with monkeypatch.context() as m:
            m.setattr(zipdir, "members", lambda data: None)
            there = vet(sample)
        assert here.reason is None and (here.parts, here.names) == (there.parts, there.names)
