"""Text against tables (rules.md): numbers quoted in the prose must be the tables' numbers.

TXT-T3 (applications), TXT-T4 (复议/诉讼), TXT-SUM (a total and its listed parts) read the
narratives (read by check.prose); TXT-HEAD and YEAR on narratives are in check.narrative;
HEAD, on a rendered or imported report, in check.headings. All are warnings: prose is free
text and a pattern can misread it.
"""
from __future__ import annotations

import re
from typing import Any, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Callable

from xlsx_reports.core.findings import Finding
from xlsx_reports.core.numerals import NUMBER, whole_number
from xlsx_reports.form.compiled import derived
from xlsx_reports.form.model import Field, Form, Section
from xlsx_reports.form.values import Report
from xlsx_reports.form.definitions import LITIGATION_TOTALS, REVIEW_TOTAL
from xlsx_reports.core.numbers import cell_text
from xlsx_reports.check.prose import COUNT, breakdowns, count_pattern, counted, masked, matches, sum_problem
from xlsx_reports.check.narrative import narrative_findings

GAP = r"[^。；;，,\d０-９]{0,12}?"
PIECES = count_pattern(("件",))


def parse_number(text: str) -> int | None:
    """12, １２, 十二, 二十三, 一百零五, 3万 -> int; None when it is not a whole count."""
    return whole_number(text)


@dataclass(frozen=True)
class Claim:
    """A number the prose states about a table value: which phrase, which cell or sum.
    `starts`: where the phrase can start, for a phrase that opens with a lookbehind (the
    engine would try it at every character: prose.matches)."""
    phrase: re.Pattern
    keys: tuple[str, ...]
    label: str
    code: str
    starts: re.Pattern | None = None

    def found(self, text: str) -> Iterator[re.Match]:
        return self.phrase.finditer(text) if self.starts is None else matches(self.phrase, self.starts, text)


@derived
def _claims(form: Form) -> tuple[Claim, ...]:
    """Prose phrases (words, not labels) for table 三's rows and table 四's totals."""
    def t3(row: str) -> tuple[str, ...]:
        return (f"t3.{row}.total",)

    def claim(words: str, keys: tuple[str, ...], code: str = "TXT-T3",
              units: tuple[str, ...] = ("件",), gap: str = GAP, starts: str = "") -> Claim:
        pattern = rf"(?P<words>{words})(?P<gap>{gap}){count_pattern(units)}"
        return Claim(re.compile(pattern), keys, _label(form, keys), code, re.compile(starts) if starts else None)
    # 办结 counts many things (热线工单, 诉求): only 办结 of 申请, or a bare "办结N件"
    done = r"(?:[^。；;，,\d０-９]{0,12}?申请[^。；;，,\d０-９]{0,4}?|[共了计为]{0,2})"
    claims = [
        claim(r"(?:收到|新收|受理)" + GAP + "申请", t3("new")),
        claim(r"上一?年度?结转", t3("carried")),
        claim(r"(?<!未)办结", t3("total"), gap=done, starts="办结"),
        claim(r"结转(?:至)?下一?年度?", t3("carry_over")),
    ]
    if REVIEW_TOTAL in form.by_key:
        for word, keys in _t4_words(form).items():   # not 次: 复议培训2次 is no case
            claims.append(claim(word, keys, "TXT-T4", ("件", "起", "宗")))
    return tuple(claims)


def _label(form: Form, keys: tuple[str, ...]) -> str:
    """A cell's row path without its column (the 总计 column is implied): 一、本年新收…"""
    return "＋".join("／".join(form.field(k).labels[:-1]) for k in keys)


@derived
def _t4_words(form: Form) -> dict[str, tuple[str, ...]]:
    """Table 四's top headers (复议, 诉讼) -> the totals prose about them means (rules.md TXT-T4)."""
    fields = form.by_key
    review = (REVIEW_TOTAL,)
    litigation = tuple(k for k in LITIGATION_TOTALS if k in fields)
    return {fields[review[0]].labels[0]: review, fields[litigation[0]].labels[0]: litigation}


@derived
def _categories(form: Form) -> tuple[re.Pattern, re.Pattern, dict[str, tuple[str, tuple[str, ...]]]]:
    """Table 三's result groups as prose names them, joinable: "予以公开及部分公开258件" is one
    figure for the two groups together (compared with their sum, not with each). With the
    pattern, where it can start: at a group's name (see prose.matches)."""
    groups = {g.short: (g.label, tuple(f"t3.{row}.total" for row in g.rows))
              for g in form.groups}
    if not groups:
        return re.compile(r"(?!)"), re.compile(r"(?!)"), {}
    ordered = [re.escape(n) for n in sorted(groups, key=len, reverse=True)]   # longest first
    plain_names, names = "|".join(ordered), "|".join(rf"(?<!不){n}" for n in ordered)
    pattern = re.compile(rf"(?P<cats>(?:{names})(?:(?:以及|及|和|与|、|或|加)(?:{names}))*)"
                         rf"(?P<gap>[^。；;，,\d０-９]{{0,6}}?){PIECES}"
                         rf"(?![、，,]\s*{NUMBER}\s*件)")
    return pattern, re.compile(plain_names), groups


NONE_T3 = re.compile(r"(?:未|没有)(?:收到|受理|新收)[^。；;，,]{0,12}?申请")
NONE_T4 = r"(?:未发生|没有发生|未出现|无)[^。；;，,]{{0,20}}?({words})(?:[、和及或]\s*({words}))?"


def check_text(text: str, report: Report, *, file: str = "", sheet: str = "",
               cells: tuple[str, ...] = ()) -> list[Finding]:
    """TXT-T3, TXT-T4 and TXT-SUM for one piece of prose."""
    out: list[Finding] = []
    where = dict(file=file, sheet=sheet, cells=cells, unit=report.unit)
    plain = masked(text)
    for claim in _claims(report.form):
        table = None   # the table's figure, added up once the prose states one
        for m in claim.found(plain):
            if _not_this_figure(plain, m, report.year):
                continue
            said = whole_number(m.group("n"))
            if said is not None and table is None:
                table = report.total(claim.keys)
            if said is not None and said != table:
                out.append(_mismatch(claim.code, text[m.start():m.end()], claim, table, said,
                                     report, where))
    out += _category_claims(text, plain, report, where)
    out += _negations(plain, report, where)
    out += check_sums(text, **where)
    return out


CLAUSE_ENDS = "。；;，,！？"
CATEGORY = re.compile(r"结转|办结|新收|受理|答复|办理")
JOINED = re.compile(r"以及|及|和|与|含|包括")
OTHER_PERIOD = re.compile(r"上年(?!度?结转)|去年|上一年(?!度?结转)|同比|较|比|(20\d\d)\s*年")


def _not_this_figure(plain: str, m: re.Match, year: int) -> bool:
    """A figure that mixes categories ("新收和上年结转申请共12件") or is about another period
    ("上年收到申请5件", "较去年的5件") is not a claim about this cell."""
    cut = max(plain.rfind(mark, 0, m.start()) for mark in CLAUSE_ENDS)   # not a split of all before it
    clause = plain[cut + 1:m.start()] + m.group("words") + m.group("gap")
    if JOINED.search(m.group("words")[2:] + m.group("gap")) or len(CATEGORY.findall(clause)) > 1:
        return True
    for other in OTHER_PERIOD.finditer(clause):
        if other.group(1) is None or int(other.group(1)) != year:
            return True
    return False


def _category_claims(text: str, plain: str, report: Report, where) -> list[Finding]:
    pattern, starts, groups = _categories(report.form)
    out = []
    for m in matches(pattern, starts, plain):
        if "分别" in m.group("gap"):
            continue   # "予以公开、部分公开分别为10件、5件": one number each, not a sum
        names = list(dict.fromkeys(starts.findall(m.group("cats"))))   # the groups' names, longest first
        keys = tuple(k for n in names for k in groups[n][1])
        table, said = report.total(keys), whole_number(m.group("n"))
        if said is not None and said != table:
            claim = Claim(pattern, keys, "＋".join(groups[n][0] for n in names), "TXT-T3")
            out.append(_mismatch("TXT-T3", text[m.start():m.end()], claim, table, said,
                                 report, where))
    return out


def _mismatch(code, quote, claim: Claim, table, said, report: Report, where) -> Finding:
    field = report.form.field(claim.keys[0])
    return Finding(code, "warning",
                   f"文字写“{quote}”，但“{field.sheet}”表中“{claim.label}”为 {cell_text(table)}",
                   expected=table, actual=said,
                   advice="请改正文字中的数字，使之与表格一致（表格由填报数据计算，以表格为准）。",
                   **where)


def _negations(text: str, report: Report, where) -> list[Finding]:
    out = []
    fields = report.form.by_key
    negated = NONE_T3.search(text) if "申请" in text else None   # each pattern holds a word: looked for first
    if negated and "t3.new.total" in fields and report.number("t3.new.total"):
        claim = Claim(NONE_T3, ("t3.new.total",), _label(report.form, ("t3.new.total",)), "TXT-T3")
        out.append(_mismatch("TXT-T3", negated.group(0), claim,
                             report.number("t3.new.total"), 0, report, where))
    words = _t4_words(report.form) if REVIEW_TOTAL in fields else {}
    words = words if any(word in text for word in words) else {}
    pattern = _none_t4(report.form)
    for m in pattern.finditer(text) if words else ():
        for word in filter(None, m.groups()):
            keys = words[word]
            if report.total(keys):
                claim = Claim(pattern, keys, _label(report.form, keys), "TXT-T4")
                out.append(_mismatch("TXT-T4", m.group(0), claim, report.total(keys), 0,
                                     report, where))
    return out


@derived
def _none_t4(form: Form) -> re.Pattern:
    words = _t4_words(form) if REVIEW_TOTAL in form.by_key else {}
    return re.compile(NONE_T4.format(words="|".join(map(re.escape, words))))


def check_sums(text: str, **where) -> list[Finding]:
    """TXT-SUM: "主动公开政府信息43条，其中：…9条，…7条…" — the parts must add up."""
    out = []
    for b in breakdowns(text):
        if not sum_problem(b):
            continue
        parts = sum(b.parts)
        out.append(Finding("TXT-SUM", "warning",
                           f"文字写“{b.quote}…”：合计 {b.total}{b.unit}，但所列各项之和为 "
                           f"{parts}{b.unit}",
                           expected=parts, actual=b.total,
                           advice="请核对合计数和所列各项，使各项之和等于合计。", **where))
    return out


MONEY = r"([0-9０-９]+(?:[.．][0-9０-９]+)?)"
NONE_FEE = r"(?:未|没有|不)收取[^。；;]{{0,12}}?{topic}"


def check_extra(text: str, report: Report, fields, **where) -> list[Finding]:
    """TXT-FEE: what the prose says of the section's own numeric cells (2021 六: 信息处理费
    收费件数, 收费金额（元）) must be what the cells hold. A blank cell is not compared."""
    out = []
    text = masked(text)
    for f in fields:
        value, topic = report.value(f.key), re.escape(f.short)
        if value is None or isinstance(value, (str, bool)) or f.short not in text:
            continue   # each pattern below holds the topic
        if f.type == "money":
            found = re.finditer(rf"{topic}{GAP}{MONEY}\s*(万?){re.escape(f.unit)}", text)
        else:
            found = counted(re.compile(rf"{COUNT}[^。；;，,\d０-９]{{0,16}}?{topic}"), text)
        for m in found:
            if f.type != "money" and m.group("unit") != f.unit:
                continue
            said = _said_amount(m) if f.type == "money" else whole_number(m.group("n"))
            if said is not None and said != value:
                out.append(_extra_mismatch(f, m.group(0), value, said, where))
        negation = re.search(NONE_FEE.format(topic=topic), text)
        if negation and value:
            out.append(_extra_mismatch(f, negation.group(0), value, 0, where))
    return out


def _said_amount(m: re.Match) -> Decimal:
    digits = m.group(1).translate(str.maketrans("０１２３４５６７８９．", "0123456789."))
    return Decimal(digits) * (10000 if m.group(2) else 1)


def _extra_mismatch(field, quote: str, value, said, where) -> Finding:
    return Finding("TXT-FEE", "warning",
                   f"文字写“{quote}”，但 {field.sheet}!{field.a1}（{field.labels[-1]}）填的是 "
                   f"{cell_text(value)}",
                   expected=value, actual=said,
                   advice="请使文字与下方填写的数字一致（报告中的数字以填写的单元格为准）。", **where)


Place = Callable[[str], tuple[str, str]]


def _form_place(report: Report) -> Place:
    return lambda key: (report.form.field(key).sheet, report.form.field(key).a1)


@derived
def _narrated(form: Form) -> tuple[tuple[Section, tuple[Field, ...], list[Field]], ...]:
    """Each section, the narrative cells of its sheet and the numbers asked for beside them."""
    out = []
    for section in form.sections:
        fields = form.sheet(section.sheet).fields
        out.append((section, tuple(f for f in fields if f.type == "longtext"),
                    [f for f in fields if f.numeric]))
    return tuple(out)


def check_report(report: Report, *, file: str = "", place: Place | None = None) -> list[Finding]:
    """Every narrative section against its tables and its own numeric cells; `place` gives
    the sheet and cell a key was found at (check passes the located ones)."""
    place = place or _form_place(report)
    out = []
    for section, texts, extra in _narrated(report.form):
        for f in texts:
            if report.text(f.key):
                name, cell = place(f.key)
                where: dict[str, Any] = dict(file=file, sheet=name, cells=(cell,))
                text = report.text(f.key)
                out += check_text(text, report, **where)
                out += check_extra(text, report, extra, unit=report.unit, **where)
                out += narrative_findings(text, report, section, **where)
    return out
