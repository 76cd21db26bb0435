"""The two statutory formats as data: labels character for character (shared/spec).

2019 format (国办公开办函〔2019〕60号) for report years 2019–2020;
2021 format (国办公开办函〔2021〕30号) for 2021 on.
"""
from __future__ import annotations

from dataclasses import replace
from functools import cache
from typing import Any

from xlsx_reports.form.model import (Axis, Block, Carry, Check, Column, Entry, Form, Grid, Group,
                                     Row, Section)
from xlsx_reports.form.layout import blocks_sheet, cell_key, grid_sheet, info_sheet, narrative_sheet

# The six parts: number, statutory heading, heading without number, sheet name, kind.
SECTIONS = (
    Section("一", "一、总体情况", "一、总体情况", part="总体情况", text="s1.text"),
    Section("二", "二、主动公开政府信息情况", "二、主动公开", "table", part="主动公开政府信息情况",
            table="t2"),
    Section("三", "三、收到和处理政府信息公开申请情况", "三、依申请公开", "table",
            part="收到和处理政府信息公开申请情况", table="t3"),
    Section("四", "四、政府信息公开行政复议、行政诉讼情况", "四、复议诉讼", "table",
            part="政府信息公开行政复议、行政诉讼情况", table="t4"),
    Section("五", "五、存在的主要问题及改进情况", "五、问题改进", part="存在的主要问题及改进情况",
            text="s5.text"),
    Section("六", "六、其他需要报告的事项", "六、其他事项", part="其他需要报告的事项", text="s6.text"),
)
_SECTION = {s.number: s for s in SECTIONS}

# --- 基本信息 -----------------------------------------------------------------------------
INFO = (
    Entry("info.unit", "单位名称", "text", kind="fixed"),
    Entry("info.year", "年度", "count", kind="fixed"),
    Entry("info.period", "统计期限", "text", kind="fixed"),
    Entry("info.office", "联系部门", "text"),
    Entry("info.contact", "联系人", "text"),
    Entry("info.phone", "联系电话", "phone"),
    Entry("info.website", "发布网址", "url"),
    Entry("info.date", "填报日期", "date"),
    Entry("info.level", "单位层级", "text"),
)
INFO_SHEET = "基本信息"
# Who reports decides which rules apply (T2-GUIZHANG, T2-FEE-UNIT): the list to choose from.
PROVINCE, CITY, COUNTY, TOWNSHIP, OTHER_LEVEL = (
    "省级人民政府及其部门", "设区的市人民政府及其部门", "县级人民政府及其部门",
    "乡镇人民政府/街道办事处", "其他")
LEVELS = (PROVINCE, CITY, COUNTY, TOWNSHIP, OTHER_LEVEL)
LEVEL_KEY = "info.level"
LEVEL_LABEL = next(e.label for e in INFO if e.key == LEVEL_KEY)
ROSTER_COLUMNS = {LEVEL_KEY: "层级"}   # the roster's shorter column name for a 基本信息 item

# --- Table 三 ---------------------------------------------------------------------------
R = "三、本年度办理结果"
T3_HEAD = (
    Axis("new", ("一、本年新收政府信息公开申请数量",), number="一"),
    Axis("carried", ("二、上年结转政府信息公开申请数量",), number="二"),
)
T3_TAIL = Axis("carry_over", ("四、结转下年度继续办理",), number="四")
T3_TOTAL = ("total", "（七）", "（七）总计", "总计")

# The result groups under 三、: key, number, label, short name (what prose calls it), and
# the group's own rows ((row key, label); none: the group is a row itself).
T3_GROUPS = (
    ("public", "（一）", "（一）予以公开", "予以公开", ()),
    ("partial", "（二）", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "部分公开", ()),
    ("withheld", "（三）", "（三）不予公开", "不予公开", (
        ("secret", "1.属于国家秘密"),
        ("prohibited", "2.其他法律行政法规禁止公开"),
        ("security", "3.危及“三安全一稳定”"),
        ("third_party", "4.保护第三方合法权益"),
        ("internal", "5.属于三类内部事务信息"),
        ("process", "6.属于四类过程性信息"),
        ("enforcement", "7.属于行政执法案卷"),
        ("query", "8.属于行政查询事项"))),
    ("unavailable", "（四）", "（四）无法提供", "无法提供", (
        ("not_held", "1.本机关不掌握相关政府信息"),
        ("needs_creation", "2.没有现成信息需要另行制作"),
        ("unclear", "3.补正后申请内容仍不明确"))),
    ("rejected", "（五）", "（五）不予处理", "不予处理", (
        ("petition", "1.信访举报投诉类申请"),
        ("repeat", "2.重复申请"),
        ("publication", "3.要求提供公开出版物"),
        ("excessive", "4.无正当理由大量反复申请"),
        ("confirm", "5.要求行政机关确认或重新出具已获取信息"))),
)
T3_OTHER_2019 = ("other", "（六）", "（六）其他处理", "其他处理", ())
T3_OTHER_2021 = ("other", "（六）", "（六）其他处理", "其他处理", (
    ("overdue_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    ("overdue_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    ("other", "3.其他")))
A = "申请人情况"
L = "法人或其他组织"
T3_INPUT_COLS = (
    Axis("natural", (A, "自然人")),
    Axis("business", (A, L, "商业企业")),
    Axis("research", (A, L, "科研机构")),
    Axis("nonprofit", (A, L, "社会公益组织")),
    Axis("legal", (A, L, "法律服务机构")),
    Axis("other_org", (A, L, "其他")),
)
T3_COLS = T3_INPUT_COLS + (
    Axis("total", (A, "总计"), total_of=tuple(c.key for c in T3_INPUT_COLS), rule="T3-COLSUM"),)
T3_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"


def _t3_groups(other) -> tuple[tuple[Group, ...], tuple[Axis, ...]]:
    """Table 三's result groups and, in order, the result rows they declare."""
    groups: list[Group] = []
    axes: list[Axis] = []
    for key, number, label, short, items in T3_GROUPS + (other,):
        own = (tuple(Axis(f"{key}.{k}", (R, label, text)) for k, text in items)
               or (Axis(key, (R, label)),))
        groups.append(Group(key, number, label, short, tuple(a.key for a in own)))
        axes += own
    return tuple(groups), tuple(axes)


def _t3_grid(results: tuple[Axis, ...], total: Group) -> Grid:
    rows = T3_HEAD + results + (
        Axis(total.key, (R, total.label), total_of=total.rows, rule="T3-ROWSUM",
             number=total.number),
        T3_TAIL,
    )
    return Grid(table="t3", rows=rows, cols=T3_COLS, label_cols=3, header_rows=3, corner=T3_NOTE)


# --- Table 四 ---------------------------------------------------------------------------
RESULTS = (("upheld", "结果维持"), ("corrected", "结果纠正"), ("other", "其他结果"),
           ("pending", "尚未审结"))


def _t4_group(key: str, path: tuple[str, ...]) -> tuple[Axis, ...]:
    parts = tuple(Axis(f"{key}.{k}", path + (t,)) for k, t in RESULTS)
    total = Axis(f"{key}.total", path + ("总计",),
                 total_of=tuple(p.key for p in parts), rule="T4-SUM")
    return parts + (total,)


T4_GRID = Grid(
    table="t4", rows=(Axis("", ()),), label_cols=0, header_rows=3,
    cols=_t4_group("review", ("行政复议",))
    + _t4_group("direct", ("行政诉讼", "未经复议直接起诉"))
    + _t4_group("after_review", ("行政诉讼", "复议后起诉")),
)

# --- Table 二 ---------------------------------------------------------------------------
ITEMS_2019 = (Column("prev_items", "上一年项目数量"), Column("change", "本年增/减", "signed"),
              Column("decisions", "处理决定数量"))
DECISIONS_2021 = (Column("decisions", "本年处理决定数量"),)
T2_2019 = (
    Block("第二十条第（一）项",
          (Column("made", "本年新制作数量"), Column("published", "本年新公开数量"),
           Column("total_published", "对外公开总数量")),
          (Row("rules", "规章"), Row("normative", "规范性文件"))),
    Block("第二十条第（五）项", ITEMS_2019,
          (Row("licensing", "行政许可"), Row("other_services", "其他对外管理服务事项"))),
    Block("第二十条第（六）项", ITEMS_2019, (Row("penalty", "行政处罚"), Row("enforcement", "行政强制"))),
    Block("第二十条第（八）项", ITEMS_2019[:2], (Row("fees", "行政事业性收费"),)),
    Block("第二十条第（九）项",
          (Column("projects", "采购项目数量"), Column("amount", "采购总金额", "money", "元")),
          (Row("procurement", "政府集中采购"),)),
)
T2_2021 = (
    Block("第二十条第（一）项",
          (Column("issued", "本年制发件数"), Column("repealed", "本年废止件数"),
           Column("in_force", "现行有效件数")),
          (Row("rules", "规章"), Row("normative", "行政规范性文件"))),
    Block("第二十条第（五）项", DECISIONS_2021, (Row("licensing", "行政许可"),)),
    Block("第二十条第（六）项", DECISIONS_2021,
          (Row("penalty", "行政处罚"), Row("enforcement", "行政强制"))),
    Block("第二十条第（八）项", (Column("amount", "本年收费金额（单位：万元）", "money", "万元"),),
          (Row("fees", "行政事业性收费"),)),
)

# --- Narratives -------------------------------------------------------------------------
HINT_1_2019 = ("请概述本年度政府信息公开工作的总体情况，如主动公开、依申请公开、政府信息管理、平台建设、"
               "监督保障等方面的主要做法和成效。")
HINT_1_2021 = ("按照国办公开办函〔2021〕30号的要求，总体情况应涵盖：主动公开、依申请公开、政府信息管理、"
               "政府信息公开平台建设、监督保障。请逐项写明本年度的做法和成效，用具体数字说明。")
HINT_5 = "请写明本年度政府信息公开工作存在的主要问题，以及已经和将要采取的改进措施。"
HINT_6_2019 = "请写明其他需要报告的事项；没有的，请填写“无其他需要报告的事项。”"
HINT_6_2021 = ("请写明：依据国办函〔2020〕109号收取信息处理费的情况（请同时在下方填写收费件数和金额，单位：元）、"
               "上年度政务公开工作要点落实情况、人大代表建议和政协委员提案办理结果公开情况、本单位的创新做法等；"
               "没有的，请填写“无其他需要报告的事项。”")
MIN_OVERVIEW = 30   # characters: a shorter 总体情况 cannot cover the five required topics
FEE_ROWS = (
    Entry("s6.fee.count", "信息处理费：收费件数（件）", "count", unit="件", topic="信息处理费"),
    Entry("s6.fee.amount", "信息处理费：收费金额（元）", "money", unit="元", topic="信息处理费"),
)


def _t3_balance() -> tuple[Check, ...]:
    return tuple(
        Check("T3-BALANCE", "error",
              left=(cell_key("t3", "new", c.key), cell_key("t3", "carried", c.key)), op="eq",
              right=(cell_key("t3", "total", c.key), cell_key("t3", "carry_over", c.key)),
              text=f"三（{c.labels[-1]}）：一、本年新收＋二、上年结转＝三、（七）总计＋四、结转下年度继续办理",
              advice="请核对本列的新收、结转和各项办理结果，使两边相等。")
        for c in T3_COLS)


def _carry_t3() -> tuple[Carry, ...]:
    return tuple(
        Carry("XY-CARRY", "error", target=cell_key("t3", "carried", c.key),
              previous=(cell_key("t3", "carry_over", c.key),), prefill=True,
              text=f"三（{c.labels[-1]}）：本年“二、上年结转”应等于上年“四、结转下年度继续办理”")
        for c in T3_INPUT_COLS)


def _guizhang(cols: tuple[str, ...]) -> Check:
    # 立法法（2023 修正）第九十三条: 省、自治区、直辖市和设区的市、自治州的人民政府制定规章;
    # 第九十一条: 国务院部门 make 部门规章. A department of a province or city reports the
    # 规章 it drafted and publishes (real reports of a municipal office and a provincial-level
    # office do), so only county and township levels are told they cannot have any.
    return Check("T2-GUIZHANG", "warning", left=tuple(f"t2.rules.{c}" for c in cols), op="eq",
                 const=0, text="二（一）规章：乡镇、县级政府及其部门无权制定规章，规章各项应为 0",
                 advice="规章由省级和设区的市级人民政府制定（立法法第九十三条）；请核对是否把规范性文件"
                        "计入了规章，或基本信息中的单位层级是否选对。",
                 levels=(COUNTY, TOWNSHIP))


# 本年收费金额（万元）beyond which a unit of that level more likely typed 元: a township's
# whole year of 行政事业性收费 over 1 亿元 is implausible, a county's over 10 亿元, a city's
# (with its departments, as 宿迁 2023 reports 59237 万元) over 100 亿元. Provinces and
# "其他" have no plausible ceiling; the decimals rule below still catches 元 converted twice.
FEE_CEILINGS = ((TOWNSHIP, 10_000), (COUNTY, 100_000), (CITY, 1_000_000))


def _fee_unit() -> tuple[Check, ...]:
    return tuple(
        Check("T2-FEE-UNIT", "warning", left=("t2.fees.amount",), op="lt", const=ceiling,
              text=f"二（八）本年收费金额的单位是万元，{level}的数值一般小于 {ceiling}",
              advice="金额可能按“元”填写了，请换算为万元（元 ÷ 10000）。", levels=(level,))
        for level, ceiling in FEE_CEILINGS)


def _decisions_2019() -> tuple[Check, ...]:
    """T2-2019-DEC: （五）（六） 处理决定数量 filled with this year's number of items."""
    return tuple(
        Check("T2-2019-DEC", "warning", left=(f"t2.{r}.decisions",), op="zero_or_ne",
              right=(f"t2.{r}.prev_items", f"t2.{r}.change"),
              text="二（五）（六）：处理决定数量恰好等于上一年项目数量＋本年增/减（本年项目数），"
                   "可能把项目数填成了处理决定数",
              advice="处理决定数量是本年作出的许可、处罚等决定的件数，不是事项（项目）的个数；"
                     "请核对。")
        for r in ("licensing", "other_services", "penalty", "enforcement"))


def _checks_2019() -> tuple[Check, ...]:
    items = ("licensing", "other_services", "penalty", "enforcement", "fees")
    return _t3_balance() + tuple(
        Check("T2-2019-ITEMS", "error", left=(f"t2.{r}.prev_items", f"t2.{r}.change"), op="ge",
              const=0, text="二：上一年项目数量＋本年增/减 不能小于 0",
              advice="本年减少的项目数不能超过上一年项目数量，请核对。") for r in items
    ) + tuple(
        Check("T2-2019-PUB", "error", left=(f"t2.{r}.published",), op="le",
              right=(f"t2.{r}.total_published",),
              text="二（一）：本年新公开数量不能大于对外公开总数量",
              advice="对外公开总数量是累计现行有效的数量，应包含本年新公开的数量。")
        for r in ("rules", "normative")
    ) + (
        Check("T2-2019-UNPUB", "warning", left=("t2.normative.published",), op="ge",
              right=("t2.normative.made",),
              text="二（一）规范性文件：本年新公开数量一般不少于本年新制作数量",
              advice="规范性文件应当全部公开；常见原因是把普通公文计入了规范性文件，请核对。"),
        Check("T2-2019-CAIGOU", "warning", left=("t2.procurement.projects",), op="zero_iff_zero",
              right=("t2.procurement.amount",),
              text="二（九）政府集中采购：采购项目数量为 0 时采购总金额也应为 0，反之亦然",
              advice="请核对采购项目数量和采购总金额（元）。"),
        _guizhang(("made", "published", "total_published")),
    ) + _decisions_2019()


def _checks_2021() -> tuple[Check, ...]:
    return _t3_balance() + tuple(
        Check("T2-VALID", "warning", left=(f"t2.{r}.in_force",), op="ge",
              right=(f"t2.{r}.issued", f"-t2.{r}.repealed"),
              text="二（一）：现行有效件数一般不少于本年制发件数减本年废止件数",
              advice="现行有效件数是累计数，应包含本年制发且未废止的文件，请核对。")
        for r in ("rules", "normative")
    ) + (
        _guizhang(("issued", "repealed", "in_force")),
    ) + _fee_unit() + (
        Check("T2-FEE-UNIT", "warning", left=("t2.fees.amount",), op="decimals_le", const=4,
              text="二（八）本年收费金额（万元）一般不超过 4 位小数",
              advice="小数位过多，金额可能按“元”填写后又做了换算，请核对单位。"),
    )


def _carry_2019() -> tuple[Carry, ...]:
    return _carry_t3() + tuple(
        Carry("XY-2019-ITEMS", "warning", target=f"t2.{r}.prev_items",
              previous=(f"t2.{r}.prev_items", f"t2.{r}.change"), prefill=True,
              text="二：本年“上一年项目数量”应等于上年的“上一年项目数量＋本年增/减”")
        for r in ("licensing", "other_services", "penalty", "enforcement", "fees"))


def _carry_2021() -> tuple[Carry, ...]:
    return _carry_t3() + tuple(
        Carry("XY-VALID", "warning", target=f"t2.{r}.in_force", previous=(f"t2.{r}.in_force",),
              current=(f"t2.{r}.issued", f"-t2.{r}.repealed"),
              text="二（一）：本年现行有效件数应等于上年现行有效件数＋本年制发件数－本年废止件数")
        for r in ("rules", "normative"))


T3_WIDTHS = (10, 16, 30) + (10,) * 7
T4_WIDTHS = (8,) * 15
T2_WIDTHS = (24, 16, 16, 16)


def _narrative(n: str, hint: str, extra: tuple[Entry, ...] = (), *, min_chars: int = 0,
               none_ok: bool = False):
    s = _SECTION[n]
    return narrative_sheet(s.sheet, s.heading, s.text, hint, extra=extra, min_chars=min_chars,
                           none_ok=none_ok)


def _build(fmt: str) -> Form:
    new = fmt == "2021"
    groups, results = _t3_groups(T3_OTHER_2021 if new else T3_OTHER_2019)
    key, number, label, short = T3_TOTAL
    total = Group(key, number, label, short, tuple(a.key for a in results))
    t3 = _t3_grid(results, total)
    fees = FEE_ROWS if new else ()
    sheets = (
        info_sheet(INFO_SHEET, "基本信息", INFO, {LEVEL_KEY: LEVELS}),
        _narrative("一", HINT_1_2021 if new else HINT_1_2019, min_chars=MIN_OVERVIEW),
        blocks_sheet(_SECTION["二"].sheet, _SECTION["二"].heading, "t2", "信息内容",
                     T2_2021 if new else T2_2019, value_cols=3, widths=T2_WIDTHS),
        grid_sheet(_SECTION["三"].sheet, _SECTION["三"].heading, t3,
                   widths=T3_WIDTHS, label_skip=1, landscape=True),
        grid_sheet(_SECTION["四"].sheet, _SECTION["四"].heading, T4_GRID, widths=T4_WIDTHS,
                   landscape=True),
        _narrative("五", HINT_5),
        _narrative("六", HINT_6_2021 if new else HINT_6_2019, fees, none_ok=True),
    )
    sections = tuple(replace(s, extra=tuple(e.key for e in fees)) if s.number == "六" else s
                     for s in SECTIONS)
    structure: dict[str, Any] = dict(groups=groups, results_total=total,
                     numbered=tuple((a.number, a.key) for a in t3.rows if a.number))
    if new:
        return Form("2021", "国办公开办函〔2021〕30号", 2021, None, sections, sheets,
                    _checks_2021(), _carry_2021(), **structure)
    return Form("2019", "国办公开办函〔2019〕60号", 2019, 2020, sections, sheets,
                _checks_2019(), _carry_2019(), **structure)


# The figures read first (merge summary, report sentences): the same keys in both formats.
# 诉讼 counts both kinds of suit (rules.md TXT-T4: 直接起诉总计 + 复议后起诉总计).
REVIEW_TOTAL = "t4.review.total"
LITIGATION_TOTALS = ("t4.direct.total", "t4.after_review.total")
KEY_FIGURES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("本年新收政府信息公开申请", ("t3.new.total",)),
    ("本年度办理结果总计", ("t3.total.total",)),
    ("结转下年度继续办理", ("t3.carry_over.total",)),
    ("行政复议", (REVIEW_TOTAL,)),
    ("行政诉讼", LITIGATION_TOTALS),
)

FORMATS = ("2019", "2021")


@cache
def get_form(fmt: str) -> Form:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    return _build(fmt)


def format_for_year(year: int) -> str:
    return "2019" if year <= 2020 else "2021"
