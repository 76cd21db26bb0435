"""Every command over the hostile corpus (tests/hostile_corpus.py) beside a sound workbook:
the exit code, one Chinese line naming each bad file without Python words, bounded time and
memory per file, inputs unchanged, and the sound workbook still processed (issue 10)."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from hostile_corpus import CASES, INJECTIONS, MARKDOWN_UNITS, PERMISSION_CASE, VALID, build_corpus

EXCEPTION_NAME = re.compile(r"Traceback|Errno|\b[A-Z]\w*(?:Error|Exception)\b")
SECONDS_PER_FILE = 5          # CPU seconds: these files ran for minutes before
WALL_SECONDS = 120            # a hang guard that a loaded test machine does not trip
PEAK_MB = 300
CLI = [sys.executable, "-c", "from xlsx_reports.cli import main_entry; main_entry()"]
UNREADABLE = [c for c in CASES if not c.readable]
READABLE = [c for c in CASES if c.readable]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    build_corpus(folder)
    return folder


@pytest.fixture(scope="module")
def baseline(corpus) -> float:
    """CPU seconds `check` takes over the sound workbook alone (start-up included)."""
    return run(["check", VALID], corpus).seconds


class Run:
    def __init__(self, code: int, out: str, err: str, seconds: float, wall: float, peak_mb: float):
        self.code, self.out, self.err, self.peak_mb = code, out, err, peak_mb
        self.seconds, self.wall = seconds, wall

    @property
    def text(self) -> str:
        return self.out + self.err


# Linux gives an exec'd child the peak memory of the process it was forked from (exec keeps the
# old image's high-water mark), so a child of this test process, grown by the suite, would report
# the suite's memory. A small launcher forks the command instead and passes on its wait4 figures.
LAUNCHER = """
import json, os, subprocess, sys
cmd, out_path, err_path = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
with open(out_path, "wb") as out, open(err_path, "wb") as err:
    child = subprocess.Popen(cmd, stdout=out, stderr=err)
    _, status, usage = os.wait4(child.pid, 0)
print(json.dumps([os.waitstatus_to_exitcode(status), usage.ru_utime + usage.ru_stime, usage.ru_maxrss]))
"""


def run(args: list[str], cwd: Path, env: dict | None = None) -> Run:
    """The command in a child process; its own CPU time and peak memory from wait4 (not the
    test's), which a machine busy with other work does not inflate as it does wall time."""
    with tempfile.TemporaryDirectory() as tmp:
        out, err = Path(tmp) / "out", Path(tmp) / "err"
        start = time.perf_counter()
        launched = subprocess.run([sys.executable, "-c", LAUNCHER, json.dumps(CLI + args), str(out), str(err)],
                                  cwd=cwd, env=dict(os.environ, **(env or {})), capture_output=True,
                                  text=True, check=True)
        wall = time.perf_counter() - start
        code, seconds, maxrss = json.loads(launched.stdout)
        return Run(code, out.read_bytes().decode("utf-8"), err.read_bytes().decode("utf-8"),
                   seconds, wall, maxrss / 1024)


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()
            if stat.S_ISREG(p.lstat().st_mode)}


def assert_clean(result: Run, seconds: float) -> None:
    assert not EXCEPTION_NAME.search(result.text), result.text[-2000:]
    assert result.seconds < seconds, f"{result.seconds:.1f} s of CPU"
    assert result.wall < WALL_SECONDS, f"{result.wall:.0f} s"
    assert result.peak_mb < PEAK_MB, f"{result.peak_mb:.0f} MB"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_check_names_the_bad_file_and_still_checks_the_sound_one(corpus, baseline, case):
    before = digests(corpus)
    result = run(["check", VALID, case.name], corpus)
    assert_clean(result, baseline + SECONDS_PER_FILE)
    assert f"== {VALID}（东山镇，2021 年度，2021 版格式）==" in result.out
    if case.readable:
        assert result.code in (0, 1), result.text
        assert f"== {case.name}（" in result.out
        assert case.words in result.out
    else:
        assert result.code == 2, result.text
        line = next(l for l in result.out.splitlines() if f"UNREADABLE：{case.name}：" in l)
        assert case.words in line
        assert f"  {case.name}：无法读取" in result.out
    assert digests(corpus) == before


def test_check_json_over_the_whole_corpus(corpus):
    before = digests(corpus)
    names = [VALID] + [c.name for c in CASES]
    result = run(["check", "--json", *names], corpus)
    assert_clean(result, SECONDS_PER_FILE * len(names))
    assert result.code == 2
    data = json.loads(result.out)
    assert [Path(f["file"]).name for f in data["files"]] == names
    assert data["summary"]["unreadable"] == len(UNREADABLE)
    fraction = next(f for f in data["files"] if f["file"].endswith("小数与旧合计.xlsx"))
    assert any(f["code"] == "T3-TYPE" and f["actual"] == 2.5 for f in fraction["findings"])
    assert digests(corpus) == before


def test_check_reports_special_files_found_in_a_folder(corpus):
    result = run(["check", "."], corpus)
    assert result.code == 2
    for name in ("管道.xlsx", "零设备.xlsx", "文件夹.xlsx", "断开的链接.xlsx"):
        assert f"UNREADABLE：{name}：" in result.out


@pytest.fixture(scope="module")
def merge_folder(corpus, tmp_path_factory) -> Path:
    """The sound workbook and every .xlsx file that cannot be read (special files remade)."""
    folder = tmp_path_factory.mktemp("merge-in")
    os.link(corpus / VALID, folder / VALID)
    for case in UNREADABLE:
        if case.name.endswith(".xlsx"):
            if stat.S_ISREG((corpus / case.name).lstat().st_mode):
                os.link(corpus / case.name, folder / case.name)
            else:
                case.build(corpus / VALID, folder / case.name)
    return folder


def test_merge_leaves_out_each_bad_file_merges_the_rest_and_exits_2(merge_folder, tmp_path):
    before = digests(merge_folder)
    out = tmp_path / "汇总.xlsx"
    result = run(["merge", str(merge_folder), "-o", str(out), "--unit", "测试区"], tmp_path)
    bad = [c for c in UNREADABLE if c.name.endswith(".xlsx")]
    assert_clean(result, SECONDS_PER_FILE * (len(bad) + 1))
    assert result.code == 2, result.text
    assert out.exists()
    assert f"纳入汇总：1 个工作簿，共 1 个单位\n  东山镇：{merge_folder / VALID}\n" in result.out
    for case in bad:
        assert case.name in result.text
    assert digests(merge_folder) == before


def test_export_continues_past_bad_files_and_neutralises_formulas(corpus, tmp_path):
    before = digests(corpus)
    names = [VALID] + [c.name for c in CASES]
    out = tmp_path / "导出.csv"
    result = run(["export", *names, "-o", str(out)], corpus)
    assert_clean(result, SECONDS_PER_FILE * len(names))
    assert result.code == 2
    for case in UNREADABLE:
        assert any(l.startswith(f"错误：{case.name}：") and case.words in l for l in result.err.splitlines()), case.name
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    units = {r["unit"] for r in rows}
    assert "东山镇" in units and "'" + INJECTIONS[0] in units
    for r in rows:
        for value in r.values():
            assert not value.startswith(("=", "+", "@", "\t", "\r")) and not re.match(r"-[^\d]", value), value
    narrative = next(r["text"] for r in rows if r["unit"] == "西山镇" and r["key"] == "s1.text")
    assert narrative.startswith("'" + INJECTIONS[0])
    numbers = [r["value"] for r in rows if r["unit"] == "东山镇" and r["key"] == "t3.new.natural"]
    assert "5" in numbers
    assert digests(corpus) == before


def test_batch_manifest_neutralises_formula_unit_names(tmp_path):
    roster = tmp_path / "名单.csv"
    roster.write_text("单位名称\n" + "\n".join(['"=HYPERLINK(""http://x"",""y"")"', "@SUM(1)", "东山镇"]) + "\n",
                      encoding="utf-8")
    result = run(["batch", str(roster), "--year", "2024", "-o", str(tmp_path / "out")], tmp_path)
    assert result.code == 0, result.text
    rows = list(csv.reader(io.StringIO((tmp_path / "out" / "manifest.csv").read_text(encoding="utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["'=HYPERLINK(\"http://x\",\"y\")", "'@SUM(1)", "东山镇"]
    from xlsx_reports.core.roster import read_roster    # the manifest read back as the roster
    assert read_roster(tmp_path / "out" / "manifest.csv").names == [
        '=HYPERLINK("http://x","y")', "@SUM(1)", "东山镇"]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_render_refuses_bad_files_in_one_line(corpus, baseline, case, tmp_path):
    out = tmp_path / "报告.md"
    result = run(["render", case.name, "-o", str(out), "--force"], corpus)
    assert_clean(result, baseline + SECONDS_PER_FILE)
    if case.readable:
        assert result.code in (0, 1), result.text
        assert out.exists()
    else:
        assert result.code == 2, result.text
        assert f"错误：{case.name}：" in result.err and case.words in result.err
        assert not out.exists()


@pytest.mark.parametrize("number", range(1, len(MARKDOWN_UNITS) + 1))
def test_markdown_report_shows_html_and_links_as_text(corpus, tmp_path, number):
    out = tmp_path / "报告.md"
    result = run(["render", f"网页注入{number}.xlsx", "-o", str(out)], corpus)
    assert result.code in (0, 1), result.text
    md = out.read_text(encoding="utf-8")
    title = md.splitlines()[0]
    assert title.startswith("# ") and ("\\<" in title or "\\[" in title), title
    # nothing that a Markdown renderer would turn into a tag or a link
    assert not re.search(r"(?<!\\)<(script|img)", md)
    assert not re.search(r"(?<!\\)\]\(javascript:", md)


def test_internal_error_is_one_line_naming_the_file_and_exit_3(corpus, tmp_path, monkeypatch):
    """A fault of the program (simulated: the checker raising) must not look like a crash."""
    from click.testing import CliRunner

    from xlsx_reports.check import batch, workbook
    from xlsx_reports.cli import main

    def broken(*args, **kwargs):
        raise RuntimeError("simulated fault")
    monkeypatch.setattr(workbook, "check_reading", broken)
    monkeypatch.setattr(batch, "check_reading", broken)
    result = CliRunner().invoke(main, ["check", str(corpus / VALID), str(corpus / "管道.xlsx")])
    assert result.exit_code == 3
    assert f"{VALID}：内部错误" in result.stdout
    assert "管道.xlsx：无法读取" in result.stdout      # the next file was still handled
    assert not EXCEPTION_NAME.search(result.stdout + result.stderr)
    debug = CliRunner().invoke(main, ["--debug", "check", str(corpus / VALID)])
    assert debug.exit_code == 3 and "RuntimeError: simulated fault" in debug.stderr
    os.environ.pop("XLSX_REPORTS_DEBUG", None)


def test_unreadable_permission_is_reported_and_the_rest_checked(tmp_path):
    """As root every file is readable; the check then runs with a user's rights (seteuid)."""
    from xlsx_reports.check.batch import check_paths
    from xlsx_reports.check.output import text_lines

    folder = Path(tempfile.mkdtemp(prefix="hostile-perm-"))
    try:
        folder.chmod(0o755)
        build_corpus_subset(folder)
        check_paths([folder / VALID], jobs=1)          # every module loaded before rights drop
        if os.geteuid() == 0:
            os.seteuid(65534)
        try:
            if os.access(folder / PERMISSION_CASE.name, os.R_OK, effective_ids=True):
                pytest.skip("this user can read a file with mode 000")
            result = check_paths([folder / VALID, folder / PERMISSION_CASE.name], jobs=1)
        finally:
            if os.getuid() == 0:
                os.seteuid(0)
        text = "\n".join(text_lines(result))
        assert result.exit_code == 2
        assert f"UNREADABLE：{PERMISSION_CASE.name}：没有读取权限" in text
        assert f"== {VALID}（东山镇" in text
        assert not EXCEPTION_NAME.search(text)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def build_corpus_subset(folder: Path) -> None:
    from fixtures_check.workbooks import balanced, generate
    valid = generate(balanced(2021, "东山镇"), folder / VALID)
    valid.chmod(0o644)
    PERMISSION_CASE.build(valid, folder / PERMISSION_CASE.name)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
@pytest.mark.parametrize("command", ["check", "merge"])
def test_a_file_swapped_for_a_fifo_after_it_was_looked_at_is_refused_not_waited_on(tmp_path, monkeypatch, command):
    """refusal() judged the name a regular file; by the time it is opened a FIFO with no writer
    stands there (a race a shared folder allows): the open must not wait for a writer for ever."""
    import threading
    from xlsx_reports.check import batch
    from xlsx_reports.check.output import text_lines
    from xlsx_reports.merge import inputs

    swapped = tmp_path / "换掉的.xlsx"
    os.mkfifo(swapped)
    if command == "check":
        monkeypatch.setattr("xlsx_reports.xlsx.filetypes.refusal", lambda path: None)
    else:
        monkeypatch.setattr(inputs, "refusal", lambda path: None)
    done: list = []
    worker = threading.Thread(target=lambda: done.append(
        batch.check_paths([swapped], jobs=1) if command == "check" else inputs.check_one(swapped)), daemon=True)
    worker.start()
    worker.join(30)
    assert done, "the read waited for a writer"
    message = "这是一个管道（FIFO），不是普通文件，已跳过；请提交工作簿文件本身"
    if command == "check":
        assert f"UNREADABLE：换掉的.xlsx：{message}" in "\n".join(text_lines(done[0]))
    else:
        assert [f.message for f in done[0].problems] == [f"换掉的.xlsx：{message}"]
