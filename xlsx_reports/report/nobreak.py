"""Phone numbers and web addresses are printed on one line: a number split after its area
code, or an address split at a dot, is misdialled or mistyped by the reader of a print-out.

HTML marks them with <span class="nobr"> (white-space: nowrap in report.css); the Word
builder keeps such runs unbroken.
"""
from __future__ import annotations

import re

from markupsafe import Markup, escape

NOBREAK_CLASS = "nobr"
# A web address, or a Chinese office/mobile number: （0595）22039158, 0595-2203 9158转8001,
# 13800138000. Digits alone (a count, a year) are not matched: at least 7 in a row or a
# bracketed/dashed area code.
NOBREAK = re.compile(
    r"(?:https?://|www\.)[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+"
    r"|(?:[（(]0\d{2,3}[）)]|0\d{2,3}[-－—])\s?\d{3,4}[-－ ]?\d{3,4}(?:(?:转|-|－)\d{1,6})?"
    r"|(?<!\d)1[3-9]\d{9}(?!\d)"
    r"|(?<!\d)\d{7,8}(?!\d)")


def split_nobreak(text: str) -> list[tuple[str, bool]]:
    """Text cut into pieces, each marked True when it must not be broken across lines."""
    out, at = [], 0
    for m in NOBREAK.finditer(text):
        if m.start() > at:
            out.append((text[at:m.start()], False))
        out.append((m.group(0), True))
        at = m.end()
    if at < len(text):
        out.append((text[at:], False))
    return out


def nobreak_html(text) -> Markup:
    """Text for HTML with its phone numbers and web addresses in <span class="nobr">."""
    if isinstance(text, Markup):     # already marked up (a link): kept as it is
        return text
    return Markup("").join(
        Markup('<span class="{}">{}</span>').format(NOBREAK_CLASS, piece) if keep else escape(piece)
        for piece, keep in split_nobreak(str(text)))
