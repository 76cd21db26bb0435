"""Numbers as people write them in Chinese prose and cells: 12, １２, 1,200, 十二, 一百零五,
两千三百, 3.5万, 1.2亿. The one parser the prose reader and the cell checker share."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
SMALL = {"十": 10, "百": 100, "千": 1000}
LARGE = {"万": 10_000, "亿": 100_000_000}
WIDE = str.maketrans("０１２３４５６７８９．，", "0123456789.,")
ARABIC = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
CHINESE = "零〇一二两三四五六七八九十百千"
# A number in prose: Arabic (full-width allowed, thousands commas) or Chinese, with 万/亿.
NUMBER = rf"(?:(?:{ARABIC})[万亿]?|[{CHINESE}]+(?:[万亿][{CHINESE}]*)?)"
_ARABIC = re.compile(ARABIC)


def _small(text: str) -> int | None:
    """Chinese numerals below 10000: 十二, 二十三, 一百零五, 两千."""
    if not text:
        return 0
    total, current = 0, None
    for ch in text:
        if ch in DIGITS:
            if current is not None and current != 0 and ch != "零":
                return None   # 二三: two digits in a row is not a numeral
            current = DIGITS[ch]
        elif ch in SMALL:
            total += (1 if current is None else current) * SMALL[ch]
            current = None
        else:
            return None
    return total + (current or 0)


def chinese_number(text: str) -> Decimal | None:
    """The value of a number as written (Arabic or Chinese, with 万/亿); None if it is not one."""
    s = text.translate(WIDE).strip()
    if not s:
        return None
    scale = 1
    if s[-1] in LARGE and _ARABIC.fullmatch(s[:-1].replace(",", "") or "x"):
        scale, s = LARGE[s[-1]], s[:-1]
    if _ARABIC.fullmatch(s):
        try:
            return Decimal(s.replace(",", "")) * scale
        except InvalidOperation:
            return None
    total, rest = 0, s
    for word in "亿万":
        if word in rest:
            head, rest = rest.split(word, 1)
            value = _small(head) if head else 1
            if value is None:
                return None
            total += value * LARGE[word]
    value = _small(rest)
    return None if value is None else Decimal(total + value)


def whole_number(text: str) -> int | None:
    """A count: the value when it is a whole number, else None."""
    if text.isascii() and text.isdigit():   # most counts in prose: "43"
        return int(text)
    value = chinese_number(text)
    return int(value) if value is not None and value == value.to_integral_value() else None
