"""The value types of input cells: one table that gives, for each type, the spreadsheet
validation, the Python validator, the input prompt and the type code the xlsx stores.

The writer turns an entry into a data validation, `check` asks the same entry about a
pasted value (Excel and LibreOffice check only what is typed) and `batch` about a roster
value before prefilling it, so a cell, the checker and the prefill never disagree.

Phone and date rules are written for how a Chinese office writes them: "（0595）22039158",
"0595-22039158转8001", "13800138000、0595-22039158"; "2025年1月20日", "2025/1/20",
"20250120", a date serial. A date without its year ("1月20日") is refused: Excel would
silently put it in the current year of the machine that opened the file.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Callable

SIGNED_LIMIT = 999_999_999
NO_BLANK = "没有的请填 0，不要留空。"

# --- phone -----------------------------------------------------------------------------------
# Every character of a phone entry is a digit or one of these; at least PHONE_MIN_DIGITS
# digits in all. Brackets (ASCII or full-width) around an area code, dashes, spaces, 转 for
# an extension, and 、；;，,/ between several numbers.
PHONE_DIGITS = "0123456789"
PHONE_MARKS = "()（）-－— 转、；;，,/"
PHONE_MIN_DIGITS = 7
PHONE_MAX_LEN = 80


def _phone_count(cell: str, chars: str) -> str:
    """Formula: how many characters of `cell` are among `chars` (no array constants, which
    Excel refuses in a data validation)."""
    return (f'SUMPRODUCT(--ISNUMBER(FIND(MID({cell},ROW(INDIRECT("1:"&LEN({cell}))),1),'
            f'"{chars}")))')


def phone_formula(cell: str) -> str:
    return (f"=AND(LEN({cell})<={PHONE_MAX_LEN},"
            f"{_phone_count(cell, PHONE_DIGITS + PHONE_MARKS)}=LEN({cell}),"
            f"{_phone_count(cell, PHONE_DIGITS)}>={PHONE_MIN_DIGITS})")


def phone_problem(text: str) -> str | None:
    allowed = set(PHONE_DIGITS + PHONE_MARKS)
    digits = sum(ch in PHONE_DIGITS for ch in text)
    if len(text) <= PHONE_MAX_LEN and all(ch in allowed for ch in text) and digits >= PHONE_MIN_DIGITS:
        return None
    return ("不是电话号码（只能填数字，可带区号括号、“-”、分机“转”，"
            "几个号码之间用“、”隔开，如（0595）22039158、13800138000）")


# --- date -------------------------------------------------------------------------------------
# A date is typed into a text cell so that what was typed is kept ("1月20日" is not turned
# into a date of the machine's current year). The spreadsheet formula is the widest test a
# formula without regular expressions can make: a serial or yyyymmdd number, or text of
# 8–11 characters starting with a 4-digit year 20xx; `date_problem` then judges exactly.
FIRST_YEAR, LAST_YEAR = 2000, 2099
EXCEL_EPOCH = date(1899, 12, 30)
SERIAL_MIN = (date(FIRST_YEAR, 1, 1) - EXCEL_EPOCH).days
SERIAL_MAX = (date(LAST_YEAR, 12, 31) - EXCEL_EPOCH).days
DATE_EXAMPLE = "2025年1月20日 或 2025-01-20"
_YMD = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_NO_YEAR = re.compile(r"(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def date_formula(cell: str) -> str:
    return (f'=IF(ISNUMBER({cell}),OR(AND({cell}>={SERIAL_MIN},{cell}<={SERIAL_MAX}),'
            f'AND({cell}>={FIRST_YEAR}0101,{cell}<={LAST_YEAR}1231)),'
            f'AND(LEN({cell})>=8,LEN({cell})<=11,LEFT({cell},2)="20",ISNUMBER(-LEFT({cell},4))))')


def parse_date(text: str) -> date | None:
    """The date a text (or a date serial) means, or None."""
    s = text.strip()
    if len(s) > 10 and s[10] in " T" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", s[:10]):
        s = s[:10]   # a date-time read from a date cell: the time does not count
    m = _YMD.fullmatch(s) or _COMPACT.fullmatch(s)
    try:
        if m:
            day = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        elif re.fullmatch(r"\d{5}(\.0+)?", s):
            day = EXCEL_EPOCH + timedelta(days=int(float(s)))
        else:
            return None
    except ValueError:
        return None
    return day if FIRST_YEAR <= day.year <= LAST_YEAR else None


def date_problem(text: str) -> str | None:
    if parse_date(text) is not None:
        return None
    if _NO_YEAR.fullmatch(text.strip()):
        return f"没有写年份，请写明年、月、日，如 {DATE_EXAMPLE}"
    return f"不是日期（请写明年、月、日，如 {DATE_EXAMPLE}）"


# --- the table ------------------------------------------------------------------------------

@dataclass(frozen=True)
class ValueRule:
    """One value type. `stored` is the validation type as the xlsx stores it ("none" for no
    validation); `criteria` the spreadsheet test (xlsxwriter's vocabulary, plain data);
    `formula` builds a custom test for a cell address; `problem` judges a text value."""
    code: str
    stored: str
    prompt: str
    error: str = ""
    criteria: dict[str, Any] | None = None
    formula: Callable[[str], str] | None = None
    problem: Callable[[str], str | None] | None = None


def _rules() -> dict[str, ValueRule]:
    return {r.code: r for r in (
        ValueRule("count", "whole", "请填写不小于 0 的整数。" + NO_BLANK,
                  "只能填写不小于 0 的整数，如 0、3、12；不能填写小数、负数、文字或“/”。",
                  {"validate": "integer", "criteria": ">=", "value": 0}),
        ValueRule("signed", "whole", "请填写整数：增加填正数，减少填负数（如 -8），没有变化填 0，不要留空。",
                  "只能填写整数；减少请填负数，如 -8。",
                  {"validate": "integer", "criteria": "between", "minimum": -SIGNED_LIMIT,
                   "maximum": SIGNED_LIMIT}),
        ValueRule("money", "decimal", "请填写金额（单位：{unit}），可以带小数。" + NO_BLANK,
                  "只能填写不小于 0 的数字（单位：{unit}），不要带“元”“万元”等文字。",
                  {"validate": "decimal", "criteria": ">=", "value": 0}),
        ValueRule("date", "custom", f"请填写日期，写明年、月、日，如 {DATE_EXAMPLE}。",
                  f"请填写完整日期（年、月、日都要写），如 {DATE_EXAMPLE}。",
                  formula=date_formula, problem=date_problem),
        ValueRule("phone", "custom",
                  "请填写联系电话，如（0595）22039158、0595-22039158转8001 或 13800138000；"
                  "几个号码之间用“、”隔开。",
                  "电话号码只能包含数字、区号括号、“-”和分机“转”，至少 7 位数字，"
                  "如（0595）22039158。",
                  formula=phone_formula, problem=phone_problem),
        ValueRule("longtext", "none",
                  "每格写一段，按 Enter 到下一段；可以直接粘贴 Word 中的多段文字。"),
        ValueRule("text", "none", "请填写{label}。"),
        ValueRule("url", "none", "请填写{label}。"),
    )}


VALUE_TYPES: dict[str, ValueRule] = _rules()


def value_rule(value_type: str) -> ValueRule:
    return VALUE_TYPES[value_type]


def text_problem(value_type: str, text: str) -> str | None:
    """Why a one-line value breaks its cell's rule (the workbook's validation says the same);
    None when it is fine."""
    rule = VALUE_TYPES.get(value_type)
    return rule.problem(text) if rule is not None and rule.problem is not None else None
