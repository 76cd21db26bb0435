"""The Python interface: every command as a function returning plain objects; the README's
Python example runs as written."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import is_dataclass
from decimal import Decimal
from pathlib import Path

import pytest

import xlsx_reports as xr
from xlsx_reports.check.catalogue import RULES

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
HESHI = SAMPLES / "河市镇_2020.xlsx"
XINJIU = SAMPLES / "新九镇_2021.xlsx"
TOWNS = SAMPLES / "district" / "乡镇"


def test_public_names_are_exported():
    for name in ("new", "batch", "read", "check", "merge", "render", "export", "rules",
                 "CannotContinue", "Finding"):
        assert name in xr.__all__ and callable(getattr(xr, name))
    assert (REPO / "xlsx_reports" / "py.typed").exists()
    assert '"xlsx_reports" = ["py.typed"]' in (REPO / "pyproject.toml").read_text()


def test_read_returns_values_by_stable_key():
    wb = xr.read(HESHI)
    assert is_dataclass(wb)
    assert (wb.unit, wb.year, wb.format, wb.kind) == ("河市镇", 2020, "2019", "unit")
    assert wb.cells["t3.new.natural"].startswith("三、")
    assert isinstance(wb.values["t3.total.total"], int)


def test_read_refuses_a_file_that_is_not_a_workbook_with_a_code():
    with pytest.raises(xr.CannotContinue) as exc:
        xr.read(SAMPLES / "roster.csv")
    assert exc.value.code == "FILE-FOREIGN" and "roster.csv" in str(exc.value)
    with pytest.raises(xr.CannotContinue) as missing:
        xr.read(SAMPLES / "没有这个文件.xlsx")
    assert missing.value.code == "NOT-FOUND"


def test_new_then_check_then_render_then_export(tmp_path):
    out = tmp_path / "东镇_2021.xlsx"
    g = xr.new("东镇", 2021, out, previous=None, deadline="2022年1月20日")
    assert g.path == out and out.exists() and g.metadata.format == "2021"
    with pytest.raises(xr.CannotContinue) as exists:
        xr.new("东镇", 2021, out)
    assert exists.value.code == "OUTPUT-EXISTS"
    result = xr.check(out)   # a workbook nobody filled is not a return
    assert result.exit_code == 1
    assert {r["code"] for r in result.records()} >= {"EMPTY"}
    assert all(r["file"] == str(out) and r["unit"] == "东镇" for r in result.records())
    rendered = xr.render(HESHI, tmp_path / "r.md")
    assert rendered.written and (tmp_path / "r.md").read_text(encoding="utf-8").startswith("# 河市镇")
    piped = xr.render(HESHI, "-", format="txt")
    assert piped.written and piped.text.startswith("河市镇2020年")
    records = xr.export([HESHI, XINJIU])
    assert {r["unit"] for r in records} == {"河市镇", "新九镇"}


def test_check_reports_refusals_and_roster_units(tmp_path):
    with pytest.raises(xr.CannotContinue) as none:
        xr.check([tmp_path])
    assert none.value.code == "NO-INPUT"
    result = xr.check([TOWNS], roster=SAMPLES / "district" / "名单.csv")
    missing = [f for f in result.files if f.file is None]
    assert [f.unit for f in missing] == ["北峰镇"]
    assert missing[0].findings[0].code == "AGG-ROSTER"


def test_merge_writes_the_total_when_asked(tmp_path):
    out = tmp_path / "区.xlsx"
    seen = []
    result = xr.merge([TOWNS], unit="示例区", output=out,
                      progress=lambda done, total, _c: seen.append((done, total)))
    assert out.exists() and len(result.included) == 4
    assert seen == [(i, 4) for i in range(1, 5)]   # each input, the writer's import riding on the first
    assert xr.read(out).kind == "merged"
    assert xr.read(out).values["t3.new.total"] == result.report.number("t3.new.total")
    with pytest.raises(xr.CannotContinue) as bad:
        xr.merge([TOWNS], unit="示例区", output=tmp_path / "区.csv")
    assert bad.value.code == "OUTPUT-SUFFIX"


def test_rules_lists_the_catalogue():
    assert [r.code for r in xr.rules()] == list(RULES)


def _python_blocks() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Python 接口"):]
    section = section[:section.index("\n## ", 1)]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def test_readme_python_example_runs(monkeypatch, capsys):
    blocks = _python_blocks()
    assert len(blocks) == 2 and "subprocess" not in "".join(blocks)
    monkeypatch.chdir(REPO)
    exec(compile(blocks[0], "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert out.startswith("河市镇 2020 ")
    assert "北峰镇 warning AGG-ROSTER" in out
    assert "FILE-FOREIGN roster.csv：" in out


def test_readme_pandas_example_runs(monkeypatch, capsys):
    pytest.importorskip("pandas")
    monkeypatch.chdir(REPO)
    exec(compile(_python_blocks()[1], "README.md", "exec"), {})
    assert "t2." in capsys.readouterr().out


def test_python_dash_m_runs_the_command_line():
    result = subprocess.run([sys.executable, "-m", "xlsx_reports", "rules", "--json"],
                            capture_output=True, text=True, encoding="utf-8")
    assert result.returncode == 0
    assert {r["code"] for r in json.loads(result.stdout)} == set(RULES)


def test_mypy_passes_on_the_package():
    mypy = shutil.which("mypy", path=os.pathsep.join([str(Path(sys.executable).parent),
                                                         os.environ.get("PATH", "")]))
    if mypy is None:
        pytest.skip("mypy not installed")
    result = subprocess.run([mypy, "xlsx_reports"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]


def test_money_stays_decimal_in_the_api(tmp_path):
    records = xr.export([XINJIU])
    amounts = [r["value"] for r in records if r["key"] == "t2.fees.amount"]
    assert amounts and all(isinstance(v, (int, Decimal)) for v in amounts)
