"""XML text read without a parser: whether the shortcut may take a text as it is (stray),
and the text an XML parser would give for it (unescape)."""
from __future__ import annotations

import re

from xlsx_reports.xlsx.fastsheet import Irregular

_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_BARE_AMP = re.compile(r"&(?!(?:amp|lt|gt|quot|apos|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});)")
_CHAR_REF = re.compile(r"&#(x[0-9a-fA-F]+|[0-9]+);")


def stray(text: str, raw: bytes | None = None) -> bool:
    """Whether the text holds what only a full XML parser may judge: a character XML forbids,
    an "&" that is not one of the five entities or a character reference, or "]]>" (which
    XML forbids in text). `raw`: the text as UTF-8, when at hand: the control characters are
    then looked for in the bytes (the regular expression takes ~4 ns a character: 120 us for
    the strings of a workbook LibreOffice saved; the bytes, 20 us)."""
    if raw is not None and len(raw) > _SCANNED:
        forbidden = bool(raw.translate(None, _NOT_CONTROL)) or "\ufffe" in text or "\uffff" in text
    else:
        forbidden = not text.isprintable() and _FORBIDDEN.search(text) is not None
    return (forbidden or ("&" in text and _BARE_AMP.search(text) is not None)
            or ("]" in text and "]]>" in text))


_SCANNED = 1024   # shorter texts: the regular expression, after isprintable() mostly says no
# every byte but the control characters XML forbids (C0 but tab, line feed and carriage return);
# in UTF-8 they are single bytes that no other character's encoding holds
_NOT_CONTROL = bytes([9, 10, 13, *range(0x20, 0x100)])


def unescape(text: str) -> str:
    """Element text as an XML parser gives it (the text was checked by stray() first)."""
    if "\r" in text:   # XML line-end normalisation, before references are expanded
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "&" not in text:
        return text
    if "&#" in text:
        text = _CHAR_REF.sub(_char, text)
    return (text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
            .replace("&apos;", "'").replace("&amp;", "&"))


def _char(m: re.Match) -> str:
    code = m.group(1)
    n = int(code[1:], 16) if code[0] == "x" else int(code)
    if not (n in (9, 10, 13) or 0x20 <= n <= 0xD7FF or 0xE000 <= n <= 0xFFFD or 0x10000 <= n <= 0x10FFFF):
        raise Irregular   # expat refuses such a reference; let it say so
    return "&amp;" if n == 38 else chr(n)   # a referenced "&" must survive the named-entity pass
