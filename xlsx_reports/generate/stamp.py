"""Blank workbooks of a batch stamped from a template instead of written one by one.

The workbooks of a batch differ only in a few texts: the unit's name (基本信息, the 填报说明 title
and first paragraph, every sheet's page header, the properties), the 基本信息 items the roster
fills in, and the workbook id and generation time. xlsxwriter writes one template per shape
(format, year, options, which items are filled, and the 填报说明 row heights, which follow the
length of the name) for a placeholder unit whose texts are private-use characters; each unit's
package is then that template with its texts put where the placeholders are, XML-escaped as
xlsxwriter escapes them, and re-zipped (generate/container.py).

The result is the package xlsxwriter would write for the unit, part for part (tests compare).
Wherever that cannot be promised, `stamp_workbook` returns None and the caller writes the unit
with xlsxwriter: a text xlsxwriter would escape otherwise (control characters, "_x0000_",
whitespace at either end, a rich-string or header-image code), or one equal to another string
of the workbook (xlsxwriter would share it, which changes the shared-string table).
"""
from __future__ import annotations

import re
import tempfile
import warnings
import zipfile
import zlib
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Mapping, Union

from xlsx_reports.core.atomic import write_bytes
from xlsx_reports.form.values import Report
from xlsx_reports.generate.container import Member, archive, deflated, deflater, usable
from xlsx_reports.xlsx.meta import Metadata
from xlsx_reports.xlsx.writer.guide import guide_paragraphs, row_height
from xlsx_reports.xlsx.writer.metasheet import fresh_metadata

UNIT_MARK = "\ue000"       # private-use characters: in no form text, refused in a unit's texts
ID_MARK = "\ue001"
FIRST_TEXT_MARK = 0xE010   # one per filled 基本信息 item
GENERATED = "1999-09-09T09:09:09+00:00"   # must parse: xlsxwriter dates core.xml from it
CREATED_FORMAT = "%Y-%m-%dT%H:%M:%SZ"       # how xlsxwriter writes that date into core.xml
MAX_MARKS = 400            # a placeholder unit up to this long (a name has at most 100 characters)
# Excel (and xlsxwriter) drop a page header over 255 UTF-16 units; the name leaves ~30 for the
# rest (sheets.py). A longer name (roster.MAX_UNIT_CHARS allows none) goes to xlsxwriter.
HEADER_ROOM = 200
SHARED_STRINGS = "xl/sharedStrings.xml"
SI = re.compile(rb"<si>.*?</si>", re.S)
# texts xlsxwriter writes otherwise than escaping & < > (see xmlwriter/sharedstrings/set_header)
AWKWARD = re.compile(r"[\x00-\x1f\x7f\ufffe\uffff\ue000-\uf8ff]|_x[0-9A-Fa-f]{4}_|&G|&\[Picture\]"
                     r"|^\s|\s$|^<r>")
MAX_TEMPLATES = 64         # shapes kept per process (levels × filled items × name lengths)
Piece = Union[bytes, str]  # literal bytes, or the name of a slot


@dataclass(frozen=True)
class Shape:
    format: str
    year: int
    password: str | None
    deadline: str | None
    texts: tuple[str, ...]                 # keys of the filled text items (stamped)
    fixed: tuple[tuple[str, str], ...]     # filled choice items (the level): part of the template
    heights: tuple[float, ...]             # 填报说明 row heights


@dataclass(frozen=True)
class Part:
    """One zip member: fixed, or its part up to the first slot deflated once and flushed to a
    byte boundary (a fresh deflater carries the stream on), the rest stamped per unit."""
    member: Member | None                  # a member without slots
    info: zipfile.ZipInfo | None = None
    head: bytes = b""                      # the deflated prefix
    crc: int = 0
    size: int = 0
    rest: tuple[Piece | tuple[Piece, ...], ...] = ()   # tuples: shared strings with slots
    others: frozenset[bytes] = frozenset()              # the other shared strings

    def stamped(self, values: Mapping[str, bytes]) -> Member | None:
        if self.member is not None:
            return self.member
        chunks: list[bytes] = []
        strings: list[bytes] = []
        for p in self.rest:
            if isinstance(p, tuple):
                strings.append(_filled(p, values))
                chunks.append(strings[-1])
            else:
                chunks.append(values[p] if isinstance(p, str) else p)
        if len(set(strings)) < len(strings) or not self.others.isdisjoint(strings):
            return None   # xlsxwriter would share equal strings
        data = b"".join(chunks)
        co = deflater()
        assert self.info is not None
        return Member(self.info, self.head + co.compress(data) + co.flush(),
                      zlib.crc32(data, self.crc), self.size + len(data))


def _filled(pieces: tuple[Piece, ...], values: Mapping[str, bytes]) -> bytes:
    return b"".join(values[p] if isinstance(p, str) else p for p in pieces)


def _escaped(text: str) -> bytes:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").encode("utf-8")


@lru_cache(maxsize=256)
def _row_height(line: str) -> float:
    return row_height(line)   # all lines but one are the same in every workbook of a batch


def _heights(report: Report, deadline: str | None) -> tuple[float, ...]:
    return tuple(_row_height(line) for _, line in guide_paragraphs(report, deadline=deadline, prefilled=()))


def shape_of(report: Report, filled: Mapping[str, str], password: str | None,
             deadline: str | None) -> Shape:
    form = report.form
    texts = tuple(sorted(k for k in filled if not form.field(k).choices))
    fixed = tuple(sorted((k, v) for k, v in filled.items() if form.field(k).choices))
    return Shape(form.format, report.year, password, deadline, texts, fixed, _heights(report, deadline))


class Template:
    """The placeholder unit's package, cut at its slots."""

    def __init__(self, parts: list[Part]):
        self.parts = parts

    def package(self, values: Mapping[str, bytes]) -> bytes | None:
        members = []
        for part in self.parts:
            member = part.stamped(values)
            if member is None:
                return None
            members.append(member)
        return archive(members)


def _placeholder(shape: Shape) -> Report | None:
    """The placeholder unit's report: a name of marks as long as gives the unit's row heights."""
    for n in range(1, MAX_MARKS + 1):
        report = Report.blank(UNIT_MARK * n, shape.year, shape.format)
        if _heights(report, shape.deadline) == shape.heights:
            report.values.update(dict(shape.fixed))
            report.values.update({k: chr(FIRST_TEXT_MARK + i) for i, k in enumerate(shape.texts)})
            return report
    return None


def _slots(report: Report, shape: Shape) -> dict[bytes, str]:
    created = datetime.fromisoformat(GENERATED).strftime(CREATED_FORMAT)
    slots = {report.unit: "unit", ID_MARK: "id", GENERATED: "generated", created: "created"}
    slots.update({chr(FIRST_TEXT_MARK + i): k for i, k in enumerate(shape.texts)})
    return {_escaped(text): name for text, name in slots.items()}


def _cut(data: bytes, pattern: re.Pattern[bytes], slots: Mapping[bytes, str]) -> list[Piece]:
    pieces: list[Piece] = []
    at = 0
    for m in pattern.finditer(data):
        pieces += [data[at:m.start()], slots[m.group()]]
        at = m.end()
    pieces.append(data[at:])
    return [p for p in pieces if p != b""]


def _part(info: zipfile.ZipInfo, data: bytes, pattern: re.Pattern[bytes],
          slots: Mapping[bytes, str]) -> Part:
    if not pattern.search(data):
        return Part(deflated(info, data))
    others: set[bytes] = set()
    rest: list[Piece | tuple[Piece, ...]] = []
    if info.filename == SHARED_STRINGS:   # each string with a slot on its own, to compare per unit
        at = 0
        for m in SI.finditer(data):
            if pattern.search(m.group()):
                rest += [data[at:m.start()], tuple(_cut(m.group(), pattern, slots))]
                at = m.end()
            else:
                others.add(m.group())
        rest.append(data[at:])
    else:
        rest = list(_cut(data, pattern, slots))
    first = rest[0]
    prefix = first if isinstance(first, bytes) else b""
    if prefix:
        rest.pop(0)
    co = deflater()
    head = co.compress(prefix) + co.flush(zlib.Z_SYNC_FLUSH)
    return Part(None, info, head, zlib.crc32(prefix), len(prefix),
                tuple(p for p in rest if p != b""), frozenset(others))


def _marks_left(parts: list[Part]) -> bool:
    """A placeholder not cut out (e.g. a run of marks longer than the name): not usable."""
    marks = [m.encode() for m in (UNIT_MARK, ID_MARK)]
    pieces = [p for part in parts for item in part.rest
              for p in (item if isinstance(item, tuple) else (item,)) if isinstance(p, bytes)]
    return any(m in p for m in marks for p in pieces)


def build_template(shape: Shape) -> Template | None:
    from xlsx_reports.xlsx.writer import write_workbook

    report = _placeholder(shape)
    if report is None:
        return None
    metadata = replace(fresh_metadata(report), workbook_id=ID_MARK, generated=GENERATED)
    try:
        with tempfile.TemporaryDirectory(prefix="xlsx-reports-stamp-") as tmp, \
                warnings.catch_warnings(record=True) as complaints:
            warnings.simplefilter("always")
            path = Path(tmp) / "template.xlsx"
            write_workbook(report, path, password=shape.password, deadline=shape.deadline,
                           metadata=metadata)
            with zipfile.ZipFile(path) as z:
                members = [(info, z.read(info)) for info in z.infolist()]
    except OSError:   # no usable temporary folder: every unit is written by xlsxwriter
        return None
    if complaints:    # xlsxwriter left something out (e.g. a page header too long)
        return None
    if not all(usable(info) for info, _ in members):
        return None
    slots = _slots(report, shape)
    pattern = re.compile(b"|".join(re.escape(s) for s in sorted(slots, key=len, reverse=True)))
    parts = [_part(info, data, pattern, slots) for info, data in members]
    found = {p for part in parts for item in part.rest
             for p in (item if isinstance(item, tuple) else (item,)) if isinstance(p, str)}
    if found != set(slots.values()) or _marks_left(parts):
        return None
    return Template(parts)


def _as_template(report: Report, filled: Mapping[str, str], metadata: Metadata, fresh: Metadata) -> bool:
    """The report is blank but for `filled`, the metadata fresh but for its id and time: what
    the templates are written with."""
    blank = Report.blank(report.unit, report.year, report.form.format).values
    return (report.values == {**blank, **filled}
            and replace(metadata, workbook_id="", generated="") == replace(fresh, workbook_id="", generated=""))


template_for = lru_cache(maxsize=MAX_TEMPLATES)(build_template)   # ~60 KB each


def stamp_workbook(report: Report, path, *, filled: Mapping[str, str], password: str | None = None,
                   deadline: str | None = None, metadata: Metadata | None = None) -> Metadata | None:
    """Writes the blank workbook of `report` (a unit with the 基本信息 items `filled`, nothing
    else) from its shape's template; None, writing nothing, when xlsxwriter must write it."""
    fresh = fresh_metadata(report)
    metadata = metadata or fresh
    if not _as_template(report, filled, metadata, fresh):
        return None
    texts = {"unit": report.unit, "id": metadata.workbook_id, "generated": metadata.generated,
             **{k: filled[k] for k in filled}}
    if any(AWKWARD.search(t) for t in texts.values()):
        return None
    if len(report.unit.encode("utf-16-le")) > 2 * HEADER_ROOM:
        return None
    if "&" in report.unit:   # "＆" in the page header, "&" elsewhere: one slot cannot be both
        return None
    try:
        created = datetime.fromisoformat(metadata.generated).strftime(CREATED_FORMAT)
    except ValueError:
        return None
    template = template_for(shape_of(report, filled, password, deadline))
    if template is None:
        return None
    values = {name: _escaped(text) for name, text in texts.items()}
    values["created"] = created.encode()
    data = template.package(values)
    if data is None:
        return None
    write_bytes(path, data)
    return metadata
