"""The rule catalogue is the one list of codes: the source emits nothing else, severities agree,
the README table and `xlsx-reports rules` are generated from it."""
from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from xlsx_reports.check.catalogue import FINDINGS, REFUSALS, RULES, readme_table, update_readme
from xlsx_reports.cli import main
from xlsx_reports.core.findings import CannotContinue, Finding
from xlsx_reports.form.definitions import FORMATS, get_form

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "xlsx_reports"
CODE = re.compile(r"[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*")
# calls whose string arguments are finding codes (positional) or refusal codes (code=…)
EMITTERS = {"Finding", "finding", "sheet_finding", "leave_out", "_mismatch", "Check", "Carry", "Claim"}


def _name(func: ast.expr) -> str:
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _codes_in(node: ast.AST) -> set[str]:
    return {n.value for n in ast.walk(node)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and CODE.fullmatch(n.value)
            and len(n.value) > 2}


def emitted_in_source() -> dict[str, set[str]]:
    """{code: files} for every code literal given to a finding, a rule or a refusal."""
    found: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        if path.name == "catalogue.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            codes: set[str] = set()
            if isinstance(node, ast.Call) and _name(node.func) in EMITTERS:
                for arg in node.args[:2]:
                    codes |= _codes_in(arg)
            if isinstance(node, ast.Call):
                for kw in node.keywords:
                    if kw.arg in ("code", "rule"):
                        codes |= _codes_in(kw.value)
            if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "TYPE_CODE" for t in node.targets):
                codes |= _codes_in(node.value)
            if isinstance(node, ast.BoolOp):   # f.rule or "FORMULA"
                codes |= {c for c in _codes_in(node) if c in RULES or c == "FORMULA"}
            for code in codes:
                found.setdefault(code, set()).add(str(path.relative_to(REPO)))
    return found


def test_the_source_scan_sees_codes_from_every_stage():
    found = emitted_in_source()
    for code in ("T3-BALANCE", "NONNUM", "YEAR", "AGG-CHECK", "TXT-SUM", "UNREADABLE", "ORIGIN",
                 "NO-INPUT", "ROSTER-INVALID", "FILE-CORRUPT"):
        assert code in found, code


def test_every_code_the_source_emits_is_in_the_catalogue():
    missing = {code: sorted(files) for code, files in emitted_in_source().items() if code not in RULES}
    assert missing == {}


def test_every_rule_of_both_forms_is_catalogued_with_its_severity():
    for fmt in FORMATS:
        form = get_form(fmt)
        for rule in form.checks + form.carries:
            assert RULES[rule.code].severity == rule.severity, (fmt, rule.code)
            assert RULES[rule.code].kind == "finding"
        for f in form.fields:
            if f.rule:
                assert RULES[f.rule].severity == "error"


def test_one_severity_per_code_and_every_entry_is_complete():
    assert len(RULES) == len(FINDINGS) + len(REFUSALS)
    for r in RULES.values():
        assert r.severity in ("error", "warning")
        assert r.table and r.description and r.remedy
        assert re.search(r"[\u4e00-\u9fff]", r.description + r.remedy), r.code


def test_a_finding_with_another_severity_than_its_catalogue_entry_is_refused():
    with pytest.raises(ValueError, match="YEAR"):
        Finding("YEAR", "warning", "x")
    assert Finding("YEAR-NAME", "warning", "x").severity == "warning"


def test_under_the_test_suite_an_uncatalogued_code_is_refused():
    with pytest.raises(ValueError, match="NEW-RULE"):
        Finding("NEW-RULE", "error", "x")


def test_cannot_continue_carries_a_catalogued_code():
    assert CannotContinue("x").code == "CANNOT-CONTINUE" and "CANNOT-CONTINUE" in RULES
    assert CannotContinue("x", code="NO-INPUT").code == "NO-INPUT"
    assert {r.kind for r in REFUSALS} == {"refusal"}


def test_readme_rule_table_is_the_catalogue():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert update_readme(readme) == readme, "run: python tools/readme_rules.py"
    for r in RULES.values():
        assert f"| {r.code} |" in readme_table()


def test_rules_json_lists_every_code_with_its_fields():
    result = CliRunner().invoke(main, ["rules", "--json"])
    assert result.exit_code == 0
    listed = json.loads(result.output)
    assert [r["code"] for r in listed] == list(RULES)
    assert set(emitted_in_source()) <= {r["code"] for r in listed}
    t3 = next(r for r in listed if r["code"] == "T3-BALANCE")
    assert t3 == {"code": "T3-BALANCE", "severity": "error", "kind": "finding", "table": "表三",
                  "description": RULES["T3-BALANCE"].description, "remedy": RULES["T3-BALANCE"].remedy}


def test_rules_on_the_terminal_is_a_chinese_table():
    result = CliRunner().invoke(main, ["rules"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["编号", "严重程度", "范围", "说明"]
    assert any(line.startswith("XY-DUP") and "提示" in line and "跨年" in line for line in lines)
    assert any(line.startswith("NO-INPUT") and "无法继续" in line for line in lines)


def test_the_prose_rules_only_warn_so_a_check_for_errors_alone_may_leave_them_out():
    """check_reading(warnings=False), the merge's check of its inputs, does not apply
    check/text.py and check/narrative.py: every code they hold must be a warning."""
    for name in ("text.py", "narrative.py"):
        tree = ast.parse((PACKAGE / "check" / name).read_text(encoding="utf-8"))
        codes = {code for code in _codes_in(tree) if code in RULES}
        assert codes, name
        assert {code: RULES[code].severity for code in codes if RULES[code].severity != "warning"} == {}
