"""Reading numbers out of real report prose, with as few misreadings as possible.

Real reports quote slogans ("办好一件事", “一网通办”), titles (《…2020年…年度报告》), ordinals
("第一", "一是"), percentages and approximations ("18万余条", "近300件") next to the counts
they state. A count here is a number directly followed by its measure word, not inside
quotation marks or book-title marks, not preceded by 第/约/近/超, and not followed by
余/多/% or by 事 ("一件事"). Clauses end at "；" and sentences at "。".
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator, NamedTuple

from xlsx_reports.core.numerals import CHINESE, NUMBER, whole_number

# Measure words of counted things (人次 before 人 and 次; 期 for issues of a series).
UNITS = ("人次", "万元", "元", "件", "条", "个", "篇", "项", "次", "起", "宗", "期", "份", "场", "人", "家")
QUOTED = re.compile(r"“[^”]{0,60}”|《[^》]{0,80}》|\"[^\"]{0,60}\"|「[^」]{0,60}」")
QUOTES = "“《\"「"   # where QUOTED can start
MASK = "※"


def count_pattern(units: tuple[str, ...] = UNITS) -> str:
    """A number that is a count: not part of a larger number, an ordinal or an estimate."""
    return (rf"(?<![\d.,第约近超逾余零〇一二两三四五六七八九十百千万亿])(?P<n>{NUMBER})\s*"
            rf"(?P<unit>{'|'.join(units)})(?![事余多%％])")


COUNT = count_pattern()
NUMERALS = re.compile(rf"[\d{CHINESE}]+")   # where a NUMBER can start; COUNT's lookbehind refuses all of them
COUNTS = re.compile(COUNT)
CATCH_ALL = re.compile(r"其[他它]|等$")


@lru_cache(maxsize=32)   # each rule on a narrative asks for it (TXT-T3/T4, TXT-SUM, TXT-FEE)
def masked(text: str) -> str:
    """Quoted slogans and titles blanked out, same length, so positions still match."""
    if not any(mark in text for mark in QUOTES):   # a search for each mark: a fraction of the pass
        return text
    return QUOTED.sub(lambda m: MASK * len(m.group(0)), text)


def matches(pattern: re.Pattern, starts: re.Pattern, text: str, *, runs: bool = False,
            until: int | None = None, since: int = 0) -> Iterator[re.Match]:
    """pattern.finditer(text), for a pattern that can match only where `starts` does. A
    pattern that begins with a lookbehind is tried at every character (~100 ns each); `starts`
    (plain words, or a set of characters) lets the engine jump from one place to the next, and
    the pattern is tried there alone, its lookbehind still seeing the text before it.
    runs: `starts` matches whole runs of characters that the pattern can enter only at their
    first (its lookbehind refuses the others), so a failed try skips the run. until: no match
    starts there or later (the last place of a word every match holds after its start);
    since: none starts before it."""
    pos, end = since, len(text) if until is None else until
    while (place := starts.search(text, pos, end)) is not None:
        m = pattern.match(text, place.start())
        if m is None:
            pos = place.end() if runs else place.start() + 1
            continue
        yield m
        pos = max(m.end(), place.start() + 1)


def counted(pattern: re.Pattern, text: str, until: int | None = None, since: int = 0) -> Iterator[re.Match]:
    """pattern.finditer(text) for a pattern that begins with COUNT: a count starts where a run of
    digits and numerals does (COUNT's lookbehind refuses a start inside one)."""
    return matches(pattern, NUMERALS, text, runs=True, until=until, since=since)


def sentences(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) pieces ending at 。！？ or a line break."""
    out, start = [], 0
    for m in re.finditer(r"[。！？!?\n]", text):
        out.append((start, text[start:m.end()]))
        start = m.end()
    if start < len(text):
        out.append((start, text[start:]))
    return out


class Count(NamedTuple):   # a tuple: a report's prose holds hundreds
    value: int
    unit: str
    start: int
    end: int


def counts(text: str, unit: str | None = None) -> list[Count]:
    """Every count in text (already masked), optionally only those with one measure word."""
    out = []
    for m in counted(COUNTS, text):
        value = whole_number(m.group("n"))
        if value is not None and (unit is None or m.group("unit") == unit):
            out.append(Count(value, m.group("unit"), m.start(), m.end()))
    return out


@dataclass(frozen=True)
class Breakdown:
    """"43条，其中：9条、7条…": a stated total and the parts listed after it."""
    quote: str
    total: int
    unit: str
    parts: tuple[int, ...]
    exhaustive: bool   # the list ends in a catch-all (其他…), so it claims to cover the total


# The total, then 其中 in the same sentence ("…元。其中" may refer to any figure before it).
BREAKDOWN = re.compile(rf"{COUNT}\s*(?P<open>[（(]?)[，,：:]?\s*其中[：:，,]?")


# What a breakdown holds before its 其中: the number, its measure word and the marks between.
_LEAD = frozenset(f"{CHINESE}万亿.,（(，：:" + "".join(UNITS))


def _led(text: str) -> Iterator[re.Match]:
    """BREAKDOWN.finditer(text): each breakdown ends in 其中, and starts in the stretch of the
    characters it may hold (_LEAD, or whitespace) just before one; only there is it tried."""
    at = text.find("其中")
    while at >= 0:
        lead = at   # \d and \s are what str.isdecimal and str.isspace say
        while lead > 0 and (text[lead - 1] in _LEAD or text[lead - 1].isdecimal() or text[lead - 1].isspace()):
            lead -= 1
        yield from counted(BREAKDOWN, text, until=at, since=lead)
        at = text.find("其中", at + 2)


def breakdowns(text: str) -> list[Breakdown]:
    text = masked(text)
    out: list[Breakdown] = []
    for m in _led(text):
        total = whole_number(m.group("n"))
        unit = m.group("unit")
        body = _list_body(text[m.end():], bool(m.group("open")))
        parts = _parts(body, unit)
        if total is None or len(parts) < 2:
            continue
        last = body[: parts[-1].start]
        last = last[max(last.rfind("，"), last.rfind("、"), last.rfind(","), last.rfind("；")) + 1:]
        out.append(Breakdown(text[m.start(): m.end() + min(len(body), 40)], total, unit,
                             tuple(p.value for p in parts), bool(CATCH_ALL.search(last))))
    return out


def _list_body(rest: str, parenthesised: bool) -> str:
    """The listed parts: to the closing parenthesis, else to the end of the sentence."""
    if parenthesised:
        return rest[: rest.find("）") if "）" in rest else None]
    return re.split(r"[。！？\n]", rest, maxsplit=1)[0]


def _parts(body: str, unit: str) -> list[Count]:
    """The parts of one list: up to the first "；" when that clause alone lists two or more
    (the next clause starts a new statement), else through the sentence (lists whose items
    are themselves clauses: "A 1件，收取420元；B 2件，收取290元")."""
    first = body.split("；", 1)[0].split(";", 1)[0]
    parts = counts(first, unit)
    return parts if len(parts) >= 2 or first == body else counts(body, unit)


def sum_problem(b: Breakdown) -> bool:
    """A list that exceeds its total is wrong; a shorter one only when it claims to be
    complete (ends in 其他…), since "其中" often names only the notable parts."""
    total = sum(b.parts)
    return total > b.total or (total < b.total and b.exhaustive)
