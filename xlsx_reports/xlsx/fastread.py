"""Reads a workbook's sheets into RawSheets straight from the package, without openpyxl.

One pass over each part a checker needs (workbook, its relationships, styles, shared
strings, worksheets) gives both what openpyxl's formula load and its cached-value load
would give, with the same conversions (numbers, dates, booleans, errors, rich and inline
text) and the same cell facts (locking and number format from the styles, cells hidden
under a merge, validations, protection). Anything it does not understand raises
NotUnderstood, and the caller reads that file with openpyxl instead; a bomb or unsafe XML
raises safexml.UnsafePart, which no reader should go on with.

The parts come inflated already (the limits scan keeps them), or from the zip, capped.
The workbook, its relationships and the styles are the same bytes in every workbook made
from one template, so what they say is remembered by their exact bytes (core/memo.py).
"""
from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Collection, Iterable, Mapping
from itertools import compress, repeat
from operator import ne
from typing import Any, Iterator, cast

from xlsx_reports.core.memo import MAX_BYTES, remembered
from xlsx_reports.xlsx import limits, numformats
from xlsx_reports.xlsx.fastcells import read_sheet
from xlsx_reports.xlsx.xmltext import stray, unescape
from xlsx_reports.xlsx.fastsheet import FALSE, MAIN, Irregular, NotUnderstood, Style, Text
from xlsx_reports.xlsx.rawsheet import RawSheet
from xlsx_reports.xlsx.safexml import opens, parse, read_part

__all__ = ["NotUnderstood", "read_sheets", "read_parts"]

DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships "
WORKSHEET = DOC_REL + "/worksheet"
CHARTSHEET = DOC_REL + "/chartsheet"
STATES = ("visible", "hidden", "veryHidden")
# an item is one text, or runs of text each with plain formatting (LibreOffice writes every
# label as runs, one per change of script); phonetic runs and anything else: expat reads it
_T = r'<t(?: xml:space="preserve")?+(?:>([^<]*+)</t>|/>)'
_RUN = (r'<r>(?:<rPr>(?:<[a-zA-Z]++(?: [\w:]++="[^"<>&]*+")*+/>)*+</rPr>)?+'
        r'<t(?: xml:space="preserve")?+(?:>[^<]*+</t>|/>)</r>')
_ITEM = re.compile(rf'<si>(?:{_T}|((?:{_RUN})++))')   # an item, up to its "</si>"
_RUN_TEXT = re.compile(r'<t(?: xml:space="preserve")?>([^<]*)</t>')   # within runs matched above
# an item's bytes -> its text: most items are labels, the same in every workbook of a
# template (a few hundred, up to ~9 KB each as LibreOffice writes runs); bounded by bytes,
# then forgotten all at once: no lock, and a hostile file cannot hold on to more
_ITEMS: dict[bytes, str | None] = {}
_NEW: Any = object()   # an item not remembered
_ITEMS_HELD = [0]   # bytes of the items remembered
ITEMS_KEPT_BYTES, ITEM_KEPT_BYTES = 2 << 20, 12 << 10
SST = b'<sst xmlns="' + MAIN.strip().encode() + b'"'   # its <si> are spreadsheetml


def read_sheets(path, outlined: Collection[str] = ()) -> list[RawSheet]:
    """From a file: each part inflated with a cap (safexml.read_part) as it is needed."""
    with zipfile.ZipFile(path) as zf:
        return read_parts(_ZipParts(zf), set(zf.namelist()), outlined=outlined)


def read_parts(parts: Mapping[str, bytes], names: set[str] | frozenset[str], *,
               shortcut: bool = True, tally: limits.Tally | None = None,
               outlined: Collection[str] = ()) -> list[RawSheet]:
    """From inflated parts; `names` lists every part of the zip (`parts` may hold fewer).
    shortcut=False reads every sheet with expat alone (the tests compare the two). `tally`:
    the limits scan's (limits.prescan), carried on over what each sheet declares. The sheets
    named in `outlined` are read without their cells where the shortcut can (fastcells)."""
    tally = limits.Tally() if tally is None else tally
    book = _office_document(_part(parts, "_rels/.rels"), names)
    rels = _rels(parts, book, names)
    sheets, epoch = _workbook(_part(parts, book))
    strings = _shared_strings(parts, rels, names)
    if "xl/styles.xml" not in names:   # openpyxl reads styles from this fixed path only
        raise NotUnderstood("没有样式部件 xl/styles.xml")
    styles = _styles(_part(parts, "xl/styles.xml"))
    out = []
    for name, state, rid in sheets:
        kind, target = rels.get(rid, (None, None))
        if target is None:
            raise NotUnderstood(f"工作表“{name}”的关系缺失")
        if target not in names:
            continue   # openpyxl passes over a sheet whose part is missing
        if kind == CHARTSHEET:
            continue
        if kind != WORKSHEET:
            raise NotUnderstood(f"工作表“{name}”的类型不常见（{kind}）")
        out.append(read_sheet(_part(parts, target), name, state, strings, styles, epoch, tally, shortcut,
                              cells=name not in outlined))
    if len({s.name for s in out}) != len(out):
        raise NotUnderstood("工作表重名")
    return out


class _ZipParts(Mapping):
    def __init__(self, zf: zipfile.ZipFile) -> None:
        self.zf, self.names = zf, zf.namelist()

    def __getitem__(self, name: str) -> bytes:
        if name not in self.names:
            raise KeyError(name)
        return read_part(self.zf, name)

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)


def _part(parts: Mapping[str, bytes], name: str) -> bytes:
    try:
        return parts[name]
    except KeyError:   # in the zip, but not among the XML parts the limits scan kept
        raise NotUnderstood(f"部件 {name} 的名称不常见") from None


# --- package: relationships, workbook, strings, styles -------------------------------------

def _office_document(data: bytes, names: set[str] | frozenset[str]) -> str:
    rels = _relationships(data, "")
    found = [t for k, t in rels.values() if k == DOC_REL + "/officeDocument"]
    if len(found) != 1 or found[0] not in names:
        raise NotUnderstood("找不到工作簿主体（xl/workbook.xml）")
    return found[0]


def _rels_path(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def _rels(parts: Mapping[str, bytes], part: str, names) -> Mapping[str, tuple[str, str]]:
    path = _rels_path(part)
    return _relationships(_part(parts, path), posixpath.dirname(part)) if path in names else {}


@remembered()
def _relationships(data: bytes, base: str) -> Mapping[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}

    def start(name: str, attrs: dict[str, str]) -> None:
        if name == PKG_REL + "Relationship" and attrs.get("TargetMode") != "External":
            target = attrs.get("Target", "")
            target = target[1:] if target.startswith("/") else posixpath.normpath(
                posixpath.join(base, target))
            out[attrs.get("Id", "")] = (attrs.get("Type", ""), target)

    parse(data, start)
    return out


@remembered()
def _workbook(data: bytes) -> tuple[tuple[tuple[str, str, str], ...], Any]:
    sheets: list[tuple[str, str, str]] = []
    epoch = [numformats.WINDOWS_EPOCH]

    def start(name: str, attrs: dict[str, str]) -> None:
        if name == MAIN + "sheet":
            state = attrs.get("state", "visible")
            if state not in STATES or "name" not in attrs:
                raise NotUnderstood("工作表属性不常见")
            sheets.append((attrs["name"], state, attrs.get(DOC_REL + " id", "")))
        elif name == MAIN + "workbookPr" and attrs.get("date1904", "0") not in FALSE:
            epoch[0] = numformats.MAC_EPOCH

    parse(data, start)
    if not sheets:
        raise NotUnderstood("工作簿中没有（可识别的）工作表")
    return tuple(sheets), epoch[0]


def _shared_strings(parts: Mapping[str, bytes], rels: Mapping, names) -> list[str]:
    found = [t for k, t in rels.values() if k == DOC_REL + "/sharedStrings"]
    if not found or found[0] not in names:
        return []
    data = _part(parts, found[0])
    plain = _plain_strings(data)
    return _strings(data) if plain is None else plain


def _plain_strings(data: bytes) -> list[str] | None:
    """The strings when every one is plain text or plain runs of it (no phonetics): the list
    cut into items, each read on its own or remembered from an earlier workbook by its bytes
    (a remembered item is not decoded or judged again: only the unit's own texts are new);
    None when it is anything else."""
    start, end = data.find(b"<si>"), data.rfind(b"</sst>")
    if (start < 0 or end < start or opens(data, b"!") or opens(data, b"?", 5, start)
            or data.find(SST, 0, start) < 0):
        return None
    pieces = data[start:end].split(b"</si>")   # neither text nor attributes hold a "<": exact
    if pieces.pop():   # something after the last item
        return None
    found = _texts(pieces)
    if None in found or not _one_sst(data[:start] + data[end:]):
        return None
    if end - start <= MAX_BYTES:   # a template's size: a hostile file's list is not kept
        _LAST[len(pieces)] = (pieces, tuple(found))
    return cast(list[str], found)


# The last list of as many items, and their texts: a template's returns hold the same labels at
# the same places, only the unit's own texts differ, and comparing each item with the one at its
# place took two thirds of the time of looking each up by its bytes, which hashes them (15 against
# 23 us for a return's 207 items). A few lengths kept.
_LAST: dict[int, tuple[list[bytes], tuple]] = {}
LAST_KEPT = 8


def _texts(pieces: list[bytes]) -> list:
    """Each item's text (None: not plain), from the last list of as many items where an item
    is the same bytes, else remembered by its bytes or read by _item."""
    last = _LAST.get(len(pieces))
    if last is None:
        if len(_LAST) >= LAST_KEPT:
            _LAST.clear()
        # looked up in one pass without a Python step per item (most are the template's labels)
        found = list(map(_ITEMS.get, pieces, repeat(_NEW, len(pieces))))
        changed: Iterable[int] = [i for i, text in enumerate(found) if text is _NEW] if _NEW in found else ()
    else:
        found = list(last[1])
        changed = compress(range(len(pieces)), map(ne, pieces, last[0]))
    for i in changed:
        text = _ITEMS.get(pieces[i], _NEW)
        found[i] = _item(pieces[i]) if text is _NEW else text
    return found


@remembered()
def _one_sst(frame: bytes) -> bool:
    """Whether the part around its items is one spreadsheetml <sst> (the same few bytes in every
    return of a template, but for its counts)."""
    count: list[bool] = []

    def start_tag(name: str, _attrs) -> None:
        count.append(name == MAIN + "sst")

    parse(frame, start_tag)
    return count == [True]


def _item(piece: bytes) -> str | None:
    """An item's text as openpyxl gives it (its runs' texts joined, references expanded,
    Excel's escaped underscores dropped); None when it is not plain text or plain runs, or
    holds what only expat may judge."""
    try:
        text = piece.decode("utf-8")
    except UnicodeDecodeError:
        return None
    m = _ITEM.fullmatch(text)
    found: str | None = None
    if m is not None and not stray(text):
        found = (m.group(1) or "") if m.group(2) is None else "".join(_RUN_TEXT.findall(m.group(2)))
        try:
            found = unescape(found).replace("x005F_", "")
        except Irregular:
            found = None
    if len(piece) <= ITEM_KEPT_BYTES:
        if _ITEMS_HELD[0] + len(piece) > ITEMS_KEPT_BYTES:
            _ITEMS.clear()
            _ITEMS_HELD[0] = 0
        _ITEMS[piece] = found
        _ITEMS_HELD[0] += len(piece)
    return found


def _strings(data: bytes) -> list[str]:
    strings: list[str] = []
    item = Text()

    def start(name: str, _attrs) -> None:
        if name == MAIN + "si":
            item.begin()
        elif item.parts is not None:
            item.start(name)

    def end(name: str) -> None:
        if name == MAIN + "si":
            strings.append(item.finish().replace("x005F_", ""))
        elif item.parts is not None:
            item.end(name)

    parse(data, start, end, item.text)
    return strings


@remembered()
def _styles(data: bytes) -> tuple[Style, ...]:
    custom: dict[int, str] = {}
    xfs: list[list] = []
    where = {"cellXfs": False}

    def start(name: str, attrs: dict[str, str]) -> None:
        if name == MAIN + "numFmt":
            custom[int(attrs["numFmtId"])] = attrs.get("formatCode", "")
        elif name == MAIN + "cellXfs":
            where["cellXfs"] = True
        elif where["cellXfs"] and name == MAIN + "xf":
            xfs.append([int(attrs.get("numFmtId", 0)), True])
        elif where["cellXfs"] and name == MAIN + "protection" and xfs:
            xfs[-1][1] = attrs.get("locked", "1") not in FALSE

    def end(name: str) -> None:
        if name == MAIN + "cellXfs":
            where["cellXfs"] = False

    parse(data, start, end)
    if not xfs:
        raise NotUnderstood("样式表中没有单元格格式（cellXfs）")
    return tuple(Style(custom[i] if i in custom else numformats.BUILTIN.get(i), locked)
                 for i, locked in xfs)
