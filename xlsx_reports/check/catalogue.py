"""Every rule code the tool can report, in one place: severity, table, what it means, what to do.

`Finding` takes its code's severity from here (a mismatch is a programming error), `xlsx-reports
rules` lists it, and the README's rule table is generated from it (`readme_table`). Two kinds:
`finding` codes appear in check/merge/render results; `refusal` codes are the `code` of a
`CannotContinue` — the command (or, for one file, that file) could not go on at all.

Imports nothing from the package, so that core.findings can consult it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["finding", "refusal"]


@dataclass(frozen=True)
class Rule:
    code: str
    severity: Literal["error", "warning"]
    table: str          # the table or area it concerns, in Chinese
    description: str    # one line, Chinese
    remedy: str         # what the unit or the district does about it, Chinese
    kind: Kind = "finding"

    def as_json(self) -> dict[str, str]:
        return {"code": self.code, "severity": self.severity, "kind": self.kind, "table": self.table,
                "description": self.description, "remedy": self.remedy}


def _f(code, severity, table, description, remedy) -> Rule:
    return Rule(code, severity, table, description, remedy)


def _r(code, description, remedy) -> Rule:
    return Rule(code, "error", "无法继续", description, remedy, kind="refusal")


T2, T3, T4 = "表二", "表三", "表四"

FINDINGS = (
    _f("T3-BALANCE", "error", T3, "一、本年新收＋二、上年结转＝三（七）总计＋四、结转下年度继续办理（每列）",
       "核对本列的新收、结转和各项办理结果，使两边相等"),
    _f("T3-ROWSUM", "error", T3, "（七）总计等于（一）至（六）各项之和（合计公式被改或算错）",
       "恢复合计单元格的公式，或改正各项数字"),
    _f("T3-COLSUM", "error", T3, "总计列等于自然人、法人或其他组织各类、其他之和（合计公式被改或算错）",
       "恢复合计单元格的公式，或改正各列数字"),
    _f("T3-TYPE", "error", T3, "每格应为不小于 0 的整数", "改为整数件数（没有的填 0）"),
    _f("T4-SUM", "error", T4, "复议、诉讼各项：总计＝结果维持＋结果纠正＋其他结果＋尚未审结",
       "恢复合计单元格的公式，或改正各项数字"),
    _f("T4-TYPE", "error", T4, "每格应为不小于 0 的整数", "改为整数件数（没有的填 0）"),
    _f("T2-TYPE", "error", T2, "件数为不小于 0 的整数（2019 版本年增/减可为负数），金额为不小于 0 的数",
       "按单元格说明改为数字"),
    _f("T2-2019-ITEMS", "error", T2, "2019 版：上一年项目数量＋本年增/减不能小于 0",
       "本年减少的项目数不能超过上一年项目数量"),
    _f("T2-2019-PUB", "error", T2, "2019 版：本年新公开数量不能大于对外公开总数量",
       "对外公开总数量是累计数，应包含本年新公开的数量"),
    _f("T2-2019-DEC", "warning", T2, "2019 版（五）（六）：处理决定数量恰好等于本年项目数量（上一年项目数量＋本年增/减）",
       "核对：处理决定数量是本年作出的决定件数，不是事项（项目）数"),
    _f("T2-2019-UNPUB", "warning", T2, "2019 版：规范性文件本年新公开数量少于本年新制作数量",
       "规范性文件应当全部公开；核对是否把普通公文计入了规范性文件"),
    _f("T2-2019-CAIGOU", "warning", T2, "2019 版：采购项目数量与采购总金额应同时为 0 或同时不为 0",
       "核对采购项目数量和采购总金额（元）"),
    _f("T2-GUIZHANG", "warning", T2, "规章各项不为 0：乡镇、县级政府及其部门无权制定规章",
       "无规章制定权的单位改为 0；设区的市以上政府及其部门可忽略"),
    _f("T2-VALID", "warning", T2, "2021 版：现行有效件数少于本年制发件数减本年废止件数",
       "现行有效件数是累计数，请核对"),
    _f("T2-FEE-UNIT", "warning", T2, "2021 版：本年收费金额（万元）过大或小数位过多，可能按“元”填写",
       "换算为万元（元 ÷ 10000）后填写"),
    _f("XY-CARRY", "error", "跨年", "本年“二、上年结转”等于上年“四、结转下年度继续办理”（每列）",
       "按上年报表改正上年结转，或核对上年报表"),
    _f("XY-VALID", "warning", "跨年", "2021 版：本年现行有效件数＝上年现行有效件数＋本年制发－本年废止",
       "核对现行有效件数与上年报表"),
    _f("XY-2019-ITEMS", "warning", "跨年", "2019 版：本年“上一年项目数量”＝上年“上一年项目数量＋本年增/减”",
       "核对上一年项目数量与上年报表"),
    _f("XY-DUP", "warning", "跨年", "文字部分与上年报告几乎相同", "按本年实际情况重写本部分"),
    _f("BLANK", "warning", "完整性", "输入单元格空白（空白不等于 0）", "逐格填写，没有发生的填 0"),
    _f("NONNUM", "error", "完整性", "数字单元格中是文字或存成文字的数字，表格求和不计",
       "改为数字（不要写单位、斜杠或中文数字）"),
    _f("NARRATIVE", "warning", "文字部分", "文字部分空白或只有占位内容", "按本年实际情况填写本部分"),
    _f("INFO", "warning", "基本信息", "基本信息中的电话、日期等格式不对", "按格式重新填写"),
    _f("YEAR", "error", "基本信息", "工作簿的年度、统计期限或标题年度与填报表年度不一致",
       "使用本年度下发的填报表，不要修改年度"),
    _f("YEAR-NAME", "warning", "文件", "文件名中的年份与工作簿内容的年度不同",
       "确认提交的是本年度的报表，必要时更正文件名"),
    _f("YEAR-ODD", "warning", "文件", "本工作簿的年度与同批其余工作簿不同（可能误交了其他年度的报表）",
       "确认后提交本年度的填报表"),
    _f("YEAR-TEXT", "warning", "文字部分", "文字称本报告为其他年度的（如“现将2020年……报告如下”）",
       "文字可能沿用了往年报告：改为本年度的年份并核对其中的数字"),
    _f("EMPTY", "error", "表二、三、四", "表格一个数字都没有填写，不是填好的报表",
       "在各表中逐格填写本年度数字（没有发生的填 0）后重新报送"),
    _f("FORMAT", "error", "文件", "表式版本与年度不符（2019、2020 年度用 2019 版，2021 年度起用 2021 版）",
       "使用本年度下发的填报表"),
    _f("FORMULA", "error", "工作簿", "合计单元格的公式被改写", "恢复公式（使用下发的原表重新填写）"),
    _f("CACHED", "warning", "工作簿", "文件中保存的计算结果与按填报数据重算的不符（编辑后未重新计算）",
       "在 Excel 或 WPS 中打开、重新计算后保存"),
    _f("STRUCTURE", "error", "工作簿", "工作表、行列、标签被增删改名，或保护、有效性被撤销",
       "使用下发的原表重新填写，不要改动表格结构"),
    _f("ORIGIN", "error", "文件", "不是本工具下发的工作簿（元数据缺失或被改），或单位与名单不符",
       "使用区里下发的填报表；核对单位名称与名单"),
    _f("UNREADABLE", "error", "文件", "文件无法读取（格式不对、已加密、已损坏或不是填报表）",
       "按提示另存为 .xlsx 或重新下载后提交"),
    _f("INTERNAL", "error", "文件", "本工具处理该文件时出现程序缺陷，该文件未能校验（退出码 3）",
       "其他文件不受影响；加 --debug 重新运行，把输出和该文件发给维护人员"),
    _f("TXT-T3", "warning", "文字与表格", "文字中的申请、办理数与表三不符", "改正文字或表格，使两者一致"),
    _f("TXT-T4", "warning", "文字与表格", "文字中的复议、诉讼数与表四不符", "改正文字或表格，使两者一致"),
    _f("TXT-SUM", "warning", "文字与表格", "文字中“共X，其中……”各项之和不等于合计", "核对合计数和所列各项"),
    _f("TXT-FEE", "warning", "文字与表格", "2021 版：文字中的信息处理费件数、金额与“六”中填写的不符",
       "改正文字或填写的数字，使两者一致"),
    _f("TXT-HEAD", "warning", "文字部分", "文字中粘贴了法定标题（报告会重复印出标题）",
       "删除文字中的标题行，标题由报告自动生成"),
    _f("HEAD", "warning", "文字与表格", "六个法定标题未逐字、按序出现", "按法定标题逐字、按序书写"),
    _f("AGG-SUM", "error", "汇总", "汇总数不等于“分单位明细”各单位之和或其“合计”行",
       "不要改动汇总表；请用 merge 重新汇总"),
    _f("AGG-DETAIL", "warning", "汇总", "汇总工作簿中没有“分单位明细”，无法核对汇总数",
       "用 merge 重新汇总，不要删除汇总工作簿中的工作表"),
    _f("AGG-UNITS", "error", "汇总", "“分单位明细”或元数据中的单位与汇总来源不一致",
       "不要改动汇总表；请用 merge 重新汇总"),
    _f("AGG-FMT", "error", "汇总", "年度或表式版本与本次汇总不同，未纳入汇总", "换成本年度的工作簿"),
    _f("AGG-DUP", "error", "汇总", "同一单位提交了多个工作簿（汇总时均不纳入）", "确认最终版本，删除其余的"),
    _f("AGG-CHECK", "error", "汇总", "工作簿有校验错误，未纳入汇总",
       "退回该单位修改后重新报送，或用 --allow-errors 强制纳入"),
    _f("AGG-FORCED", "warning", "汇总", "有校验错误的工作簿已按 --allow-errors 纳入汇总",
       "汇总结果可能不平衡；数值单元格中的文字按 0 计"),
    _f("AGG-EMPTY", "error", "汇总", "报回的工作簿一个数字都没填，未纳入汇总（--allow-errors 也不纳入）",
       "请该单位填写后重新报送；未填写的表不能按 0 汇总"),
    _f("LEDGER-ID", "warning", "文件", "不是本工作区下发给该单位的填报表（工作簿编号不符），已按单位名称登记",
       "确认该单位使用的是本次下发的填报表；另行生成的表核对无误即可"),
    _f("AGG-ROSTER", "warning", "汇总", "名单中的单位没有报送，或已纳入的单位不在名单中",
       "催报，或核对名单"),
)

REFUSALS = (
    _r("CANNOT-CONTINUE", "无法继续（其他原因）", "按提示处理后重试"),
    _r("USAGE", "命令用法不对（缺少或多余的参数、选项值无效）", "运行 xlsx-reports 命令 --help 查看用法"),
    _r("NO-INPUT", "没有找到要处理的工作簿或上年工作簿", "检查文件或文件夹路径"),
    _r("NOT-FOUND", "文件或文件夹不存在", "检查路径"),
    _r("OUTPUT-SUFFIX", "输出文件的扩展名不对", "按命令说明换一个扩展名"),
    _r("OUTPUT-EXISTS", "输出文件已存在，为免覆盖不予写入", "换一个文件名，或加 --force 覆盖"),
    _r("OUTPUT-IS-INPUT", "输出文件就是输入文件之一", "另取一个输出文件名；输入文件从不改动"),
    _r("WRITE-FAILED", "输出文件无法写入", "检查文件夹权限，关闭正在打开该文件的 Excel/WPS"),
    _r("UNIT-NAME", "单位名称为空、过长、含换行或不能用作文件名", "改正单位名称"),
    _r("YEAR-RANGE", "年度不在支持范围内（2019 年度起、且不晚于今年）", "检查 --year"),
    _r("FORMAT-UNKNOWN", "没有这个表式版本", "用 --format 2019 或 2021"),
    _r("PREVIOUS-MISMATCH", "上年报表无法读取，或单位、年度与本次不符，不能预填", "换成本单位上一年度的报表"),
    _r("ROSTER-INVALID", "名单文件无法使用（编码、表头、空行、重复单位或不是 CSV）", "按提示改正名单后另存为 CSV"),
    _r("TEMPLATE-INVALID", "模板不存在、有语法错误、不是 UTF-8 或运行出错", "按提示改正模板"),
    _r("OPTION-CONFLICT", "选项之间互相矛盾（如 Word 格式配 --template、--format 与扩展名不符）", "去掉或改正其中一个选项"),
    _r("MERGE-MIXED", "待汇总的工作簿年度或格式不一致", "用 --year 指定要汇总的年度"),
    _r("FILE-FOREIGN", "不是 .xlsx 工作簿（.xls、.et、加密、含宏、压缩包、网页、CSV 等）", "另存为 .xlsx 后提交"),
    _r("FILE-CORRUPT", "工作簿已损坏或内容有错误", "重新下载，或在 Excel 中另存为 .xlsx"),
    _r("FILE-UNSAFE", "工作簿含不安全的 XML 内容", "在 Excel 或 WPS 中打开后另存为 .xlsx"),
    _r("FILE-NOT-OURS", "不是本工具生成的填报表，或表格被大幅改动，无法定位数据", "使用区里下发的填报表重新填写"),
    _r("ANNOTATE-FAILED", "无法为该文件生成批注版", "按提示处理；原文件不受影响"),
    _r("DEFINITION", "表式定义有误（程序内部错误）", "请向维护者报告"),
)

RULES: dict[str, Rule] = {r.code: r for r in FINDINGS + REFUSALS}
DEFAULT_REFUSAL = "CANNOT-CONTINUE"


def rule(code: str) -> Rule | None:
    return RULES.get(code)


SEVERITY_CN = {"error": "错误", "warning": "提示"}
README_BEGIN = "<!-- rules:begin -->"   # generated between the markers by tools/readme_rules.py
README_END = "<!-- rules:end -->"


def readme_table() -> str:
    """The README's rule table, from the catalogue (tests fail when the two drift)."""
    rows = ["| 编号 | 严重程度 | 范围 | 说明 | 处理办法 |", "|---|---|---|---|---|"]
    for r in FINDINGS + REFUSALS:
        severity = "无法继续" if r.kind == "refusal" else SEVERITY_CN[r.severity]
        rows.append(f"| {r.code} | {severity} | {r.table} | {r.description} | {r.remedy} |")
    return "\n".join(rows)


def update_readme(text: str) -> str:
    """`text` with the block between the markers replaced by the current table."""
    head, begin, rest = text.partition(README_BEGIN)
    _, end, tail = rest.partition(README_END)
    if not begin or not end:
        raise ValueError("README has no rules block")
    return f"{head}{README_BEGIN}\n{readme_table()}\n{README_END}{tail}"

